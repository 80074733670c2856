"""A Runner on a real database whose collector is scripted: any metric, any labels, any value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alertctl.config.runtime import Agent, Config, Notify
from alertctl.loop import Runner
from alertctl.metrics.collector import Reading
from alertctl.model import Level, Op, Rule, Sample, make_labels
from alertctl.notify.worker import SyncDelivery
from alertctl.store import outbox
from alertctl.store.db import open_database, transaction

DISK_RULE = Rule("disk-any", "disk.percent", Op.GE, warning=Level(0), critical=Level(90))


class ScriptedCollector:
    cpu_baseline = None

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def collect(self) -> Reading:
        return Reading([Sample("disk.percent", v, make_labels({"mount": m})) for m, v in self.values.items()])

    def top_processes(self, wanted: set[str], reading: Reading) -> dict[str, list[dict[str, object]]]:
        return {}  # disk rules never ask for them


class Disks:
    """Two mounts, `/` and `/var`, each alerting from 0 % (warning) and at 90 % (critical)."""

    def __init__(self, root: Path, notify: Notify, **rule: Any) -> None:
        self.config = Config(agent=Agent(host="web-01"), notify=notify, rules=(DISK_RULE,))
        self.conn = open_database(root / "a.db")
        self.db = root / "a.db"
        self.runner = Runner(
            self.config, self.conn, notifiers=[SyncDelivery(self.conn, lambda: self.config, lambda: "web-01")]
        )
        self.collector = ScriptedCollector()
        self.runner.collector = self.collector  # type: ignore[assignment]
        self.collector.values = {"/": 50.0, "/var": 50.0}

    def step(self, now: float, **values: float) -> None:
        for mount, value in values.items():
            self.collector.values["/" + mount.replace("root", "").strip("/")] = value
        self.runner.run_once(now)

    def write(self):  # type: ignore[no-untyped-def]
        return transaction(self.conn)

    def alert_id(self, mount: str) -> int:
        row = self.conn.execute(
            "SELECT id FROM alerts WHERE json_extract(series, '$.mount') = ? ORDER BY id DESC", (mount,)
        ).fetchone()
        return int(row[0])

    def notices(self, alert_id: int) -> list[tuple[str, str | None, str, str]]:
        return [(n["kind"], n["channel"], n["reason"], n["state"]) for n in outbox.notices(self.conn, alert_id)]
