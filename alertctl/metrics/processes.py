"""Process counts, and the heaviest processes to put in an alert's context."""

from __future__ import annotations

import contextlib
import time
from typing import Any, Literal, TypedDict

import psutil

from alertctl.model import Sample

CPU_SAMPLE_SECONDS = 0.1
GONE = (psutil.NoSuchProcess, psutil.AccessDenied)
"""A process that ended meanwhile, or hides the number we asked for: skip it."""


class TopProcess(TypedDict):
    pid: int
    name: str | None
    user: str | None
    cpu_percent: float
    memory_percent: float


def snapshot(attrs: list[str]) -> list[tuple[psutil.Process, dict[str, Any]]]:
    """Every live process, as a Process of our own plus `attrs` read now (None if hidden).

    Not `process_iter`: it hands every caller the same shared Process objects and
    writes `.info` onto them, and the collectors run in parallel threads; a shared
    object would also mix up the CPU % baselines of different callers.
    """
    found = []
    for pid in psutil.pids():
        try:
            proc = psutil.Process(pid)
            found.append((proc, proc.as_dict(attrs, ad_value=None)))
        except psutil.NoSuchProcess:
            continue
    return found


def collect() -> list[Sample]:
    statuses = [info["status"] for _, info in snapshot(["status"])]
    return [
        Sample("processes.total", float(len(statuses))),
        Sample("processes.zombie", float(statuses.count(psutil.STATUS_ZOMBIE))),
    ]


def top_processes(by: Literal["cpu", "memory"], limit: int = 5) -> list[TopProcess]:
    """The `limit` biggest users of `by`, each with both its CPU and memory share.

    CPU % needs an interval, so every process is read twice, briefly apart; the
    cost is paid only when an alert's context is built, never on a plain sample.
    """
    procs = snapshot(["pid", "name", "username"])
    for proc, _ in procs:
        with contextlib.suppress(*GONE):
            proc.cpu_percent(interval=None)  # the first call only sets the baseline
    time.sleep(CPU_SAMPLE_SECONDS)
    rows = [row for row in (_describe(proc, info) for proc, info in procs) if row is not None]
    key: Literal["cpu_percent", "memory_percent"] = (
        "cpu_percent" if by == "cpu" else "memory_percent"
    )
    rows.sort(key=lambda row: row[key], reverse=True)
    return rows[:limit]


def _describe(proc: psutil.Process, info: dict[str, Any]) -> TopProcess | None:
    try:
        cpu = proc.cpu_percent(interval=None)
        memory = proc.memory_percent()
    except GONE:
        return None
    return TopProcess(
        pid=info["pid"],
        name=info["name"],
        user=info["username"],
        cpu_percent=round(cpu, 1),
        memory_percent=round(memory, 1),
    )
