"""The process table, read once per cycle straight from /proc and shared by all who need it.

`processes.*`, every `process` check and the top-process context of an alert all
want the same table. psutil builds an object and reads several files per process;
here one `stat` file per process gives state, name, CPU ticks, start time and RSS
(three syscalls: open, read, close), and `cmdline` is read only when a process
check has to match against it. Rows of the previous scan are kept by pid and start
time, so a CPU % covers the interval since that scan without any sleep.

A command line is read again only while its process is young or after its name
changed (an `exec`): programs set their titles (`setproctitle`) as they start, so
a process older than SETTLED_SECONDS keeps the title it had then. That halves the
cost of a `process` check on a host with many processes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
ZOMBIE = "Z"
SETTLED_SECONDS = 10.0
MIN_INTERVAL_SECONDS = 0.1
"""CPU time is counted in clock ticks (10 ms): over a shorter interval one tick reads as 100 %."""

Identity = tuple[int, int]
"""pid and start time in clock ticks since boot: a reused pid is a different process."""


@dataclass(frozen=True)
class ProcessRow:
    pid: int
    start_ticks: int
    state: str
    name: str
    cpu_ticks: int
    rss: int
    cmdline: str | None = None
    """Arguments joined by spaces; None unless the scan was asked for them (or hidden)."""

    @property
    def identity(self) -> Identity:
        return (self.pid, self.start_ticks)


@dataclass
class Scan:
    """One reading of the table, with the CPU % of each process since the scan before it."""

    rows: list[ProcessRow]
    cpu_percent: dict[Identity, float] = field(default_factory=dict)
    memory_total: int = 0
    interval: float | None = None
    """Seconds since the scan the CPU % are measured against; None: lifetime averages only."""

    def memory_percent(self, row: ProcessRow) -> float:
        return row.rss / self.memory_total * 100.0 if self.memory_total else 0.0

    def top(self, by: str, limit: int = 5) -> list[dict[str, object]]:
        """The `limit` biggest users of CPU or memory, each with both shares and its user."""

        def weight(row: ProcessRow) -> float:
            return self.cpu_percent.get(row.identity, 0.0) if by == "cpu" else float(row.rss)

        heaviest = sorted((row for row in self.rows if row.pid != os.getpid()), key=weight, reverse=True)
        return [
            {
                "pid": row.pid,
                "name": row.name,
                "user": _user(row.pid),
                "cpu_percent": round(self.cpu_percent.get(row.identity, 0.0), 1),
                "memory_percent": round(self.memory_percent(row), 1),
            }
            for row in heaviest[:limit]
        ]


class ProcessTable:
    """Scans /proc on demand; keeps the last scan as the CPU baseline for the next one."""

    def __init__(self, proc: str = "/proc") -> None:
        self._proc = proc
        self._previous: dict[Identity, ProcessRow] = {}
        self._previous_at: float | None = None
        self._settled_cmdlines: dict[tuple[int, int, str], str | None] = {}

    def scan(self, with_cmdline: bool = False) -> Scan:
        at = time.monotonic()
        uptime = _uptime(self._proc)
        rows = list(self._rows(with_cmdline, uptime))
        interval = at - self._previous_at if self._previous_at is not None else None
        if interval is not None and interval < MIN_INTERVAL_SECONDS:
            interval = None  # too short to measure: lifetime averages, and `Scan.interval` says so
        scan = Scan(rows, memory_total=_memory_total(self._proc), interval=interval)
        for row in rows:
            scan.cpu_percent[row.identity] = self._cpu_percent(row, at, uptime)
        self._previous = {row.identity: row for row in rows}
        self._previous_at = at
        return scan

    def _cpu_percent(self, row: ProcessRow, at: float, uptime: float) -> float:
        """Since the last scan; a process not seen then (or scans too close) gets its lifetime average."""
        before = self._previous.get(row.identity)
        if before is not None and self._previous_at is not None and at - self._previous_at >= MIN_INTERVAL_SECONDS:
            return (row.cpu_ticks - before.cpu_ticks) / CLOCK_TICKS / (at - self._previous_at) * 100.0
        age = uptime - row.start_ticks / CLOCK_TICKS
        return row.cpu_ticks / CLOCK_TICKS / age * 100.0 if age > 0 else 0.0

    def _rows(self, with_cmdline: bool, uptime: float) -> Iterator[ProcessRow]:
        settled: dict[tuple[int, int, str], str | None] = {}
        for entry in os.listdir(self._proc):
            if not entry.isdigit():
                continue
            stat = _read(f"{self._proc}/{entry}/stat")
            if stat is None:
                continue  # ended since the listing
            row = _parse_stat(int(entry), stat)
            if row is None:
                continue
            if with_cmdline:
                key = (row.pid, row.start_ticks, row.name)
                if key in self._settled_cmdlines:
                    cmdline = self._settled_cmdlines[key]
                else:
                    cmdline = _cmdline(f"{self._proc}/{entry}/cmdline")
                if uptime - row.start_ticks / CLOCK_TICKS > SETTLED_SECONDS:
                    settled[key] = cmdline
                row = ProcessRow(row.pid, row.start_ticks, row.state, row.name, row.cpu_ticks, row.rss, cmdline)
            yield row
        if with_cmdline:
            self._settled_cmdlines = settled


def age_of(pid: int, proc: str = "/proc") -> float:
    """Seconds since `pid` started, on the kernel's clock (psutil's start time counts from a boot
    time rounded to the second: most of a 0.3 s cron run); 0 when it cannot be read."""
    stat = _read(f"{proc}/{pid}/stat")
    row = _parse_stat(pid, stat) if stat is not None else None
    return max(_uptime(proc) - row.start_ticks / CLOCK_TICKS, 0.0) if row is not None else 0.0


def _parse_stat(pid: int, stat: bytes) -> ProcessRow | None:
    """`pid (comm) state ...`: the name may hold spaces and parentheses, so split at the last `)`."""
    head, _, tail = stat.rpartition(b")")
    fields = tail.split()
    if len(fields) < 22:
        return None
    name = head.partition(b"(")[2].decode(errors="replace")
    return ProcessRow(
        pid=pid,
        start_ticks=int(fields[19]),
        state=fields[0].decode(),
        name=name,
        cpu_ticks=int(fields[11]) + int(fields[12]),
        rss=int(fields[21]) * PAGE_SIZE,
    )


def _cmdline(path: str) -> str | None:
    raw = _read(path)
    return raw.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace") if raw else None


def _read(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 65536)
    except OSError:
        return None
    finally:
        os.close(fd)


def _uptime(proc: str) -> float:
    raw = _read(f"{proc}/uptime")
    return float(raw.split()[0]) if raw else 0.0


def _memory_total(proc: str) -> int:
    raw = _read(f"{proc}/meminfo") or b""
    for line in raw.splitlines():
        if line.startswith(b"MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def _user(pid: int) -> str | None:
    import pwd  # only when an alert's context names the heaviest processes

    try:
        uid = os.stat(f"/proc/{pid}").st_uid
        return pwd.getpwuid(uid).pw_name
    except (OSError, KeyError):
        return None
