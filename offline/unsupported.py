"""The one error every offline simulation raises for what it does not model."""

from __future__ import annotations


class Unsupported(Exception):  # noqa: N818 - the name the callers and the issue use
    """A feature the offline simulation does not model: said plainly instead of guessed."""
