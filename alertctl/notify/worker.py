"""The two ways notices leave: right after a `check`'s cycle, or from a `watch`'s own thread.

Both are `Notifier`s the loop calls after each cycle commits. The background
one never blocks sampling: the cycle only wakes it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from alertctl import reported
from alertctl.config.runtime import Config
from alertctl.model import Transition
from alertctl.notify import Notifier

CHECK_BUDGET = 10.0
"""Seconds a `check` may spend sending after its cycle; what is left waits for the next run."""


class SyncDelivery:
    """Send what is due now, within a bounded time: `alertctl check`.

    A quiet run asks one indexed question and imports nothing more (no renderer, no apprise).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Callable[[], Config],
        host: Callable[[], str],
        budget: float = CHECK_BUDGET,
        failed: Callable[[str], None] | None = None,
    ) -> None:
        self.conn = conn
        self.config = config
        self.host = host
        self.budget = budget
        self.failed = failed
        """Told of each failed attempt: `check` prints it on stderr."""

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        from alertctl.store.outbox import any_due, claim_owners

        if not any_due(self.conn, now) and not claim_owners(self.conn):
            return
        from alertctl.notify.deliver import Deliverer

        Deliverer(self.conn, self.config, self.host, failed=self.failed).deliver_due(now, self.budget)


def sending_from(
    conn: sqlite3.Connection,
    config: Callable[[], Config],
    failed: Callable[[str], None] | None = None,
    budget: float = CHECK_BUDGET,
) -> list[Notifier]:
    """The notifiers that send from `conn` right after a cycle, within `budget`: a `check`'s, and a
    `watch`'s while its file refuses writes (from the in-memory copy). Alertmanager is kept in sync
    too when configured (imported only then: a quiet `check` stays free of urllib).

    With `failed` (a `check`: each failed attempt is a line on stderr, and names a `${VARIABLE}`
    that is not set), the delivery does not warn of that variable a second time.
    """

    def host() -> str:
        return config().agent.hostname  # as the engine's `Judging.host`

    found: list[Notifier] = [SyncDelivery(conn, config, host, budget, failed)]
    if config().notify.alertmanagers:
        from alertctl.notify.alertmanager import AlertmanagerSync

        found.append(AlertmanagerSync(conn, config))
    return found


class BackgroundDelivery:
    """A thread with its own database connection, woken by every cycle (and once at start,
    so notices a previous process left in the outbox go out at once)."""

    def __init__(
        self,
        db_path: Path | str,
        config: Callable[[], Config],
        host: Callable[[], str],
        clock: Callable[[], float] = time.time,
        paused: Callable[[], bool] = lambda: False,
        interval: Callable[[], float] | None = None,
    ) -> None:
        self.interval = interval
        """How often `watch` cycles (`--interval` wins over the config): Alertmanager's `endsAt` must outlast it."""
        self.paused = paused
        """True while the cycle sends from an in-memory copy because the file refuses writes."""
        self.db_path = db_path
        self.config = config
        self.host = host
        self.clock = clock
        self._scope = reported.scope()
        self.wake = threading.Event()
        self.cycled = threading.Event()
        """Set by each cycle (and at start): Alertmanager is synced then, not after every send."""
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="alertctl-delivery", daemon=True)

    def start(self) -> BackgroundDelivery:
        self.cycled.set()
        self.wake.set()
        self.thread.start()
        return self

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        self.cycled.set()
        self.wake.set()

    def stop(self, wait: float = 5.0) -> bool:
        """One last delivery pass (this process's final notices), for up to `wait` s (room for its
        1.5 s budget, a second's grace and a 2 s Alertmanager sync); whatever is still unsent then
        stays in the outbox for the next run. False when the thread was still busy (a send or a
        sync that did not give up in time): the caller says so, while someone still listens."""
        self.stopping.set()
        self.wake.set()
        self.thread.join(wait)
        return not self.thread.is_alive()

    def _run(self) -> None:
        try:
            self._deliver_until_stopped()
        except Exception as error:  # e.g. the database vanished: say so once; the outbox keeps the rest
            reported.logger(__name__).error("notification delivery stopped: %s: %s", type(error).__name__, error)

    def _warn_once(self, problems: dict[str, str | None]) -> None:
        """A full disk fails every pass the same way: say it when it changes, not every cycle;
        a step that went through (None) ends its problem, so the next one is said again."""
        for what, message in problems.items():
            if message is None:
                reported.settle((self._scope, what))
            else:
                reported.logger(__name__).warning(message, extra={"on_change": (self._scope, what)})

    @staticmethod
    def _attempt(what: str, step: Callable[[], object]) -> str | None:
        """One step of a pass, and what went wrong: the outbox and the Alertmanager state keep
        what is owed, so a failure is only said, and the next wake tries again."""
        try:
            step()
        except Exception as error:
            return f"{what} failed: {type(error).__name__}: {error}"
        return None

    def _deliver_until_stopped(self) -> None:
        """Woken by every cycle and by every finished send: each channel's next notice goes out
        as soon as that channel is free, whatever the others are doing; Alertmanager is synced
        once per cycle."""
        from alertctl.notify.alertmanager import AlertmanagerSync
        from alertctl.notify.deliver import Deliverer
        from alertctl.store.db import open_database

        if self.config().notify.channels:
            from alertctl.notify.send import warm_up

            warm_up()
        senders: tuple[Deliverer, AlertmanagerSync] | None = None
        while True:
            self.wake.wait()
            self.wake.clear()
            last = self.stopping.is_set()
            cycled = self.cycled.is_set()
            self.cycled.clear()
            if self.paused():
                if last:
                    break
                continue
            try:  # opened here, not before the loop: the file may only become writable later
                if senders is None:
                    conn = open_database(self.db_path)
                    senders = (
                        Deliverer(conn, self.config, self.host, on_sent=self.wake.set),
                        AlertmanagerSync(conn, self.config, interval=self.interval),
                    )
            except Exception as error:
                self._warn_once({"open": f"notification delivery failed: {type(error).__name__}: {error}"})
                if last:
                    break
                continue
            deliverer, alertmanagers = senders
            if last:  # this process's final notices, then stop (what is in flight waits at most 2.5 s)
                problems = {
                    "delivery": self._attempt(
                        "notification delivery", lambda: deliverer.deliver_due(self.clock(), budget=1.5)
                    )
                }
            else:
                problems = {"delivery": self._attempt("notification delivery", lambda: deliverer.pump(self.clock()))}
            if cycled or last:
                problems["alertmanager"] = self._attempt(
                    "alertmanager sync", lambda: alertmanagers.sync(self.clock(), timeout=2.0 if last else None)
                )
            self._warn_once(problems)
            if last:
                break
        if senders is not None:
            senders[0].conn.close()
