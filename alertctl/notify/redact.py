"""Channel URLs with their secrets hidden, for anything a person or a log will read."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_HEADER_VALUE = re.compile(r"([?&](?:[+:-]|%2[bBdD]|%3[aA])[^=&]+=)[^&]*")
"""`+Header=`, `-param=` and `:field=` values; Apprise's own URL percent-encodes the `+` and `:`."""


def redact_url(url: str) -> str:
    """Apprise's own privacy form, plus `+Header=` (and `:field=`) values, which that form leaves visible."""
    import apprise

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not plugin:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://(unparseable URL hidden)"
    return _HEADER_VALUE.sub(r"\1***", plugin.url(privacy=True))


def redact_http(url: str) -> str:
    """An Alertmanager URL without its basic-auth credentials (user too: it may be a token)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))
