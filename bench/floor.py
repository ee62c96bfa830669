"""The floors a preview is measured against: the SDK's own cost, with nothing of Slipway's.

Run: python bench/floor.py MODULES_FILE REGISTRATIONS
     python bench/floor.py MODULES_FILE --plan PLAN_FILE --classes CLASSES_FILE

Both import exactly the modules listed in MODULES_FILE (one a line: the `pulumi*` modules a real
preview had loaded), register resources under Pulumi's mocks and wait for them as a Pulumi
program does; the stack is one of the registrations.

- The trivial floor registers REGISTRATIONS - 1 bare `CustomResource`s under plain mocks: what
  any program of that size pays to the SDK.
- The class floor registers what PLAN_FILE lists (`bench/preview.py` writes it from a real
  preview: each resource's type and inputs, in the preview's order), each with the SDK class
  the program used for its type (CLASSES_FILE: type -> `module:Class`) and the inputs the
  program gave it; a component is a bare `ComponentResource` of its type. It runs as the
  recording engine runs a program (the SDKs imported within the run, alias URNs on demand, the
  GC off long-lived data: an import of `offline.engine`; frozen at the end as `python -m offline`
  does), as a preview, under mocks that return no outputs. It leaves out what
  is Slipway's: parents, providers, dependencies, resource options, the engine's recording and
  realistic outputs. So the preview's time over this floor is Slipway's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import importlib
import inspect
import json
import marshal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
from pulumi._types import input_type_py_to_pulumi_names, is_input_type
from pulumi.runtime.stack import wait_for_rpcs

STACK = "pulumi:pulumi:Stack"
# A plan: (type, custom, inputs) for each resource but the stack, in registration order.
Plan = list[tuple[str, bool, dict[str, Any]]]


class PlainMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


class NoOutputsMocks(PlainMocks):
    """Mocks that answer a registration with an ID and no outputs, for a run as a preview.

    Echoing the inputs, as `PlainMocks` do, breaks where a class's output differs in shape from
    its input (azure-native's `identity.userAssignedIdentities`: a list in, a map out); outside
    a preview the SDK reads an input without an output back as the output, and breaks alike. In
    a preview an output not given is unknown. The engine's realistic outputs are Slipway's.
    """

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", {}


def import_modules(names: list[str]) -> None:
    for name in names:
        module = importlib.import_module(name)
        getattr(module, "__floor_load__", None)  # a lazily registered module loads on first attribute access
        if type(module).__name__ == "_LazyModule":
            raise RuntimeError(f"{name} did not load")


def under_mocks(
    declare: Callable[[], object],
    *,
    project: str = "floor",
    mocks: pulumi.runtime.Mocks | None = None,
    preview: bool = False,
    conditions: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext,
) -> None:
    """Run `declare` as a Pulumi program under plain mocks (which register the stack), within `conditions`."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(mocks or PlainMocks(), project=project, stack=project, preview=preview)

    async def program() -> None:
        declare()
        await wait_for_rpcs()

    with conditions():
        loop.run_until_complete(program())
    loop.close()
    asyncio.set_event_loop(None)


def register(count: int) -> None:
    """`count` registrations: the stack that `set_mocks` registers, and `count - 1` custom resources."""

    def declare() -> None:
        for index in range(count - 1):
            pulumi.CustomResource("floor:index:Trivial", f"r{index}", {"index": index})

    under_mocks(declare)


def sdk_class(path: str) -> type[pulumi.CustomResource]:
    """The class a `module:Class` path names."""
    module, _, name = path.partition(":")
    found = getattr(importlib.import_module(module), name)
    if not (isinstance(found, type) and issubclass(found, pulumi.CustomResource)):
        raise TypeError(f"{path} is not a custom resource class")
    return found


def input_type(cls: type[pulumi.CustomResource]) -> type:
    """The class's input type: `<Class>Args`, or `<Class>InitArgs` where a type of the API is
    already called `<Class>Args` (azure-native's `VirtualNetworkArgs`)."""
    module = sys.modules[cls.__module__]
    for name in (f"{cls.__name__}InitArgs", f"{cls.__name__}Args"):
        found = getattr(module, name, None)
        if isinstance(found, type) and is_input_type(found):
            return found
    raise TypeError(f"{cls.__module__}.{cls.__name__} has no input type {cls.__name__}[Init]Args")


def keywords(cls: type[pulumi.CustomResource]) -> dict[str, str]:
    """Wire name -> the keyword the class takes it as, from the SDK's own tables.

    The input type names each input in Python; the constructor takes that name, or the name
    with `_` appended where it would collide with the constructor's own (`resource_name_`).
    """
    init = getattr(cls, "_internal_init", cls.__init__)
    parameters = inspect.signature(init).parameters
    table = {}
    for python, wire in input_type_py_to_pulumi_names(input_type(cls)).items():
        keyword = f"{python}_" if f"{python}_" in parameters else python
        if keyword not in parameters:
            raise TypeError(f"{cls.__name__} takes no keyword {keyword} (input {wire})")
        table[wire] = keyword
    return table


def constructors(plan: Plan, classes: dict[str, str]) -> list[Callable[[str], object]]:
    """One declaration for each resource of the plan: its class, given its inputs as keywords."""
    tables: dict[str, dict[str, str]] = {}
    declarations: list[Callable[[str], object]] = []
    for type_, custom, inputs in plan:
        if not custom:
            declarations.append(functools.partial(pulumi.ComponentResource, type_))
            continue
        if type_ not in classes:
            raise KeyError(f"no SDK class recorded for {type_}")
        cls = sdk_class(classes[type_])
        table = tables.setdefault(type_, keywords(cls))
        unknown = set(inputs) - set(table)
        if unknown:
            raise KeyError(f"{type_}: inputs {sorted(unknown)} are not inputs of {cls.__name__}")
        declarations.append(functools.partial(cls, **{table[wire]: value for wire, value in inputs.items()}))
    return declarations


@contextlib.contextmanager
def as_the_engine_runs() -> Iterator[None]:
    """The recording engine's run conditions: alias URNs on demand, the GC off long-lived data."""
    from offline.engine import _long_lived_data_left_alone, alias_urns_on_demand

    with _long_lived_data_left_alone(), alias_urns_on_demand():
        yield


def register_plan(modules: list[str], plan: Plan, classes: dict[str, str]) -> None:
    """The plan's resources, each with its SDK class and inputs, under the engine's run conditions.

    The modules are imported within the run, as a program run by the engine imports its SDKs;
    afterwards what exists is frozen, as `python -m offline` does, so the exit does not rescan it.
    """

    def declare() -> None:
        import_modules(modules)
        for index, declaration in enumerate(constructors(plan, classes)):
            declaration(f"r{index}")

    under_mocks(declare, mocks=NoOutputsMocks(), preview=True, conditions=as_the_engine_runs)
    gc.freeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", type=Path, help="the SDK modules to import, one a line")
    parser.add_argument("registrations", type=int, nargs="?", help="the trivial floor: this many registrations")
    parser.add_argument("--plan", type=Path, help="the class floor: the resources to register (marshal)")
    parser.add_argument("--classes", type=Path, help="with --plan: JSON, type -> module:Class")
    args = parser.parse_args()
    if (args.registrations is None) == (args.plan is None) or (args.plan is None) != (args.classes is None):
        parser.error("give REGISTRATIONS, or --plan and --classes")
    modules = args.modules.read_text().split()
    if args.plan is None:
        import_modules(modules)
        register(args.registrations)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        register_plan(modules, marshal.loads(args.plan.read_bytes()), json.loads(args.classes.read_text()))


if __name__ == "__main__":
    main()
