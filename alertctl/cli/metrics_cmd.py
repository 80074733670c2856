"""`metrics`: every metric with its current value, so users can find names for rules."""

from alertctl.cli.common import ConfigOption, DbOption, DebugOption, JsonOption, error_line, guarded, load_checked
from alertctl.cli.present import to_json
from alertctl.metrics import catalog
from alertctl.metrics.collector import Collector, pinned_mounts


@guarded()
def metrics(
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Current value of every metric, built-in and from your checks; one that cannot be read
    is listed with why (`value: null` and `error` in JSON).

    Example: alertctl metrics --json
    """
    settings = load_checked(config)
    reading = Collector(settings.checks, None, error_line, mounts=pinned_mounts(settings.rules)).collect()
    checks = {check.name: check.type for check in settings.checks}
    names = {s.metric for s in reading.samples} | {g.metric for g in reading.unavailable}
    specs = {name: catalog.find(name, checks) for name in names}
    if json_:
        print(to_json([
            *({"metric": s.metric, "labels": dict(s.labels), "value": s.value, "unit": _unit(specs[s.metric])}
              for s in reading.samples),
            *({"metric": g.metric, "labels": dict(g.labels), "value": None, "unit": _unit(specs[g.metric]),
               "error": g.reason} for g in reading.unavailable),
        ]))
        return
    from alertctl.cli.tables import console, metrics_table

    console().print(metrics_table(reading.samples, {k: v for k, v in specs.items() if v}, reading.unavailable))


def _unit(spec: catalog.MetricSpec | None) -> str:
    return spec.unit.value if spec else ""
