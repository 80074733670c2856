"""A template is checked by rendering it, and one that still cannot be rendered never costs an alert.

`config validate` refusing `{rule.name}`, `{id:d}` and `{0}` is in tests/data/bad-configs
(`notify-template-*`), run through `config validate`, `check` and `history`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from alertctl.config.runtime import Notify
from alertctl.notice_text import SAMPLE, compose, template_problem
from alertctl.store import alerts
from tests.conftest import run_here, warned
from tests.notify.harness import Harness, channel, q_rules
from tests.notify.receivers import http_receiver
from tests.notify.test_notify_process import _config


def test_a_template_that_validation_would_refuse_falls_back_and_the_alert_is_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A runtime config is not validated again (the cache of an earlier version, a library user)."""
    with http_receiver() as receiver:
        notify = Notify(channels=(channel("ops", receiver.url()),), title_template="{rule.name}")
        h = Harness(tmp_path, notify, q_rules(2), checks=2)
        h.set(90, "q1")
        h.step(1000.0, 90)
        h.step(1010.0, 99)
        assert sorted(key.rule for key in alerts.open_alerts(h.conn)) == ["q-high", "q1-high"]
        assert len(receiver.payloads) == 3  # two openings, one rise: none lost
        assert all(title.startswith("[") and " on web-01: q" in title for title in receiver.titles())
        assert warned(caplog) == [  # once, though every notice failed alike
            "notify.title_template: cannot be rendered (AttributeError: 'str' object has no "
            "attribute 'name'); notices use the built-in title"
        ]


def test_check_records_the_alert_when_a_template_fails_only_for_real_data(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        config, db = _config(tmp_path, receiver.url())  # its rule has no runbook
        template = {"ALERTCTL_NOTIFY__TITLE_TEMPLATE": "{runbook[0]} {rule}"}
        assert run_here("config", "validate", str(config), env=template).returncode == 0
        result = run_here("check", "-c", str(config), "--db", str(db), env=template)
        assert result.returncode == 1 and result.stdout.startswith("ALERTCTL WARNING - q-high"), result.stderr
        assert result.stderr == (
            "alertctl: notify.title_template: cannot be rendered (IndexError: string index "
            "out of range); notices use the built-in title\n"
        )
        (title,) = receiver.titles()
        assert title.startswith("[WARNING] q-high on ")  # the built-in title
        assert "q-high" in run_here("history", "--db", str(db), "-c", str(config)).stdout


def test_the_sample_alert_renders_every_documented_field() -> None:
    every = " ".join("{" + name + "}" for name in ("tag", "rule", "host", "runbook", "context", "details"))
    assert template_problem(every) is None
    assert template_problem("{runbook[0]}") is None
    bare = replace(SAMPLE, context={})
    assert compose(bare, "opened", "first_notification", "{runbook[0]}").problems == (
        "notify.title_template: cannot be rendered (IndexError: string index out of range); "
        "notices use the built-in title",
    )


def test_a_width_of_gigabytes_is_refused_not_built() -> None:
    """`{rule:>9999999999}` parses, and filling it in would take the process down."""
    assert template_problem("{rule:>9999999999}") == "ValueError: a width or precision in {:>9999999999} is over 1000"
    shown = compose(SAMPLE, "opened", "first_notification", "{rule:>9999999999}", "{message:.9999999999}")
    assert shown.title.startswith("[CRITICAL] disk-full on web-01") and len(shown.problems) == 2
    assert template_problem("{rule:>40} {value:.3}") is None
