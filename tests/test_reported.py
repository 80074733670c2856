"""The filter that says a lasting problem once: once-only and on-change keys, settling, scopes."""

from __future__ import annotations

import logging

import pytest

from alertctl.reported import Repeats, quiet_repeats, scope


def _passes(repeats: Repeats, message: str, **extra: object) -> bool:
    record = logging.LogRecord("alertctl.x", logging.WARNING, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return repeats.filter(record)


def test_a_once_key_passes_its_first_record_only_whatever_the_message() -> None:
    repeats = Repeats()
    assert _passes(repeats, "metrics from db unavailable: timeout", once=(1, "db"))
    assert not _passes(repeats, "metrics from db unavailable: timeout", once=(1, "db"))
    assert not _passes(repeats, "metrics from db unavailable: refused", once=(1, "db"))
    assert _passes(repeats, "metrics from web unavailable: timeout", once=(1, "web"))


def test_an_on_change_key_passes_each_change_and_drops_repeats() -> None:
    repeats = Repeats()
    said = [
        message
        for message in ("disk full", "disk full", "locked", "locked", "disk full")
        if _passes(repeats, message, on_change=(1, "delivery"))
    ]
    assert said == ["disk full", "locked", "disk full"]


@pytest.mark.parametrize("key", ["once", "on_change"])
def test_a_settled_key_says_its_problem_again(key: str) -> None:
    repeats = Repeats()
    assert _passes(repeats, "cannot write", **{key: (1, "textfile")})
    assert not _passes(repeats, "cannot write", **{key: (1, "textfile")})
    repeats.settle((1, "textfile"))
    assert _passes(repeats, "cannot write", **{key: (1, "textfile")})


def test_records_without_a_key_always_pass_and_scopes_are_apart() -> None:
    repeats = Repeats()
    assert all(_passes(repeats, "the wall clock was set +3600s") for _ in range(3))
    first, second = scope(), scope()
    assert first != second
    assert _passes(repeats, "template fails", once=(first, "template fails"))
    assert _passes(repeats, "template fails", once=(second, "template fails"))


def test_on_a_logger_the_rule_holds_for_every_handler(caplog: pytest.LogCaptureFixture) -> None:
    log = quiet_repeats("alertctl.tests.reported")
    key = (scope(), "cycle")
    for message in ("cycle failed: full", "cycle failed: full", "cycle failed: locked"):
        log.warning(message, extra={"on_change": key})
    assert [r.getMessage() for r in caplog.records] == ["cycle failed: full", "cycle failed: locked"]
