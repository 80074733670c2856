"""No data is a state: replayed through the pure engine, time injected, nothing waited for."""

from __future__ import annotations

import pytest

from alertctl.model import Change, Level, Rule, Sample, SeriesKey, Severity, Unavailable, make_labels
from tests.engine.replay import Replay

GAP = Unavailable("queue.value", "queue: not found: redis-cli")


def rule(**options: object) -> Rule:
    return Rule(name="queue-high", metric="queue.value", warning=Level(100), critical=Level(500), **options)  # type: ignore[arg-type]


def notable(transitions: list) -> list[str]:  # type: ignore[type-arg]
    return [t.change.value for t in transitions if t.notable]


def test_a_rule_without_a_sample_is_nodata_at_once_with_the_collectors_reason() -> None:
    replay = Replay([rule()])
    assert notable(replay.step(0, [], [GAP])) == []
    assert replay.blind["queue-high"].reason == "queue: not found: redis-cli"
    assert replay.blind["queue-high"].since == 0


def test_without_a_reported_reason_it_says_no_sample_came() -> None:
    replay = Replay([rule(mount="/vaar")])
    replay.step(0, [])
    assert replay.blind["queue-high"].reason == "no sample of queue.value /vaar"


@pytest.mark.parametrize(("after", "opens_at"), [(300.0, 300), (60.0, 60), (600.0, 600)])
def test_the_alert_opens_once_nodata_after_has_passed(after: float, opens_at: int) -> None:
    replay = Replay([rule(nodata_after=after)], expire_after=3600)
    opened = [now for now in range(0, 900, 30) if "opened" in notable(replay.step(now, [], [GAP]))]
    assert opened == [opens_at]


def test_the_alert_carries_the_severity_the_message_and_its_own_identity() -> None:
    replay = Replay([rule(nodata=Severity.CRITICAL, nodata_after=60)])
    replay.step(0, [], [GAP])
    [opened] = replay.step(60, [], [GAP])
    assert opened.change is Change.OPENED and opened.severity is Severity.CRITICAL
    assert opened.key == SeriesKey("queue-high", (), nodata=True)
    assert opened.message == "no data for queue.value: queue: not found: redis-cli on web-01"
    assert opened.value is None and opened.threshold is None


def test_it_resolves_as_recovered_when_samples_return_and_the_spell_ends() -> None:
    replay = Replay([rule(nodata_after=60)])
    for now in (0, 30, 60, 90):
        replay.step(now, [], [GAP])
    [back] = replay.step(120, [Sample("queue.value", 3)])
    assert back.change is Change.RESOLVED and back.key.nodata
    assert back.message == "queue.value is reporting again (3) on web-01"
    assert replay.blind == {}
    assert notable(replay.step(150, [], [GAP])) == []  # a new spell starts from nothing


def test_ignore_keeps_the_state_but_never_opens_an_alert() -> None:
    replay = Replay([rule(nodata=None, nodata_after=60)])
    steps = [notable(replay.step(now, [], [GAP])) for now in range(0, 600, 30)]
    assert all(step == [] for step in steps)
    assert "queue-high" in replay.blind


def test_an_open_no_data_alert_is_kept_fresh_not_expired() -> None:
    replay = Replay([rule(nodata_after=60)], expire_after=120)
    changes = [notable(replay.step(now, [], [GAP])) for now in range(0, 900, 30)]
    assert [c for c in changes if c] == [["opened"]]


def test_a_breach_alert_and_the_no_data_alert_are_separate_incidents() -> None:
    replay = Replay([rule(nodata_after=60)], expire_after=120)
    assert notable(replay.step(0, [Sample("queue.value", 200)])) == ["opened"]
    assert notable(replay.step(30, [], [GAP])) == []
    assert notable(replay.step(90, [], [GAP])) == ["opened"]  # no data, while the breach is still open
    assert notable(replay.step(120, [], [GAP])) == ["expired"]  # the breach, after expire_after
    assert [k.nodata for k in replay.open] == [True]


def test_a_long_pause_between_runs_is_not_time_without_data() -> None:
    replay = Replay([rule(nodata_after=300)], expire_after=600)
    replay.step(0, [], [GAP])
    assert notable(replay.step(3600, [], [GAP])) == []  # nobody looked for an hour: the spell restarts
    assert replay.blind["queue-high"].since == 3600


def test_data_returning_within_the_dedup_window_and_leaving_again_reopens() -> None:
    replay = Replay([rule(nodata_after=60)], dedup_window=600)
    replay.step(0, [], [GAP])
    replay.step(60, [], [GAP])
    replay.step(90, [Sample("queue.value", 1)])
    replay.step(120, [], [GAP])
    assert notable(replay.step(180, [], [GAP])) == ["reopened"]


def test_a_gap_for_one_mount_covers_only_a_rule_pinned_to_it() -> None:
    var = Unavailable("disk.percent", "disk: /vaar is not mounted", make_labels({"mount": "/vaar"}))
    pinned = Rule("var", "disk.percent", warning=Level(80), mount="/vaar")
    other = Rule("home", "disk.percent", warning=Level(80), mount="/home")
    replay = Replay([pinned, other])
    replay.step(0, [Sample("disk.percent", 10, make_labels({"mount": "/"}))], [var])
    assert replay.blind["var"].reason == "disk: /vaar is not mounted"
    assert replay.blind["home"].reason == "no sample of disk.percent /home"


def test_a_rule_with_any_sample_is_not_blind() -> None:
    replay = Replay([Rule("disk", "disk.percent", warning=Level(80))])
    gap = Unavailable("disk.percent", "disk: /x is not mounted", make_labels({"mount": "/x"}))
    replay.step(0, [Sample("disk.percent", 10, make_labels({"mount": "/"}))], [gap])
    assert replay.blind == {}


def test_a_changed_nodata_severity_raises_the_open_alert() -> None:
    replay = Replay([rule(nodata_after=60)])
    replay.step(0, [], [GAP])
    replay.step(60, [], [GAP])
    replay.rules = [rule(nodata=Severity.CRITICAL, nodata_after=60)]  # a reload
    [raised] = replay.step(90, [], [GAP])
    assert (raised.change, raised.severity) == (Change.RAISED, Severity.CRITICAL)


def test_a_reading_older_than_one_already_judged_neither_resolves_nor_forgets_the_spell() -> None:
    replay = Replay([rule(nodata_after=60)])
    for now in (0, 30, 60, 90):
        replay.step(now, [], [GAP])
    assert notable(replay.step(80, [Sample("queue.value", 3)])) == []  # a slow run's older sample commits late
    assert replay.blind["queue-high"].since == 0
    [back] = replay.step(120, [Sample("queue.value", 3)])
    assert back.change is Change.RESOLVED and back.key.nodata
