"""Stack files read as the Pulumi CLI would hand them to the program."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.stackfile import StackFileError, load_stack_config, parse_stack_config


def test_structured_values_become_json_and_bare_keys_take_the_project_namespace() -> None:
    parsed = parse_stack_config({"config": {"slipway:azure": {"location": "westeurope"}, "plain": 3}}, "slipway", "t")
    assert json.loads(parsed.config["slipway:azure"]) == {"location": "westeurope"}
    assert parsed.config["slipway:plain"] == "3"
    assert parsed.secret_keys == []


def test_secure_values_become_placeholders_and_mark_their_key_secret() -> None:
    document = {"config": {"slipway:registries": {"ghcr": {"owner": "acme", "pullToken": {"secure": "v1:AAAA"}}}}}
    parsed = parse_stack_config(document, "slipway", "t")
    value = json.loads(parsed.config["slipway:registries"])
    assert value["ghcr"]["pullToken"] == "offline-placeholder-for-slipway:registries.ghcr.pullToken"
    assert "v1:AAAA" not in parsed.config["slipway:registries"]
    assert parsed.secret_keys == ["slipway:registries"]


def test_missing_stack_file_names_the_stacks_there(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(StackFileError, match=r"no stack file Pulumi.qa.yaml .*stacks here: dev"):
        load_stack_config(tmp_path, "qa")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config: [unclosed", "is not valid YAML"),
        ("- just\n- a list\n", "expected a mapping with a 'config' key, got list"),
        ("config: 42\n", "'config' must be a mapping"),
    ],
)
def test_a_file_that_is_not_a_stack_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "Pulumi.bad.yaml").write_text(text)
    with pytest.raises(StackFileError, match=message):
        load_stack_config(tmp_path, "bad")
