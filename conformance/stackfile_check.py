"""Check 6: every stack file read by `offline.stackfile` and by the Pulumi CLI's own loader.

The cases are the project's stack files and the hostile ones in tests/hostile/ (each written into
a scratch project as `Pulumi.<name>.yaml`, as tests/test_hostile.py does). Go's side is the
`stackcheck` binary (conformance/stackfile: Pulumi Go SDK v3.272.0's LoadProjectStack). Agreement:
Slipway refuses the file (it refuses more than Pulumi, on purpose), or both read it and hand the
program the same keys, the same values and the same secret keys. An encrypted value is compared as
"[secret]" on both sides: neither can decrypt it here.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.report import PROJECT_DIR, arguments, emit, missing_binary, run_lines
from offline.stackfile import StackFileError, load_stack_config

PLACEHOLDER = re.compile(r"offline-placeholder-for-[^\"]*")
HOSTILE_DIR = PROJECT_DIR / "tests" / "hostile"
# Scalars whose JSON text a reader could get wrong, each written as a top-level and a nested value.
SCALARS = [
    "1.50", "100.0", "0.1", "1e3", "1.0e+3", "2.5e-7", "1e21", "1e16", "-0.0", "12345678901234567890",
    "0x1F", "+1", ".5", "true", "True", "~", "null", '""', "'<a&b>'", "é", '"\\u2028"', '"tab\\there"',
    "a:b", "'1.50'", "-1", "0", "123456789", "9007199254740993", "1000000.0", "1e6", "123456.0", "-0", "1e-7",
]  # fmt: skip


def slipway_verdict(project_dir: Path, stack: str) -> dict[str, Any]:
    try:
        read = load_stack_config(project_dir, stack)
    except StackFileError as err:
        return {"refused": err.problems}
    config = {key: PLACEHOLDER.sub("[secret]", value) for key, value in read.config.items()}
    return {"config": config, "secret_keys": sorted(read.secret_keys)}


def agree(slipway: dict[str, Any], upstream: dict[str, Any]) -> bool:
    if "refused" in slipway:
        return True
    theirs = (upstream.get("config", {}), upstream.get("secret_keys", []))  # Go omits what is empty
    return "error" not in upstream and (slipway["config"], slipway["secret_keys"]) == theirs


def stack_files(scratch: Path) -> list[tuple[str, Path, str]]:
    """(case name, project dir, stack name): the project's own stacks, each hostile file, each scalar."""
    found = [
        (path.name, PROJECT_DIR, path.stem.removeprefix("Pulumi."))
        for path in sorted(PROJECT_DIR.glob("Pulumi.*.yaml"))
    ]
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", scratch / "Pulumi.yaml")
    for path in sorted(HOSTILE_DIR.glob("*.yaml")):
        shutil.copy(path, scratch / f"Pulumi.{path.stem}.yaml")
        found.append((f"tests/hostile/{path.name}", scratch, path.stem))
    for index, value in enumerate(SCALARS):
        text = f"config:\n  slipway:top: {value}\n  slipway:nested:\n    key: {value}\n    list: [{value}]\n"
        (scratch / f"Pulumi.scalar{index}.yaml").write_text(text)
        found.append((f"scalar {value!r}", scratch, f"scalar{index}"))
    secure = "config:\n  slipway:token:\n    secure: v1:AAAA\n  slipway:nested:\n    deep:\n      - secure: v1:BBBB\n"
    (scratch / "Pulumi.secure.yaml").write_text(secure)
    found.append(("secure values, top-level and nested", scratch, "secure"))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    arguments(__doc__ or "", manifests=False).parse_args(argv)
    if (why := missing_binary("stackcheck")) is not None:
        print(why, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        files = stack_files(Path(scratch))
        upstream = run_lines(
            "stackcheck",
            ({"project": str(d / "Pulumi.yaml"), "stack": str(d / f"Pulumi.{s}.yaml")} for _, d, s in files),
        )
        disagreements, verdicts = [], []
        for (name, project_dir, stack), theirs in zip(files, upstream, strict=True):
            ours = slipway_verdict(project_dir, stack)
            verdicts.append({"case": name, "slipway": "refused" if "refused" in ours else "read",
                             "upstream": "refused" if "error" in theirs else "read"})  # fmt: skip
            if not agree(ours, theirs):
                disagreements.append({"case": name, "slipway": ours, "upstream": theirs})
    emit("stackfile", len(files), disagreements, verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
