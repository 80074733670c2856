"""`type = "process"` checks: how many processes match, and what they use.

CPU % needs two readings of the same process. A `watch` loop keeps one
ProcessWatcher for its lifetime, so from the second cycle on a process's CPU %
covers the interval since the last cycle; a process seen for the first time (and
every process in a one-shot `check`) gets its lifetime average instead of 0.
"""

from __future__ import annotations

import os
import re
import time

import psutil

from alertctl.metrics.check_result import CheckResult
from alertctl.metrics.processes import GONE, snapshot
from alertctl.model import ProcessCheck

CONTEXT_PIDS = 20

Identity = tuple[int, float]
"""pid and start time: a reused pid is a different process."""


class ProcessWatcher:
    def __init__(self, check: ProcessCheck) -> None:
        self.check = check
        self._pattern = re.compile(check.pattern)
        self._known: dict[Identity, psutil.Process] = {}

    def __call__(self) -> CheckResult:
        matched = self._match()
        result = CheckResult(self.check.name, {"pattern": self.check.pattern})
        result.details["pids"] = sorted(pid for pid, _ in matched)[:CONTEXT_PIDS]
        cpu, rss = self._usage(matched)
        self._known = matched
        result.add("count", len(matched))
        result.add("cpu_percent", cpu)
        result.add("rss", rss)
        return result

    def _match(self) -> dict[Identity, psutil.Process]:
        """Matching processes other than ourselves, keeping the Process we already hold."""
        matched = {}
        for proc, info in snapshot(["name", "cmdline", "create_time"]):
            if proc.pid == os.getpid() or not self._matches(info["name"], info["cmdline"]):
                continue
            identity = (proc.pid, info["create_time"] or 0.0)
            matched[identity] = self._known.get(identity, proc)
        return matched

    def _matches(self, name: str | None, cmdline: list[str] | None) -> bool:
        return any(
            text and self._pattern.search(text) for text in (name, " ".join(cmdline or ()))
        )

    def _usage(self, matched: dict[Identity, psutil.Process]) -> tuple[float, float]:
        """Summed CPU % and RSS; processes that end or hide meanwhile add nothing."""
        cpu = rss = 0.0
        for identity, proc in matched.items():
            try:
                cpu += self._cpu_percent(identity, proc)
                rss += proc.memory_info().rss
            except GONE:
                continue
        return cpu, rss

    def _cpu_percent(self, identity: Identity, proc: psutil.Process) -> float:
        if identity in self._known:
            return proc.cpu_percent(interval=None)
        proc.cpu_percent(interval=None)  # sets the baseline for the next call
        times = proc.cpu_times()
        # Start times are counted from a boot time given in whole seconds, so a
        # process younger than a few seconds reads somewhat low; older ones do not.
        age = time.time() - identity[1]
        return (times.user + times.system) / age * 100.0 if age > 0 else 0.0
