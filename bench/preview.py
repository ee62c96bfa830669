"""Benchmark: the offline preview against the SDK's own floors, and the critical path.

Prints, in one run:
- for dev, prod, and prod with its services multiplied to 10, 100 and (without `--quick`)
  1,000: the resources, the wall and CPU seconds and the peak memory of
  `python -m offline preview`, each the median of `--repeat` runs, beside two floors for the
  same number of resources and the ratios to them (`bench/floor.py`; both import exactly the
  `pulumi*` modules a real prod preview had loaded and register under Pulumi's mocks):
  - trivial: bare `CustomResource`s under plain mocks: what any program of that size pays;
  - classes: the resources that very preview lists, each with the SDK class the program used
    for its type and the inputs the program gave it, as the engine runs a program (SDKs
    imported within the run, alias URNs on demand, the GC off long-lived data). The preview
    over this floor is Slipway's own cost.
- the marginal milliseconds per resource of each scaled prod against prod, beside both floors';
- the recorded resource graph's critical path: the longest chain of dependencies, weighted
  by typical provider create times, beside the serial sum of those times. A needless
  `depends_on` that serialises `pulumi up` shows up as a critical path close to the serial sum.

Copied services get unique names and unique repositories, so no two resources share a URN
(the engine refuses a duplicate, as Pulumi does).

Run: .venv/bin/python bench/preview.py [--quick] [--repeat N] [--view compact|json]
"""

from __future__ import annotations

import argparse
import copy
import json
import marshal
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

SCRIPT = Path(__file__).resolve()
PROJECT_DIR = SCRIPT.parent.parent
sys.path.insert(0, str(PROJECT_DIR))

if TYPE_CHECKING:
    from offline.engine import Recording

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
QUICK_SCALES = (10, 100)
FULL_SCALES = (10, 100, 1000)
SDK_PACKAGES = re.compile(r"^(pulumi|pulumi_[a-z0-9_]+|pulumiverse_[a-z0-9_]+)(\.|$)")


def create_seconds(type_: str) -> float:
    return CREATE_SECONDS.get(type_, DEFAULT_SECONDS)


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mb: float
    output: str


def measure(command: list[str], into: Path | None = None) -> Sample:
    """One run of `command`: its wall and CPU seconds, its peak memory and what it printed (or into `into`)."""
    with into.open("w+b") if into else tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
        out.seek(0)
        output = "" if into else out.read().decode()
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)


FLOORS = ("trivial", "classes")


@dataclass
class Row:
    label: str
    resources: int
    samples: dict[str, list[Sample]]  # "preview" and each of FLOORS

    def median(self, of: str, field: str) -> float:
        return statistics.median(float(getattr(sample, field)) for sample in self.samples[of])


def record(stack: str) -> Recording:
    from offline.engine import run_project
    from offline.stackfile import load_stack_config

    config = load_stack_config(PROJECT_DIR, stack)
    return run_project(PROJECT_DIR, stack=stack, config=config.config, secret_keys=config.secret_keys)


def sdk_modules() -> list[str]:
    """The `pulumi*` modules this process has loaded (lazily registered ones only if used)."""
    return sorted(
        name
        for name, module in sys.modules.items()
        if SDK_PACKAGES.match(name) and type(module).__name__ != "_LazyModule"
    )


@contextmanager
def classes_declared(found: dict[str, str]) -> Iterator[None]:
    """Within: note, by type, the class (`module:Class`) of each custom resource declared."""
    import pulumi

    original = pulumi.CustomResource.__init__

    def noting(self: pulumi.CustomResource, t: str, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if not SDK_PACKAGES.match(cls.__module__):
            raise TypeError(f"{t} is declared by {cls.__module__}.{cls.__qualname__}, not an SDK class")
        found.setdefault(t, f"{cls.__module__}:{cls.__qualname__}")
        original(self, t, *args, **kwargs)

    pulumi.CustomResource.__init__ = noting  # type: ignore[method-assign]
    try:
        yield
    finally:
        pulumi.CustomResource.__init__ = original  # type: ignore[method-assign]


def analyse(scratch: Path) -> None:
    """In a process of its own: write the SDK modules and classes prod and dev use, print the critical paths."""
    classes: dict[str, str] = {}
    with classes_declared(classes):
        recordings = {stack: record(stack) for stack in ("prod", "dev")}
    (scratch / "modules.txt").write_text("\n".join(sdk_modules()))
    (scratch / "classes.json").write_text(json.dumps(classes, indent=1, sort_keys=True))
    for stack in ("dev", "prod"):
        weight, length, serial, chain = critical_path(recordings[stack])
        print()
        print(f"critical path of {stack}: {weight:.0f} s over {length} resources; serial sum {serial:.0f} s")
        print(f"  parallelism (serial / critical): {serial / weight:.1f}" if weight else "  (no resources)")
        for link in chain:
            print(f"  -> {link}")


def scaled_project(directory: Path, services: int) -> Path:
    """A copy of the project whose prod stack delivers `services` services, each its own repository."""
    project = directory / f"prod-x{services}"
    shutil.copytree(
        PROJECT_DIR, project, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "bench", "__pycache__", "out")
    )
    document = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    delivery = document["config"]["slipway:delivery"]
    template = delivery["services"]
    services_ = []
    for index in range(services):
        service = copy.deepcopy(template[index % len(template)])
        service["name"] = f"{service['name']}-{index}"
        service["repository"] = f"{service.get('repository', service['name'])}-{index}"
        services_.append(service)
    delivery["services"] = services_
    (project / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document))
    return project


def write_plan(preview_json: Path, plan_file: Path) -> None:
    """In a process of its own: the class floor's plan from a preview's JSON; prints the resources."""
    document = json.loads(preview_json.read_text())
    plan = []
    for step in document["steps"]:
        state = step["newState"]
        if step["op"] != "create":
            raise SystemExit(f"{state['urn']}: a {step['op']} step, where a fresh stack has creates only")
        if state["type"] != "pulumi:pulumi:Stack":  # the floor's mocks register the stack
            plan.append((state["type"], state["custom"], state["inputs"]))
    plan_file.write_bytes(marshal.dumps(plan))
    print(len(document["steps"]))


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


def ratio(ours: float, floor: float) -> str:
    """ours / floor, or n/a where either is no cost (a marginal lost in the machine's noise)."""
    return f"{ours / floor:.2f}" if floor > 0 and ours > 0 else "n/a"


def measure_row(label: str, preview: list[str], view: str, floor: list[str], scratch: Path, repeat: int) -> Row:
    """The preview (printing `view`) and both floors for one target, `repeat` times each, paired."""
    preview_json, plan_file = scratch / "preview.json", scratch / "plan.marshal"
    measure([*preview, "--json"], into=preview_json)  # also warms the caches
    count = int(measure([sys.executable, str(SCRIPT), "--plan", str(preview_json), str(plan_file)]).output)
    commands = {
        "trivial": [*floor, str(count)],
        "classes": [*floor, "--plan", str(plan_file), "--classes", str(scratch / "classes.json")],
    }
    samples: dict[str, list[Sample]] = {"preview": [], **{name: [] for name in FLOORS}}
    for _ in range(repeat):  # paired, so drift in the machine's speed hits all alike
        samples["preview"].append(measure([*preview, f"--{view}"]))
        for name in FLOORS:
            samples[name].append(measure(commands[name]))
    return Row(label, count, samples)


def print_row(row: Row) -> None:
    line = f"{row.label:<22} {row.resources:>9,}"
    for field in ("wall", "cpu"):
        ours = row.median("preview", field)
        line += f" {ours:>6.2f}"
        for name in FLOORS:
            floor = row.median(name, field)
            line += f" {floor:>7.2f} {ratio(ours, floor):>6}"
    line += "".join(f" {row.median(of, 'peak_mb'):>7.0f}" for of in ("preview", *FLOORS))
    print(line, flush=True)


def print_marginals(base: Row, rows: list[Row]) -> None:
    """Milliseconds per resource each scaled row adds to `base`, the preview's and each floor's."""
    print()
    print("marginal ms per resource against prod, preview vs the floors (x: preview / floor):")
    for row in rows:
        added = row.resources - base.resources
        parts = []
        for field in ("wall", "cpu"):
            each = {of: (row.median(of, field) - base.median(of, field)) / added * 1000 for of in ("preview", *FLOORS)}
            versus = ", ".join(f"{name} {each[name]:.2f} (x {ratio(each['preview'], each[name])})" for name in FLOORS)
            parts.append(f"{field} {each['preview']:.2f} vs {versus}")
        print(f"  {row.label:<22} +{added:,} resources: {'; '.join(parts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="dev, prod, and prod with 10 and 100 services")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--view", choices=("compact", "json"), default="compact", help="what the preview prints")
    parser.add_argument("--analyse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.analyse is not None:
        analyse(args.analyse)
        return
    if args.plan is not None:
        write_plan(*args.plan)
        return

    # This process stays small: Linux counts the memory of the process a child was forked from
    # in the child's peak, so the program runs only in children.
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        analysis = measure([python, str(SCRIPT), "--analyse", str(scratch)]).output
        modules = (scratch / "modules.txt").read_text().split()
        targets = [("dev", PROJECT_DIR, "dev"), ("prod", PROJECT_DIR, "prod")]
        for services in QUICK_SCALES if args.quick else FULL_SCALES:
            targets.append((f"prod, {services} services", scaled_project(scratch, services), "prod"))

        packages = sorted({m.split(".")[0] for m in modules})
        print(f"floors: {len(modules)} modules of {', '.join(packages)} imported, then as many registrations:")
        print("  trivial: bare CustomResources under plain mocks, as any program;")
        print("  classes: the preview's own resources with their SDK classes and inputs, as the engine runs them")
        print(f"preview view: --{args.view}; medians of {args.repeat} paired runs; x: preview / floor")
        print()
        header = f"{'preview':<22} {'resources':>9}"
        for field in ("wall", "cpu"):
            header += f" {field + ' s':>6} {'trivial':>7} {'x':>6} {'classes':>7} {'x':>6}"
        print(header + f" {'peak MB':>7} {'trivial':>7} {'classes':>7}")
        floor = [python, str(PROJECT_DIR / "bench" / "floor.py"), str(scratch / "modules.txt")]
        rows = []
        for label, project, stack in targets:
            preview = [python, "-m", "offline", "preview", "--stack", stack, "--project-dir", str(project)]
            row = measure_row(label, preview, args.view, floor, scratch, args.repeat)
            rows.append(row)
            print_row(row)

    print_marginals(rows[1], rows[2:])
    print(analysis, end="")


if __name__ == "__main__":
    main()
