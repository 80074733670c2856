"""One sample of everything: the system areas plus every configured check.

A collector that raises costs only its own metrics: it is named once in a warning
(`alertctl.reported`: a broken disk must not flood the log every cycle, nor silence
CPU alerts) and listed in `Reading.failed` each time. Check modules are imported only when a
check of their type is configured, keeping a cron `alertctl check` start lean.

Cost follows need: given `families`, only those system areas are sampled (`watch`
passes what its rules, checks and exports use; `check` and `metrics` take all).
The process table is scanned at most once a cycle and only when `processes.*`, a
`process` check or an alert's top-process context wants it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alertctl import catalog, reported
from alertctl.metrics import cpu, disk, load, memory, processes
from alertctl.metrics.cpu import CpuTimes
from alertctl.metrics.own import OwnCost
from alertctl.metrics.proctable import ProcessTable, Scan
from alertctl.model import Check, CommandCheck, HttpCheck, ProcessCheck, Rule, Sample, TcpCheck, Unavailable

if TYPE_CHECKING:
    from concurrent.futures import Future

    from alertctl.metrics.check_result import CheckResult
    from alertctl.metrics.process_check import ProcessWatcher

_FAMILIES = {
    "cpu": ("cpu.",),
    "memory": ("memory.", "swap."),
    "load": ("load.",),
    "disk": ("disk.",),
    "processes": ("processes.",),
    "alertctl": ("alertctl.",),
}
"""The metrics each system collector yields: what a failure of it leaves without a value."""

DEADLINE_GRACE_SECONDS = 1.0
"""Checks bound themselves by their timeout; this is only a safety net for one that
does not (a hanging DNS lookup, a server dripping its headers), so it is generous:
twice the slowest timeout plus this."""

SYSTEM_FAMILIES = ("cpu", "memory", "load", "disk", "processes", "alertctl")
"""The system areas, by the first part of their metric names (`swap.*` is `memory`'s)."""

TOP_SAMPLE_SECONDS = 0.1
"""CPU % needs two scans; when there is no earlier one, the second follows this much later."""


@dataclass
class Reading:
    samples: list[Sample] = field(default_factory=list)
    details: dict[str, dict[str, object]] = field(default_factory=dict)
    """Per check name: context for its alerts (command output, HTTP error, ...)."""
    failed: list[str] = field(default_factory=list)
    """Names of the collectors (system areas or checks) that raised this time."""
    costs: dict[str, float] = field(default_factory=dict)
    """Seconds each system area and check took, for `--debug`."""
    processes: Scan | None = None
    """The cycle's scan of the process table, when anything needed one."""
    unavailable: list[Unavailable] = field(default_factory=list)
    """Metrics without a value this time, and why (a missing program, an unmounted pinned mount)."""


def pinned_mounts(rules: Iterable[Rule]) -> tuple[str, ...]:
    """Mounts that rules name (`mount = "/var"`): sampled, or said to be missing."""
    return tuple(sorted({rule.mount for rule in rules if rule.mount is not None}))


class Collector:
    def __init__(
        self,
        checks: Sequence[Check],
        cpu_baseline: CpuTimes | None = None,
        families: Collection[str] = SYSTEM_FAMILIES,
        mounts: Sequence[str] = (),
    ) -> None:
        self.cpu_baseline = cpu_baseline
        """The latest CPU reading, to persist and hand to the next Collector."""
        self.cycle_seconds: float | None = None
        """How long the last whole cycle took, set by the loop; None before the first."""
        self.table = ProcessTable()
        self._own = OwnCost()
        self._scope = reported.scope()
        """A reloaded config's collector names a failing one once more."""
        sources: dict[str, Callable[[Reading], list[Sample]]] = {
            "cpu": lambda reading: self._cpu(),
            "memory": lambda reading: memory.collect(),
            "load": lambda reading: load.collect(),
            "disk": lambda reading: disk.collect(),
            "processes": lambda reading: processes.collect(self._scanned(reading)),
            "alertctl": lambda reading: self._own.collect(self._cycle_seconds()),
        }
        self._system = {name: source for name, source in sources.items() if name in families}
        self._watchers = _process_watchers(checks)
        self._checks = {check.name: _check_source(check) for check in checks if not isinstance(check, ProcessCheck)}
        self.mounts = tuple(mounts)
        """Mounts that rules pin, reported even when the usual list leaves them out."""
        self._yields = {
            name: tuple(spec.name for spec in catalog.SYSTEM_METRICS if spec.name.startswith(prefixes))
            for name, prefixes in _FAMILIES.items()
        }
        self._yields |= {c.name: tuple(s.name for s in catalog.check_metrics(c.name, c.type)) for c in checks}
        self._deadline = 2 * max((check.timeout for check in checks), default=0.0)
        self._deadline += DEADLINE_GRACE_SECONDS

    def carry_on(self, before: Collector) -> None:
        """A reloaded config's collector measures on from where the old one was: the CPU and
        process-table baselines, its own cost, and the last cycle's length."""
        self.cpu_baseline, self.cycle_seconds = before.cpu_baseline, before.cycle_seconds
        self.table, self._own = before.table, before._own

    def collect(self) -> Reading:
        reading = Reading()
        if not self._checks:
            self._collect_local(reading)
            return reading
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(len(self._checks), thread_name_prefix="alertctl-check")
        try:
            futures = {name: pool.submit(_timed, source) for name, source in self._checks.items()}
            self._collect_local(reading)  # while the checks run
            self._gather(reading, futures)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return reading

    def top_processes(self, wanted: Collection[str], reading: Reading) -> dict[str, list[dict[str, object]]]:
        """The heaviest processes by each of `wanted` ("cpu", "memory"), for alert context.

        Called before the cycle's write transaction, never inside it: without an
        earlier scan to measure CPU % against, it scans twice, briefly apart.
        """
        if not wanted:
            return {}
        scan = reading.processes
        if scan is None or scan.interval is None:
            if scan is None:
                self.table.scan()
            time.sleep(TOP_SAMPLE_SECONDS)
            scan = self.table.scan()
        return {by: scan.top(by) for by in wanted}

    def _cpu(self) -> list[Sample]:
        samples, self.cpu_baseline = cpu.collect(self.cpu_baseline)
        return samples

    def _cycle_seconds(self) -> float:
        """A one-shot `check` has no earlier cycle: its own run so far (start-up included) stands in."""
        return self.cycle_seconds if self.cycle_seconds is not None else self._own.age()

    def _scanned(self, reading: Reading) -> Scan:
        if reading.processes is None:
            reading.processes = self.table.scan(with_cmdline=bool(self._watchers))
        return reading.processes

    def _collect_local(self, reading: Reading) -> None:
        """System areas, pinned mounts, then `process` checks on the same scan of the process table."""
        for name, source in self._system.items():
            started = time.perf_counter()
            try:
                reading.samples.extend(source(reading))
            except Exception as exc:
                self._fail(reading, name, f"{type(exc).__name__}: {exc}")
            reading.costs[name] = time.perf_counter() - started
        if self.mounts and "disk" not in reading.failed:
            sampled = {dict(s.labels).get("mount", "") for s in reading.samples if s.metric == "disk.percent"}
            samples, gaps = disk.pinned(self.mounts, sampled)
            reading.samples += samples
            reading.unavailable += gaps
        for watcher in self._watchers:
            started = time.perf_counter()
            try:
                result = watcher(self._scanned(reading))
            except Exception as exc:
                self._fail(reading, watcher.check.name, f"{type(exc).__name__}: {exc}")
            else:
                reading.samples.extend(result.samples)
                reading.unavailable.extend(result.unavailable)
                reading.details[watcher.check.name] = result.details
            reading.costs[watcher.check.name] = time.perf_counter() - started

    def _gather(self, reading: Reading, futures: dict[str, Future[tuple[CheckResult, float]]]) -> None:
        from concurrent.futures import wait

        from alertctl.metrics.check_result import seconds

        wait(futures.values(), timeout=self._deadline)
        for name, future in futures.items():
            if not future.done():
                self._fail(reading, name, f"did not finish within {seconds(self._deadline)}")
            elif (exc := future.exception()) is not None:
                self._fail(reading, name, f"{type(exc).__name__}: {exc}")
            else:
                result, reading.costs[name] = future.result()
                reading.samples.extend(result.samples)
                reading.unavailable.extend(result.unavailable)
                reading.details[name] = result.details

    def _fail(self, reading: Reading, name: str, reason: str) -> None:
        reading.failed.append(name)
        reading.unavailable += [Unavailable(metric, f"{name}: {reason}") for metric in self._yields[name]]
        reported.logger(__name__).warning(
            "metrics from %s unavailable: %s (reported once)", name, reason, extra={"once": (self._scope, name)}
        )


def _timed(source: Callable[[], CheckResult]) -> tuple[CheckResult, float]:
    started = time.perf_counter()
    result = source()
    return result, time.perf_counter() - started


def _process_watchers(checks: Sequence[Check]) -> list[ProcessWatcher]:
    """One per `process` check, judged on the cycle's scan of the process table."""
    wanted = [check for check in checks if isinstance(check, ProcessCheck)]
    if not wanted:
        return []
    from alertctl.metrics.process_check import ProcessWatcher

    return [ProcessWatcher(check) for check in wanted]


def _check_source(check: Check) -> Callable[[], CheckResult]:
    if isinstance(check, CommandCheck):
        from alertctl.metrics import command

        return lambda: command.collect(check)
    if isinstance(check, HttpCheck):
        from alertctl.metrics import http

        return lambda: http.collect(check)
    if isinstance(check, TcpCheck):
        from alertctl.metrics import tcp

        return lambda: tcp.collect(check)
    raise TypeError(f"unknown check type: {check!r}")
