"""Process counts, and the heaviest processes to put in an alert's context."""

from __future__ import annotations

import contextlib
import time
from typing import Literal, TypedDict

import psutil

from alertctl.model import Sample

CPU_SAMPLE_SECONDS = 0.1
_GONE = (psutil.NoSuchProcess, psutil.AccessDenied)


class TopProcess(TypedDict):
    pid: int
    name: str | None
    user: str | None
    cpu_percent: float
    memory_percent: float


def collect() -> list[Sample]:
    statuses = [p.info["status"] for p in psutil.process_iter(["status"], ad_value=None)]
    zombies = sum(status == psutil.STATUS_ZOMBIE for status in statuses)
    return [
        Sample("processes.total", float(len(statuses))),
        Sample("processes.zombie", float(zombies)),
    ]


def top_processes(by: Literal["cpu", "memory"], limit: int = 5) -> list[TopProcess]:
    """The `limit` biggest users of `by`, each with both its CPU and memory share.

    CPU % needs an interval, so every process is read twice, briefly apart; the
    cost is paid only when an alert's context is built, never on a plain sample.
    """
    procs = list(psutil.process_iter(["pid", "name", "username"], ad_value=None))
    for proc in procs:
        with contextlib.suppress(*_GONE):
            proc.cpu_percent(interval=None)  # the first call only sets the baseline
    time.sleep(CPU_SAMPLE_SECONDS)
    rows = [row for row in map(_describe, procs) if row is not None]
    key: Literal["cpu_percent", "memory_percent"] = (
        "cpu_percent" if by == "cpu" else "memory_percent"
    )
    rows.sort(key=lambda row: row[key], reverse=True)
    return rows[:limit]


def _describe(proc: psutil.Process) -> TopProcess | None:
    """None when the process ended in between or hides its numbers from us."""
    try:
        cpu = proc.cpu_percent(interval=None)
        memory = proc.memory_percent()
    except _GONE:
        return None
    return TopProcess(
        pid=proc.info["pid"],
        name=proc.info["name"],
        user=proc.info["username"],
        cpu_percent=round(cpu, 1),
        memory_percent=round(memory, 1),
    )
