"""`backtest`'s output: the contract's JSON document, and the same figures as plain lines."""

from __future__ import annotations

from alertctl.backtest.compare import Comparison, Incident, Summary
from alertctl.backtest.run import Backtest, RuleOutcome
from alertctl.durations import iso
from alertctl.units import human_seconds

NOT_REPLAYED = "silences, acknowledgements and manual resolves are not replayed (they are not in the samples)"


def to_dict(found: Backtest) -> dict[str, object]:
    return {
        "since": iso(found.since),
        "until": iso(found.until),
        "samples": found.samples,
        "candidate_file": found.candidate_source,
        "rules": [_rule(r) for r in found.rules],
        "not_replayed": notes(found),
    }


def _rule(r: RuleOutcome) -> dict[str, object]:
    c = r.comparison
    return {
        "rule": r.rule,
        "current": _summary(r.current),
        "candidate": _summary(r.candidate),
        "missed": _incidents(c.missed) if c else [],
        "added": _incidents(c.added) if c else [],
        "metric": r.metric,
        "samples": r.samples,
        "detect": _detect(c),
        "gaps": [{"start": iso(g.start), "end": iso(g.end), "seconds": round(g.seconds, 1)} for g in r.gaps],
        "no_history": r.no_history,
        "alerts": {"current": _incidents(r.alerts[0]), "candidate": _incidents(r.alerts[1])},
    }


def _summary(s: Summary | None) -> dict[str, object] | None:
    return None if s is None else s.to_dict()


def _incidents(found: list[Incident]) -> list[dict[str, object]]:
    return [
        {"started_at": iso(i.started_at, "milliseconds"), "seconds": round(i.seconds, 1), "reopened": i.reopened}
        for i in found
    ]


def _detect(c: Comparison | None) -> dict[str, object] | None:
    """For long incidents (`--incident`) both configs raise: how much later the candidate does."""
    if c is None:
        return None
    return {
        "both": len(c.delays),
        "median_delay_seconds": None if c.median_delay is None else round(c.median_delay, 1),
        "max_delay_seconds": None if c.max_delay is None else round(c.max_delay, 1),
    }


def notes(found: Backtest) -> list[str]:
    """What the replay could not see, said where the operator looks."""
    said = [NOT_REPLAYED]
    a = found.actions
    if a.acknowledged or a.resolved_by_hand or a.suppressed or a.silences:
        said.append(
            f"in this window: {a.acknowledged} acknowledged, {a.resolved_by_hand} resolved by hand, "
            f"{a.suppressed} suppressed alerts and {a.silences} silences"
        )
    for r in found.rules:
        if r.no_history:
            said.append(f"rule {r.rule}: no history of {r.metric} in the window: not replayed")
        if r.gaps:
            longest = max(r.gaps, key=lambda g: g.seconds)
            said.append(
                f"rule {r.rule}: {len(r.gaps)} gap{'s' if len(r.gaps) > 1 else ''} in the samples "
                f"(longest {human_seconds(longest.seconds)} from {iso(longest.start)}), replayed as no data"
            )
    return said


def lines(found: Backtest) -> list[str]:
    """One block per rule: the config in use, then the candidate and what differs."""
    out = [
        f"backtest {iso(found.since)} .. {iso(found.until)}: {found.samples} samples"
        + (f"; candidate {found.candidate_source}" if found.candidate_source else "")
    ]
    for r in found.rules:
        if r.no_history:
            continue
        out.append(f"{r.rule} ({r.metric}, {r.samples} samples)")
        out.append(f"  current:   {_said(r.current)}")
        if found.candidate_source:
            out.append(f"  candidate: {_said(r.candidate)}")
        out += _differences(r.comparison)
    out += [f"note: {note}" for note in notes(found)]
    return out


def _said(s: Summary | None) -> str:
    if s is None:
        return "(no such rule)"
    return (
        f"{s.alerts} alerts, {s.reopened} reopened, {s.notices} notices, "
        f"{human_seconds(s.seconds_in_alert)} in alert, {s.blips} blips"
    )


def _differences(c: Comparison | None) -> list[str]:
    if c is None:
        return []
    out = []
    for word, found in (("missed", c.missed), ("added", c.added)):
        for incident in found:
            out.append(f"  {word}: {iso(incident.started_at)} for {human_seconds(incident.seconds)}")
    if c.delays:
        assert c.median_delay is not None and c.max_delay is not None
        out.append(
            f"  both raise {len(c.delays)} long incidents; the candidate later by "
            f"{round(c.median_delay):+d}s median, {round(c.max_delay):+d}s at most"
        )
    return out
