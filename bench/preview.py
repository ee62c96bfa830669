"""Benchmark: offline preview time against the SDK import floor, and the critical path.

Prints, in one run:
- the wall time of `python -m offline preview` for dev and prod, and for prod with its
  services multiplied to 10, 100 and 1000, each the median of a few runs, beside the
  floor (a process that only imports the SDK modules the program uses) and the ratio;
- the recorded resource graph's critical path: the longest chain of dependencies,
  counted in resources and weighted by typical provider create times, beside the serial
  sum of those times. A needless `depends_on` that serialises `pulumi up` shows up here
  as a critical path close to the serial sum.

Run: .venv/bin/python bench/preview.py [--repeat N]
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from offline.engine import Recording, run_project  # noqa: E402
from offline.stackfile import load_stack_config  # noqa: E402

# Typical create times in seconds, as seen in real `pulumi up` runs of these types.
CREATE_SECONDS: dict[str, float] = {
    "azure-native:resources:ResourceGroup": 2,
    "azure-native:containerregistry:Registry": 25,
    "azure-native:containerregistry:Replication": 180,
    "azure-native:managedidentity:UserAssignedIdentity": 4,
    "azure-native:managedidentity:FederatedIdentityCredential": 3,
    "azure-native:authorization:RoleAssignment": 20,
    "azure-native:containerservice:ManagedCluster": 480,
    "azure-native:containerservice:AgentPool": 300,
    "azuread:index/application:Application": 5,
    "azuread:index/servicePrincipal:ServicePrincipal": 5,
    "kubernetes:helm.sh/v3:Release": 120,
}
DEFAULT_SECONDS = 3.0  # Kubernetes objects, GitHub objects and the like
SERVICE_SCALES = (10, 100, 1000)


def create_seconds(type_: str) -> float:
    return CREATE_SECONDS.get(type_, DEFAULT_SECONDS)


def timed(command: list[str], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_DIR, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def sdk_modules(recording_stack: str) -> list[str]:
    """The provider SDK modules (and `pulumi`) that running the program imports."""
    config = load_stack_config(PROJECT_DIR, recording_stack)
    run_project(PROJECT_DIR, stack=recording_stack, config=config.config, secret_keys=config.secret_keys)
    names = {
        name
        for name, module in sys.modules.items()
        if (name == "pulumi" or (name.startswith("pulumi_") and name.count(".") <= 1))
        and type(module).__name__ != "_LazyModule"  # azure-native registers every submodule lazily
        and not name.endswith("._utilities")
    }
    return sorted(names)


def scaled_project(directory: Path, services: int) -> Path:
    """A copy of the project whose prod stack delivers `services` services."""
    project = directory / f"prod-x{services}"
    shutil.copytree(
        PROJECT_DIR, project, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "bench", "__pycache__", "out")
    )
    document = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    delivery = document["config"]["slipway:delivery"]
    template = delivery["services"]
    delivery["services"] = [
        {**copy.deepcopy(template[i % len(template)]), "name": f"{template[i % len(template)]['name']}-{i}"}
        for i in range(services)
    ]
    (project / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document))
    return project


def critical_path(recording: Recording) -> tuple[float, int, float, list[str]]:
    """(weighted length, resources on it, serial sum, the chain) of the creates' DAG."""
    custom = {r.urn: r for r in recording.resources if r.custom}
    # A resource waits for what it depends on and for its provider (which waits for its kubeconfig).
    deps = {
        urn: [d for d in [*r.dependencies, r.provider.rsplit("::", 1)[0]] if d in custom] for urn, r in custom.items()
    }

    @cache
    def longest(urn: str) -> tuple[float, tuple[str, ...]]:
        best: tuple[float, tuple[str, ...]] = (0.0, ())
        for dep in deps[urn]:
            candidate = longest(dep)
            if candidate[0] > best[0]:
                best = candidate
        return best[0] + create_seconds(custom[urn].type), (*best[1], urn)

    weight, chain = max((longest(urn) for urn in custom), default=(0.0, ()))
    serial = sum(create_seconds(r.type) for r in custom.values())
    return weight, len(chain), serial, [f"{custom[u].type} {custom[u].name}" for u in chain]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    args = parser.parse_args()

    modules = sdk_modules("prod")
    python = sys.executable
    floor = timed([python, "-c", "; ".join(f"import {m}" for m in modules)], args.repeat)
    packages = sorted({m.split(".")[0] for m in modules})
    print(f"import floor ({len(modules)} modules of {', '.join(packages)}): {floor:.2f} s")
    print()
    print(f"{'preview':<16} {'resources':>9} {'wall s':>8} {'x floor':>8}")

    def row(label: str, project: Path, stack: str) -> None:
        wall = timed(
            [python, "-m", "offline", "preview", "--stack", stack, "--compact", "--project-dir", str(project)],
            args.repeat,
        )
        config = load_stack_config(project, stack)
        count = len(run_project(project, stack=stack, config=config.config, secret_keys=config.secret_keys).resources)
        print(f"{label:<16} {count:>9} {wall:>8.2f} {wall / floor:>8.2f}")

    row("dev", PROJECT_DIR, "dev")
    row("prod", PROJECT_DIR, "prod")
    with tempfile.TemporaryDirectory() as scratch:
        for services in SERVICE_SCALES:
            row(f"prod x{services} svc", scaled_project(Path(scratch), services), "prod")

    for stack in ("dev", "prod"):
        config = load_stack_config(PROJECT_DIR, stack)
        recording = run_project(PROJECT_DIR, stack=stack, config=config.config, secret_keys=config.secret_keys)
        weight, length, serial, chain = critical_path(recording)
        print()
        print(f"critical path of {stack}: {weight:.0f} s over {length} resources; serial sum {serial:.0f} s")
        print(f"  parallelism (serial / critical): {serial / weight:.1f}" if weight else "  (no resources)")
        for link in chain:
            print(f"  -> {link}")


if __name__ == "__main__":
    main()
