"""Per-layer wiring: the only code that sees settings, turning them into components' typed Args.

`stack.py` reads and resolves the stack's settings; `cloud.py`, `platform.py`, `delivery.py` and
`github.py` each declare one layer from its part of the stack and the outputs of the layers above.
"""
