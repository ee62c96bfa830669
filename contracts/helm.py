"""Helm's rule for release names, which every Application's `helm.releaseName` must pass.

Copied from helm/helm v3.19.4 (commit 7cfb6e486dac026202556836bb910c37d847793e, the Helm that
ArgoCD v3.4.4's repo server runs: argoproj/argo-cd hack/tool-versions.sh `helm3_version=3.19.4`),
pkg/chartutil/validate_name.go, `validName` and `maxReleaseNameLen`; read 2026-12-04. A longer or
otherwise invalid name makes `helm template` fail in the repo server, so the Application never syncs.
Helm's own cases: tests/helm_cases/release_names.yaml.
"""

from __future__ import annotations

import re

RELEASE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
MAX_RELEASE_NAME = 53


def release_name_problem(name: str) -> str | None:
    """Helm's ValidateReleaseName: None if valid, else Helm's own message."""
    if name == "":
        return "no name provided"
    if len(name) > MAX_RELEASE_NAME or not RELEASE_NAME.match(name):
        return (
            f"invalid release name, must match regex {RELEASE_NAME.pattern} and the length must not be "
            f"longer than {MAX_RELEASE_NAME}"
        )
    return None
