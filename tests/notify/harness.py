"""A Runner on a real database, a `command` check reading a value file, delivery driven by `now`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alertctl.config.runtime import Agent, Channel, Config, Notify
from alertctl.loop import Runner
from alertctl.metrics.demand import families_for
from alertctl.model import CommandCheck, Level, Op, Rule, Severity
from alertctl.notify.deliver import Deliverer
from alertctl.notify.worker import SyncDelivery
from alertctl.store import outbox
from alertctl.store.db import open_database


def channel(name: str, url: str, min_severity: str = "warning") -> Channel:
    return Channel(name, (url,), Severity.parse(min_severity))


def q_rule(name: str = "q-high", check: str = "q", **extra: Any) -> Rule:
    return Rule(name, f"{check}.value", Op.GT, warning=Level(80), critical=Level(95), **extra)


def q_rules(count: int) -> tuple[Rule, ...]:
    """`q-high` on check `q`, then `q1-high` on `q1`, ...: one rule per check of a `Harness(checks=count)`."""
    return tuple(q_rule(f"q{i}-high" if i else "q-high", f"q{i}" if i else "q") for i in range(count))


class Harness:
    def __init__(self, root: Path, notify: Notify, rules: tuple[Rule, ...] | None = None, checks: int = 1) -> None:
        self.root = root
        self.files = {f"q{i}" if i else "q": root / f"value{i}" for i in range(checks)}
        for path in self.files.values():
            path.write_text("0\n")
        self.config = Config(
            agent=Agent(host="web-01"),
            notify=notify,
            checks=tuple(CommandCheck(name, ("cat", str(path))) for name, path in self.files.items()),
            rules=rules or (q_rule(),),
        )
        self.db = root / "a.db"
        self.conn = open_database(self.db)
        self.deliverer = Deliverer(self.conn, lambda: self.runner.config, lambda: "web-01")
        delivery = SyncDelivery(self.conn, lambda: self.runner.config, lambda: "web-01")
        # Only the system areas the rules read, as `watch` samples: a CPU reading needs 0.1 s of
        # real time since the last, which steps run back to back would otherwise sleep every time.
        self.runner = Runner(
            self.config, self.conn, notifiers=[delivery], families=families_for(self.config.rules, exporting=False)
        )

    def set(self, value: float, check: str = "q") -> None:
        self.files[check].write_text(f"{value}\n")

    def step(self, now: float, value: float | None = None) -> None:
        if value is not None:
            self.set(value)
        self.runner.run_once(now)

    def deliver(self, now: float) -> None:
        self.deliverer.deliver_due(now)

    def notices(self, alert_id: int = 1) -> list[tuple[str, str | None, str, str]]:
        return [(n["kind"], n["channel"], n["reason"], n["state"]) for n in outbox.notices(self.conn, alert_id)]

    def sql(self, statement: str, *params: object) -> list[Any]:
        return self.conn.execute(statement, params).fetchall()
