"""conformance/: the real systems judging Slipway; Python only for what the e2e run reads from the preview."""
