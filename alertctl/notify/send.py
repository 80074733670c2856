"""Sending one notice through one channel's Apprise URLs: the only place apprise sends from.

Imported lazily (inside `send`; `secrets.redact_url` imports it for its privacy form), so a `check` with nothing to send never pays
for apprise. Every URL gets short socket timeouts (`cto`/`rto`) unless the user
set them, and the whole call a deadline, so a hanging receiver costs seconds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from alertctl.config.runtime import Channel
from alertctl.errors import ConfigError
from alertctl.notify.ids import HEADER
from alertctl.secrets import VARIABLE as _VARIABLE
from alertctl.secrets import scrub, secrets_of

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0


@dataclass(frozen=True)
class Sent:
    ok: bool
    error: str | None = None


def expand(channel: Channel, environ: Mapping[str, str] | None = None) -> list[str]:
    """The channel's URLs with `${VARIABLE}` read from the environment; a missing one is a config error."""
    environ = os.environ if environ is None else environ
    urls = []
    for url in channel.urls:
        for name in _VARIABLE.findall(url):
            if name not in environ:
                raise ConfigError(f"notify.channels.{channel.name}.urls: ${{{name}}} is not set in the environment")
        urls.append(_VARIABLE.sub(lambda m: environ[m.group(1)], url))
    return urls


def with_timeouts(url: str) -> str:
    """Add `cto`/`rto` unless present: how long to wait to connect and for an answer."""
    query = urlsplit(url).query
    present = {key for key, _ in parse_qsl(query)}
    extra = [f"{k}={v:g}" for k, v in (("cto", CONNECT_TIMEOUT), ("rto", READ_TIMEOUT)) if k not in present]
    if not extra:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(extra)


_HEADER_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
"""Apprise URLs that take custom headers as `+Name=value`."""


def with_notice_id(url: str, notice_id: str | None) -> str:
    """Add the notice's id as a header where the URL allows custom headers (and does not set it)."""
    if notice_id is None or urlsplit(url).scheme.lower() not in _HEADER_SCHEMES or f"+{HEADER}=" in url:
        return url
    return url + ("&" if "?" in url else "?") + f"+{HEADER}={notice_id}"


def send(
    channel: Channel, title: str, body: str, notify_type: str, timeout: float, notice_id: str | None = None
) -> Sent:
    """Send once; never raises for a delivery problem (it is the outcome), only ConfigError."""
    urls = expand(channel)
    secrets = secrets_of(urls, channel.urls)
    try:
        return _send(
            channel, [with_notice_id(url, notice_id) for url in urls], title, body, notify_type, timeout, secrets
        )
    except Exception as error:  # a plugin bug must not take the loop down
        return Sent(False, scrub(f"{type(error).__name__}: {error}", secrets)[:500])


def _send(
    channel: Channel, urls: list[str], title: str, body: str, notify_type: str, timeout: float, secrets: set[str]
) -> Sent:
    import apprise

    sender = apprise.Apprise()
    for index, url in enumerate(urls):
        if not sender.add(with_timeouts(url)):
            from alertctl.notify.urls import describe

            return Sent(
                False,
                f"channel {channel.name}: an Apprise URL could not be understood: urls[{index}], "
                f"{describe(channel.urls[index])} (`alertctl config validate` checks every URL)",
            )
    if channel.config:
        config = apprise.AppriseConfig()
        if not config.add(channel.config) or not sender.add(config):
            return Sent(False, f"channel {channel.name}: cannot use Apprise config {channel.config}")
    if len(sender) == 0:
        return Sent(False, f"channel {channel.name}: no usable Apprise URL")
    result = sender.notify(body=body, title=title, notify_type=notify_type, timeout=max(timeout, 0.5))
    if result:
        return Sent(True)
    return Sent(False, scrub(_why(result), secrets)[:500])


def _why(result: object) -> str:
    lines = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR", "CRITICAL")]  # type: ignore[attr-defined]
    status = getattr(getattr(result, "status", None), "name", "FAILURE").lower()
    return "; ".join(dict.fromkeys(lines)) or f"delivery {status}"


def warm_up() -> None:
    """Import apprise ahead of the first notice (a `watch` with channels), so it is not on the latency path."""
    import apprise  # noqa: F401
