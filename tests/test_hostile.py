"""Hostile stack files (`tests/hostile/`) through the real CLI: each refused in clear lines, fast, leaking nothing.

Every case runs `python -m offline preview --stack NAME --json` in-process against a project whose only
file of its own is `Pulumi.NAME.yaml` (the program is the repository's). Each must exit 2 with nothing on
stdout, no traceback, its expected line on stderr, no secret of the file in any output (every secret in the
corpus contains `HOSTILE0`), within TIME_BOUND seconds.
"""

from __future__ import annotations

import importlib
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from conftest import PROJECT_DIR

from offline.__main__ import main, refuse_plain_secrets_in_production
from offline.stackfile import StackConfig, StackFileError, load_stack_config
from settings import MAX_SERVICES, Settings, SettingsError, load_settings, sections_from_config
from settings.loader import secret_field_paths

HOSTILE = Path(__file__).parent / "hostile"
TIME_BOUND = 5.0
SECRET = re.compile(r"[^\s\[\]\"']*HOSTILE0[^\s\[\]\"']*")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt a run that hangs instead of hanging the suite."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module", autouse=True)
def program_imported() -> None:
    """Import the program's modules once, so that the time bound measures a run, not the first import."""
    for path in sorted((PROJECT_DIR / "components").rglob("*.py")):
        importlib.import_module(".".join(path.relative_to(PROJECT_DIR).with_suffix("").parts))


def project_with(directory: Path, stack: str, text: str) -> Path:
    """A project of the repository's program and one stack file."""
    (directory / f"Pulumi.{stack}.yaml").write_text(text)
    (directory / "__main__.py").symlink_to(PROJECT_DIR / "__main__.py")
    return directory


def preview(capsys: pytest.CaptureFixture[str], project: Path, stack: str) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    with deadline(6 * TIME_BOUND):
        code = main(["preview", "--stack", stack, "--json", "--project-dir", str(project)])
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    return code, out, err, elapsed


def assert_refused(text: str, code: int, out: str, err: str, elapsed: float, expected: str) -> None:
    assert code == 2 and out == ""
    assert "Traceback" not in err
    assert any(re.search(expected, line) for line in err.splitlines()), err
    for secret in SECRET.findall(text):
        assert secret not in err
    assert elapsed < TIME_BOUND


CASES = [
    ("malformed", r"^error: Pulumi\.malformed\.yaml:\d+: slipway:azure\.tags.*: not valid YAML: .*flow sequence"),
    (
        "alias-bomb",
        r"^error: Pulumi\.alias-bomb\.yaml:10: slipway:azure\.tags\.e\[1\]: the file holds more than 20,000 values "
        r"once aliases are expanded, expected at most 20,000$",
    ),
    (
        "alias-bomb-wide",
        r"^error: Pulumi\.alias-bomb-wide\.yaml:7: slipway:azure\.tags\.c\[20\]: the file holds more than 20,000",
    ),
    (
        "alias-self",
        r"^error: Pulumi\.alias-self\.yaml:5: slipway:azure\.tags\.loop: alias \*a inside the value it names",
    ),
    (
        "deep-nesting",
        r"^error: Pulumi\.deep-nesting\.yaml:3: slipway:azure(\[0\]){15}: nested more than 16 levels deep",
    ),
    (
        "duplicate-key",
        r"^error: Pulumi\.duplicate-key\.yaml:6: slipway:azure\.location: duplicate key, first on line 4, "
        r"expected each key once$",
    ),
    (
        "duplicate-section",
        r"^error: Pulumi\.duplicate-section\.yaml:9: slipway:azure: duplicate key, first on line 3, "
        r"expected each key once$",
    ),
    (
        "unquoted-date",
        r"^error: Pulumi\.unquoted-date\.yaml:5: slipway:clusters\.hub\.kubernetesVersion: an unquoted date or time, "
        r"which YAML reads as a timestamp, expected text: quote it$",
    ),
    ("on-no", r"^error: Pulumi\.on-no\.yaml:4: slipway:azure\.enabled: an unquoted y/n/yes/no/on/off, a boolean in"),
    ("on-no", r"^error: Pulumi\.on-no\.yaml:5: slipway:azure\.namePrefix: an unquoted y/n/yes/no/on/off"),
    (
        "inf-threshold",
        r"^error: Pulumi\.inf-threshold\.yaml:5: slipway:delivery\.analysis\.successRate: an infinite or not-a-number "
        r"value, expected a finite number",
    ),
    ("inf-threshold", r"^error: Pulumi\.inf-threshold\.yaml:6: slipway:delivery\.analysis\.errorRate: an infinite"),
    (
        "octal",
        r"^error: Pulumi\.octal\.yaml:5: slipway:registries\.acr\.untaggedRetentionDays: a number with a leading 0, "
        r"which YAML parsers read differently \(octal, decimal or text\)",
    ),
    (
        "namespace-case",
        r"^error: Pulumi\.namespace-case\.yaml:3: Slipway:azure: unknown config namespace 'Slipway', expected slipway: "
        r"did you mean slipway:azure\?$",
    ),
    ("namespace-typo", r"^error: Pulumi\.namespace-typo\.yaml:3: slipwy:azure: .* did you mean slipway:azure\?$"),
    ("tagged-value", r"^error: Pulumi\.tagged-value\.yaml:4: slipway:azure\.location: a value tagged .*binary"),
    ("tagged-value", r"^error: Pulumi\.tagged-value\.yaml:5: slipway:azure\.tags: the tag .*set, expected a plain"),
    (
        "two-documents",
        r"^error: Pulumi\.two-documents\.yaml:5: \(top\): a second YAML document, expected one document$",
    ),
    ("secret-as-list", r"^  - slipway:registries\.ghcr\.pullToken: got \[secret\], expected a string$"),
    ("secret-as-list", r"^  - slipway:github\.notificationWebhook: got \[secret\], expected a string$"),
    ("secret-as-mapping", r"^  - slipway:platform\.argocd\.sso\.clientSecret: got \[secret\], expected a string$"),
    ("secret-section-string", r"^  - slipway:registries: got \[secret\], expected a dictionary"),
    (
        "service-name-collision",
        r"^  - slipway:delivery: service 'a' in environment 'b-c' and service 'a-b' in environment 'c' both need the "
        r"namespace \(and Application\) 'a-b-c'",
    ),
    (
        "kube-system-namespace",
        r"^  - slipway:delivery: service 'kube' in environment 'system' would be delivered into the system namespace "
        r"'kube-system'",
    ),
    (
        "label-key-too-long",
        r"^  - slipway:delivery: environment '[a-z0-9-]{62}' makes the cluster label key 'environment_[a-z0-9-]{62}', "
        r"longer than Kubernetes' 63 characters",
    ),
    ("repository-dotdot", r"^  - slipway:delivery\.services\[0\]\.repository: a repository name, got '\.\.'"),
    (
        "prod-environment-in-dev-stack",
        r"^  - slipway:delivery: environment 'prod' is named like a production environment but is not in "
        r"productionEnvironments",
    ),
    (
        "azure-tags",
        r"^  - slipway:azure\.tags\.cost/center\?\.\[key\]: got 'cost/center\?', expected an Azure tag name",
    ),
    (
        "prod-plaintext-secret",
        r"^error: Pulumi\.prod-plaintext-secret\.yaml:6: slipway:registries\.ghcr\.pullToken: a secret in plain text "
        r"in production stack 'prod-plaintext-secret', expected it encrypted: pulumi config set --stack "
        r"prod-plaintext-secret --secret --path 'slipway:registries\.ghcr\.pullToken' <value>",
    ),
    # Names that collide once Azure or GitHub normalise them, and list entries given twice
    ("Dev", r"^  - slipway:\(stack\): stack 'Dev' names Azure resources \(rg-slipway-Dev\) and GitHub variables"),
    (
        "tag-case-collision",
        r"^  - slipway:azure\.tags\.owner: got 'owner', which collides with azure\.tags\.Owner 'Owner'",
    ),
    ("tag-overrides-own", r"^  - slipway:azure\.tags\.App: got 'App', which collides with Slipway's own tag app"),
    (
        "repository-case-collision",
        r"^  - slipway:delivery\.services\[1\]\.repository: got 'payments', which collides with "
        r"delivery\.services\[0\]\.repository 'Payments' \(GitHub repository names are case-insensitive\)",
    ),
    (
        "repository-sanitised-collision",
        r"^  - slipway:delivery\.services\[1\]\.repository: got 'pay_api', which collides with "
        r"delivery\.services\[0\]\.repository 'pay\.api' \(both become the delivery identity",
    ),
    ("deploy-role-twice", r"^  - slipway:identity\.deployRoles\[1\]: got 'Contributor', which collides with identity"),
    ("reviewer-twice", r"^  - slipway:github\.reviewers\.users\[1\]: got 'alice', which collides with"),
    # Length and character rules of the target, for derived names
    (
        "github",
        r"^  - slipway:github\.enabled: stack 'github' gives the Actions variable names 'GITHUB_AZURE_TENANT_ID'",
    ),
    (
        "identity-name-too-long",
        r"^  - slipway:delivery\.services\[0\]\.repository: .* makes the identity name 'id-slipway-.*' "
        r"\(143 characters\), expected 3-128",
    ),
    # Networks that cannot work
    (
        "address-space-service-cidr",
        r"^  - slipway:azure\.network\.addressSpace: got 10\.0\.0\.0/16, which overlaps 10\.0",
    ),
    ("address-space-pod-cidr", r"^  - slipway:azure\.network\.addressSpace: got 10\.240\.0\.0/12, .* overlay pod CIDR"),
    ("address-space-link-local", r"^  - slipway:azure\.network\.addressSpace: got 169\.254\.0\.0/16, .* AKS reserves"),
    ("api-allow-list-internet", r"^  - slipway:clusters\.hub\.authorizedIpRanges\[0\]: got 0\.0\.0\.0/0, which lets"),
    # Values Azure does not offer
    ("unknown-region", r"^  - slipway:azure\.location: got 'westeurop', expected an Azure region"),
    (
        "kubernetes-never-offered",
        r"^  - slipway:clusters\.hub\.kubernetesVersion: got '1\.12', expected a Kubernetes version",
    ),
    (
        "gpu-pool-without-gpus",
        r"^  - slipway:clusters\.gpu\.gpuPools\[0\]\.vmSize: got 'Standard_D4ds_v5', expected a VM",
    ),
    (
        "spot-price-not-spot",
        r"^  - slipway:clusters\.gpu\.gpuPools\[0\]: spotMaxPrice: got 0\.5 on a pool with spot false",
    ),
    (
        "retention-out-of-range",
        r"^  - slipway:azure\.monitoring\.retentionDays: got 1000, expected less than or equal to 730",
    ),
    # Free text that reaches other systems
    ("control-characters", r"^  - slipway:azure\.tags\.owner: a value holding the control character U\+0000"),
    (
        "control-characters",
        r"^  - slipway:platform\.argocd\.sso\.clientId: a value holding the control character U\+001B",
    ),
    ("control-characters", r"^  - slipway:delivery\.productionSyncWindow\.timeZone: a value .* character U\+000D"),
    ("control-characters", r"^  - slipway:github\.productionTagPattern: a value holding the control character U\+0007"),
    ("unbounded-text", r"^  - slipway:platform\.argocd\.sso\.clientId: a value of 5,000 characters, expected at most"),
    ("template-in-url", r"^  - slipway:delivery\.gitRepo\.url: got .*, which holds a Go-template delimiter"),
    (
        "template-function-in-url",
        r"^  - slipway:platform\.gitRepo\.url: got .*env.*, which holds a Go-template delimiter",
    ),
    (
        "argocd-secret-reference",
        r"^  - slipway:platform\.argocd\.sso\.clientId: got '\$server\.secretkey', starting with '\$'",
    ),
    # Addresses and URLs
    ("metrics-on-metadata", r"^  - slipway:platform\.metrics\.prometheusUrl: got .*169\.254\.169\.254.*link-local"),
    ("webhook-plain-http", r"^  - slipway:github\.notificationWebhook: \[secret\], expected an https:// URL"),
    (
        "webhook-credentials",
        r"^  - slipway:github\.notificationWebhook: \[secret\], expected a URL without user:password@",
    ),
    ("url-credentials", r"^  - slipway:delivery\.gitRepo\.url: a URL with user:password@ in it, expected none"),
    # Secrets in the wrong place
    (
        "secure-in-plain-setting",
        r"^error: Pulumi\.secure-in-plain-setting\.yaml:6: slipway:azure\.tags\.owner: an encrypted \(secure:\) "
        r"value in a setting that is not secret",
    ),
    # Repositories outside github.owner
    (
        "gitops-other-owner",
        r"^  - slipway:delivery\.gitRepo\.url: got .*evil.*, expected a repository of github\.owner",
    ),
    (
        "gitops-other-host",
        r"^  - slipway:platform\.gitRepo\.url: got .*gitlab.*, expected a repository of github\.owner",
    ),
    (
        "gitops-repository-other-owner",
        r"^  - slipway:github\.gitopsRepository: got 'evil/gitops', expected a repository",
    ),
    # Production policy that means nothing
    ("empty-tag-pattern", r"^  - slipway:github\.productionTagPattern: got '', expected a tag pattern"),
    (
        "service-is-slipway",
        r"^  - slipway:delivery\.services\[0\]\.repository: got 'slipway', Slipway's own repository",
    ),
]

# Stack files that look hostile but must keep working.
KEPT = ["teams-named-like-argocd-projects"]


def test_the_corpus_has_a_case_for_every_file() -> None:
    named = {stack for stack, _ in CASES} | {case.values[0] for case in SETTINGS_CASES} | set(KEPT)
    assert named == {path.stem for path in HOSTILE.glob("*.yaml")}


@pytest.mark.parametrize(("stack", "expected"), CASES)
def test_hostile_stack_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stack: str, expected: str
) -> None:
    text = (HOSTILE / f"{stack}.yaml").read_text()
    assert_refused(text, *preview(capsys, project_with(tmp_path, stack, text), stack), expected)


@pytest.mark.parametrize("stack", KEPT)
def test_hostile_looking_stack_file_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str], stack: str) -> None:
    text = (HOSTILE / f"{stack}.yaml").read_text()
    code, out, err, elapsed = preview(capsys, project_with(tmp_path, stack, text), stack)
    assert code == 0 and out.startswith("{"), err
    assert "Traceback" not in err and elapsed < TIME_BOUND


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_files_read_as_the_same_file(tmp_path: Path, newline: str) -> None:
    text = (HOSTILE / "teams-named-like-argocd-projects.yaml").read_text()
    plain, other = tmp_path / "plain", tmp_path / "other"
    plain.mkdir()
    other.mkdir()
    (plain / "Pulumi.s.yaml").write_text(text)
    (other / "Pulumi.s.yaml").write_bytes(text.replace("\n", newline).encode())
    assert load_stack_config(other, "s") == load_stack_config(plain, "s")


def test_a_stack_file_too_large_to_read_in_seconds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    services = "".join(f"      - name: service-{index}\n        team: team-{index % 50}\n" for index in range(50_000))
    text = f"config:\n  slipway:delivery:\n    services:\n{services}"
    code, out, err, elapsed = preview(capsys, project_with(tmp_path, "huge", text), "huge")
    size = len(text.encode())
    assert_refused(text, code, out, err, elapsed, rf"^error: Pulumi\.huge\.yaml:1: \(file\): {size:,} bytes, expected")


@pytest.mark.parametrize(
    ("stack", "secure", "refused"),
    [("prod", False, True), ("prod-eu", False, True), ("prod", True, False), ("production", False, False)],
)
def test_only_production_stacks_refuse_plain_text_secrets(stack: str, secure: bool, refused: bool) -> None:
    path = "slipway:registries.ghcr.pullToken"
    config = StackConfig(
        config={"slipway:registries": '{"ghcr": {"owner": "acme", "pullToken": "x"}}'},
        secret_keys=["slipway:registries"] if secure else [],
        secure_paths=[path] if secure else [],
    )
    if refused:
        with pytest.raises(StackFileError, match=rf"^Pulumi\.{stack}\.yaml: {re.escape(path)}: a secret in plain text"):
            refuse_plain_secrets_in_production(config, stack)
    else:
        refuse_plain_secrets_in_production(config, stack)


def _at(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    for part in reversed(path):
        value = {part: value}
    return value  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", list(secret_field_paths(Settings)), ids=".".join)
def test_no_settings_error_shows_a_secret_whatever_its_shape(path: tuple[str, ...]) -> None:
    secret = "HOSTILE0SHAPE0SECRET"
    shapes = [[secret], {"value": secret}, 7, [{"nested": [secret]}]]
    # the secret pasted in place of each section or model on its path
    placements = [_at(path, shape) for shape in shapes] + [_at(path[:depth], secret) for depth in range(1, len(path))]
    for raw in placements:
        with pytest.raises(SettingsError) as caught:
            load_settings(raw, "dev")
        assert all(secret not in problem for problem in caught.value.problems), caught.value.problems


SETTINGS_CASES = [
    pytest.param("rbac-group-injection", r"slipway:platform\.argocd\.rbac\.admins\[0\]"),
    pytest.param("gpu-pool-builtin-name", r"slipway:clusters\.gpu\.gpuPools\[0\]: name: got .workload."),
]


@pytest.mark.parametrize(("stack", "expected"), SETTINGS_CASES)
def test_settings_refuse_what_would_collide_or_escape(tmp_path: Path, stack: str, expected: str) -> None:
    """Settings-level cases, checked by settings alone (a full preview of each costs seconds)."""
    text = (HOSTILE / f"{stack}.yaml").read_text()
    project = project_with(tmp_path, stack, text)
    with pytest.raises(SettingsError) as caught:
        load_settings(sections_from_config(load_stack_config(project, stack).config), stack)
    assert any(re.search(expected, problem) for problem in caught.value.problems), caught.value.problems


def test_services_past_the_documented_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (PROJECT_DIR / "Pulumi.local.yaml").read_text()
    services = "".join(f"      - {{name: s{index}}}\n" for index in range(MAX_SERVICES + 1))
    text = text.replace("      - name: payments-api\n      - name: web-frontend\n", services)
    expected = rf"^  - slipway:delivery\.services: got .*, expected a list of at most {MAX_SERVICES} items"
    assert_refused(text, *preview(capsys, project_with(tmp_path, "local", text), "local"), expected)
