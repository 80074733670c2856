"""Forecast rules replay too: the fit at each step from the history as it was then.

Real `watch` cycles (the loop's `Runner`, a command check, injected times) record a
disk that fills, is cleaned up and fills again; the replay of the same database must
raise the same forecast alerts at the same times, which it cannot if its fit saw a
single sample from the future.
"""

from __future__ import annotations

from pathlib import Path

from alertctl.backtest.run import run
from alertctl.config.runtime import Agent, Config
from alertctl.loop import Runner
from alertctl.model import CommandCheck, Forecast, Level, Op, Rule
from alertctl.store.db import open_database
from alertctl.store.readonly import open_read_only

START = 1_800_000_000.0
STEP = 10.0


def filling() -> list[float]:
    """Flat, then 3 %/min for 15 minutes, cleaned up, flat, then filling again."""
    flat = [40.0] * 90
    rising = [40.0 + 0.5 * n for n in range(90)]
    return flat + rising + [30.0] * 90 + [30.0 + 0.5 * n for n in range(120)]


def test_replaying_a_forecast_rule_raises_what_the_real_cycles_raised(tmp_path: Path) -> None:
    value = tmp_path / "value"
    rule = Rule(
        "filling",
        "q.value",
        Op.LT,
        warning=Level(1800.0),
        clear=3600.0,
        forecast=Forecast(reaches=100.0, window=600.0, confirm=1200.0, past=35.0),
    )
    config = Config(Agent(host="web-01"), checks=(CommandCheck("q", ("cat", str(value))),), rules=(rule,))
    db = tmp_path / "a.db"
    runner = Runner(config, open_database(db), families=())
    values = filling()
    for n, number in enumerate(values):
        value.write_text(f"{number}\n")
        runner.run_once(START + n * STEP)
    runner.conn.close()

    conn = open_read_only(db)
    recorded = [tuple(row) for row in conn.execute("SELECT started_at, resolved_at FROM alerts ORDER BY started_at")]
    found = run(conn, config, None, START - 1, START + len(values) * STEP)

    (outcome,) = found.rules
    replayed = [(i.started_at, i.started_at + i.seconds) for i in outcome.alerts[0]]
    assert len(recorded) == 2  # filling, cleaned up, filling again (still open)
    assert replayed[0] == recorded[0]
    assert replayed[1][0] == recorded[1][0] and recorded[1][1] is None
