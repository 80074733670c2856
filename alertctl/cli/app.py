"""The `alertctl` command: every subcommand joined here, nothing else.

Subcommand modules import their heavy parts (rich, apprise, pydantic) inside the
functions that need them, so `alertctl check` starts cold in cron quickly. They
also leave out `from __future__ import annotations`: typer builds every command's
options at each start and would `eval` each string annotation (7 ms of a 120 ms
`check`, measured with bench/coldstart.py). The console script (`entry.py`) builds
`check` on its own and imports this module for every other command.
"""

from alertctl.cli import (
    alerts_cmd,
    backtest_cmd,
    check_cmd,
    config_cmd,
    metrics_cmd,
    notify_cmd,
    report_cmd,
    silence_cmd,
    watch_cmd,
)
from alertctl.cli.entry import main, new_app

__all__ = ["app", "main"]

app = new_app()
app.command("watch")(watch_cmd.watch)
app.command("check")(check_cmd.check)
app.command("metrics")(metrics_cmd.metrics)
app.command("history")(alerts_cmd.history)
app.command("show")(alerts_cmd.show)
app.command("ack")(alerts_cmd.ack)
app.command("resolve")(alerts_cmd.resolve)
app.command("prune")(alerts_cmd.prune)
app.command("suppress")(silence_cmd.suppress)
app.command("silences")(silence_cmd.silences_)
app.command("unsuppress")(silence_cmd.unsuppress)
app.command("report")(report_cmd.report)
app.command("backtest")(backtest_cmd.backtest)
app.add_typer(config_cmd.app, name="config")
app.add_typer(notify_cmd.app, name="notify")
