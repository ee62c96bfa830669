"""The floor a preview is measured against: the SDK's own cost, with nothing of Slipway's.

Run: python bench/floor.py MODULES_FILE REGISTRATIONS

Imports exactly the modules listed in MODULES_FILE (one a line: the `pulumi*` modules a real
preview had loaded), then registers REGISTRATIONS trivial resources, the stack included, under
Pulumi's plain mocks, and waits for them as a Pulumi program does. It imports nothing else,
so its time is what any program of that size pays to the SDK.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.stack import wait_for_rpcs


class PlainMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


def import_modules(names: list[str]) -> None:
    for name in names:
        module = importlib.import_module(name)
        getattr(module, "__floor_load__", None)  # a lazily registered module loads on first attribute access
        if type(module).__name__ == "_LazyModule":
            raise RuntimeError(f"{name} did not load")


def register(count: int) -> None:
    """`count` registrations: the stack that `set_mocks` registers, and `count - 1` custom resources."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(PlainMocks(), project="floor", stack="floor", preview=False)

    async def program() -> None:
        for index in range(count - 1):
            pulumi.CustomResource("floor:index:Trivial", f"r{index}", {"index": index})
        await wait_for_rpcs()

    loop.run_until_complete(program())
    loop.close()
    asyncio.set_event_loop(None)


def main() -> None:
    modules_file, registrations = sys.argv[1], int(sys.argv[2])
    import_modules(Path(modules_file).read_text().split())
    register(registrations)


if __name__ == "__main__":
    main()
