"""Keeping Alertmanager's view of the open alerts in sync: the `alertmanager` channels.

State, not notices: Alertmanager groups, routes, repeats and silences by itself.
Its client contract (what Prometheus does) is followed: every instance listed
gets every open alert routed to the channel, again at least every `resend` so
that none times out, and an alert that ended is posted once more with `endsAt`
set. Each instance's last accepted set is kept in the database (`state`), so a
resolve owed to an instance that is down is posted when it answers again, by
this process or the next. An instance that fails is retried after 5 s, 10 s,
20 s ... (at most `resend`); its outage is reported once, not every cycle.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from alertctl.config.runtime import AlertmanagerChannel, Config
from alertctl.durations import iso
from alertctl.model import Alert, Transition
from alertctl.notify import am_payload
from alertctl.notify.am_payload import Payload
from alertctl.notify.deliver import retry_delay
from alertctl.notify.policy import SLACK, admits
from alertctl.notify.redact import redact_http
from alertctl.notify.send import Sent, scrub
from alertctl.store import alerts, state
from alertctl.store.db import transaction

TIMEOUT = 5.0
"""Seconds to connect, and again to read the answer, per instance."""
BUDGET = 10.0
"""Seconds one sync may spend on all instances together; an instance left over waits for the next."""


@dataclass(frozen=True)
class Instance:
    """What one Alertmanager instance was last sent, and how its outage (if any) stands."""

    sent: dict[str, Payload] = field(default_factory=dict)
    """Payloads it may hold as open, by label set: each is posted again, ended, once it is not open."""
    synced_at: float | None = None
    failures: int = 0
    """Failed posts since it last accepted one."""
    retry_at: float | None = None

    @classmethod
    def from_json(cls, value: object) -> Instance:
        return cls(**value) if isinstance(value, dict) else cls()

    def to_json(self) -> dict[str, object]:
        return {"sent": self.sent, "synced_at": self.synced_at, "failures": self.failures, "retry_at": self.retry_at}

    def due(self, current: dict[str, Payload], now: float, resend: float) -> bool:
        """After a failure, once its retry time comes; else on any change, or when `resend` has passed."""
        if self.retry_at is not None and now < self.retry_at:
            return False
        if self.failures or self.changed(current):
            return True
        return bool(current) and (self.synced_at is None or now - self.synced_at >= resend - SLACK)

    def changed(self, current: dict[str, Payload]) -> bool:
        return _changes(self.sent) != _changes(current)

    def accepted(self, current: dict[str, Payload], now: float) -> Instance:
        return Instance(dict(current), now)

    def refused(self, current: dict[str, Payload], now: float, resend: float) -> Instance:
        """Keeps what may have arrived anyway (a post can land and its answer time out), to end it later."""
        failures = self.failures + 1
        return Instance(self.sent | current, self.synced_at, failures, now + min(retry_delay(failures), resend))


def _changes(sent: dict[str, Payload]) -> dict[str, tuple[object, object]]:
    """What a change to post at once is: a label set opening or ending, a restart, a new status.
    The message is left out: it follows the value, and goes out with the next re-post."""
    return {key: (p["startsAt"], p["annotations"]["status"]) for key, p in sent.items()}  # type: ignore[index]


class AlertmanagerSync:
    """A `Notifier` posting to every Alertmanager channel's instances over one connection;
    `config()` is read each time (SIGHUP reloads)."""

    def __init__(
        self, conn: sqlite3.Connection, config: Callable[[], Config],
        warn: Callable[[str], None] = lambda message: None, log: Callable[[str], None] = lambda line: None,
        budget: float = BUDGET,
    ) -> None:
        self.conn = conn
        self.config = config
        self.warn = warn
        self.log = log
        self.budget = budget

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        self.sync(now)

    def sync(self, now: float, budget: float | None = None) -> None:
        config = self.config()
        if not config.notify.alertmanagers:
            return
        deadline = time.monotonic() + (self.budget if budget is None else budget)
        open_alerts = alerts.current(self.conn)
        for channel in config.notify.alertmanagers:
            current = routed(channel, config, open_alerts, now)
            for url in channel.urls:
                if time.monotonic() >= deadline:
                    return
                self._instance(channel, url, current, now, deadline)

    def _instance(
        self, channel: AlertmanagerChannel, url: str, current: dict[str, Payload], now: float, deadline: float
    ) -> None:
        key = f"alertmanager:{channel.name}:{redact_http(url)}"
        before = Instance.from_json(state.get_value(self.conn, key))
        if not before.due(current, now, channel.resend):
            return
        over = [self._ended(sent, now) for identity, sent in before.sent.items() if identity not in current]
        outcome = post(url, [*current.values(), *over], min(TIMEOUT, max(deadline - time.monotonic(), 0.5)))
        after = before.accepted(current, now) if outcome.ok else before.refused(current, now, channel.resend)
        with transaction(self.conn):
            state.set_value(self.conn, key, after.to_json())
        self._tell(channel, url, before, outcome)
        if outcome.ok and before.changed(current):
            self.log(f"{iso(now)} alertmanager {channel.name} at {redact_http(url)}: posted {len(current)} open, "
                     f"{len(over)} ended")

    def _ended(self, sent: Payload, now: float) -> Payload:
        """Ended when it resolved; a label set that ended while the alert stays open (a rise to
        critical, a reload that routes it elsewhere) ends now."""
        alert = alerts.get(self.conn, am_payload.alert_id(sent))
        resolved_at = alert.resolved_at if alert is not None else None
        return am_payload.ended(sent, resolved_at if resolved_at is not None else now)

    def _tell(self, channel: AlertmanagerChannel, url: str, before: Instance, outcome: Sent) -> None:
        """An outage once when it starts and once when it ends; in between, nothing every cycle."""
        where = f"alertmanager {channel.name} at {redact_http(url)}"
        if not outcome.ok and not before.failures:
            self.warn(f"{where}: {outcome.error} (will retry; open alerts and resolves are kept until it answers)")
        elif outcome.ok and before.failures:
            self.warn(f"{where}: accepting alerts again after {before.failures} failed attempts")


def routed(channel: AlertmanagerChannel, config: Config, open_alerts: Sequence[Alert], now: float) -> dict[str, Payload]:
    """The open alerts this channel hears of (by `min_severity` and the rules' `channels`), by label set."""
    rules = {rule.name: rule for rule in config.rules}
    until = am_payload.open_until(now, channel.resend, config.agent.interval)
    effective = [a.effective(now) for a in open_alerts]  # a suppression that ran out no longer holds
    payloads = [am_payload.payload(a, until) for a in effective if admits(channel, rules.get(a.rule), a.severity)]
    return {am_payload.identity(p): p for p in payloads}


def post(url: str, payloads: list[Payload], timeout: float) -> Sent:
    """POST to `/api/v2/alerts`; never raises. Basic-auth credentials in the URL become a header
    and never appear in the outcome. Proxy variables are ignored, as Prometheus does by default.

    urllib is imported here, not above: it brings ssl (some 7 MB), which a `watch` without
    Alertmanager channels should not carry."""
    import http.client
    import urllib.error
    import urllib.request

    parts = urlsplit(url)
    headers = {"Content-Type": "application/json"}
    secrets = {unquote(p) for p in (parts.username, parts.password) if p and len(p) >= 4}
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    target = urlunsplit(parts._replace(
        netloc=parts.netloc.rpartition("@")[2], path=parts.path.rstrip("/") + "/api/v2/alerts", query="", fragment=""
    ))
    request = urllib.request.Request(target, json.dumps(payloads).encode(), headers, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
        return Sent(True)
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace").strip()
        return Sent(False, scrub(f"HTTP {error.code}: {detail}", secrets)[:300])
    except (OSError, http.client.HTTPException, ValueError) as error:  # refused, timed out, not HTTP, bad port
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return Sent(False, scrub(str(reason) or type(reason).__name__, secrets)[:300])
