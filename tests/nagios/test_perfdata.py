"""`check`'s first line against the plugin guidelines' grammar: every metric, hostile labels."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alertctl.catalog import SYSTEM_METRICS, check_metrics
from alertctl.model import NEVER, CheckType, Forecast, Level, Op, Rule, Sample, Severity, Trend, Warming, make_labels
from alertctl.nagios import ServiceState, perfdata, status_line
from tests.alerts import open_alert
from tests.cli.conftest import Rig
from tests.nagios.perfdata import Item, parse_perfdata, parse_status_line

HOSTILE = {
    "/mnt/my disk": "disk.percent /mnt/my disk",
    "/mnt/it's": "disk.percent /mnt/it's",
    "/mnt/a=b": "disk.percent /mnt/a_b",
    "/mnt/ünïcødé ✓": "disk.percent /mnt/ünïcødé ✓",
    "/mnt/new\nline": "disk.percent /mnt/new_line",
    "/mnt/pipe|d": "disk.percent /mnt/pipe_d",
    "/mnt/semi;colon": "disk.percent /mnt/semi;colon",
    "/mnt/''": "disk.percent /mnt/''",
    "/": "disk.percent /",
}


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[int]:
    """A plain HTTP server on 127.0.0.1 for the `http` and `tcp` checks."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def every_rule() -> str:
    """A rule on every built-in metric, alternating `>` (never reached) and `<` (negative levels)."""
    rules = []
    for number, spec in enumerate(SYSTEM_METRICS):
        levels = "warning = 1e15\ncritical = 2e15" if number % 2 else 'op = "<"\nwarning = -0.5\ncritical = -2'
        rules.append(f'[[rules]]\nname = "r{number}"\nmetric = "{spec.name}"\n{levels}\n')
    rules.append('[[rules]]\nname = "q-eq"\nmetric = "q.value"\nop = "=="\nwarning = 12345\n')
    return "\n".join(rules)


def checks(port: int) -> str:
    return f"""
    [[checks]]
    name = "site"
    type = "http"
    url = "http://127.0.0.1:{port}/"

    [[checks]]
    name = "port"
    type = "tcp"
    host = "127.0.0.1"
    port = {port}

    [[checks]]
    name = "py"
    type = "process"
    pattern = "python"
    """


def test_a_real_check_with_every_metric_parses_strictly(rig: Rig, web: int) -> None:
    rig.configure(every_rule(), preamble=checks(web))
    rig.set_value("7.25")

    result = rig.check()

    assert result.returncode == 0, result.stdout + result.stderr
    state, items = parse_status_line(result.stdout.splitlines()[0])
    assert state == "OK"
    labels = {item.label.split(" ")[0] for item in items}
    wanted = {spec.name for spec in SYSTEM_METRICS}
    for name, check_type in {
        "q": CheckType.COMMAND,
        "site": CheckType.HTTP,
        "port": CheckType.TCP,
        "py": CheckType.PROCESS,
    }.items():
        wanted |= {spec.name for spec in check_metrics(name, check_type)}
    assert wanted <= labels, wanted - labels
    by_label = {item.label: item for item in items}
    assert by_label["q.value"] == Item("q.value", "7.25", "", None, None, None, None)
    assert by_label["cpu.percent"].warn == "-0.5:" and by_label["cpu.percent"].crit == "-2:"
    assert (by_label["cpu.iowait"].warn, by_label["cpu.iowait"].max) == ("1000000000000000", "100")
    assert by_label["site.up"].value == "1" and by_label["port.up"].value == "1"


@pytest.mark.parametrize(("mount", "label"), HOSTILE.items())
def test_hostile_mount_points_make_labels_the_grammar_reads_back(mount: str, label: str) -> None:
    rule = Rule("disk-full", "disk.percent", Op.GT, warning=Level(80), critical=Level(95))

    (item,) = parse_perfdata(perfdata(Sample("disk.percent", 91.25, make_labels({"mount": mount})), [rule]))

    assert item == Item(label, "91.25", "%", "80", "95", "0", "100")


FILLING = Rule(
    "disk-filling", "disk.percent", Op.LT, warning=Level(86400), critical=Level(7200), forecast=Forecast(100, 21600)
)


@pytest.mark.parametrize(("left", "shown"), [(32400.4, "32400"), (0.0, "0"), (NEVER, "3153600000")])
def test_a_forecast_rule_reports_its_time_left_in_seconds_labelled_with_rule_and_mount(
    left: float,
    shown: str,
) -> None:
    """Less time left is worse: the ranges alert below their bound (`86400:`), as Nagios reads them."""
    derived = Sample("disk.percent", left, make_labels({"mount": "/var"}), Trend("disk-filling", 1.5))
    measured = Sample("disk.percent", 71.5, make_labels({"mount": "/var"}))

    state, items = parse_status_line(status_line(ServiceState.OK, [], [measured, derived], [FILLING]))

    assert items[1] == Item("disk-filling /var", shown, "s", "86400:", "7200:", "0", None)
    assert items[0].label == "disk.percent /var" and items[0].value == "71.5"  # the measured value, unchanged


def test_forecast_rules_warming_up_are_named_after_the_summary_and_change_nothing() -> None:
    warming = [Warming("disk-filling", make_labels({"mount": "/var"}), "samples cover 5m of the 6h window")]

    line = status_line(ServiceState.OK, [], [], [FILLING], warming=warming)

    assert line == "ALERTCTL OK - 1 rules, no open alerts; warming up: disk-filling /var"


def test_many_hostile_items_in_one_status_line_still_split_right() -> None:
    samples = [Sample("disk.free", 1.5e12, make_labels({"mount": mount})) for mount in HOSTILE]

    state, items = parse_status_line(status_line(ServiceState.OK, [], samples, []))

    assert state == "OK"
    assert [item.label for item in items] == [label.replace("disk.percent", "disk.free") for label in HOSTILE.values()]
    assert {item.value for item in items} == {"1500000000000"}
    assert all(item.uom == "B" and item.min == "0" for item in items)


def test_open_alerts_on_hostile_mounts_keep_the_summary_on_one_line_before_the_perfdata() -> None:
    alerts = [
        open_alert(1, Severity.CRITICAL, "disk-full", {"mount": "/mnt/a|b\nc"}),
        open_alert(2, Severity.WARNING, "disk-full", {"mount": "/mnt/it's"}),
    ]
    samples = [Sample("disk.percent", 97, make_labels({"mount": "/mnt/a|b\nc"}))]

    line = status_line(ServiceState.CRITICAL, alerts, samples, [])

    assert "\n" not in line
    state, items = parse_status_line(line)
    assert state == "CRITICAL"
    assert line.startswith("ALERTCTL CRITICAL - disk-full (/mnt/a_b_c), disk-full (/mnt/it's) | ")
    assert [item.label for item in items] == ["disk.percent /mnt/a_b_c"]


@pytest.mark.parametrize(
    "broken",
    [
        "'a'=1e5",
        "a=1;80;95;0;100;",
        "'it's'=1",
        "a b=1",
        "a=1XB",
        "a=1;@",
        "a=1;5:2",
        "'a=b'=1",
        "a=1 ;",
    ],
)
def test_the_strict_parser_rejects_what_the_guidelines_forbid(broken: str) -> None:
    with pytest.raises(AssertionError):
        parse_perfdata(broken)
