"""What one run of one `[[checks]]` entry yields: samples, and context for its alerts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from alertctl.model import Sample, Unavailable

ERROR_CHARS = 200
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\r")
"""Terminal escape sequences (colours, titles, cursor moves) and carriage returns: dropped."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Every other control character but newline and tab: shown as U+FFFD, so binary output still shows."""


@dataclass
class CheckResult:
    name: str
    details: dict[str, object]
    """Shown in an alert's context: what was tried and what went wrong."""
    samples: list[Sample] = field(default_factory=list)
    unavailable: list[Unavailable] = field(default_factory=list)
    """Metrics this run could not give, each with why, so rules on them say `nodata`."""

    def add(self, suffix: str, value: float) -> None:
        self.samples.append(Sample(f"{self.name}.{suffix}", float(value)))

    def lack(self, error: str, *suffixes: str) -> None:
        """`NAME.suffix` has no value this time; the reason names the check and the error."""
        for suffix in suffixes:
            self.unavailable.append(Unavailable(f"{self.name}.{suffix}", f"{self.name}: {error}"))


def seconds(value: float) -> str:
    """A timeout as the user wrote it: `5s`, `0.5s`."""
    return f"{value:g}s"


def describe(error: BaseException | str, timeout: float) -> str:
    """One short line for an alert's context, the same wording for every check type."""
    if isinstance(error, TimeoutError):
        return f"timed out after {seconds(timeout)}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    text = (error.strerror if isinstance(error, OSError) else None) or str(error)
    return printable(text or type(error).__name__)[:ERROR_CHARS]


def printable(text: str) -> str:
    """`text` without what would act on the terminal of whoever reads it in `show`, a log or a
    mail: a check's output is whatever the program wrote, escape sequences included."""
    return _CONTROL.sub("\ufffd", _ESCAPE.sub("", text))
