"""The pattern report: SQLite's aggregates in, figures and suggestions (with evidence) out.

Pure: no I/O, no clock. The store counts (`alertctl.store.report`); this module
turns the counts into the contract's figures, names the noisiest and flapping
rules, and says what the figures suggest, each suggestion with its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alertctl.durations import iso
from alertctl.model import Severity
from alertctl.store.report import QUICK_SECONDS, Aggregates, RuleRow

SEVERITIES = tuple(s.label for s in Severity)
STATUSES = ("firing", "acknowledged", "suppressed", "resolved")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NOISIEST = 10
FLAPPING_REOPENS = 2
MIN_ALERTS_TO_JUDGE = 5
"""A rule must have fired at least this often before a suggestion is drawn from it."""
BLIP_SHARE = 0.5
IGNORED_SHARE = 0.9
PEAK_MIN_TOTAL = 10
FAILING_SHARE = 0.2


@dataclass(frozen=True)
class Suggestion:
    kind: str
    text: str
    evidence: dict[str, object]
    rule: str | None = None


@dataclass(frozen=True)
class Report:
    since: float
    until: float
    rule: str | None
    total: int
    by_severity: dict[str, int]
    by_rule: dict[str, int]
    by_status: dict[str, int]
    hourly: list[int]
    by_weekday: dict[str, int]
    daily: list[tuple[str, int]]
    tta: tuple[float | None, float | None]
    ttr: tuple[float | None, float | None]
    rules: list[RuleRow]
    channels: dict[str, dict[str, int]]
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def days(self) -> float:
        return max(self.until - self.since, 1.0) / 86400

    @property
    def most_common_rule(self) -> str | None:
        return self.rules[0].rule if self.rules else None

    @property
    def peak_hour(self) -> int | None:
        return None if not self.total else max(range(24), key=lambda h: (self.hourly[h], -h))

    @property
    def flapping(self) -> list[tuple[str, int]]:
        found = [(r.rule, r.reopened) for r in self.rules if r.reopened >= FLAPPING_REOPENS]
        return sorted(found, key=lambda f: (-f[1], f[0]))

    @property
    def noisiest(self) -> list[RuleRow]:
        return self.rules[:NOISIEST]

    def notifications(self) -> dict[str, int]:
        return {k: sum(c[k] for c in self.channels.values()) for k in ("sent", "failed", "given_up")}


def build(agg: Aggregates, since: float, until: float, rule: str | None = None) -> Report:
    report = Report(
        since=since,
        until=until,
        rule=rule,
        total=sum(r.alerts for r in agg.rules),
        by_severity={s: agg.by_severity.get(s, 0) for s in SEVERITIES},
        by_rule={r.rule: r.alerts for r in agg.rules},
        by_status={s: agg.by_status.get(s, 0) for s in STATUSES} | _others(agg.by_status, STATUSES),
        hourly=[agg.hourly.get(h, 0) for h in range(24)],
        by_weekday={name: agg.weekday.get((i + 1) % 7, 0) for i, name in enumerate(WEEKDAYS)},
        daily=[(d, agg.daily.get(d, 0)) for d in local_dates(since, until)],
        tta=agg.tta,
        ttr=agg.ttr,
        rules=agg.rules,
        channels={c.channel: {"sent": c.sent, "failed": c.failed, "given_up": c.given_up} for c in agg.channels},
    )
    return Report(**{**report.__dict__, "suggestions": suggest(report)})


def _others(counts: dict[str, int], known: tuple[str, ...]) -> dict[str, int]:
    return {k: v for k, v in sorted(counts.items()) if k not in known}


def local_dates(since: float, until: float) -> list[str]:
    """Every local calendar date from `since` to `until`, both included."""
    first, last = datetime.fromtimestamp(since).date(), datetime.fromtimestamp(until).date()
    days = (last - first).days
    return [(first + timedelta(days=n)).isoformat() for n in range(days + 1)] if days >= 0 else []


def suggest(report: Report) -> list[Suggestion]:
    found = [s for r in report.rules for s in _rule_suggestions(r)]
    found += _peak_suggestion(report)
    found += [s for name, c in report.channels.items() for s in _channel_suggestion(name, c)]
    return found


def _rule_suggestions(r: RuleRow) -> list[Suggestion]:
    found = []
    minutes = int(QUICK_SECONDS // 60)
    if r.alerts >= MIN_ALERTS_TO_JUDGE and r.quick >= BLIP_SHARE * r.alerts:
        found.append(
            Suggestion(
                "blips",
                f"rule {r.rule} fired {r.alerts} times, {r.quick} resolved within {minutes} minutes: "
                f'consider `for = "5m"` or a `clear` level further from the threshold',
                {"alerts": r.alerts, f"resolved_within_{minutes}m": r.quick},
                r.rule,
            )
        )
    if r.reopened >= FLAPPING_REOPENS:
        found.append(
            Suggestion(
                "flapping",
                f"rule {r.rule} reopened {r.reopened} times: its value hovers at the threshold; "
                "consider a `clear` level (hysteresis) or a longer `for`",
                {"alerts": r.alerts, "reopened": r.reopened},
                r.rule,
            )
        )
    if r.alerts >= MIN_ALERTS_TO_JUDGE and r.never_acked >= IGNORED_SHARE * r.alerts:
        found.append(
            Suggestion(
                "ignored",
                f"rule {r.rule} fired {r.alerts} times, {r.never_acked} never acknowledged: "
                "if nobody acts on it, raise its levels or send it to a quieter channel",
                {"alerts": r.alerts, "never_acknowledged": r.never_acked},
                r.rule,
            )
        )
    return found


def _peak_suggestion(report: Report) -> list[Suggestion]:
    hour = report.peak_hour
    if hour is None or report.total < PEAK_MIN_TOTAL or report.hourly[hour] * 24 < 2 * report.total:
        return []
    count = report.hourly[hour]
    share = round(100 * count / report.total)
    return [
        Suggestion(
            "peak_hour",
            f"peak hour {hour:02d}:00 local: {count} of {report.total} alerts ({share}%) started then; "
            "look for a scheduled job or a daily load at that time",
            {"hour": hour, "alerts": count, "total": report.total},
        )
    ]


def _channel_suggestion(name: str, c: dict[str, int]) -> list[Suggestion]:
    attempts = c["sent"] + c["failed"]
    if not c["given_up"] and (not attempts or c["failed"] < FAILING_SHARE * attempts):
        return []
    return [
        Suggestion(
            "channel_failing",
            f"channel {name}: {c['failed']} of {attempts} attempts failed, "
            f"{c['given_up']} notices given up: try `alertctl notify test --channel {name}`",
            {"channel": name, "attempts": attempts, "failed": c["failed"], "given_up": c["given_up"]},
        )
    ]


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def to_dict(report: Report) -> dict[str, object]:
    """The contract's fields first, then the additions."""
    notes = report.notifications()
    return {
        "since": iso(report.since),
        "until": iso(report.until),
        "total": report.total,
        "by_severity": report.by_severity,
        "by_rule": report.by_rule,
        "by_status": report.by_status,
        "most_common_rule": report.most_common_rule,
        "hourly": report.hourly,
        "peak_hour": report.peak_hour,
        "mtta_seconds": _seconds(report.tta[0]),
        "mttr_seconds": _seconds(report.ttr[0]),
        "flapping": [{"rule": rule, "reopened": n} for rule, n in report.flapping],
        "notifications": notes | {"by_channel": report.channels},
        "rule": report.rule,
        "median_tta_seconds": _seconds(report.tta[1]),
        "median_ttr_seconds": _seconds(report.ttr[1]),
        "by_weekday": report.by_weekday,
        "daily": [{"date": d, "alerts": n} for d, n in report.daily],
        "noisiest": [_noisy(r, report.days) for r in report.noisiest],
        "suggestions": [
            {"kind": s.kind, "rule": s.rule, "text": s.text, "evidence": s.evidence} for s in report.suggestions
        ],
    }


def _noisy(r: RuleRow, days: float) -> dict[str, object]:
    return {
        "rule": r.rule,
        "alerts": r.alerts,
        "per_day": round(r.alerts / days, 2),
        "never_acknowledged_share": round(r.never_acked / r.alerts, 3),
        "median_duration_seconds": _seconds(r.median_duration),
        "resolved_within_2m": r.quick,
        "reopened": r.reopened,
    }
