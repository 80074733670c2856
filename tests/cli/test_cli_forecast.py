"""Forecast rules (the contract's "Forecast rules"): the time left until a metric reaches a value,
derived from the stored history each cycle and judged by the unchanged engine.

Cycles run as a `check` process runs them (`Rig.cycle_at`: config, database, Runner) at
injected times a second apart, so a 20-second window fills without waiting.
"""

from __future__ import annotations

import json
import re
import time
from io import StringIO
from pathlib import Path

import tomli_w
from rich.console import Console

from alertctl.cli.live import layout
from alertctl.cli.live_screen import Screen, screen_of
from alertctl.config import load_config
from alertctl.config.defaults import DEFAULT_RULES
from tests.cli.conftest import Rig

T = 1_800_000_000.0

FILLING = """
[agent]
host = "web-01"

[[rules]]
name = "q-filling"
metric = "q.value"
forecast = { reaches = 100, window = "20s" }
warning = "60s"
critical = "10s"
clear = "90s"
"""


def _climb(rig: Rig, start: float, per_second: float, seconds: int, at: float = T) -> list[str]:
    """One cycle a second from `at` while the value climbs; after each cycle, why q-filling
    judged nothing (`nodata: …`, `warming: …`), or "" when it judged the time left."""
    states = []
    for i in range(seconds):
        rig.set_value(round(start + per_second * i, 3))
        cycle = rig.cycle_at(at + i)
        warming = [w.reason for w in cycle.warming if w.rule == "q-filling"]
        blind = cycle.blind["q-filling"].reason if "q-filling" in cycle.blind else ""
        states.append(f"nodata: {blind}" if blind else f"warming: {warming[0]}" if warming else "")
    return states


def test_a_climbing_value_opens_a_warning_before_it_reaches_the_limit(rig: Rig) -> None:
    rig.configure(FILLING)

    states = _climb(rig, 50, 1.0, 12)  # 100 at second 50

    assert states[0] == "warming: samples cover 0s of the 20s window, a forecast needs half"
    assert states[9] == "warming: samples cover 9s of the 20s window, a forecast needs half"
    assert states[10:] == ["", ""]  # half the window covered, 11 samples: judged
    (alert,) = rig.open_alerts()
    assert alert["rule"] == "q-filling" and alert["severity"] == "warning"
    assert alert["metric"] == "q.value"
    assert 38 <= alert["value"] <= 41  # seconds left, at a value of 59-61: far from 100
    assert alert["threshold"] == 60
    assert alert["message"] == "q.value will reach 100 in 39s (+3600/h over 20s) on web-01"


def test_the_alert_rises_to_critical_and_clears_only_past_clear(rig: Rig) -> None:
    rig.configure(FILLING)
    _climb(rig, 50, 1.0, 45)  # 5 seconds left at the end
    assert rig.open_alerts()[0]["severity"] == "critical"

    for i in range(45, 70):  # it stops growing: the trend flattens and time left grows past `clear`
        rig.set_value(94)
        rig.cycle_at(T + i)

    (alert,) = rig.alerts()
    assert alert["status"] == "resolved"
    assert alert["peak"] < 10  # the worst is the shortest time left
    shown = " ".join(rig.invoke("show", "1").output.split())  # the timeline wraps
    assert re.search(r"resolved .*q\.value will reach 100 in 2m \d+s \(clears with more than 1m 30s left\)", shown)


def test_a_flat_series_opens_nothing_and_has_data(rig: Rig) -> None:
    """Its time left is a century (forecast.NEVER): a value far past any level. The plain rule
    beside it judges only the measured values, never the forecast's seconds."""
    rig.configure(FILLING + rig.q_rule("q-huge", warning=1_000_000, critical=2_000_000))

    blind = _climb(rig, 97, 0.0, 25)  # close to the limit, but not heading there

    assert rig.alerts() == []
    assert blind[-1] == ""


def test_a_falling_series_opens_nothing(rig: Rig) -> None:
    rig.configure(FILLING)

    _climb(rig, 90, -1.0, 25)

    assert rig.alerts() == []


def test_check_says_ok_and_warming_up_while_the_history_is_too_short(rig: Rig) -> None:
    """A fresh install: the metric reports, the trend needs time. Not UNKNOWN, not an alert."""
    rig.configure(FILLING)

    result = rig.here("check")

    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ALERTCTL OK - 1 rules, no open alerts; warming up: q-filling | ")
    assert "no data" not in result.stdout
    again = rig.here("check", "--json")
    assert again.returncode == 0, again.stdout
    (state,) = json.loads(again.stdout)["rules"]
    assert {k: v for k, v in state.items() if k != "reason"} == {
        "rule": "q-filling",
        "state": "warming",
        "severity": None,
        "value": None,
        "labels": {},
    }
    assert re.fullmatch(r"samples cover \d+s of the 20s window, a forecast needs half", state["reason"])


def test_check_is_unknown_when_the_forecast_rules_metric_stops(rig: Rig) -> None:
    """Warming up is for a metric that reports; one that gives no sample is blind as ever."""
    rig.configure(FILLING)
    rig.set_value("")

    result = rig.here("check")

    assert result.returncode == 3, result.stdout
    assert result.stdout.startswith("ALERTCTL UNKNOWN - no data: q-filling (")
    assert "warming" not in result.stdout


def _built_in_filling_on_q() -> str:
    """The shipped disk-filling rule, read from the built-in table, watching q.value instead."""
    (built_in,) = [dict(rule) for rule in DEFAULT_RULES if rule["name"] == "disk-filling"]
    return tomli_w.dumps({"rules": [built_in | {"metric": "q.value"}]})


def test_the_built_in_forecast_rule_warms_up_above_from_and_is_plainly_ok_below_it(rig: Rig) -> None:
    rig.configure(_built_in_filling_on_q())
    rig.set_value(70)

    above = rig.here("check", "--json")

    assert above.returncode == 0, above.stdout
    (state,) = json.loads(above.stdout)["rules"]
    assert (state["rule"], state["state"], state["value"]) == ("disk-filling", "warming", None)
    assert state["reason"].endswith("of the 6h window, a forecast needs half")

    rig.set_value(40)
    below = rig.here("check")

    assert below.returncode == 0, below.stdout
    assert below.stdout.startswith("ALERTCTL OK - 1 rules, no open alerts | ")  # neither warming nor no data
    assert " disk-filling=3153600000s;86400:;;0" in below.stdout  # time left: never (a century)


def test_a_fresh_database_with_the_built_in_rules_checks_ok_without_no_data(rig: Rig) -> None:
    """Every fresh install: disk-filling has no history yet. Its mounts are below 60 % (ok) or
    warming up; none is without data, so `check` is not UNKNOWN and opens nothing for it."""
    rig.configure("")  # the q check only: the built-in rules

    result = rig.here("check", "--json")

    report = json.loads(result.stdout)
    filling = [r for r in report["rules"] if r["rule"] == "disk-filling"]
    assert filling and {r["state"] for r in filling} <= {"ok", "warming"}
    assert result.returncode != 3 and report["status"] != "UNKNOWN"
    assert all(r["state"] != "nodata" for r in report["rules"])
    assert not [a for a in report["alerts"] if a["rule"] == "disk-filling"]


def test_a_held_forecast_alert_survives_a_long_stop_and_says_so(rig: Rig) -> None:
    """`watch` stopped for an hour (longer than expire_after): on restart the window holds one
    sample, so the rule warms up again; its alert stays open (firing) rather than expiring."""
    rig.configure(FILLING)
    _climb(rig, 50, 1.0, 12)
    assert [a["status"] for a in rig.alerts()] == ["firing"]

    rig.set_value(62)
    cycle = rig.cycle_at(T + 3600)

    assert [w.rule for w in cycle.warming] == ["q-filling"]
    assert [(a["status"], a["resolution"]) for a in rig.alerts()] == [("firing", None)]


def test_config_validate_names_the_bad_forecast_key(rig: Rig) -> None:
    for bad, key in (
        ('{ reaches = 100, window = "soon" }', "rules[0].forecast.window: must be a duration"),
        ("{ reaches = 100 }", "rules[0].forecast.window: is required"),
        ('{ reaches = 100, window = "20s", confrim = "1h" }', "rules[0].forecast.confrim: unknown key"),
        ('{ reaches = 100, window = "1h", confirm = "20s" }', "rules[0].forecast.confirm: must be at least"),
    ):
        rig.configure(FILLING.replace('{ reaches = 100, window = "20s" }', bad))

        result = rig.here("config", "validate")

        assert result.returncode == 2, result.stdout
        assert key in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_config_validate_wants_levels_as_time_left(rig: Rig) -> None:
    rig.configure(FILLING.replace('warning = "60s"', 'warning = "soon"'))

    result = rig.here("config", "validate")

    assert result.returncode == 2
    assert "rules[0].warning: is time left with forecast, so must be a duration like 30s" in result.stderr


def test_config_validate_refuses_levels_in_the_wrong_order(rig: Rig) -> None:
    rig.configure(FILLING.replace('critical = "10s"', 'critical = "2m"'))

    result = rig.here("config", "validate")

    assert result.returncode == 2
    assert "rules[0].warning: must be longer than critical (2m)" in result.stderr


def test_show_and_metrics_read_the_values_as_time_left_and_draw_the_value_forecast(rig: Rig) -> None:
    rig.configure(FILLING)
    _climb(rig, 50, 1.0, 12, at=time.time() - 60)  # in the past: `show` draws up to the real now
    (alert,) = rig.open_alerts()

    result = rig.invoke("show", str(alert["id"]))

    assert result.exit_code == 0, result.output
    assert "Forecast       reaches  100" in result.output
    assert "39s (peak 39s, threshold 1m)" in result.output
    assert "reaches 100" in result.output
    charted = rig.invoke("metrics", "q.value", "--since", "5m")
    assert charted.exit_code == 0, charted.output
    assert "q-filling reaches 100" in charted.output


def _rotated(rig: Rig, rules: str) -> list[dict[str, object]]:
    """A log that fell from 100 to 75 (rotated) and has since grown back to 94 over 20 seconds."""
    rig.configure(rules)
    for i in range(46):
        rig.set_value(100 - i if i <= 25 else 75 + (i - 25) * 0.95)
        rig.cycle_at(T + i)
    return rig.alerts()


def test_confirm_keeps_a_regrowth_after_a_rotation_quiet_and_without_it_warns(rig: Rig, tmp_path: Path) -> None:
    """The last 20 seconds climb fast, but over the 40 of `confirm` the value went down."""
    confirmed = FILLING.replace('window = "20s" }', 'window = "20s", confirm = "40s" }')
    assert _rotated(rig, confirmed) == []

    (tmp_path / "unconfirmed").mkdir()
    other = Rig(tmp_path / "unconfirmed")
    assert [a["rule"] for a in _rotated(other, FILLING)] == ["q-filling"]


def test_config_validate_refuses_a_forecast_without_history(rig: Rig) -> None:
    rig.configure(FILLING, preamble="[history]\nenabled = false\n")

    result = rig.here("config", "validate")

    assert result.returncode == 2
    assert "rules[0].forecast: needs the metric history, and [history] enabled is false" in result.stderr


def test_the_live_view_watches_the_time_left(rig: Rig) -> None:
    rig.configure(FILLING)
    _climb(rig, 50, 1.0, 11)
    rig.set_value(61)
    cycle = rig.cycle_at(T + 11)

    screen = screen_of(cycle, load_config(rig.config, use_cache=False).rules, "web-01", 1.0)
    out = StringIO()
    Console(file=out, width=120, height=40, color_system=None).print(layout(screen, 120, 40))

    shown = out.getvalue()
    assert "39s" in shown  # the open alert's value and the watched row, as time left
    row = next(line for line in shown.splitlines() if line.rstrip().endswith("q-filling") and "warn <" in line)
    assert "39s" in row and "warn < 1m, crit < 10s" in row


def test_the_live_view_counts_forecasts_warming_up_until_they_judge(rig: Rig) -> None:
    rig.configure(FILLING)
    rules = load_config(rig.config, use_cache=False).rules
    rig.set_value(50)

    early = screen_of(rig.cycle_at(T), rules, "web-01", 1.0)
    header = _header_of(early)

    assert early.warming == 1 and "0 no data, 1 warming up" in header
    _climb(rig, 50, 0.0, 12, at=T + 1)
    assert "warming" not in _header_of(screen_of(rig.cycle_at(T + 13), rules, "web-01", 1.0))


def _header_of(screen: Screen) -> str:
    out = StringIO()
    Console(file=out, width=120, height=40, color_system=None).print(layout(screen, 120, 40))
    return "\n".join(out.getvalue().splitlines()[:2])
