"""Whether Apprise understands a channel's URLs, asked of Apprise itself, and said without secrets.

`config validate` runs it over every channel (a cron `check` never pays for it);
a send that meets such a URL anyway names it the same way.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alertctl.config.runtime import Channel
from alertctl.secrets import VARIABLE


@dataclass(frozen=True)
class UrlProblem:
    key: str
    """As the config spells it: `notify.channels.ops.urls[0]`."""
    message: str
    fatal: bool = True
    """False when the URL could not be checked here (a `${VARIABLE}` unset in this environment)."""


def problems(channels: Sequence[Channel], environ: Mapping[str, str] | None = None) -> list[UrlProblem]:
    """Every URL Apprise cannot make a notifier of, and every one that cannot be checked here."""
    environ = os.environ if environ is None else environ
    found = []
    for channel in channels:
        for index, url in enumerate(channel.urls):
            key = f"notify.channels.{channel.name}.urls[{index}]"
            unset = [name for name in VARIABLE.findall(url) if name not in environ]
            if unset:
                found.append(UrlProblem(key, f"not checked: ${{{unset[0]}}} is not set here", fatal=False))
            elif not _understood(VARIABLE.sub(lambda m: environ[m.group(1)], url)):
                found.append(UrlProblem(key, f"Apprise cannot understand this URL: {describe(url)}"))
        if channel.config and not _config_usable(channel.config):
            found.append(
                UrlProblem(
                    f"notify.channels.{channel.name}.config",
                    f"Apprise finds no usable URL in {channel.config} (missing, unreadable, or no URL it understands)",
                )
            )
    return found


def _understood(url: str) -> bool:
    import apprise

    return apprise.Apprise.instantiate(url, suppress_exceptions=True) is not None


def _config_usable(path: str) -> bool:
    import apprise

    config, sender = apprise.AppriseConfig(), apprise.Apprise()
    return bool(config.add(path) and sender.add(config) and len(sender))


def describe(url: str) -> str:
    """The URL's scheme and host, never a secret: a host that may be a token (`slack://T1/...`) is hidden."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        mangled = _MANGLED.match(url)  # `http//host/`, `json:/host`; anything else may be all token
        if mangled is None or mangled.group(1).lower() not in [*_schemes(), "http", "https"]:
            return "no scheme (expected NAME://...)"
        scheme, rest = mangled.groups()
        return f"no `://` after {scheme!r}, {_where(rest)}{_hint(scheme)}"
    if scheme.lower() in _schemes():
        return f"scheme {scheme}, {_where(rest)}; see Apprise's documentation of {scheme}:// for its form"
    return f"unknown scheme {scheme!r}, {_where(rest)}{_hint(scheme)}"


_MANGLED = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):?/+(.*)$")


def _where(rest: str) -> str:
    """The host of what follows `scheme://`, unless it may be a token."""
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    host = authority.partition("]")[0] + "]" if authority.startswith("[") else authority.partition(":")[0]
    if not host:
        return "no host"
    return f"host {host}" if _plainly_a_host(host) else "host hidden (it may be a token)"


def _hint(scheme: str) -> str:
    if scheme.lower() in ("http", "https"):
        return "; Apprise calls a plain webhook json://, form:// or xml:// (jsons:// for HTTPS)"
    close = difflib.get_close_matches(scheme.lower(), _schemes(), n=1, cutoff=0.75)
    return f"; did you mean {close[0]}://?" if close else ""


def _plainly_a_host(host: str) -> bool:
    """A DNS name with a dot, localhost or an IP address; anything else may be a token."""
    if host.lower() == "localhost" or ("." in host and re.fullmatch(r"[A-Za-z0-9.-]+", host)):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _schemes() -> list[str]:
    from apprise.manager_plugins import NotificationManager

    return sorted(NotificationManager().schemas())
