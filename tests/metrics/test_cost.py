"""Cost follows need: one scan of the process table a cycle, nothing slow under the write lock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.config.runtime import Agent, Config
from alertctl.loop import Runner
from alertctl.metrics.collector import Reading
from alertctl.metrics.demand import families_for
from alertctl.metrics.proctable import ProcessTable, Scan
from alertctl.model import Level, Op, ProcessCheck, Rule
from alertctl.store import alerts
from alertctl.store.db import open_database


class CountingTable(ProcessTable):
    def __init__(self) -> None:
        super().__init__()
        self.scans = 0

    def scan(self, with_cmdline: bool = False) -> Scan:
        self.scans += 1
        return super().scan(with_cmdline)


@pytest.fixture
def renamed() -> Iterator[subprocess.Popen[str]]:
    """A process whose name holds the characters that break a naive /proc/PID/stat parse."""
    code = "open('/proc/self/comm', 'w').write('we) ird (x'); print('ok', flush=True); import time; time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ok"
    yield proc
    proc.kill()
    proc.wait()


def test_the_scan_parses_a_name_with_spaces_and_parentheses(renamed: subprocess.Popen[str]) -> None:
    (row,) = [row for row in ProcessTable().scan().rows if row.pid == renamed.pid]
    assert row.name == "we) ird (x"
    assert row.state in "SR" and row.rss > 0 and row.start_ticks > 0


def test_cpu_percent_is_measured_between_two_scans_without_sleeping_in_between() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    idle = subprocess.Popen(["sleep", "60"])
    try:
        table = ProcessTable()
        first = table.scan()
        time.sleep(0.5)  # the busy child runs meanwhile; the scan itself never sleeps
        second = table.scan()
    finally:
        for child in (busy, idle):
            child.kill()
            child.wait()
    assert first.interval is None and second.interval is not None and second.interval >= 0.5
    share = {row.pid: second.cpu_percent[row.identity] for row in second.rows}
    assert share[busy.pid] > 1.0 and share[idle.pid] == 0.0


def _config(value_file: Path, *rules: Rule, checks: tuple[ProcessCheck, ...] = ()) -> Config:
    from alertctl.model import CommandCheck

    return Config(
        agent=Agent(host="web-01"),
        checks=(CommandCheck("q", ("cat", str(value_file))), *checks),
        rules=rules,
    )


def test_the_table_is_scanned_once_a_cycle_for_counts_checks_and_context(tmp_path: Path) -> None:
    value = tmp_path / "value"
    value.write_text("1")
    rules = (
        Rule("procs", "processes.total", Op.GT, warning=Level(1e9)),
        Rule("cpu-any", "cpu.percent", Op.GE, warning=Level(0)),  # always in breach: wants top processes
        Rule("cpu-any-2", "cpu.percent", Op.GE, critical=Level(0)),
    )
    runner = Runner(_config(value, *rules, checks=(ProcessCheck("py", "python"),)), open_database(tmp_path / "a.db"))
    table = runner.collector.table = CountingTable()
    runner.run_once(1000.0)  # no earlier scan: the context needs a second one to measure CPU %
    assert table.scans == 2
    runner.run_once(1010.0)  # alerts already open at their level: no context, one scan serves all
    assert table.scans == 3
    (opened, _) = sorted(alerts.open_alerts(runner.conn).values(), key=lambda a: a.id)
    context = alerts.get(runner.conn, opened.id).context  # type: ignore[union-attr]
    assert context["top_processes"] and {"pid", "cpu_percent"} <= set(context["top_processes"][0])


def test_top_processes_are_gathered_before_the_write_lock_is_taken(tmp_path: Path) -> None:
    value = tmp_path / "value"
    value.write_text("1")
    db = tmp_path / "a.db"
    runner = Runner(_config(value, Rule("cpu-any", "cpu.percent", Op.GE, warning=Level(0))), open_database(db))
    gather = runner.collector.top_processes
    writes: list[str] = []

    def gather_while_another_process_writes(wanted: set[str], reading: Reading) -> dict[str, list[dict[str, object]]]:
        other = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the cycle held the lock
            other.execute("ROLLBACK")
            writes.append("ok")
        finally:
            other.close()
        return gather(wanted, reading)

    runner.collector.top_processes = gather_while_another_process_writes  # type: ignore[method-assign]
    cycle = runner.run_once(1000.0)
    assert writes == ["ok"]
    assert [t.change.value for t in cycle.transitions if t.notable] == ["opened"]
    assert alerts.get(runner.conn, 1).context["top_processes"]  # type: ignore[union-attr]
    assert cycle.lock_seconds > 0


def test_a_breach_still_waiting_on_its_for_scans_nothing(tmp_path: Path) -> None:
    value = tmp_path / "value"
    value.write_text("1")
    rule = Rule("cpu-any", "cpu.percent", Op.GE, warning=Level(0), for_seconds=300)
    runner = Runner(_config(value, rule), open_database(tmp_path / "a.db"), families=families_for((rule,), False))
    table = runner.collector.table = CountingTable()
    for now in (1000.0, 1100.0, 1200.0):
        runner.run_once(now)
    assert table.scans == 0 and not alerts.open_alerts(runner.conn)
    runner.run_once(1300.0)  # the `for` has passed: the alert opens, with the heaviest processes
    assert table.scans == 2
    assert alerts.get(runner.conn, 1).context["top_processes"]  # type: ignore[union-attr]


def test_watch_samples_only_the_families_its_rules_read() -> None:
    cpu_only = (Rule("c", "cpu.percent", Op.GT, warning=Level(90)),)
    swap_only = (Rule("s", "swap.percent", Op.GT, warning=Level(90)),)
    assert families_for(cpu_only, exporting=False) == {"cpu", "alertctl"}
    assert families_for(swap_only, exporting=False) == {"memory", "alertctl"}
    assert "processes" in families_for(cpu_only, exporting=True)


def test_a_runner_for_cpu_rules_never_scans_the_process_table(tmp_path: Path) -> None:
    value = tmp_path / "value"
    value.write_text("1")
    rules = (Rule("c", "cpu.percent", Op.GT, warning=Level(1000)),)
    runner = Runner(_config(value, *rules), open_database(tmp_path / "a.db"), families=families_for(rules, False))
    table = runner.collector.table = CountingTable()
    cycle = runner.run_once(1000.0)
    metrics = {s.metric for s in cycle.reading.samples}
    assert table.scans == 0
    assert "cpu.percent" in metrics and "alertctl.rss" in metrics
    assert not metrics & {"processes.total", "memory.percent", "disk.percent", "load.1"}
    assert set(cycle.reading.costs) == {"cpu", "alertctl", "q"}


def _fake_proc(root: Path, uptime: float, processes: dict[int, tuple[str, int, str]]) -> Path:
    """A /proc with `pid: (name, start ticks, command line)` entries, as the kernel lays it out."""
    (root / "uptime").write_text(f"{uptime} 0.0\n")
    (root / "meminfo").write_text("MemTotal:       1000000 kB\n")
    for pid, (name, start, cmdline) in processes.items():
        folder = root / str(pid)
        folder.mkdir(exist_ok=True)
        rest = " ".join(["1"] * 10 + ["7", "3"] + ["0"] * 6 + [str(start), "0", "25"])
        (folder / "stat").write_text(f"{pid} ({name}) S {rest}\n")
        (folder / "cmdline").write_bytes(cmdline.replace(" ", "\0").encode() + b"\0")
    return root


def test_a_settled_command_line_is_read_once_and_again_after_an_exec(tmp_path: Path) -> None:
    from alertctl.metrics.proctable import CLOCK_TICKS

    old = 1 * CLOCK_TICKS  # started at second 1 of a 1000 s uptime: long settled
    proc = _fake_proc(tmp_path, 1000.0, {7: ("gunicorn", old, "gunicorn: master")})
    table = ProcessTable(str(proc))
    assert table.scan(with_cmdline=True).rows[0].cmdline == "gunicorn: master"
    (proc / "7" / "cmdline").write_bytes(b"retitled\0")
    assert table.scan(with_cmdline=True).rows[0].cmdline == "gunicorn: master"  # not read again
    _fake_proc(proc, 1001.0, {7: ("python3", old, "python3 app.py")})  # exec: a new name, same pid and start
    (row,) = table.scan(with_cmdline=True).rows
    assert (row.name, row.cmdline, row.cpu_ticks, row.start_ticks) == ("python3", "python3 app.py", 10, old)


def test_a_young_process_has_its_command_line_read_every_scan(tmp_path: Path) -> None:
    from alertctl.metrics.proctable import CLOCK_TICKS

    proc = _fake_proc(tmp_path, 1000.0, {8: ("worker", 998 * CLOCK_TICKS, "worker starting")})
    table = ProcessTable(str(proc))
    assert table.scan(with_cmdline=True).rows[0].cmdline == "worker starting"
    (proc / "8" / "cmdline").write_bytes(b"worker: idle\0")
    assert table.scan(with_cmdline=True).rows[0].cmdline == "worker: idle"


def test_only_a_cpu_load_memory_or_swap_breach_makes_the_cycle_preview_anything() -> None:
    from alertctl.alert_context import breach_with_top
    from alertctl.model import Sample

    rules = [Rule("c", "cpu.percent", Op.GT, warning=Level(80)), Rule("d", "disk.percent", Op.GT, warning=Level(80))]
    assert not breach_with_top(rules, [Sample("cpu.percent", 10.0), Sample("disk.percent", 99.0)])
    assert breach_with_top(rules, [Sample("cpu.percent", 90.0)])


def test_a_reloaded_config_measures_on_from_the_last_cycle(tmp_path: Path) -> None:
    value = tmp_path / "value"
    value.write_text("1")
    rules = (Rule("c", "cpu.percent", Op.GT, warning=Level(1000)),)
    runner = Runner(_config(value, *rules), open_database(tmp_path / "a.db"), families=families_for(rules, False))
    runner.run_once(1000.0)
    before = runner.collector
    runner.configure(_config(value, *rules, checks=(ProcessCheck("py", "python"),)))
    assert runner.collector is not before
    assert runner.collector.cycle_seconds == before.cycle_seconds is not None
    assert runner.collector.table is before.table and runner.collector.cpu_baseline == before.cpu_baseline
