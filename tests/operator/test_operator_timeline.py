"""`show`: a long timeline, at 80 columns, without colour."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from rich.console import Console

from alertctl.cli.alerts_cmd import timeline
from alertctl.cli.tables import alert_detail
from alertctl.config.runtime import Notify
from alertctl.store import alerts, silences
from tests.conftest import run_here
from tests.notify.harness import channel
from tests.notify.receivers import http_receiver
from tests.operator.scripted import Disks

T0 = 1_000_000.0


def _long_story(tmp_path: Path) -> Disks:
    with http_receiver([500]) as receiver:
        d = Disks(tmp_path, Notify(channels=(channel("ops", receiver.url()),), renotify=600.0))
        d.collector.values = {"/var": 50.0}
        d.step(T0)
        var = d.alert_id("/var")
        for i in range(1, 6):
            d.step(T0 + i * 20, var=95)
            d.step(T0 + i * 20 + 10, var=50)
        with d.write():
            alerts.acknowledge(d.conn, var, "alice", "looking at the log rotation, " * 4, T0 + 200)
            silences.suppress_alert(d.conn, var, T0 + 400, "waiting for the vendor to ship the new disk", T0 + 210)
        d.step(T0 + 300, var=96)
        d.step(T0 + 500, var=50)
        d.step(T0 + 1200, var=50)
        with d.write():
            alerts.resolve_by_hand(d.conn, var, "rotated the logs", T0 + 1300)
    return d


def test_the_timeline_tells_the_whole_story_in_order(tmp_path: Path) -> None:
    d = _long_story(tmp_path)
    steps = timeline(d.conn, d.alert_id("/var"))
    kinds = [s["kind"] for s in steps]
    assert kinds[0] == "opened" and kinds[-1] == "resolved"
    assert {"raised", "lowered", "acknowledged", "suppressed", "unsuppressed", "notice"} <= set(kinds)
    notices = [str(s["detail"]) for s in steps if s["kind"] == "notice"]
    assert any("first_notification" in n for n in notices)
    assert any("muted_suppressed" in n for n in notices)
    assert any("manual" in str(s["detail"]) for s in steps if s["kind"] == "resolved")
    assert len(steps) > 20


def test_show_fits_80_columns_without_colour(tmp_path: Path) -> None:
    d = _long_story(tmp_path)
    out = StringIO()
    screen = Console(file=out, width=80, color_system=None, highlight=False)
    alert = alerts.get(d.conn, d.alert_id("/var"))
    screen.print(alert_detail(alert, timeline(d.conn, alert.id), 80), soft_wrap=True)
    text = out.getvalue()
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert not [line for line in text.splitlines() if line != line.rstrip()]
    assert "Timeline" in text and "acknowledged" in text and "by alice" in text


def test_show_in_a_terminal_with_no_color_and_its_json_timeline(tmp_path: Path) -> None:
    d = _long_story(tmp_path)
    alert_id = str(d.alert_id("/var"))
    shown = run_here("show", alert_id, "--db", str(d.db), env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert shown.returncode == 0, shown.stderr
    assert "\x1b[" not in shown.stdout
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80
    as_json = run_here("show", alert_id, "--json", "--db", str(d.db))
    steps = json.loads(as_json.stdout)["timeline"]
    assert set(steps[0]) == {"at", "kind", "detail"} and steps[0]["kind"] == "opened"
