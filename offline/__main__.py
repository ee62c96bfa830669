"""`python -m offline preview --stack NAME`: what `pulumi up` would create, with no cloud."""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from contracts.gitops import KUBERNETES_NAMESPACES, PLATFORM_NAMESPACES, PLATFORM_PROJECT
from offline.admission import recording_problems
from offline.applications import idle_application_sets, owned_applications
from offline.arm import report as report_arm
from offline.engine import DuplicateUrnError, Recording, run_project
from offline.reach import print_reach, report_unreachable, stack_report
from offline.render import preview_json, tree, write_manifests
from offline.stackfile import StackConfig, StackFileError, load_stack_config
from offline.unsupported import Unsupported
from settings import NAMESPACE, PRODUCTION_STACK, Settings, SettingsError, sections_from_config, stored_secrets
from settings.loader import secret_field_paths

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Where only the platform project may deliver: Kubernetes' own and the platform add-ons' namespaces.
# No service Application may land in these (glob patterns, as ArgoCD matches destinations).
SYSTEM_NAMESPACES = ("kube-*", *KUBERNETES_NAMESPACES, *PLATFORM_NAMESPACES)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="run the program against the recording engine")
    preview.add_argument("--stack", required=True, help="the stack whose Pulumi.<stack>.yaml to use")
    preview.add_argument("--json", action="store_true", help="print the `pulumi preview --json` document")
    preview.add_argument(
        "--manifests", type=Path, help="write Kubernetes objects, Helm values and the generated Applications here"
    )
    preview.add_argument("--compact", action="store_true", help="the tree without each resource's inputs")
    preview.add_argument(
        "--previous", type=Path, help="an earlier preview's --json: show what `pulumi up` would change from it"
    )
    preview.add_argument("--policy-pack", type=Path, help="run this policy pack's policies on the preview")
    preview.add_argument("--policy-config", type=Path, help="JSON: policy name -> mandatory, advisory or disabled")
    preview.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    reach = commands.add_parser("reach", help="can each caller reach each API server and registry (offline/reach.py)")
    reach.add_argument("--stack", required=True, help="the stack whose Pulumi.<stack>.yaml to use")
    reach.add_argument("--json", action="store_true", help="print the rows as JSON")
    reach.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    access = commands.add_parser("access", help="who can obtain which Azure role and ArgoCD right (offline/access.py)")
    access.add_argument("--stack", required=True, help="the stack whose Pulumi.<stack>.yaml to use")
    access.add_argument("--json", action="store_true", help="print a list of grants as JSON")
    access.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        stack_config = load_stack_config(args.project_dir, args.stack)
        refuse_plain_secrets_in_production(stack_config, args.stack)
        refuse_encrypted_plain_settings(stack_config, args.stack)
        recording = run_project(
            args.project_dir, stack=args.stack, config=stack_config.config, secret_keys=stack_config.secret_keys
        )
    except DuplicateUrnError as err:
        # The Pulumi engine's own refusal of the plan (two resources of one name), as one line.
        print(f"error: {err}", file=sys.stderr)
        return 1
    except Unsupported as err:
        print(f"error: not modelled by the offline preview: {err}", file=sys.stderr)
        return 1
    except StackFileError as err:
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except SettingsError as err:
        print(f"error: stack '{args.stack}' has {len(err.problems)} settings problem(s):", file=sys.stderr)
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    # What exists now lives until the process exits: later collections need not rescan it.
    gc.freeze()
    if args.command == "access":
        from offline import access  # its rules are the policy pack's: needs pulumi-policy (requirements-dev.txt)

        print(json.dumps(access.full_document(recording), indent=2) if args.json else access.text(recording), end="")
        return 0
    rows = stack_report(recording, stack_config.config, args.stack)
    if args.command == "reach":
        return print_reach(rows, as_json=args.json)
    owned = owned_applications(recording)  # every view and check below reads it, none changes it
    generated = [application for _, application in owned]
    if args.manifests is not None:
        written = write_manifests(recording, args.manifests, generated)
        print(f"wrote {len(written)} manifest(s) to {args.manifests}", file=sys.stderr)
    refused = 0  # updates Azure would refuse, found only against a previous preview
    if args.previous is not None:
        from offline.plan import plan, text

        try:
            changes = plan(json.loads(args.previous.read_text()), recording)
        except Unsupported as err:
            print(f"error: not modelled by the offline preview: {err}", file=sys.stderr)
            return 1
        for note in changes.notes:
            print(f"note: {note}", file=sys.stderr)
        print(text(changes), end="")
        for refusal in changes.refusals:
            print(f"refused: {refusal}", file=sys.stderr)
        refused = 1 if changes.refusals else 0
    elif args.json:
        # Secret-typed settings written in plain text are secrets all the same: mask their sections too.
        plain_secrets = [path.split(".", 1)[0] for path in stored_secrets(sections_from_config(stack_config.config))]
        document = preview_json(recording, stack_config.config, [*stack_config.secret_keys, *plain_secrets])
        print(json.dumps(document, indent=2))
    else:
        idle = idle_application_sets(recording, owned)
        print(tree(recording, details=not args.compact, generated=generated, idle=idle), end="")
    # The plan as the real systems would take it: ArgoCD's admission, Azure's own rules, reachability.
    code = max(refused, report_admission(recording, owned), report_arm(recording), report_unreachable(rows))
    if args.policy_pack is not None:
        code = max(code, report_policies(recording, args.policy_pack, args.policy_config))
    return code


def report_admission(recording: Recording, owned: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
    """Print why ArgoCD would not admit or sync each generated Application; any refusal fails the preview."""
    problems = recording_problems(
        recording, system_namespaces=SYSTEM_NAMESPACES, platform_project=PLATFORM_PROJECT, generated=owned
    )
    for problem in problems:
        print(f"not admitted: {problem}", file=sys.stderr)
    return 1 if problems else 0


def refuse_plain_secrets_in_production(stack_config: StackConfig, stack: str) -> None:
    """A plain-text secret in a production stack file fails: the file belongs in git (elsewhere the program warns)."""
    if not PRODUCTION_STACK.match(stack):
        return
    source = f"Pulumi.{stack}.yaml"
    plain = [
        path
        for path in stored_secrets(sections_from_config(stack_config.config))
        if path not in stack_config.secure_paths
    ]
    if plain:
        raise StackFileError(
            *(
                f"{stack_config.where(source, path)}: {path}: a secret in plain text in production stack '{stack}', "
                f"expected it encrypted: pulumi config set --stack {stack} --secret --path '{path}' <value> "
                "(and rotate it if the file was ever committed)"
                for path in plain
            )
        )


def refuse_encrypted_plain_settings(stack_config: StackConfig, stack: str) -> None:
    """A `secure:` value in a setting that is not secret-typed fails: a real run decrypts it and writes it in
    plain text to state, the preview diff and the PR comment, as the setting's type says it may."""
    secret = {".".join(path) for path in secret_field_paths(Settings)}
    source = f"Pulumi.{stack}.yaml"
    wrong = []
    for path in stack_config.secure_paths:
        if not path.startswith(f"{NAMESPACE}:"):
            continue  # a provider's own key: the provider decides what is secret
        keys = re.sub(r"\[\d+\]", "", path.removeprefix(f"{NAMESPACE}:"))
        if keys not in secret:
            wrong.append(path)
    if wrong:
        raise StackFileError(
            *(
                f"{stack_config.where(source, path)}: {path}: an encrypted (secure:) value in a setting that is not "
                "secret, expected plain text: a real run would decrypt it and write it in clear to state, the preview "
                "and the PR comment (secret settings: docs/SETTINGS.md)"
                for path in wrong
            )
        )


def report_policies(recording: Recording, pack: Path, config: Path | None) -> int:
    """Print every policy violation; a mandatory one fails the preview, as in `pulumi preview`."""
    from offline.policy import load_pack, run_policies  # needs pulumi-policy (requirements-dev.txt)

    levels = json.loads(config.read_text()) if config is not None else {}
    violations = run_policies(recording, load_pack(pack), levels)
    for violation in violations:
        print(f"{violation.level}: [{violation.policy}] {violation.urn}: {violation.message}", file=sys.stderr)
    mandatory = [v for v in violations if v.level == "mandatory"]
    print(
        f"policies: {len(mandatory)} mandatory and {len(violations) - len(mandatory)} other violation(s)",
        file=sys.stderr,
    )
    return 1 if mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
