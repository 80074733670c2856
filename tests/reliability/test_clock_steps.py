"""The wall clock set an hour forward or back: no spurious alerts, no negative durations.

The clock is injected: a step is a jump of the wall reading while the time since
boot runs on, exactly what `date -s` or an NTP step does to a running process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from alertctl.clock import Instant, read, step_between
from alertctl.config.runtime import Agent, Config, Notify
from alertctl.loop import Runner
from alertctl.metrics.demand import families_for
from alertctl.model import CommandCheck, Level, Op, Rule
from alertctl.store import state
from alertctl.store.db import open_database, transaction
from tests.conftest import warned

HOUR = 3600.0


class SteppedClock:
    """Wall time and time since boot advance together, except when `step` sets the wall clock."""

    def __init__(self, wall: float = 1_800_000_000.0, since_boot: float = 5000.0, boot: str = "boot-1") -> None:
        self.wall = wall
        self.since_boot = since_boot
        self.boot = boot

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.since_boot += seconds

    def step(self, seconds: float) -> None:
        self.wall += seconds

    def reboot(self, down_for: float, up_for: float, boot: str) -> None:
        """The host was down `down_for` seconds, then up `up_for` seconds in its next boot."""
        self.wall += down_for + up_for
        self.since_boot = up_for
        self.boot = boot

    def __call__(self) -> Instant:
        return Instant(self.wall, self.since_boot, self.boot)


def _runner(
    tmp_path: Path, clock: Callable[[], Instant], rule: Rule, notify: Notify | None = None
) -> tuple[Runner, Path]:
    value = tmp_path / "value"
    value.write_text("0\n")
    config = Config(
        agent=Agent(host="web-01"),
        notify=notify or Notify(),
        checks=(CommandCheck("q", ("cat", str(value))),),
        rules=(rule,),
    )
    # only what the rule reads: a CPU reading would sleep 0.1 s between cycles run back to back
    families = families_for(config.rules, exporting=False)
    return Runner(config, open_database(tmp_path / "a.db"), read_clock=clock, families=families), value


def _open(runner: Runner) -> list[tuple[int, float, float]]:
    return runner.conn.execute("SELECT id, started_at, last_seen_at FROM alerts WHERE status != 'resolved'").fetchall()


@pytest.mark.parametrize("step", [HOUR, -HOUR])
def test_a_step_neither_fires_a_pending_for_early_nor_restarts_it(tmp_path: Path, step: float) -> None:
    clock = SteppedClock()
    runner, value = _runner(tmp_path, clock, Rule("q-high", "q.value", Op.GT, warning=Level(80, for_seconds=60.0)))
    value.write_text("90\n")
    for _ in range(3):  # 20 s of breach
        runner.run_once()
        clock.advance(10)
    clock.step(step)
    runner.run_once()  # 30 s of breach: still pending
    assert _open(runner) == []
    for _ in range(3):
        clock.advance(10)
        runner.run_once()
    opened = _open(runner)  # 60 s of breach, counted across the step
    assert len(opened) == 1
    _, started_at, last_seen_at = opened[0]
    assert started_at == pytest.approx(clock.wall)
    assert last_seen_at >= started_at


@pytest.mark.parametrize("step", [HOUR, -HOUR])
def test_a_step_neither_opens_a_no_data_alert_early_nor_holds_it_back(tmp_path: Path, step: float) -> None:
    clock = SteppedClock()
    runner, value = _runner(tmp_path, clock, Rule("q-high", "q.value", Op.GT, warning=Level(80), nodata_after=60.0))
    value.write_text("")  # no number: q.value has no data
    for _ in range(3):  # 20 s without data
        runner.run_once()
        clock.advance(10)
    clock.step(step)
    runner.run_once()  # 30 s: not yet
    assert _open(runner) == []
    for _ in range(3):
        clock.advance(10)
        runner.run_once()
    assert len(_open(runner)) == 1  # 60 s without data, counted across the step


@pytest.mark.parametrize("step", [HOUR, -HOUR])
def test_an_alert_open_across_a_step_keeps_a_true_duration(tmp_path: Path, step: float) -> None:
    clock = SteppedClock()
    runner, value = _runner(tmp_path, clock, Rule("q-high", "q.value", Op.GT, warning=Level(80)))
    value.write_text("90\n")
    runner.run_once()
    clock.advance(30)
    clock.step(step)
    runner.run_once()
    clock.advance(30)
    value.write_text("10\n")
    runner.run_once()
    started, resolved = runner.conn.execute("SELECT started_at, resolved_at FROM alerts WHERE id = 1").fetchone()
    assert resolved - started == pytest.approx(60.0)


def test_a_forward_step_does_not_renotify_or_escalate_early(tmp_path: Path) -> None:
    from alertctl.config.runtime import Channel
    from alertctl.model import Severity

    clock = SteppedClock()
    notify = Notify(
        channels=(
            Channel("ops", ("json://127.0.0.1:9/hook",), Severity.WARNING),
            Channel("pager", ("json://127.0.0.1:9/page",), Severity.CRITICAL),
        ),
        renotify=HOUR,
        escalate_after=900.0,
        escalate_to=("pager",),
    )
    runner, value = _runner(tmp_path, clock, Rule("q-high", "q.value", Op.GT, critical=Level(80)), notify)
    value.write_text("90\n")
    runner.run_once()
    clock.advance(60)
    clock.step(2 * HOUR)
    runner.run_once()
    kinds = [row[0] for row in runner.conn.execute("SELECT kind FROM outbox ORDER BY id")]
    assert kinds == ["opened", "opened"]  # to ops and to pager (critical): no renotify, no escalation
    clock.advance(900)
    runner.run_once()
    kinds = [row[0] for row in runner.conn.execute("SELECT kind FROM outbox ORDER BY id")]
    assert "escalated" in kinds  # the escalation still comes, on time


def test_step_between_tells_a_step_from_time_passing() -> None:
    before = Instant(1000.0, 50.0, "b1")
    assert step_between(None, before) == 0.0
    assert step_between(before, Instant(1010.0, 60.0, "b1")) == 0.0
    assert step_between(before, Instant(1011.5, 60.0, "b1")) == 0.0  # within tolerance: NTP slewing
    assert step_between(before, Instant(4610.0, 60.0, "b1")) == pytest.approx(3600.0)
    assert step_between(before, Instant(-2590.0, 60.0, "b1")) == pytest.approx(-3600.0)
    assert step_between(before, Instant(9000.0, 10.0, "b2")) == 0.0  # rebooted in between: nothing to compare


def test_step_between_says_nothing_across_boots_even_when_the_time_since_boot_grew() -> None:
    before = Instant(1000.0, 1200.0, "b1")  # shut down 20 min after boot
    assert step_between(before, Instant(1000.0 + 86400 + 1500, 1500.0, "b2")) == 0.0  # read 25 min into the next
    assert step_between(before, Instant(5000.0, 1300.0, "other-host")) == 0.0
    assert step_between(Instant.from_dict({"wall": 1000.0, "since_boot": 50.0}), Instant(4610.0, 60.0, "b1")) == 0.0
    assert step_between(Instant(1000.0, 50.0, ""), Instant(4610.0, 60.0, "")) == 0.0  # boot unknown


def test_a_reading_carries_this_boot_id() -> None:
    assert read().boot == Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    assert Instant.from_dict(read().to_dict()) is not None


def test_a_reboot_with_a_longer_uptime_shifts_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clock = SteppedClock(since_boot=1200.0)
    runner, value = _runner(tmp_path, clock, Rule("q-high", "q.value", Op.GT, warning=Level(80)))
    value.write_text("90\n")
    runner.run_once()
    [(_, started_at, _)] = _open(runner)
    clock.reboot(down_for=3 * 86400, up_for=1500.0, boot="boot-2")
    runner.run_once()
    assert warned(caplog) == []
    assert [row[1] for row in _open(runner)] == [started_at]


def test_a_reading_stored_without_a_boot_id_is_not_compared(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clock = SteppedClock()
    runner, value = _runner(tmp_path, clock, Rule("q-high", "q.value", Op.GT, warning=Level(80)))
    value.write_text("90\n")
    runner.run_once()
    [(_, started_at, _)] = _open(runner)
    with transaction(runner.conn):
        state.set_value(runner.conn, "clock", {"wall": clock.wall - 2 * HOUR, "since_boot": clock.since_boot})
    clock.advance(10)
    runner.run_once()
    assert warned(caplog) == []
    assert [row[1] for row in _open(runner)] == [started_at]
    clock.step(HOUR)
    runner.run_once()  # this boot's reading is stored now: steps are seen again
    assert len(warned(caplog)) == 1


def test_a_reading_older_than_the_stored_one_shifts_nothing_twice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A reads the clock before a step, B after it; B takes the write lock first and follows
    the step; then A records its older reading. The step must be followed once."""
    rule = Rule("q-high", "q.value", Op.GT, warning=Level(80))
    clock = SteppedClock()
    b, value = _runner(tmp_path, clock, rule)
    value.write_text("90\n")
    b.run_once()
    [(_, started_at, _)] = _open(b)
    clock.advance(10)
    before_step = clock()
    a, _ = _runner(tmp_path, lambda: before_step, rule)
    value.write_text("90\n")
    clock.advance(1)
    clock.step(HOUR)
    b.run_once()  # B: after the step
    a.run_once()  # A: committed later, read earlier
    clock.advance(10)
    b.run_once()
    assert warned(caplog) == ["the wall clock was set +3600s; open alerts and pending timers keep their durations"]
    assert [row[1] for row in _open(b)] == [pytest.approx(started_at + HOUR)]


def test_a_step_is_reported_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clock = SteppedClock()
    runner, _ = _runner(tmp_path, clock, Rule("q-high", "q.value", Op.GT, warning=Level(80)))
    runner.run_once()
    clock.step(-HOUR)
    runner.run_once()
    clock.advance(10)
    runner.run_once()
    assert warned(caplog) == ["the wall clock was set -3600s; open alerts and pending timers keep their durations"]
