"""The recording engine: runs a Pulumi program in-process against Pulumi's mocks.

It stands in for the Pulumi engine and the providers where there is no CLI and no
cloud. Every resource registration is recorded with what `pulumi preview` would know
about it (type, name, URN, parent, inputs with their secret-ness, dependencies,
protect, provider), every invoke is recorded and answered, and each custom resource
gets realistic outputs from `offline.outputs`, so code downstream of an output runs
as it would in a real `pulumi up`. Tests and `offline preview` share this engine.

Like the Pulumi engine, it refuses a second registration of a URN (`DuplicateUrnError`);
Pulumi's own mock monitor accepts one silently. During a run it keeps Python's cyclic
garbage collector off the long-lived data (the SDKs, loaded reference data, earlier recordings):
rescanning them on every full collection cost a prod preview about 30%.

It also spares the SDK a computation whose result nothing reads: `Resource.__init__` turns
every alias into a URN, eagerly, for the resource's children to inherit, but only SDK code for
a monitor without alias specs reads those URNs. Pulumi's engine, like this one, takes alias
specs and derives inherited aliases itself (pulumi/pulumi#11064). azure-native declares an
alias per API version, up to 110 on one resource (pulumi/pulumi#10010): two thirds of a run's
CPU went to URNs nobody read. Here each is computed only if something awaits it; the alias
specs sent with each registration are unchanged, and a real `pulumi preview` still pays the cost.
"""

from __future__ import annotations

import asyncio
import gc
import runpy
import sys
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.resource as pulumi_resource
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.resource import collapse_alias_to_urn
from pulumi.runtime.settings import SETTINGS, set_root_resource
from pulumi.runtime.stack import wait_for_rpcs

from offline import outputs

SECRET = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
# The Pulumi engine's diagnostic 2001, GetDuplicateResourceURNError in pulumi/pulumi
# sdk/go/common/diag/errors.go (commit 24cf53f6993e0ad158b9fb9c9dece1927c5a3a87).
DUPLICATE_URN = "Duplicate resource URN '{urn}'; try giving it a unique name"
# Allocations between two young-generation collections during a run (CPython's default is 700).
RUN_GC_THRESHOLD = 100_000
# What `pulumi.resource.Resource.__init__` calls to turn each alias into a URN for its children.
ALIAS_URNS = "collapse_alias_to_urn"


class DuplicateUrnError(Exception):
    """A program registered two resources with one URN: the same type, name and parent type."""


def is_secret(value: Any) -> bool:
    return bool(rpc.is_rpc_secret(value))


def reveal(value: Any) -> Any:
    """The value with every secret wrapper removed: what the provider would receive."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item) for item in value]
    return value


def mask(value: Any) -> Any:
    """The value with every secret shown as "[secret]", as `pulumi preview` prints it."""
    if is_secret(value):
        return SECRET
    if isinstance(value, dict):
        return {key: mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


def secret_paths(value: Any, path: str = "") -> Iterator[str]:
    """The property paths (`a.b[0].c`) that hold a secret."""
    if is_secret(value):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from secret_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from secret_paths(item, f"{path}[{index}]")


@dataclass
class RecordedResource:
    """One registration, as the engine saw it. `inputs` keep Pulumi's secret wrappers."""

    urn: str
    type: str
    name: str
    custom: bool
    remote: bool
    parent: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str
    protect: bool
    dependencies: list[str]
    provider: str
    ignore_changes: list[str] = field(default_factory=list)
    # The aliases sent with the registration: {"urn": ...} or the spec's set fields.
    aliases: list[dict[str, Any]] = field(default_factory=list)

    def plain(self) -> dict[str, Any]:
        """Inputs as the provider receives them, secrets revealed."""
        return reveal(self.inputs)  # type: ignore[no-any-return]

    def masked(self) -> dict[str, Any]:
        """Inputs as `pulumi preview` shows them, secrets as "[secret]"."""
        return mask(self.inputs)  # type: ignore[no-any-return]

    def secret_inputs(self) -> set[str]:
        return set(secret_paths(self.inputs))


@dataclass
class RecordedInvoke:
    token: str
    args: dict[str, Any]
    result: dict[str, Any]


@dataclass
class StackOutput:
    value: Any
    secret: bool


@dataclass
class Recording:
    """Everything one run of a program declared."""

    project: str
    stack: str
    resources: list[RecordedResource] = field(default_factory=list)
    invokes: list[RecordedInvoke] = field(default_factory=list)
    outputs: dict[str, StackOutput] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> RecordedResource:
        """The single resource of `type_` (and `name`), or an AssertionError saying what was found."""
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_)]
            raise AssertionError(f"expected one {type_} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def by_urn(self, urn: str) -> RecordedResource:
        return next(r for r in self.resources if r.urn == urn)

    def children(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]


class _RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, recording: Recording, answers: outputs.ProviderAnswers) -> None:
        self.recording = recording
        self.answers = answers
        # The registration being answered on this thread: its `additionalSecretOutputs` and,
        # once answered, the inputs Pulumi's mock monitor deserialised for it.
        self.current = threading.local()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == STACK_TYPE:
            return None, {}
        self.current.inputs = args.inputs
        left_out = outputs.NOT_ECHOED.get(args.typ, frozenset())
        answered = {key: value for key, value in args.inputs.items() if key not in left_out}
        resource_id, state = self.answers.resource(args.typ, args.name, reveal(answered), custom=bool(args.custom))
        # The Pulumi engine marks these outputs secret (the SDK asks it to); Pulumi's mock does not.
        for key in getattr(self.current, "secret_outputs", ()):
            if key in state:
                state[key] = rpc.wrap_rpc_secret(state[key])
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        result = self.answers.invoke(args.token, reveal(args.args))
        self.recording.invokes.append(RecordedInvoke(args.token, args.args, result))
        return result, []


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, plus what its `MockResourceArgs` leaves out."""

    def __init__(self, mocks: _RecordingMocks) -> None:
        super().__init__(mocks)
        self.mocks: _RecordingMocks = mocks
        self.recording = mocks.recording
        self.urns: set[str] = set()
        self.urns_lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        with self.urns_lock:  # the SDK registers from several threads
            if urn in self.urns:
                raise DuplicateUrnError(DUPLICATE_URN.format(urn=urn))
            self.urns.add(urn)
        self.mocks.current.secret_outputs = list(request.additionalSecretOutputs)
        self.mocks.current.inputs = {}
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        urn = response.urn
        registration = self.resources.get(urn)
        state = registration.state if registration is not None else {}
        inputs = self.mocks.current.inputs
        self.recording.resources.append(
            RecordedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                remote=bool(request.remote),
                parent=request.parent,
                inputs=dict(inputs),
                outputs=dict(state),
                id=registration.id if registration is not None and registration.id else "",
                protect=bool(request.protect),
                dependencies=list(request.dependencies),
                provider=request.provider,
                ignore_changes=list(request.ignoreChanges),
                aliases=[_alias(alias) for alias in request.aliases],
            )
        )
        return response


def _alias(alias: Any) -> dict[str, Any]:
    """One alias of a registration request, as its URN or the fields its spec sets."""
    if alias.urn:
        return {"urn": alias.urn}
    spec = alias.spec
    fields = {"name": spec.name, "type": spec.type, "stack": spec.stack, "project": spec.project}
    found: dict[str, Any] = {key: value for key, value in fields.items() if value}
    if spec.noParent:
        found["noParent"] = True
    elif spec.parentUrn:
        found["parentUrn"] = spec.parentUrn
    return found


class _AliasUrnOnDemand:
    """An alias's URN that `collapse_alias_to_urn` computes only when something awaits it."""

    def __init__(self, alias: Any, name: str, type_: str, parent: pulumi.Resource | None) -> None:
        self.arguments = (alias, name, type_, parent)

    def __await__(self) -> Generator[Any, None, str | None]:
        return collapse_alias_to_urn(*self.arguments).future().__await__()


@contextmanager
def alias_urns_on_demand() -> Iterator[None]:
    """Within a run, `Resource.__init__` keeps each alias's URN as an awaitable computed on demand."""
    eager = getattr(pulumi_resource, ALIAS_URNS)
    setattr(pulumi_resource, ALIAS_URNS, _AliasUrnOnDemand)
    try:
        yield
    finally:
        setattr(pulumi_resource, ALIAS_URNS, eager)


@contextmanager
def _long_lived_data_left_alone() -> Iterator[None]:
    """Keep the cyclic GC off what exists before the run and collect the run's garbage once.

    What is alive at the start (the SDKs, loaded data, earlier recordings) is frozen, so no
    collection rescans it; young collections are rarer, so the run's own big trees are not
    rescanned at every promotion. The GC's state is restored afterwards.
    """
    threshold = gc.get_threshold()
    already_frozen = gc.get_freeze_count() > 0
    if not already_frozen:  # a caller that froze objects itself keeps its own freeze
        gc.freeze()
    gc.set_threshold(RUN_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if not already_frozen:
            gc.unfreeze()


async def _resolve(value: Any) -> StackOutput:
    output = pulumi.Output.from_input(value)
    return StackOutput(value=await output.future(), secret=bool(await output.is_secret()))


def run(
    program: Callable[[], object],
    *,
    project: str = "slipway",
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
) -> Recording:
    """Run `program` against the recording engine and return what it declared.

    `config` is the flat Pulumi config (`"slipway:azure"` -> JSON text), exactly what the
    Pulumi CLI hands a program; `secret_keys` are the keys it marks secret.
    """
    recording = Recording(project=project, stack=stack)
    mocks = _RecordingMocks(recording, outputs.ProviderAnswers(dict(config or {})))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
    set_root_resource(None)  # type: ignore[arg-type]
    # Pulumi's MockSettings keeps the previous run's pending outputs: start from none.
    SETTINGS.outputs = set()
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=_RecordingMonitor(mocks))

    async def main() -> None:
        program()
        await wait_for_rpcs()
        root = pulumi.runtime.get_root_resource()
        exported = getattr(root, "outputs", {})
        for name, value in exported.items():
            recording.outputs[name] = await _resolve(value)

    # A failed registration fails every output that waits on it: the run raises the failure once,
    # the futures that also hold it need not report it again when they are collected.
    raised: list[BaseException] = []

    def report(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if not any(context.get("exception") is failure for failure in raised):
            loop.default_exception_handler(context)

    loop.set_exception_handler(report)
    try:
        with _long_lived_data_left_alone(), alias_urns_on_demand():
            loop.run_until_complete(main())
    except BaseException as failure:
        raised.append(failure)
        raise
    finally:
        # A program that raised leaves registrations pending: cancel them before closing.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)
        set_root_resource(None)  # type: ignore[arg-type]
    return recording


def run_project(
    project_dir: Path,
    *,
    stack: str,
    config: Mapping[str, str],
    secret_keys: list[str] | None = None,
    project: str = "slipway",
) -> Recording:
    """Run the project's `__main__.py` as the Pulumi CLI would, with `project_dir` importable."""
    main = project_dir / "__main__.py"
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    return run(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=project,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
    )
