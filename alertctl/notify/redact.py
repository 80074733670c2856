"""Channel URLs with their secrets hidden, for anything a person or a log will read."""

from __future__ import annotations

import re

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""`${NAME}` in a channel URL, read from the environment at send time."""

PASSWORD = re.compile(r"://[^/\s@:]*:[^/\s@]+@")
"""`scheme://user:password@host`"""
_GENERIC = {"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"}
_HEADER_VALUE = re.compile(r"([?&](?:[+:-]|%2[bBdD]|%3[aA])[^=&]+=)([^&]*)")
"""`+Header=`, `-param=` and `:field=` values; Apprise's own URL percent-encodes the `+` and `:`."""


def redact_url(url: str) -> str:
    """Apprise's own privacy form, plus `+Header=` (and `:field=`) values, which that form leaves visible."""
    import apprise

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not plugin:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://(unparseable URL hidden)"
    return _HEADER_VALUE.sub(r"\1***", plugin.url(privacy=True))


def holds_secret(url: str) -> bool:
    """Whether `url` as written, its `${VARIABLE}`s aside, has a secret in it; without importing apprise.

    A password or a `+Header=` value anywhere; beyond those, the generic webhooks and
    mail hide nothing in Apprise's privacy form, while every other service keeps
    tokens in its host and path (`slack://T1/B2/c3`, `tgram://bot:token/chat`).
    `slack://${SLACK_TOKEN}` keeps the token out of the file.
    """
    written = VARIABLE.sub("", url)
    if PASSWORD.search(written) or any(match.group(2) for match in _HEADER_VALUE.finditer(written)):
        return True
    scheme, _, rest = written.partition("://")
    return scheme.lower() not in _GENERIC and bool(rest.split("?")[0].strip("/"))


def redact_http(url: str) -> str:
    """An Alertmanager URL without its basic-auth credentials (user too: it may be a token).

    Everything from `://` to the last `@` goes, not only what a URL parser calls the user
    info: an unencoded `#`, `/` or `?` in a password would end the host part early and
    leave the rest of the password in view."""
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return url
    return f"{scheme}://***@{rest.rpartition('@')[2]}"
