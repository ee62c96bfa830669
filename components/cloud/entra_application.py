"""An Entra ID application and its service principal, for GitHub Actions in `application` mode.

Its credential is either federated (no secret) or a client secret that rotates on a schedule:
the secret exists only as a Pulumi secret. `identity.github_identity` declares it when the
settings ask for application mode, and only then loads this module and its SDKs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pulumi
import pulumi_azuread as azuread
import pulumiverse_time as time

from components.cloud.federated_identity import GITHUB_ISSUER, TOKEN_EXCHANGE_AUDIENCE, credential_name


def _days_after(rfc3339: str, days: int) -> str:
    moment = datetime.fromisoformat(rfc3339.replace("Z", "+00:00")) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class EntraApplicationArgs:
    display_name: str
    # The GitHub subjects trusted by federated credentials; with `client_secret` there are none.
    subjects: Sequence[str]
    client_secret: bool = False
    secret_rotation_days: int = 90


class EntraApplication(pulumi.ComponentResource):
    """An Entra ID application and its service principal, with federated credentials or a rotating secret."""

    client_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    client_secret: pulumi.Output[str] | None

    def __init__(self, name: str, args: EntraApplicationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("slipway:cloud:EntraApplication", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.client_secret = None
        application = azuread.Application(
            name, azuread.ApplicationArgs(display_name=args.display_name, sign_in_audience="AzureADMyOrg"), child
        )
        principal = azuread.ServicePrincipal(name, azuread.ServicePrincipalArgs(client_id=application.client_id), child)
        self.client_id, self.principal_id = application.client_id, principal.object_id
        if not args.client_secret:
            for subject in args.subjects:
                azuread.ApplicationFederatedIdentityCredential(
                    f"{name}-{credential_name(subject)}",
                    azuread.ApplicationFederatedIdentityCredentialArgs(
                        application_id=application.id,
                        display_name=credential_name(subject),
                        issuer=GITHUB_ISSUER,
                        subject=subject,
                        audiences=[TOKEN_EXCHANGE_AUDIENCE],
                    ),
                    child,
                )
        else:
            self.client_secret = self._rotating_secret(name, application, args.secret_rotation_days, child)
        self.register_outputs({"clientId": self.client_id, "principalId": self.principal_id})

    @staticmethod
    def _rotating_secret(
        name: str, application: azuread.Application, rotation_days: int, opts: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        """A client secret replaced every `rotation_days` (on the first `pulumi up` after the date).

        It stays valid for a further `rotation_days` past its rotation date, so a run that
        is late to rotate never leaves CI locked out.
        """
        schedule = time.Rotating(name, time.RotatingArgs(rotation_days=rotation_days), opts)
        password = azuread.ApplicationPassword(
            name,
            azuread.ApplicationPasswordInitArgs(
                application_id=application.id,
                display_name=f"{name} (rotated every {rotation_days} days by Pulumi)",
                end_date=schedule.rotation_rfc3339.apply(lambda rotation: _days_after(rotation, rotation_days)),
                rotate_when_changed={"rotation": schedule.id},
            ),
            opts,
        )
        return pulumi.Output.secret(password.value)
