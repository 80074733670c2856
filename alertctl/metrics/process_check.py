"""`type = "process"` checks: how many processes match, and what they use.

Judged on the cycle's one scan of the process table (`proctable`), which also
gives each process's CPU % since the scan before: from the second cycle of a
`watch` on, that is the interval between cycles; a process seen for the first
time (and every process in a one-shot `check`) gets its lifetime average.
"""

from __future__ import annotations

import os
import re

from alertctl.metrics.check_result import CheckResult
from alertctl.metrics.proctable import ProcessRow, Scan
from alertctl.model import ProcessCheck

CONTEXT_PIDS = 20


class ProcessWatcher:
    def __init__(self, check: ProcessCheck) -> None:
        self.check = check
        self._pattern = re.compile(check.pattern)

    def __call__(self, scan: Scan) -> CheckResult:
        matched = [row for row in scan.rows if row.pid != os.getpid() and self._matches(row)]
        result = CheckResult(self.check.name, {"pattern": self.check.pattern})
        result.details["pids"] = sorted(row.pid for row in matched)[:CONTEXT_PIDS]
        result.add("count", len(matched))
        result.add("cpu_percent", sum(scan.cpu_percent.get(row.identity, 0.0) for row in matched))
        result.add("rss", sum(row.rss for row in matched))
        return result

    def _matches(self, row: ProcessRow) -> bool:
        return any(text and self._pattern.search(text) for text in (row.name, row.cmdline))
