"""The golden images run: every Python path a runtime stage uses exists in that stage's base.

Without Docker: the Dockerfiles are parsed into stages, and the runtime base's layout is read
from copies of the distroless files that define it (tests/images/distroless, see SOURCE.md).
A venv's `bin/python` is a symlink to the interpreter that created it, so that interpreter's
absolute path must exist in the image the venv is copied into.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DISTROLESS = Path(__file__).parent / "images" / "distroless"


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for key, args in self.instructions if key == keyword]


def stages(dockerfile: str) -> dict[str, Stage]:
    """The stages of a Dockerfile by name, each with its instructions (continuations joined)."""
    text = re.sub(
        r"\\\n", " ", "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    )
    found: dict[str, Stage] = {}
    current: Stage | None = None
    for line in filter(str.strip, text.splitlines()):
        keyword, _, args = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.I)
            assert match, line
            current = Stage(match.group(2) or str(len(found)), match.group(1))
            found[current.name] = current
        else:
            assert current, f"{line} before FROM"
            current.instructions.append((keyword, args.strip()))
    return found


def commands(stage: Stage) -> list[list[str]]:
    """The shell commands of a stage's RUN instructions, split on && and ;."""
    return [shlex.split(part) for run in stage.all("RUN") for part in re.split(r"&&|;", run) if part.strip()]


@dataclass(frozen=True)
class Distroless:
    """What the distroless sources say about gcr.io/distroless/python3-<distro>."""

    distros: list[str]
    versions: dict[str, str]
    aliases: list[str]
    users: list[str]
    nonroot: int
    build_images: dict[str, str]
    build_python: str

    def python_paths(self, distro: str) -> set[str]:
        interpreter = "/usr/bin/python" + self.versions[distro]
        return {interpreter, *self.aliases}


def distroless() -> Distroless:
    config = (DISTROLESS / "python3" / "config.bzl").read_text()
    python = (DISTROLESS / "python3" / "python.bzl").read_text()
    variables = (DISTROLESS / "common" / "variables.bzl").read_text()
    readme = (DISTROLESS / "python3" / "README.md").read_text()
    example = (DISTROLESS / "examples" / "python3-requirements" / "Dockerfile").read_text()
    (distros,) = re.findall(r"^PYTHON_DISTROS = \[(.*)\]$", config, re.M)
    (versions,) = re.findall(r"^DISTRO_VERSION = \{(.*?)\}", python, re.M | re.S)
    (symlinks,) = re.findall(r"symlinks = \{(.*?)\}", python, re.S)
    (users,) = re.findall(r"^USERS = \[(.*)\]$", variables, re.M)
    (nonroot,) = re.findall(r"^NONROOT = (\d+)$", variables, re.M)
    (link_target, link_name) = re.findall(r"ln -s (\S+) (\S+)", example)[0]
    # The aliases must point at the versioned interpreter for the layout below to hold.
    aliases = re.findall(r'"(/usr/bin/python3?)": "/usr/bin/python" \+ DISTRO_VERSION\[distro\]', symlinks)
    assert link_name in aliases
    return Distroless(
        distros=re.findall(r'"([^"]+)"', distros),
        versions=dict(re.findall(r'"([^"]+)": "([^"]+)"', versions)),
        aliases=aliases,
        users=re.findall(r'"([^"]+)"', users),
        nonroot=int(nonroot),
        build_images=dict(re.findall(r"targeting `python3-(\w+)`, you should use `([^`]+)`", readme)),
        build_python=link_target,
    )


def venv(stage: Stage) -> tuple[str, str]:
    """(interpreter, venv directory) of the stage's `<python> -m venv <dir>`."""
    (found,) = [(cmd[0], cmd[-1]) for cmd in commands(stage) if cmd[1:3] == ["-m", "venv"]]
    return found


def links(stage: Stage) -> set[str]:
    return {cmd[-1] for cmd in commands(stage) if cmd[:2] == ["ln", "-s"]}


def copied_from(stage: Stage, source: str) -> list[tuple[str, str]]:
    pairs = []
    for args in stage.all("COPY"):
        match = re.fullmatch(r"--from=(\S+)\s+(\S+)\s+(\S+)", args)
        if match and match.group(1) == source:
            pairs.append((match.group(2), match.group(3)))
    return pairs


def test_python_image_runtime_is_a_built_distroless_python3() -> None:
    layout = distroless()
    runtime = stages((ROOT / "images/python/Dockerfile").read_text())["runtime"]
    match = re.fullmatch(r"gcr\.io/distroless/python3-(\w+):(\S+)", runtime.base)
    assert match, runtime.base
    distro, tag = match.groups()
    assert distro in layout.distros, f"distroless builds python3 only for {layout.distros}, not {distro}"
    assert tag in layout.users
    assert runtime.all("USER") == [f"{layout.nonroot}:{layout.nonroot}"]


def test_python_image_venv_interpreter_exists_in_the_runtime() -> None:
    layout = distroless()
    found = stages((ROOT / "images/python/Dockerfile").read_text())
    builder, runtime = found["builder"], found["runtime"]
    distro = runtime.base.split("python3-")[1].split(":")[0]
    interpreter, directory = venv(builder)
    assert interpreter.startswith("/"), "the venv's python links to the interpreter path that created it"
    assert interpreter in {layout.build_python} | links(builder), f"{interpreter} is not in the build image"
    assert interpreter in layout.python_paths(distro), f"{interpreter} is not in distroless python3-{distro}"
    # The build image distroless pairs with this runtime: same Python minor, same Debian release.
    assert builder.base == layout.build_images[distro]
    assert builder.base.startswith(f"python:{layout.versions[distro]}-")
    # The venv is copied to the same path (its scripts name it), and is first on PATH.
    assert (directory, directory) in copied_from(runtime, "builder")
    (env,) = runtime.all("ENV")
    assert re.search(rf"\bPATH={re.escape(directory)}/bin:", env)
    for instruction in runtime.all("ENTRYPOINT") + runtime.all("CMD"):
        for path in re.findall(r"/\S*python[\d.]*\b", instruction):
            assert path in layout.python_paths(distro) or path.startswith(directory + "/bin/"), path


def test_cuda_image_venv_is_built_on_the_runtime_base_with_the_same_python() -> None:
    found = stages((ROOT / "images/cuda/Dockerfile").read_text())
    builder, runtime = found["builder"], found["runtime"]
    # Same base image and the same Debian/Ubuntu package: the interpreter has the same path.
    assert builder.base == runtime.base
    interpreter, directory = venv(builder)
    installed = {
        stage.name: {p for cmd in commands(stage) if cmd[:2] == ["apt-get", "install"] for p in cmd if p[0] != "-"}
        for stage in (builder, runtime)
    }
    assert Path(interpreter).name in installed["runtime"] & installed["builder"]
    assert (directory, directory) in copied_from(runtime, "builder")


@pytest.mark.parametrize("image", ["python", "cuda"])
def test_images_run_as_non_root(image: str) -> None:
    final = list(stages((ROOT / f"images/{image}/Dockerfile").read_text()).values())[-1]
    (user,) = final.all("USER")
    assert not user.startswith(("0", "root"))
