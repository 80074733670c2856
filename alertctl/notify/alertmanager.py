"""Keeping Alertmanager's view of the open alerts in sync: the `alertmanager` channels.

State, not notices: Alertmanager groups, routes, repeats and silences by itself.
Its client contract (what Prometheus does) is followed: every instance listed
gets every open alert routed to the channel, again at least every `resend` so
that none times out, and an alert that ended is posted once more with `endsAt`
set. Each instance's last accepted set is kept in the database (`state`), so a
resolve owed to an instance that is down is posted when it answers again, by
this process or the next. All instances are posted to at once, so one that
hangs costs the sync its 5 s timeout and delays no other. An instance that
fails is retried after 5 s, 10 s, 20 s ... (at most `resend`); its outage is
a warning once when it starts and once when it ends, not every cycle (the state kept
per instance knows), and each post that carried a change is logged at INFO.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from alertctl import reported
from alertctl.config.runtime import AlertmanagerChannel, Config
from alertctl.durations import iso
from alertctl.model import Alert, Status, Transition
from alertctl.notify import am_payload
from alertctl.notify.am_payload import Payload
from alertctl.notify.deliver import retry_delay
from alertctl.notify.policy import SLACK, admits
from alertctl.notify.send import Sent
from alertctl.secrets import basic_auth, redact_http, scrub
from alertctl.store import alerts, state
from alertctl.store.db import transaction

if TYPE_CHECKING:
    from urllib.error import HTTPError
    from urllib.request import HTTPRedirectHandler

TIMEOUT = 5.0
"""Seconds an instance has to connect and answer; all are posted to at once, so this bounds a sync."""
GRACE = 0.25
"""Beyond the timeout, for a post that timed out to say so itself rather than be cut off."""


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


@dataclass(frozen=True)
class _Due:
    """One post this sync owes: to which instance, what is open and what ended, and what it had."""

    channel: AlertmanagerChannel
    url: str
    key: str
    before: Instance
    current: dict[str, Payload]
    ended: list[Payload]


class AlertmanagerSync:
    """A `Notifier` posting to every Alertmanager channel's instances over one connection;
    `config()` is read each time (SIGHUP reloads).

    `interval()` is how often the caller syncs, for `endsAt`: `watch --interval 5m` posts every
    5 min whatever the config says, and an `endsAt` sized to the config's 10 s would lapse
    between posts. By default the config's own interval (a cron `check` relies on `resend`)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Callable[[], Config],
        timeout: float = TIMEOUT,
        interval: Callable[[], float] | None = None,
    ) -> None:
        self.conn = conn
        self.config = config
        self.timeout = timeout
        self.interval = interval or (lambda: self.config().agent.interval)

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        self.sync(now)

    def sync(self, now: float, timeout: float | None = None) -> None:
        """Post to every instance that is due, all at once: one sync takes at most `timeout`."""
        config = self.config()
        if not config.notify.alertmanagers:
            return
        open_alerts = alerts.current(self.conn)
        due = [
            owed
            for channel in config.notify.alertmanagers
            for owed in self._due(channel, routed(channel, config, open_alerts, now, self.interval()), now)
        ]
        if not due:
            return
        outcomes = post_all(
            [(d.url, [*d.current.values(), *d.ended]) for d in due], self.timeout if timeout is None else timeout
        )
        with transaction(self.conn):
            for owed, outcome in zip(due, outcomes, strict=True):
                after = (
                    owed.before.accepted(owed.current, now)
                    if outcome.ok
                    else owed.before.refused(owed.current, now, owed.channel.resend)
                )
                state.set_value(self.conn, owed.key, after.to_json())
        for owed, outcome in zip(due, outcomes, strict=True):
            self._tell(owed, outcome, now)

    def _due(self, channel: AlertmanagerChannel, current: dict[str, Payload], now: float) -> list[_Due]:
        found = []
        for url in channel.urls:
            key = f"alertmanager:{channel.name}:{redact_http(url)}"
            before = Instance.from_json(state.get_value(self.conn, key))
            if before.due(current, now, channel.resend):
                ended = [self._ended(sent, now) for identity, sent in before.sent.items() if identity not in current]
                found.append(_Due(channel, url, key, before, current, ended))
        return found

    def _ended(self, sent: Payload, now: float) -> Payload:
        """Ended when it resolved; a label set that ended while the alert stays open (a rise to
        critical, a reload that routes it elsewhere) ends now."""
        alert = alerts.get(self.conn, am_payload.alert_id(sent))
        resolved_at = alert.resolved_at if alert is not None else None
        return am_payload.ended(sent, resolved_at if resolved_at is not None else now)

    def _tell(self, owed: _Due, outcome: Sent, now: float) -> None:
        """An outage once when it starts and once when it ends; in between, nothing every cycle.
        The log (`watch` on a pipe) also gets each accepted post that carried a change."""
        where = f"alertmanager {owed.channel.name} at {redact_http(owed.url)}"
        failures = owed.before.failures
        if not outcome.ok and not failures:
            reported.logger(__name__).warning(
                "%s: %s (will retry; open alerts and resolves are kept until it answers)", where, outcome.error
            )
        elif outcome.ok and failures:
            reported.logger(__name__).warning("%s: accepting alerts again after %d failed attempts", where, failures)
        if outcome.ok and owed.before.changed(owed.current):
            reported.logger(__name__).info(
                "%s %s: posted %d open, %d ended", iso(now), where, len(owed.current), len(owed.ended)
            )


def routed(
    channel: AlertmanagerChannel, config: Config, open_alerts: Sequence[Alert], now: float, interval: float
) -> dict[str, Payload]:
    """The open alerts this channel hears of (by `min_severity` and the rules' `channels`), by label set;
    `interval` is how often they are synced.

    A suppressed alert is left out, so Alertmanager ends it: posted, it would be notified there,
    and suppressing means "tell no one". It is posted again once the suppression ends."""
    rules = {rule.name: rule for rule in config.rules}
    until = am_payload.open_until(now, channel.resend, interval)
    effective = [a.effective(now) for a in open_alerts]  # a suppression that ran out no longer holds
    payloads = [
        am_payload.payload(a, until)
        for a in effective
        if a.status is not Status.SUPPRESSED and admits(channel, rules.get(a.rule), a.severity)
    ]
    return {am_payload.identity(p): p for p in payloads}


def post_all(posts: Sequence[tuple[str, list[Payload]]], timeout: float) -> list[Sent]:
    """Each in its own thread, so an instance that hangs holds up no other; one that has not
    answered within `timeout` (connecting and answering together) counts as failed, and its
    thread is left to end by itself."""
    outcomes = [Sent(False, f"no answer within {timeout:g}s")] * len(posts)

    def run(index: int, url: str, payloads: list[Payload]) -> None:
        outcomes[index] = post(url, payloads, timeout)

    threads = [threading.Thread(target=run, args=(i, url, body), daemon=True) for i, (url, body) in enumerate(posts)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout + GRACE
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    return list(outcomes)


def post(url: str, payloads: list[Payload], timeout: float) -> Sent:
    """POST to `/api/v2/alerts`; never raises. Basic-auth credentials in the URL become a header
    and never appear in the outcome. Proxy variables are ignored, as Prometheus does by default.

    urllib is imported here, not above: it brings ssl (some 7 MB), which a `watch` without
    Alertmanager channels should not carry."""
    import http.client
    import urllib.error
    import urllib.request

    credentials = basic_auth(url)
    headers = {"Content-Type": "application/json"}
    secrets = credentials.secrets
    if credentials.authorization is not None:
        headers["Authorization"] = credentials.authorization
    parts = urlsplit(credentials.url)
    target = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/api/v2/alerts", query="", fragment=""))
    request = urllib.request.Request(target, json.dumps(payloads).encode(), headers, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _refusing_redirects())
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
        return Sent(True)
    except urllib.error.HTTPError as error:
        return Sent(False, scrub(f"HTTP {error.code}: {_refusal(error)}", secrets)[:300])
    except (OSError, http.client.HTTPException, ValueError) as error:  # refused, timed out, not HTTP, bad port
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return Sent(False, scrub(str(reason) or type(reason).__name__, secrets)[:300])


def _refusing_redirects() -> HTTPRedirectHandler:
    """A redirect is answered with an error, not followed: urllib would turn the POST into a GET
    (which Alertmanager answers 200, so alerts would be lost while counted as accepted) and send
    the Authorization header on to wherever the redirect points."""
    import urllib.request

    class RefuseRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object) -> None:
            return None  # urllib then raises the 3xx as an HTTPError

    return RefuseRedirects()


def _refusal(error: HTTPError) -> str:
    """What an error answer said: for a redirect, where it pointed (credentials hidden)."""
    if 300 <= error.code < 400:
        where = redact_http(error.headers.get("Location") or "(no Location)")
        return f"redirected to {where}; alertmanager URLs must point at the API itself"
    return error.read(300).decode("utf-8", "replace").strip()
