"""`metrics`: every metric with its current value, so users can find names for rules;
`metrics METRIC`: that metric's recorded history."""

import time
from typing import Annotated

import typer

from alertctl import catalog
from alertctl.cli.common import (
    ConfigOption,
    DbOption,
    DebugOption,
    JsonOption,
    guarded,
    load_checked,
    open_session,
    parse_labels,
)
from alertctl.cli.present import to_json
from alertctl.errors import UsageError
from alertctl.metrics.collector import Collector, pinned_mounts


@guarded()
def metrics(
    metric: Annotated[
        str | None,
        typer.Argument(help="Show this metric's history instead of every current value.", show_default=False),
    ] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="KEY=VALUE, e.g. mount=/var (repeatable).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="History from: 6h (default), 30d or an ISO date.")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="History until: default now.")] = None,
    step: Annotated[
        str | None, typer.Option("--step", help="Seconds per point; 0s = raw samples (default: at most 1,000 points).")
    ] = None,
    json_: JsonOption = False,
    csv_: Annotated[bool, typer.Option("--csv", help="History as CSV with a header row.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Current value of every metric, built-in and from your checks, or one metric's history; one
    that cannot be read is listed with why (`value: null` and `error` in JSON).

    Example: alertctl metrics --json
    Example: alertctl metrics disk.percent --label mount=/ --since 7d
    """
    if json_ and csv_:
        raise UsageError("--json and --csv: choose one")
    if metric is not None:
        _history(metric, label, since, until, step, json_, csv_, config, db)
        return
    if label or since or until or step or csv_:
        raise UsageError(
            "--label, --since, --until, --step and --csv need a METRIC (e.g. alertctl metrics cpu.percent)"
        )
    settings = load_checked(config)
    reading = Collector(settings.checks, None, mounts=pinned_mounts(settings.rules)).collect()
    checks = {check.name: check.type for check in settings.checks}
    names = {s.metric for s in reading.samples} | {g.metric for g in reading.unavailable}
    specs = {name: catalog.find(name, checks) for name in names}
    if json_:
        print(
            to_json(
                [
                    *(
                        {"metric": s.metric, "labels": dict(s.labels), "value": s.value, "unit": _unit(specs[s.metric])}
                        for s in reading.samples
                    ),
                    *(
                        {
                            "metric": g.metric,
                            "labels": dict(g.labels),
                            "value": None,
                            "unit": _unit(specs[g.metric]),
                            "error": g.reason,
                        }
                        for g in reading.unavailable
                    ),
                ]
            )
        )
        return
    from alertctl.cli.tables import console, metrics_table

    console().print(metrics_table(reading.samples, {k: v for k, v in specs.items() if v}, reading.unavailable))


def _unit(spec: catalog.MetricSpec | None) -> str:
    return spec.unit.value if spec else ""


def _history(
    metric: str,
    label: list[str] | None,
    since: str | None,
    until: str | None,
    step: str | None,
    json_: bool,
    csv_: bool,
    config: ConfigOption,
    db: DbOption,
) -> None:
    from alertctl.cli import metric_history

    span = metric_history.window(since, until, step, time.time())
    session = open_session(config, db)
    found = metric_history.read(session.conn, metric, parse_labels(label), span)
    if json_:
        print(to_json(metric_history.signals_json(found)))
    elif csv_:
        print(metric_history.signals_csv(found), end="")
    else:
        from alertctl.cli.tables import console

        out = console()
        for part in metric_history.charts(found, span, session.config, out.width):
            out.print(part)
