"""Apprise URLs with their secrets hidden, for anything a person or a log will read."""

from __future__ import annotations

import re

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
