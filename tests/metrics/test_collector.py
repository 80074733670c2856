"""The Collector: everything sampled at once, checks in parallel, failures contained."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.catalog import SYSTEM_METRICS
from alertctl.metrics import memory, tcp
from alertctl.metrics.collector import Collector
from alertctl.metrics.cpu import CpuTimes
from alertctl.model import CommandCheck, ProcessCheck, TcpCheck
from tests.conftest import warned


def metrics(collector: Collector) -> set[str]:
    return {sample.metric for sample in collector.collect().samples}


def test_every_built_in_metric_is_sampled_and_the_baseline_kept() -> None:
    collector = Collector([])
    reading = collector.collect()
    assert {s.metric for s in reading.samples} >= {spec.name for spec in SYSTEM_METRICS}
    assert reading.failed == [] and reading.details == {}
    for sample in reading.samples:
        spec = next(spec for spec in SYSTEM_METRICS if spec.name == sample.metric)
        assert [key for key, _ in sample.labels] == list(spec.labels)
        if spec.maximum is not None:
            assert 0.0 <= sample.value <= spec.maximum
    first = collector.cpu_baseline
    assert isinstance(first, CpuTimes)
    collector.collect()
    assert collector.cpu_baseline is not None and collector.cpu_baseline.total > first.total


def test_check_samples_and_details_are_collected() -> None:
    checks = [
        CommandCheck("queue", ("echo", "12")),
        ProcessCheck("nothing", "alertctl-test-matches-no-process-[0-9]{40}"),
    ]
    reading = Collector(checks).collect()
    values = {s.metric: s.value for s in reading.samples}
    assert values["queue.value"] == 12.0 and values["nothing.count"] == 0.0
    assert "cpu.percent" in values
    assert set(reading.details) == {"queue", "nothing"}
    assert reading.details["queue"]["output"] == "12"


def test_checks_run_side_by_side(tmp_path: Path) -> None:
    """Each check waits until all three have started: one after another, the first would time out."""
    (tmp_path / "met").mkdir()
    meet = 'touch "$0"; while [ "$(ls "${0%/*}" | wc -l)" -lt 3 ]; do sleep 0.01; done; echo 1'
    checks = [
        CommandCheck(f"meet{i}", ("sh", "-c", meet, str(tmp_path / "met" / f"{i}")), timeout=30.0) for i in range(3)
    ]
    reading = Collector(checks).collect()
    assert {s.metric: s.value for s in reading.samples if s.metric.endswith(".value")} == {
        f"meet{i}.value": 1.0 for i in range(3)
    }
    assert all(details.get("error") is None for details in reading.details.values())


def test_checks_that_overrun_are_all_cut_at_their_timeout() -> None:
    checks = [CommandCheck(f"slow{i}", ("sleep", "30"), timeout=1.0) for i in range(3)]
    started = time.monotonic()
    reading = Collector(checks).collect()
    assert time.monotonic() - started < 15  # far below the 30 s a check left to run would take
    assert {s.metric for s in reading.samples} >= {f"slow{i}.duration" for i in range(3)}
    assert all(details["error"] == "timed out after 1s" for details in reading.details.values())


def test_a_failing_system_collector_is_reported_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> list[object]:
        raise OSError("no /proc/meminfo")

    monkeypatch.setattr(memory, "collect", broken)
    collector = Collector([])
    for _ in range(2):
        reading = collector.collect()
        names = {s.metric for s in reading.samples}
        assert reading.failed == ["memory"]
        assert "memory.percent" not in names and {"cpu.percent", "load.1", "disk.percent"} <= names
    assert warned(caplog) == ["metrics from memory unavailable: OSError: no /proc/meminfo (reported once)"]
    Collector([]).collect()  # a reload's collector: its own failure, said again
    assert len(warned(caplog)) == 2


def test_a_check_that_raises_is_reported_once_and_the_others_go_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(check: TcpCheck) -> None:
        raise RuntimeError(f"cannot check {check.host}")

    monkeypatch.setattr(tcp, "collect", broken)
    checks = [TcpCheck("db", "db.internal", 5432), CommandCheck("queue", ("echo", "3"))]
    collector = Collector(checks)
    for _ in range(2):
        reading = collector.collect()
        assert reading.failed == ["db"] and set(reading.details) == {"queue"}
        assert {s.metric: s.value for s in reading.samples}["queue.value"] == 3.0
    warnings = warned(caplog)
    assert len(warnings) == 1 and "db" in warnings[0] and "cannot check db.internal" in warnings[0]


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # let the abandoned check's thread end with the test


def test_a_check_that_overruns_its_timeout_is_abandoned(
    monkeypatch: pytest.MonkeyPatch, release: threading.Event, caplog: pytest.LogCaptureFixture
) -> None:
    def stuck(check: TcpCheck) -> None:
        release.wait(30)  # e.g. a DNS lookup that ignores the timeout

    monkeypatch.setattr(tcp, "collect", stuck)
    started = time.monotonic()
    collector = Collector([TcpCheck("db", "db.internal", 5432, 0.1)])
    reading = collector.collect()
    assert time.monotonic() - started < 15  # far below the 30 s the stuck lookup holds on
    assert reading.failed == ["db"] and "cpu.percent" in {s.metric for s in reading.samples}
    assert warned(caplog) == ["metrics from db unavailable: did not finish within 1.2s (reported once)"]


def test_a_failing_collector_leaves_its_metrics_unavailable_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> list[object]:
        raise OSError("no /proc/meminfo")

    monkeypatch.setattr(memory, "collect", broken)
    reading = Collector([]).collect()
    gaps = {gap.metric: gap.reason for gap in reading.unavailable}
    assert gaps == dict.fromkeys(
        ("memory.percent", "memory.available", "swap.percent"), "memory: OSError: no /proc/meminfo"
    )


def test_a_check_that_raises_leaves_every_metric_of_it_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(check: TcpCheck) -> None:
        raise RuntimeError("cannot read the process table")

    monkeypatch.setattr(tcp, "collect", broken)
    reading = Collector([TcpCheck("db", "db.internal", 5432)]).collect()
    assert {(g.metric, g.reason) for g in reading.unavailable} == {
        ("db.up", "db: RuntimeError: cannot read the process table"),
        ("db.connect_time", "db: RuntimeError: cannot read the process table"),
    }


def test_a_missing_program_is_reported_for_value_and_exit_code() -> None:
    reading = Collector([CommandCheck("gone", ("/nonexistent/alertctl-probe",))]).collect()
    assert {(g.metric, g.reason) for g in reading.unavailable} == {
        ("gone.value", "gone: not found: /nonexistent/alertctl-probe"),
        ("gone.exit_code", "gone: not found: /nonexistent/alertctl-probe"),
    }
    assert "gone.duration" in {s.metric for s in reading.samples}


def test_a_pinned_mount_is_sampled_when_mounted_and_said_to_be_missing_when_not() -> None:
    reading = Collector([], mounts=("/", "/vaar")).collect()
    roots = [s for s in reading.samples if s.metric == "disk.percent" and dict(s.labels) == {"mount": "/"}]
    assert len(roots) == 1  # pinning a mount the usual list has does not sample it twice
    gaps = {(g.metric, g.reason) for g in reading.unavailable if dict(g.labels) == {"mount": "/vaar"}}
    assert ("disk.percent", "disk: /vaar is not mounted") in gaps and len(gaps) == 5
    assert {dict(g.labels)["mount"] for g in reading.unavailable} == {"/vaar"}


def test_a_pinned_mount_the_usual_list_leaves_out_is_sampled() -> None:
    extra = next((m for m in ("/dev/shm", "/proc", "/dev") if os.path.ismount(m)), None)
    if extra is None:
        pytest.skip("no extra mount point on this host")
    reading = Collector([], mounts=(extra,)).collect()
    assert ("disk.percent", (("mount", extra),)) in {(s.metric, s.labels) for s in reading.samples}
    assert reading.unavailable == []
