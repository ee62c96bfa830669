"""Shared test helpers: run the program or a component against the recording engine."""

from __future__ import annotations

import copy
import fcntl
import pickle
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.engine import RecordedResource, Recording, run, run_project
from offline.stackfile import parse_stack_config

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACKS = ("dev", "prod", "local")


@cache
def _parsed_stack_file(stack: str) -> dict[str, Any]:
    return yaml.load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text(), Loader=yaml.CSafeLoader)  # type: ignore[no-any-return]


def stack_document(stack: str) -> dict[str, Any]:
    """The parsed `Pulumi.<stack>.yaml`, a fresh copy each call, for tests to alter."""
    return copy.deepcopy(_parsed_stack_file(stack))


def run_stack_document(stack: str, document: dict[str, Any]) -> Recording:
    parsed = parse_stack_config(document, "slipway", f"Pulumi.{stack}.yaml")
    return run_project(PROJECT_DIR, stack=stack, config=parsed.config, secret_keys=parsed.secret_keys)


def project_copy(directory: Path, stack: str, document: dict[str, Any]) -> Path:
    """A copy of the project whose `Pulumi.<stack>.yaml` is `document`, for CLI runs."""
    project = directory / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns(".*", "tests", "bench", "__pycache__", "out"))
    (project / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    return project


def slipway(document: dict[str, Any], section: str) -> dict[str, Any]:
    """The `slipway:<section>` mapping of a stack document, created if absent."""
    return document["config"].setdefault(f"slipway:{section}", {})  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Recording]:
    """Each repo stack run once per test run, as the checked-in stack file declares it.

    Under pytest-xdist the workers share each run: the first to need a stack runs it and
    leaves it pickled in the run's common temporary directory, the others load it.
    """
    cache: dict[str, Recording] = {}
    shared = tmp_path_factory.getbasetemp().parent if hasattr(request.config, "workerinput") else None

    def get(stack: str) -> Recording:
        if stack in cache:
            return cache[stack]
        if shared is None:
            cache[stack] = run_stack_document(stack, stack_document(stack))
            return cache[stack]
        with (shared / f"recorded-{stack}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one worker runs the stack while the others wait
            saved = shared / f"recorded-{stack}.pickle"
            if saved.exists():
                cache[stack] = pickle.loads(saved.read_bytes())
            else:
                cache[stack] = run_stack_document(stack, stack_document(stack))
                saved.write_bytes(pickle.dumps(cache[stack]))
        return cache[stack]

    return get


def run_component(build: Callable[[], object]) -> Recording:
    """Declare one component (or a few resources) in a fresh mocked program."""
    return run(build, stack="test")


def declared(type_: str, inputs: dict[str, Any], *, stack: str = "test", name: str = "extra") -> RecordedResource:
    """A custom resource as the engine would record it, made by hand for checks that read recordings."""
    return RecordedResource(
        urn=f"urn:pulumi:{stack}::slipway::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        remote=False,
        parent="",
        inputs=inputs,
        outputs={},
        id=name,
        protect=False,
        dependencies=[],
        provider="",
    )
