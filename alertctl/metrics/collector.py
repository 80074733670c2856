"""One sample of everything: the system areas plus every configured check.

A collector that raises costs only its own metrics: it is named once through
`warn` (a broken disk must not flood the log every cycle, nor silence CPU alerts)
and listed in `Reading.failed` each time. Check modules are imported only when a
check of their type is configured, keeping a cron `alertctl check` start lean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alertctl.metrics import catalog, cpu, disk, load, memory, processes
from alertctl.metrics.check_result import CheckResult, seconds
from alertctl.metrics.cpu import CpuTimes
from alertctl.model import Check, CommandCheck, HttpCheck, ProcessCheck, Rule, Sample, TcpCheck, Unavailable

if TYPE_CHECKING:
    from concurrent.futures import Future

_FAMILIES = {"cpu": ("cpu.",), "memory": ("memory.", "swap."), "load": ("load.",), "disk": ("disk.",),
             "processes": ("processes.",)}
"""The metrics each system collector yields: what a failure of it leaves without a value."""

DEADLINE_GRACE_SECONDS = 1.0
"""Checks bound themselves by their timeout; this is only a safety net for one that
does not (a hanging DNS lookup, a server dripping its headers), so it is generous:
twice the slowest timeout plus this."""


@dataclass
class Reading:
    samples: list[Sample] = field(default_factory=list)
    details: dict[str, dict[str, object]] = field(default_factory=dict)
    """Per check name: context for its alerts (command output, HTTP error, ...)."""
    failed: list[str] = field(default_factory=list)
    """Names of the collectors (system areas or checks) that raised this time."""
    unavailable: list[Unavailable] = field(default_factory=list)
    """Metrics without a value this time, and why (a missing program, an unmounted pinned mount)."""


def pinned_mounts(rules: Iterable[Rule]) -> tuple[str, ...]:
    """Mounts that rules name (`mount = "/var"`): sampled, or said to be missing."""
    return tuple(sorted({dict(rule.match)["mount"] for rule in rules if "mount" in dict(rule.match)}))


class Collector:
    def __init__(
        self,
        checks: Sequence[Check],
        cpu_baseline: CpuTimes | None = None,
        warn: Callable[[str], None] = lambda message: None,
        mounts: Sequence[str] = (),
    ) -> None:
        self.cpu_baseline = cpu_baseline
        """The latest CPU reading, to persist and hand to the next Collector."""
        self._warn = warn
        self._warned: set[str] = set()
        self._system: dict[str, Callable[[], list[Sample]]] = {
            "cpu": self._cpu,
            "memory": memory.collect,
            "load": load.collect,
            "disk": disk.collect,
            "processes": processes.collect,
        }
        self.mounts = tuple(mounts)
        """Mounts that rules pin, reported even when the usual list leaves them out."""
        self._checks = {check.name: _check_source(check) for check in checks}
        self._yields = {name: tuple(spec.name for spec in catalog.SYSTEM_METRICS if spec.name.startswith(prefixes))
                        for name, prefixes in _FAMILIES.items()}
        self._yields |= {c.name: tuple(s.name for s in catalog.check_metrics(c.name, c.type)) for c in checks}
        self._deadline = 2 * max((check.timeout for check in checks), default=0.0)
        self._deadline += DEADLINE_GRACE_SECONDS

    def collect(self) -> Reading:
        reading = Reading()
        if not self._checks:
            self._collect_system(reading)
            return reading
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(len(self._checks), thread_name_prefix="alertctl-check")
        try:
            futures = {name: pool.submit(source) for name, source in self._checks.items()}
            self._collect_system(reading)  # while the checks run
            self._gather(reading, futures)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return reading

    def _cpu(self) -> list[Sample]:
        samples, self.cpu_baseline = cpu.collect(self.cpu_baseline)
        return samples

    def _collect_system(self, reading: Reading) -> None:
        for name, source in self._system.items():
            try:
                reading.samples.extend(source())
            except Exception as exc:
                self._fail(reading, name, f"{type(exc).__name__}: {exc}")
        if self.mounts and "disk" not in reading.failed:
            sampled = {dict(s.labels).get("mount", "") for s in reading.samples if s.metric == "disk.percent"}
            samples, gaps = disk.pinned(self.mounts, sampled)
            reading.samples += samples
            reading.unavailable += gaps

    def _gather(self, reading: Reading, futures: dict[str, Future[CheckResult]]) -> None:
        from concurrent.futures import wait

        wait(futures.values(), timeout=self._deadline)
        for name, future in futures.items():
            if not future.done():
                self._fail(reading, name, f"did not finish within {seconds(self._deadline)}")
            elif (exc := future.exception()) is not None:
                self._fail(reading, name, f"{type(exc).__name__}: {exc}")
            else:
                result = future.result()
                reading.samples.extend(result.samples)
                reading.unavailable.extend(result.unavailable)
                reading.details[name] = result.details

    def _fail(self, reading: Reading, name: str, reason: str) -> None:
        reading.failed.append(name)
        reading.unavailable += [Unavailable(metric, f"{name}: {reason}") for metric in self._yields[name]]
        if name not in self._warned:
            self._warned.add(name)
            self._warn(f"metrics from {name} unavailable: {reason} (reported once)")


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
    if isinstance(check, ProcessCheck):
        from alertctl.metrics.process_check import ProcessWatcher

        return ProcessWatcher(check)
    raise TypeError(f"unknown check type: {check!r}")
