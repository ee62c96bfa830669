"""The committed settings reference is what the settings models say today."""

from __future__ import annotations

from offline.settings_doc import DOC, render


def test_committed_settings_reference_is_current() -> None:
    assert DOC.read_text() == render(), "docs/SETTINGS.md is stale: run python -m offline.settings_doc --write"


def test_reference_names_every_section_and_a_required_key() -> None:
    text = render()
    for section in ("azure", "registries", "identity", "clusters", "platform", "delivery", "github"):
        assert f"## `slipway:{section}`" in text
    assert "| `kubernetesVersion` | string | **required** |" in text
    assert "string, *secret*" in text
