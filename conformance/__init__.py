"""Conformance checks: Slipway's Python ports run side by side with the upstream Go code they imitate."""
