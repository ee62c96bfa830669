"""`python -m components.platform.crds`: regenerate the JSON copies of the vendored CRDs."""

from components.platform.crds import write_json_copies

for path in write_json_copies():
    print(f"wrote {path}")
