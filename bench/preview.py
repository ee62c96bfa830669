"""Benchmark: the offline preview against the SDK's own floor, and the critical path.

Prints, in one run:
- for dev, prod, and prod with its services multiplied to 10, 100 and (without `--quick`)
  1,000: the resources, the wall and CPU seconds and the peak memory of
  `python -m offline preview`, each the median of `--repeat` runs, beside the floor for the
  same number of resources and the ratio to it. The floor (`bench/floor.py`) imports exactly
  the `pulumi*` modules a real prod preview had loaded and registers as many trivial
  resources under Pulumi's plain mocks: what any program of that size pays to the SDK.
- the marginal milliseconds per resource of each scaled prod against prod, beside the floor's;
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
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
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


def measure(command: list[str]) -> Sample:
    """One run of `command`: its wall and CPU seconds, its peak memory and what it printed."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
        out.seek(0)
        output = out.read().decode()
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)


@dataclass
class Row:
    label: str
    resources: int
    preview: list[Sample]
    floor: list[Sample]

    def median(self, samples: list[Sample], field: str) -> float:
        return statistics.median(float(getattr(sample, field)) for sample in samples)


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


def analyse(modules_file: Path) -> None:
    """In a process of its own: write the SDK modules a prod preview loads, print the critical paths."""
    recordings = {stack: record(stack) for stack in ("prod", "dev")}
    modules_file.write_text("\n".join(sdk_modules()))
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


def resources_in(output: str, view: str) -> int:
    """The resources the preview printed: the tree's `+ N to create`, or the JSON's steps."""
    if view == "json":
        return int(re.findall(r'"create": (\d+)', output)[-1])
    return int(re.findall(r"\+ (\d+) to create", output)[-1])


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
    parser.add_argument("--quick", action="store_true", help="dev, prod, and prod with 10 and 100 services")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--view", choices=("compact", "json"), default="compact", help="what the preview prints")
    parser.add_argument("--analyse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.analyse is not None:
        analyse(args.analyse)
        return

    # This process stays small: Linux counts the memory of the process a child was forked from
    # in the child's peak, so the program runs only in children.
    python = sys.executable
    view_flag = "--compact" if args.view == "compact" else "--json"
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        modules_file = scratch / "modules.txt"
        analysis = measure([python, str(Path(__file__).resolve()), "--analyse", str(modules_file)]).output
        modules = modules_file.read_text().split()
        targets = [("dev", PROJECT_DIR, "dev"), ("prod", PROJECT_DIR, "prod")]
        for services in QUICK_SCALES if args.quick else FULL_SCALES:
            targets.append((f"prod, {services} services", scaled_project(scratch, services), "prod"))

        packages = sorted({m.split(".")[0] for m in modules})
        print(f"floor: {len(modules)} modules of {', '.join(packages)}, trivial resources under plain mocks")
        print(f"preview view: --{args.view}; medians of {args.repeat} paired runs")
        print()
        header = f"{'preview':<22} {'resources':>9} {'wall s':>7} {'floor s':>7} {'x floor':>7}"
        header += f" {'cpu s':>6} {'floor':>6} {'x floor':>7} {'peak MB':>7} {'floor':>6}"
        print(header)
        rows = []
        for label, project, stack in targets:
            command = [python, "-m", "offline", "preview", "--stack", stack, view_flag, "--project-dir", str(project)]
            first = measure(command)
            count = resources_in(first.output, args.view)
            floor_command = [python, str(PROJECT_DIR / "bench" / "floor.py"), str(modules_file), str(count)]
            previews, floors = [], []
            for _ in range(args.repeat):  # paired, so drift in the machine's speed hits both alike
                previews.append(measure(command))
                floors.append(measure(floor_command))
            row = Row(label, count, previews, floors)
            rows.append(row)
            wall, floor_wall = row.median(previews, "wall"), row.median(floors, "wall")
            cpu, floor_cpu = row.median(previews, "cpu"), row.median(floors, "cpu")
            line = f"{label:<22} {count:>9,} {wall:>7.2f} {floor_wall:>7.2f} {wall / floor_wall:>7.2f}"
            line += f" {cpu:>6.2f} {floor_cpu:>6.2f} {cpu / floor_cpu:>7.2f}"
            line += f" {row.median(previews, 'peak_mb'):>7.0f} {row.median(floors, 'peak_mb'):>6.0f}"
            print(line, flush=True)

    base = rows[1]
    print()
    print("marginal ms per resource against prod (wall; cpu), preview vs floor:")
    for row in rows[2:]:
        added = row.resources - base.resources
        marginal = {}
        for field in ("wall", "cpu"):
            ours = (row.median(row.preview, field) - base.median(base.preview, field)) / added * 1000
            floor = (row.median(row.floor, field) - base.median(base.floor, field)) / added * 1000
            marginal[field] = (ours, floor)
        (wall, floor_wall), (cpu, floor_cpu) = marginal["wall"], marginal["cpu"]
        print(
            f"  {row.label:<22} +{added:,} resources: wall {wall:.2f} vs {floor_wall:.2f} ms"
            f" ({wall / floor_wall:.2f}x); cpu {cpu:.2f} vs {floor_cpu:.2f} ms ({cpu / floor_cpu:.2f}x)"
        )

    print(analysis, end="")


if __name__ == "__main__":
    main()
