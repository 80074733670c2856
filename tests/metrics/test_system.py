"""System collectors against the real machine: names, labels and plausible ranges."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections import namedtuple

import pytest

from alertctl.metrics import cpu, disk, load, memory, processes
from alertctl.metrics.cpu import CpuTimes
from alertctl.metrics.proctable import ProcessTable
from alertctl.model import Sample


def by_name(samples: list[Sample]) -> dict[str, float]:
    return {sample.metric: sample.value for sample in samples}


# -- cpu ---------------------------------------------------------------------


def test_cpu_times_survive_a_json_round_trip() -> None:
    times = cpu.read_times()
    assert CpuTimes.from_dict(json.loads(json.dumps(times.to_dict()))) == times
    assert 0 <= times.busy <= times.total and 0 <= times.iowait <= times.total


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "busy",
        {},
        {"busy": 1.0, "iowait": 0.0},
        {"busy": "1", "iowait": 0.0, "total": 2.0},
        {"busy": True, "iowait": 0.0, "total": 2.0},
        {"busy": math.nan, "iowait": 0.0, "total": 2.0},
    ],
)
def test_malformed_baselines_are_refused(data: object) -> None:
    assert CpuTimes.from_dict(data) is None


def test_usage_is_the_share_of_the_interval() -> None:
    previous = CpuTimes(busy=100.0, iowait=10.0, total=1000.0)
    current = CpuTimes(busy=150.0, iowait=20.0, total=1100.0)
    assert by_name(cpu.usage(previous, current) or []) == {"cpu.percent": 50.0, "cpu.iowait": 10.0}


@pytest.mark.parametrize(
    "previous",
    [
        None,
        CpuTimes(busy=100.0, iowait=0.0, total=999.99),  # too little CPU time passed
        CpuTimes(busy=900.0, iowait=0.0, total=5000.0),  # counters went backwards: reboot
        CpuTimes(busy=0.0, iowait=0.0, total=-1e9),  # a baseline from long ago
    ],
)
def test_usage_refuses_an_unusable_baseline(previous: CpuTimes | None) -> None:
    assert cpu.usage(previous, CpuTimes(busy=150.0, iowait=0.0, total=1000.0)) is None


def test_usage_is_given_to_one_decimal_as_psutil_gives_percentages() -> None:
    samples = cpu.usage(CpuTimes(0.0, 0.0, 0.0), CpuTimes(1.0, 2.0, 3.0))
    assert by_name(samples or []) == {"cpu.percent": 33.3, "cpu.iowait": 66.7}


def test_usage_clamps_counter_skew_into_0_to_100() -> None:
    samples = cpu.usage(CpuTimes(10.0, 5.0, 100.0), CpuTimes(30.0, 4.0, 110.0))
    assert by_name(samples or []) == {"cpu.percent": 100.0, "cpu.iowait": 0.0}


def test_a_good_baseline_is_measured_against_without_sleeping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_sleep(seconds: float) -> None:
        raise AssertionError("took the short-sample path")

    monkeypatch.setattr(cpu.time, "sleep", no_sleep)
    now = cpu.read_times()
    baseline = CpuTimes(busy=now.busy - 50.0, iowait=now.iowait - 10.0, total=now.total - 100.0)
    samples, latest = cpu.collect(baseline)
    values = by_name(samples)
    # Against this made-up baseline the result is ~50 %; a fresh short sample would not be.
    assert 45.0 < values["cpu.percent"] < 55.0
    assert 8.0 < values["cpu.iowait"] < 12.0
    assert latest.total >= now.total


def test_without_a_baseline_a_short_sample_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(cpu.time, "sleep", lambda s: (slept.append(s), real_sleep(s)))
    before = cpu.read_times()
    samples, latest = cpu.collect(None)
    assert slept == [cpu.SHORT_SAMPLE_SECONDS]
    assert set(by_name(samples)) == {"cpu.percent", "cpu.iowait"}
    assert all(0.0 <= s.value <= 100.0 for s in samples)
    assert latest.total > before.total


# -- memory, load --------------------------------------------------------------


def test_memory_and_swap() -> None:
    values = by_name(memory.collect())
    assert set(values) == {"memory.percent", "memory.available", "swap.percent"}
    assert 0.0 < values["memory.percent"] <= 100.0
    assert 0.0 <= values["swap.percent"] <= 100.0
    assert values["memory.available"] > 1024 * 1024


def test_load_per_cpu_divides_the_one_minute_load() -> None:
    values = by_name(load.collect())
    assert set(values) == {"load.1", "load.5", "load.15", "load.per_cpu"}
    assert all(value >= 0.0 for value in values.values())
    # the 1-minute load may move between the two reads, but not by the CPU count
    assert values["load.per_cpu"] == pytest.approx(values["load.1"] / os.cpu_count(), abs=0.01)


# -- disk ------------------------------------------------------------------------


def test_every_disk_sample_names_an_existing_mount() -> None:
    samples = disk.collect()
    assert {s.metric for s in samples} >= {"disk.percent", "disk.free"}
    for sample in samples:
        labels = dict(sample.labels)
        assert list(labels) == ["mount"] and os.path.isdir(labels["mount"])
        if sample.metric in ("disk.free", "disk.used", "disk.total"):
            assert sample.value >= 0.0
        else:
            assert 0.0 <= sample.value <= 100.0
    by_metric = {s.metric: s.value for s in samples if dict(s.labels)["mount"] == "/"}
    assert by_metric["disk.used"] <= by_metric["disk.total"]


Part = namedtuple("Part", "device mountpoint fstype opts")


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            [
                Part("/dev/sda1", "/var/lib/docker/bind", "ext4", "rw"),
                Part("/dev/sda1", "/", "ext4", "rw"),
                Part("/dev/loop3", "/mnt/image", "ext4", "ro"),
                Part("/dev/sr0", "/media/cdrom", "iso9660", "ro"),
                Part("/dev/loop0", "/snap/core/1", "squashfs", "ro"),
                Part("/dev/sdb1", "/data", "xfs", "rw"),
            ],
            ["/", "/data"],
        ),
        ([], ["/"]),  # a container whose root is an overlay
        ([Part("/dev/loop0", "/snap/x/1", "squashfs", "ro")], ["/"]),
    ],
)
def test_mounts_are_real_filesystems_one_per_device(
    monkeypatch: pytest.MonkeyPatch, parts: list[Part], expected: list[str]
) -> None:
    monkeypatch.setattr(disk.psutil, "disk_partitions", lambda all=False: parts)
    assert disk.mounts() == expected


# -- processes -------------------------------------------------------------------


def test_process_counts_see_a_zombie_child() -> None:
    child = subprocess.Popen(["true"])  # not waited for: it stays a zombie until reaped
    try:
        deadline = time.monotonic() + 5
        while (values := by_name(processes.collect(ProcessTable().scan())))["processes.zombie"] < 1:
            assert time.monotonic() < deadline, "the exited child never showed as a zombie"
            time.sleep(0.05)
        assert values["processes.total"] > values["processes.zombie"]
    finally:
        child.wait()


def test_top_processes_by_cpu_finds_a_busy_child() -> None:
    """Ranked above an idle child, not necessarily in the top 5: other test runs may share the CPUs."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    idle = subprocess.Popen(["sleep", "60"])
    try:
        table = ProcessTable()
        table.scan()
        time.sleep(0.2)
        scan = table.scan()
        top = scan.top("cpu", limit=100_000)
        five = scan.top("cpu", limit=5)
    finally:
        for child in (busy, idle):
            child.kill()
            child.wait()
    ranked = [row["pid"] for row in top]
    assert ranked.index(busy.pid) < ranked.index(idle.pid)
    assert top[ranked.index(busy.pid)]["cpu_percent"] > 0
    shares = [row["cpu_percent"] for row in top]
    assert shares == sorted(shares, reverse=True) and len(five) == 5
    assert set(top[0]) == {"pid", "name", "user", "cpu_percent", "memory_percent"}


def test_top_processes_by_memory_is_sorted_and_limited() -> None:
    """A child holding 256 MiB (1 % of 24 GiB: a share that shows at one decimal) ranks above
    every smaller process; on a shared machine a bigger one may still head the list."""
    hog = subprocess.Popen(
        [sys.executable, "-c", "import sys; b = bytearray(256 << 20); print(flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert hog.stdout is not None and hog.stdout.readline() == "\n"
        table = ProcessTable().scan()
        top, everyone = table.top("memory", limit=3), table.top("memory", limit=100_000)
    finally:
        hog.kill()
        hog.wait()
    assert len(top) == 3 and top == everyone[:3]
    shares = [row["memory_percent"] for row in everyone]
    assert shares == sorted(shares, reverse=True)
    [hog_share] = [row["memory_percent"] for row in everyone if row["pid"] == hog.pid]
    assert hog_share > 0.0
    assert hog.pid in [row["pid"] for row in top] or top[-1]["memory_percent"] >= hog_share
