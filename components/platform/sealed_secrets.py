"""Sealed Secrets, with every cluster's sealing key owned by Pulumi.

A key pair per cluster (a TLS private key and a self-signed certificate, secret in Pulumi
state) is placed on the cluster as the Secret the controller adopts (label
`sealedsecrets.bitnami.com/sealed-secrets-key: active`) before ArgoCD installs the
controller (the ApplicationSet depends on every cluster's key Secret, and each cluster's
ArgoCD registration on its own key Secret, so a cluster added or rebuilt later is not offered
to the ApplicationSet before its key exists: a controller that starts first generates and keeps
a key of its own, and does not reload keys), and the controller's own key renewal is off. Rebuilding a cluster therefore
keeps every SealedSecret in git decryptable, and the public certificate is an output for
`kubeseal --cert` (the GitHub layer hands it to CI).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pulumi
import pulumi_kubernetes as k8s
import pulumi_tls as tls

from components.platform.addons import AddonArgs, addon_application_set, addon_secret, chart_source
from components.versions import SEALED_SECRETS
from contracts.gitops import ADDON_NAMESPACES, Addon, ClusterRole

NAMESPACE = ADDON_NAMESPACES[Addon.SEALED_SECRETS]
CONTROLLER_NAME = "sealed-secrets-controller"  # kubeseal's default controller name
ACTIVE_KEY_LABEL = {"sealedsecrets.bitnami.com/sealed-secrets-key": "active"}
KEY_VALIDITY_HOURS = 10 * 365 * 24


@dataclass(frozen=True)
class SealedSecretsArgs:
    addon: AddonArgs
    clusters: Mapping[ClusterRole, k8s.Provider]
    service_monitors: bool


class SealedSecrets(pulumi.ComponentResource):
    """The Sealed Secrets ApplicationSet and one Pulumi-owned sealing key per cluster."""

    certificates: dict[ClusterRole, pulumi.Output[str]]
    # Each cluster's key Secret: its ArgoCD registration must wait for it (see ClusterEntry.after).
    keys: dict[ClusterRole, k8s.core.v1.Secret]

    def __init__(self, name: str, args: SealedSecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:platform:SealedSecrets", name, None, opts)
        self.certificates = {}
        self.keys = {}
        for cluster, provider in args.clusters.items():
            key = tls.PrivateKey(
                f"{name}-{cluster}-key", algorithm="RSA", rsa_bits=4096, opts=pulumi.ResourceOptions(parent=self)
            )
            certificate = tls.SelfSignedCert(
                f"{name}-{cluster}-cert",
                private_key_pem=key.private_key_pem,
                subject=tls.SelfSignedCertSubjectArgs(common_name="sealed-secret", organization="slipway"),
                validity_period_hours=KEY_VALIDITY_HOURS,
                allowed_uses=["key_encipherment", "data_encipherment"],
                opts=pulumi.ResourceOptions(parent=self),
            )
            sealing_key = addon_secret(
                f"{name}-{cluster}",
                "sealing-key",
                namespace=NAMESPACE,
                secret=k8s.meta.v1.ObjectMetaArgs(
                    name="slipway-sealing-key", namespace=NAMESPACE, labels=ACTIVE_KEY_LABEL
                ),
                string_data={"tls.crt": certificate.cert_pem, "tls.key": key.private_key_pem},
                on_cluster=pulumi.ResourceOptions(parent=self, provider=provider),
                secret_type="kubernetes.io/tls",
            )
            self.keys[cluster] = sealing_key
            self.certificates[cluster] = certificate.cert_pem
        values = {
            "fullnameOverride": CONTROLLER_NAME,
            "keyrenewperiod": "0",  # Pulumi owns the keys: the controller never makes new ones
            "metrics": {"serviceMonitor": {"enabled": args.service_monitors}},
        }
        addon = Addon.SEALED_SECRETS
        addon_application_set(
            addon,
            sources=[chart_source(SEALED_SECRETS, addon, values)],
            args=replace(args.addon, depends_on=[*args.addon.depends_on, *self.keys.values()]),
            parent=self,
        )
        self.register_outputs({"certificates": self.certificates})
