"""The metric names each pinned version exposes, read from the upstream copies in tests/schemas/metrics/,
and the metric names a PromQL expression uses."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

METRICS = Path(__file__).parent / "schemas" / "metrics"
# PromQL's keywords and aggregation modifiers (never metric names).
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "or", "and", "unless", "bool", "offset"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def _quoted_names(text: str, prefix: str) -> set[str]:
    return set(re.findall(rf'"({prefix}[a-z0-9_]+)"', text))


@cache
def exposed() -> dict[str, set[str]]:
    """Metric names by project, each from its own upstream file(s)."""
    read = {path.name: path.read_text() for path in METRICS.iterdir()}
    sealed = "sealed_secrets_controller"
    return {
        "argocd": set(re.findall(r"`(argocd_[a-z0-9_]+)`", read["argocd-metrics.md"]))
        | _quoted_names(read["argocd-controller-metrics.go.txt"], "argocd_")
        | _quoted_names(read["argocd-clustercollector.go.txt"], "argocd_")
        | _quoted_names(read["argocd-reposerver-metrics.go.txt"], "argocd_"),
        "argo-rollouts": _quoted_names(
            read["argo-rollouts-prommetrics.go.txt"], "(?:rollout|analysis_run|experiment)_"
        ),
        "gatekeeper": set(re.findall(r"`(gatekeeper_[a-z0-9_]+) ?`", read["gatekeeper-metrics.md"])),
        "sealed-secrets": {
            f"{sealed}_{name}" for name in re.findall(r'Name: +"([a-z_]+)"', read["sealed-secrets-metrics.go.txt"])
        },
        "dcgm-exporter": set(
            re.findall(r"^(DCGM_FI_[A-Z0-9_]+)\s*,", read["dcgm-exporter-dcp-metrics-included.csv"], re.M)
        ),
        "cadvisor": set(re.findall(r"`(container_[a-z_]+)`", read["cadvisor-prometheus.md"])),
        "kube-state-metrics": set(re.findall(r"\b(kube_[a-z_]+)\b", read["kube-state-metrics-pod-metrics.md"])),
    }


def all_exposed() -> set[str]:
    return set().union(*exposed().values())


def used_metrics(expr: str) -> set[str]:
    """The metric names in a PromQL expression (label matchers, grouping labels and strings removed)."""
    stripped = re.sub(r'"[^"]*"', "", expr)
    stripped = re.sub(r"\{[^}]*\}", "", stripped)
    stripped = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", stripped)
    stripped = re.sub(r"\[[^\]]*\]", "", stripped)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", stripped):
        name = match.group(0)
        following = stripped[match.end() :].lstrip()
        if following.startswith("(") or name in KEYWORDS:
            continue  # a function or a keyword
        names.add(name)
    return names


def unknown_metrics(expr: str) -> set[str]:
    """Metrics an expression uses that no pinned version exposes (a histogram's series by its base name)."""
    known = all_exposed()
    unknown = set()
    for name in used_metrics(expr):
        bases = [name.removesuffix(suffix) for suffix in HISTOGRAM_SUFFIXES if name.endswith(suffix)]
        if name not in known and not any(base in known for base in bases):
            unknown.add(name)
    return unknown
