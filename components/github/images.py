"""Golden base images, built from `images/<name>/Dockerfile` and pushed to ACR and GHCR.

Tagged by content (a hash of the image's folder), so an unchanged Dockerfile is never
rebuilt under a new tag; the pushed digests are outputs, so values and policies can pin
by digest. ACR has no admin user and so no password: the push uses the Docker credentials
of the identity running Pulumi (`az acr login`, which its AcrPush role allows). GHCR
pushes with a token from config, as a Pulumi secret. A real run needs a Docker daemon.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_docker_build as docker_build

IMAGES_DIR = Path(__file__).resolve().parent.parent.parent / "images"


def content_tag(folder: Path) -> str:
    """`sha-<12 hex>` of every file in the folder, names and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return f"sha-{digest.hexdigest()[:12]}"


@dataclass(frozen=True)
class GoldenImagesArgs:
    images: Sequence[str]
    acr_login_server: pulumi.Input[str] | None
    ghcr_prefix: str | None
    ghcr_username: str | None = None
    ghcr_token: pulumi.Output[str] | None = None


class GoldenImages(pulumi.ComponentResource):
    """One multi-stage image per folder under `images/`, pushed to every enabled registry."""

    digests: dict[str, pulumi.Output[str]]
    references: dict[str, list[pulumi.Output[str]]]

    def __init__(self, name: str, args: GoldenImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        push_ghcr = args.ghcr_prefix is not None and args.ghcr_token is not None
        if args.acr_login_server is None and not push_ghcr:
            raise ValueError("golden images need a registry to push to: ACR, or GHCR with a push token")
        super().__init__("slipway:github:GoldenImages", name, None, opts)
        self.digests, self.references = {}, {}
        registries = []
        if push_ghcr and args.ghcr_prefix is not None:
            registries.append(
                docker_build.RegistryArgs(address="ghcr.io", username=args.ghcr_username, password=args.ghcr_token)
            )
        for image in args.images:
            folder = IMAGES_DIR / image
            tag = content_tag(folder)
            tags: list[pulumi.Output[str]] = []
            if args.acr_login_server is not None:
                tags.append(pulumi.Output.concat(args.acr_login_server, f"/golden/{image}:{tag}"))
            if push_ghcr:
                tags.append(pulumi.Output.from_input(f"{args.ghcr_prefix}/golden-{image}:{tag}"))
            built = docker_build.Image(
                f"{name}-{image}",
                docker_build.ImageArgs(
                    context=docker_build.BuildContextArgs(location=str(folder)),
                    dockerfile=docker_build.DockerfileArgs(location=str(folder / "Dockerfile")),
                    platforms=[docker_build.Platform.LINUX_AMD64],
                    push=True,
                    tags=tags,
                    registries=registries or None,
                    labels={"org.opencontainers.image.source": "slipway", "slipway.io/content": tag},
                ),
                pulumi.ResourceOptions(parent=self),
            )
            self.digests[image] = built.digest
            self.references[image] = [
                pulumi.Output.concat(t.apply(lambda t: t.rsplit(":", 1)[0]), "@", built.digest) for t in tags
            ]
        self.register_outputs({"digests": self.digests})
