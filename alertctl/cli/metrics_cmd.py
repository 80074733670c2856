"""`metrics`: every metric with its current value, so users can find names for rules."""

from alertctl.cli.common import ConfigOption, DbOption, DebugOption, JsonOption, error_line, guarded, load_checked
from alertctl.cli.present import to_json
from alertctl.metrics import catalog
from alertctl.metrics.collector import Collector


@guarded()
def metrics(
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Current value of every metric, built-in and from your checks.

    Example: alertctl metrics --json
    """
    settings = load_checked(config)
    reading = Collector(settings.checks, None, error_line).collect()
    checks = {check.name: check.type for check in settings.checks}
    specs = {s.metric: catalog.find(s.metric, checks) for s in reading.samples}
    if json_:
        print(to_json([
            {"metric": s.metric, "labels": dict(s.labels), "value": s.value,
             "unit": spec.unit.value if (spec := specs[s.metric]) else ""}
            for s in reading.samples
        ]))
        return
    from alertctl.cli.tables import console, metrics_table

    console().print(metrics_table(reading.samples, {k: v for k, v in specs.items() if v}))
