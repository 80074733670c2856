"""A config file anyone on the machine may read must not hold secrets; find the first one.

Checked on every command, cache hit or not: the cost is one `stat`, and a few
regular expressions for a file that is world-readable (never apprise: a quiet
`check` must not pay for importing it).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

from alertctl.config.runtime import Config
from alertctl.model import Check, CommandCheck, HttpCheck


def exposure_warning(path: Path | None, config: Config) -> str | None:
    """The one-line warning for `path`, or None when it is private or holds nothing secret."""
    if path is None or not _world_readable(path):
        return None
    where = next(_secrets(config), None)
    if where is None:
        return None
    return (
        f"warning: {path} is readable by anyone on this machine and holds a secret ({where}); "
        f"run `chmod 600 {path}` (or 640 for a group)"
    )


def _world_readable(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & stat.S_IROTH)
    except OSError:
        return False


def _secrets(config: Config) -> Iterator[str]:
    """Key paths holding a secret written out in the file, cheapest checks first."""
    for index, check in enumerate(config.checks):
        key = _written_secret(check)
        if key is not None:
            yield f"checks[{index}].{key}"
    for channel in config.notify.channels:
        from alertctl.secrets import holds_secret  # here: a file with no channel or check never loads it

        if any(holds_secret(url) for url in channel.urls):
            yield f"notify.channels.{channel.name}.urls"
    for alertmanager in config.notify.alertmanagers:
        if any(_basic_auth(url) for url in alertmanager.urls):
            yield f"notify.channels.{alertmanager.name}.alertmanager"


def _basic_auth(url: str) -> bool:
    """`https://user:pass@am:9093` (or a token as the user): validation leaves `@` only in the user info."""
    return "@" in url


def _written_secret(check: Check) -> str | None:
    """The key of a check whose value shows differently redacted: it holds a credential."""
    from alertctl.secrets import redact_argv, redact_check_url

    if isinstance(check, HttpCheck) and redact_check_url(check.url) != check.url:
        return "url"
    if isinstance(check, CommandCheck) and redact_argv(check.command) != check.command:
        return "command"
    return None
