"""ArgoCD's sync windows, as v3.4.4 parses and evaluates them: settings validate with it, admission judges with it.

Ported from argoproj/argo-cd v3.4.4 (commit 443415b5527ac55366e0760c93ef0e1abd0cf273),
pkg/apis/application/v1alpha1/types.go: `SyncWindow.Validate`, `SyncWindows.active` /
`inactiveAllows` / `CanSync` / `hasDeny` / `manualEnabled`, `scheduleOffsetByTimeZone`; the schedule
parser is robfig/cron v3.0.2-0.20210106135023-bc59245fe10e (ArgoCD's go.mod), parser.go `Parse` /
`getField` / `getRange` with ArgoCD's options `Minute | Hour | Dom | Month | Dow` (no descriptors, no
seconds) and spec.go `dayMatches`; durations are Go's `time.ParseDuration`. Read 2026-12-04.
Upstream cases: tests/argocd_cases/sync_windows.yaml.

What ArgoCD does with a bad window: an unknown time zone is logged and read as UTC; a schedule or
duration that does not parse makes `CanSync` return an error, which blocks every sync of every
application the window matches. Not modelled (raises ValueError, never a different answer): a
`TZ=`/`CRON_TZ=` prefix on the schedule (Slipway sets `timeZone` instead).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# robfig/cron spec.go `bounds`, in ArgoCD's field order (minute, hour, day of month, month, day of week).
_MONTHS = {name: i + 1 for i, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep"))}
_MONTHS |= {"oct": 10, "nov": 11, "dec": 12}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_BOUNDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (0, 6, _DAYS),
)


class CronError(ValueError):
    """robfig/cron's parse error, with its message."""


@dataclass(frozen=True)
class Schedule:
    """The parsed fields: the values each allows, and whether day-of-month / day-of-week had a `*` or `?`."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_star: bool
    weekdays_star: bool

    def fires_at(self, at: datetime) -> bool:
        """Does the schedule fire at this minute (spec.go `Next`'s field checks and `dayMatches`)?"""
        if at.minute not in self.minutes or at.hour not in self.hours or at.month not in self.months:
            return False
        day, weekday = at.day in self.days, (at.isoweekday() % 7) in self.weekdays
        return day and weekday if self.days_star or self.weekdays_star else day or weekday

    def ever_fires(self) -> bool:
        """False when no date matches (`0 0 30 2 *`): robfig's `Next` then returns the zero time."""
        if not (self.days_star or self.weekdays_star):
            return True
        return any(day <= calendar.monthrange(2024, month)[1] for month in self.months for day in self.days)


def _number(text: str, names: Mapping[str, int]) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise CronError(f"failed to parse int from {text}")
    if int(text) < 0:
        raise CronError(f"negative number ({int(text)}) not allowed: {text}")
    return int(text)


def _range(expr: str, low: int, high: int, names: Mapping[str, int]) -> tuple[set[int], bool]:
    """parser.go getRange: the values of one comma-separated part, and whether it carries the star bit."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    star = False
    if low_and_high[0] in ("*", "?"):
        start, end, star = low, high, True
    else:
        start = _number(low_and_high[0], names)
        if len(low_and_high) > 2:
            raise CronError(f"too many hyphens: {expr}")
        end = _number(low_and_high[1], names) if len(low_and_high) == 2 else start
    step = 1
    if len(range_and_step) == 2:
        step = _number(range_and_step[1], {})
        if len(low_and_high) == 1:
            end = high
        if step > 1:
            star = False
    elif len(range_and_step) > 2:
        raise CronError(f"too many slashes: {expr}")
    if start < low:
        raise CronError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise CronError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"step of range should be a positive number: {expr}")
    return set(range(start, end + 1, step)), star


def parse_schedule(spec: str) -> Schedule:
    """robfig/cron `NewParser(Minute | Hour | Dom | Month | Dow).Parse`, as ArgoCD calls it."""
    if spec == "":
        raise CronError("empty spec string")
    if spec.startswith(("TZ=", "CRON_TZ=")):
        raise ValueError("a TZ= or CRON_TZ= schedule prefix is not modelled: set the window's timeZone")
    if spec.startswith("@"):
        raise CronError(f"parser does not accept descriptors: {spec}")
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    parsed: list[tuple[frozenset[int], bool]] = []
    for field, (low, high, names) in zip(fields, _BOUNDS, strict=True):
        values: set[int] = set()
        star = False
        for part in (p for p in field.split(",") if p):
            more, starred = _range(part, low, high, names)
            values |= more
            star = star or starred
        parsed.append((frozenset(values), star))
    (minutes, _), (hours, _), (days, days_star), (months, _), (weekdays, weekdays_star) = parsed
    return Schedule(minutes, hours, days, months, weekdays, days_star, weekdays_star)


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]+)")


def parse_duration(text: str) -> timedelta:
    """Go's time.ParseDuration (`[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+`, or a bare `0`); ValueError otherwise."""
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return timedelta(0)
    if body == "":
        raise ValueError(f'time: invalid duration "{text}"')
    seconds, position = 0.0, 0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None or match.group(1) in ("", "."):
            raise ValueError(f'time: invalid duration "{text}"')
        if match.group(2) not in _DURATION_UNITS:
            raise ValueError(f'time: unknown unit "{match.group(2)}" in duration "{text}"')
        seconds += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        position = match.end()
    return timedelta(seconds=-seconds if text.startswith("-") else seconds)


def load_location(name: str) -> ZoneInfo | None:
    """Go's time.LoadLocation for an IANA name ("" and "UTC" are UTC); None where Go would fail too.

    `Local` (the ArgoCD pod's own zone) is not modelled: None.
    """
    if name in ("", "UTC"):
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def window_problem(window: Mapping[str, Any]) -> str | None:
    """SyncWindow.Validate plus what `CanSync` fails on; None if ArgoCD accepts the window."""
    if window.get("kind") not in ("allow", "deny"):
        return f"kind '{window.get('kind', '')}' mismatch: can only be allow or deny"
    try:
        parse_schedule(str(window.get("schedule", "")))
    except CronError as error:
        return f"cannot parse schedule '{window.get('schedule', '')}': {error}"
    try:
        parse_duration(str(window.get("duration", "")))
    except ValueError as error:
        return f"cannot parse duration '{window.get('duration', '')}': {error}"
    if not (window.get("applications") or window.get("namespaces") or window.get("clusters")):
        return "requires one of application, cluster or namespace"
    return None


def active(window: Mapping[str, Any], now: datetime) -> bool:
    """SyncWindow.active at `now`: `schedule.Next(now + offset - duration)` is before `now + offset`.

    The offset is the window zone's UTC offset at `now` (ArgoCD takes it at the wall-clock now), and
    the schedule runs in UTC; an unknown zone counts as UTC. A schedule that never fires makes
    `Next` return Go's zero time, which is before anything: the window is always active.
    """
    schedule = parse_schedule(str(window["schedule"]))
    duration = parse_duration(str(window["duration"]))
    zone = load_location(str(window.get("timeZone", ""))) or ZoneInfo("UTC")
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    shifted = now.astimezone(UTC) + offset
    if not schedule.ever_fires():
        return True
    start = (shifted - duration).replace(second=0, microsecond=0) + timedelta(minutes=1)
    minute = start
    while minute < shifted:
        if schedule.fires_at(minute):
            return True
        minute += timedelta(minutes=1)
    return False


def can_sync(
    windows: Sequence[Mapping[str, Any]], manual: bool, is_active: Callable[[Mapping[str, Any]], bool]
) -> bool:
    """SyncWindows.CanSync over the windows that match an application; `is_active` says which are active."""
    if not windows:
        return True
    now_active = [w for w in windows if is_active(w)]
    denies = [w for w in now_active if w.get("kind") == "deny"]
    if denies:
        return manual and all(bool(w.get("manualSync")) for w in denies)
    if any(w.get("kind") == "allow" for w in now_active):
        return True
    inactive_allows = [w for w in windows if w.get("kind") == "allow" and not is_active(w)]
    if inactive_allows:
        return manual and all(bool(w.get("manualSync")) for w in inactive_allows)
    return True
