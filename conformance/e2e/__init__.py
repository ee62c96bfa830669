"""conformance/e2e: Slipway applied to a real control plane."""
