"""GitHub Container Registry wiring: GHCR is not created, only pointed at.

What the other layers need from it: the image prefix (`ghcr.io/<owner>`, lowercase as
GHCR requires) and, where the images are private, the registry credentials the
clusters pull with, as a `.dockerconfigjson` document that is a Pulumi secret.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pulumi

GHCR_HOST = "ghcr.io"


@dataclass(frozen=True)
class GhcrArgs:
    owner: str
    pull_username: str | None = None
    pull_token: pulumi.Output[str] | None = None


def _docker_config(username: str, token: str) -> str:
    auth = base64.b64encode(f"{username}:{token}".encode()).decode()
    return json.dumps({"auths": {GHCR_HOST: {"username": username, "password": token, "auth": auth}}})


def image_prefix(owner: str) -> str:
    """Where an owner's GHCR images live (GHCR lower-cases owners in image names)."""
    return f"{GHCR_HOST}/{owner.lower()}"


@dataclass(frozen=True)
class Ghcr:
    """The GHCR facts the platform and GitHub layers consume."""

    image_prefix: str
    pull_docker_config: pulumi.Output[str] | None

    @classmethod
    def wire(cls, args: GhcrArgs) -> Ghcr:
        docker_config: pulumi.Output[str] | None = None
        if args.pull_token is not None:
            username = args.pull_username or args.owner
            docker_config = args.pull_token.apply(lambda token: pulumi.Output.secret(_docker_config(username, token)))
        return cls(image_prefix=image_prefix(args.owner), pull_docker_config=docker_config)
