"""Every way alertctl hides a secret: channel URLs, Alertmanager and check URLs, command words.

Below config, notify and metrics (it imports nothing of the package), so each of them
asks here instead of each other. Channel URLs take Apprise's own privacy form (apprise
is imported only by `redact_url`, lazily, so a quiet `check` never pays for it); the
rest is plain string work: hide more rather than less.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

HIDDEN = "***"

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""`${NAME}` in a channel URL, read from the environment at send time."""

PASSWORD = re.compile(r"://[^/\s@:]*:[^/\s@]+@")
"""`scheme://user:password@host`"""

_GENERIC = {"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"}
_WEBHOOKS = {"json", "jsons", "xml", "xmls", "form", "forms"}
_HEADER_VALUE = re.compile(r"([?&](?:[+:-]|%2[bBdD]|%3[aA])[^=&]+=)([^&]*)")
"""`+Header=`, `-param=` and `:field=` values; Apprise's own URL percent-encodes the `+` and `:`."""

_SECRET_WORDS = r"pass|pwd|token|secret|key|authori[sz]|auth(?!or)|credential|sig(?!nal)"
_SECRET_NAME = re.compile(_SECRET_WORDS, re.IGNORECASE)
"""A query key, flag, variable or header name whose value is a secret: `api_key`, `--password`."""
_SECRET_QUERY = re.compile(rf"([?&][^=&#]*(?:{_SECRET_WORDS})[^=&#]*=)([^&#]+)", re.IGNORECASE)
_FLAG = re.compile(r"^(--?[A-Za-z][\w-]*)(=.*)?$")
_ASSIGNMENT = re.compile(r"^([A-Za-z_][\w-]*[=:]\s*)(.+)$")
"""`PGPASSWORD=x` (an `env` word) or `Authorization: Bearer x` (a header word)."""
_SHORT_SECRET_FLAGS = {"-p", "-P"}
_STAND_IN = "alertctlvar"
"""What a `${VARIABLE}` stands in as while Apprise reads the URL (it would spell `$%7BNAME%7D`)."""
_ESCAPE = re.compile(r"%[0-9A-F]{2}")


def redact_url(url: str) -> str:
    """A channel URL as Apprise's privacy form shows it, plus what that form leaves visible:
    `+Header=` (and `:field=`) values, and a generic webhook's path tokens. `${VARIABLE}`s
    stay as written (they name a variable, not a secret)."""
    import apprise

    names = VARIABLE.findall(url)
    stand_ins = iter(range(len(names)))
    plugin = apprise.Apprise.instantiate(
        VARIABLE.sub(lambda m: f"{_STAND_IN}{next(stand_ins)}x", url), suppress_exceptions=True
    )
    if not plugin:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://(unparseable URL hidden)"
    shown = _webhook_path_hidden(_HEADER_VALUE.sub(rf"\1{HIDDEN}", plugin.url(privacy=True)))
    for index, name in enumerate(names):
        shown = shown.replace(f"{_STAND_IN}{index}x", f"${{{name}}}")
    return shown


def _webhook_path_hidden(url: str) -> str:
    """`json://host/hook/a8f3k2Lq9Z` -> `json://host/hook/a...Z`, the way Apprise shows
    any other service's path tokens; route words like `/hook` or `/api` stay readable."""
    scheme, separator, rest = url.partition("://")
    if scheme.lower() not in _WEBHOOKS or not separator:
        return url
    location, question, query = rest.partition("?")
    host, slash, path = location.partition("/")
    shown = "/".join(_outer(part) if _token_like(part) else part for part in path.split("/"))
    return f"{scheme}://{host}{slash}{shown}{question}{query}"


def _token_like(part: str) -> bool:
    """Long, or letters and digits mixed: a key, not a word. Variables are never tokens."""
    if part.startswith(_STAND_IN):
        return False
    mixed = any(c.isdigit() for c in part) and any(c.isalpha() for c in part)
    return len(part) >= 16 or (mixed and len(part) >= 6)


def _outer(part: str) -> str:
    """Apprise's `PrivacyMode.Outer`: first and last character."""
    return f"{part[0]}...{part[-1]}"


def holds_secret(url: str) -> bool:
    """Whether a channel URL as written, its `${VARIABLE}`s aside, has a secret in it;
    without importing apprise.

    A password or a `+Header=` value anywhere; beyond those, a generic webhook's path
    tokens (`json://host/hook/a8f3k2Lq9Z`), while mail hides nothing more and every other
    service keeps tokens in its host and path (`slack://T1/B2/c3`, `tgram://bot:token/chat`).
    `slack://${SLACK_TOKEN}` keeps the token out of the file.
    """
    written = VARIABLE.sub("", url)
    if PASSWORD.search(written) or any(match.group(2) for match in _HEADER_VALUE.finditer(written)):
        return True
    scheme, _, rest = written.partition("://")
    location = rest.split("?")[0]
    if scheme.lower() in _WEBHOOKS:
        return any(_token_like(part) for part in location.split("/")[1:])
    return scheme.lower() not in _GENERIC and bool(location.strip("/"))


def redact_http(url: str) -> str:
    """An HTTP URL without its basic-auth credentials (user too: it may be a token).

    Everything from `://` to the last `@` goes, not only what a URL parser calls the user
    info: an unencoded `#`, `/` or `?` in a password would end the host part early and
    leave the rest of the password in view."""
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return url
    return f"{scheme}://{HIDDEN}@{rest.rpartition('@')[2]}"


@dataclass(frozen=True)
class Credentials:
    """An HTTP URL split for sending: the URL without user info, and that user info as a header."""

    url: str
    authorization: str | None
    secrets: frozenset[str]
    """The user and password as written and decoded, to scrub from an error."""


def basic_auth(url: str) -> Credentials:
    """`http://user:pass@host/x` -> `http://host/x` and `Basic dXNlcjpwYXNz`: urllib would
    take `user:pass@host` for the host. The user info ends at the last `@` before the query."""
    scheme, separator, rest = url.partition("://")
    before_query, question, query = rest.partition("?")
    if not separator or "@" not in before_query:
        return Credentials(url, None, frozenset())
    userinfo, _, location = before_query.rpartition("@")
    user, _, password = userinfo.partition(":")
    pair = f"{unquote(user)}:{unquote(password)}"
    found = frozenset(s for s in (user, password, unquote(user), unquote(password)) if len(s) >= 4)
    header = "Basic " + base64.b64encode(pair.encode()).decode()
    return Credentials(f"{scheme}://{location}{question}{query}", header, found)


def query_secrets(url: str) -> set[str]:
    """The values of a URL's secret-looking query keys (`?token=...`): what `redact_check_url` hides,
    to scrub from an error message that quotes the URL."""
    return {match.group(2) for match in _SECRET_QUERY.finditer(url)}


def redact_check_url(url: str) -> str:
    """An http check's URL as shown in alerts and notices: no user info, no secret query values."""
    scheme, separator, rest = url.partition("://")
    before_query, question, query = rest.partition("?")
    if separator and "@" in before_query:
        rest = f"{HIDDEN}@{before_query.rpartition('@')[2]}{question}{query}"
    return _SECRET_QUERY.sub(rf"\1{HIDDEN}", f"{scheme}{separator}{rest}")


def redact_argv(argv: Sequence[str]) -> tuple[str, ...]:
    """A command's words as shown: values after `--password`, `-p`, `--api-key` ..., in
    `--token=x`, `PGPASSWORD=x` and `Authorization: Bearer x`, and URLs' credentials hidden.
    A word holding spaces is a command line of its own (`sh -c "redis-cli -a x llen jobs"`,
    or a whole command written as one word) and is redacted word by word."""
    shown: list[str] = []
    hide_next = False
    for word in argv:
        if hide_next:
            shown.append(HIDDEN)
            hide_next = False
            continue
        flag = _FLAG.match(word)
        if flag and _secret_flag(flag.group(1)):
            shown.append(f"{flag.group(1)}={HIDDEN}" if flag.group(2) else word)
            hide_next = not flag.group(2)
        elif (assignment := _ASSIGNMENT.match(word)) and _SECRET_NAME.search(assignment.group(1)):
            shown.append(assignment.group(1) + HIDDEN)
        elif " " in word.strip():
            shown.append(" ".join(redact_argv(word.split(" "))))
        else:
            shown.append(redact_check_url(word) if "://" in word else word)
    return tuple(shown)


def _secret_flag(flag: str) -> bool:
    return flag in _SHORT_SECRET_FLAGS or (flag.startswith("--") and bool(_SECRET_NAME.search(flag)))


def may_echo(location: Sequence[object], value: object) -> bool:
    """Whether a config error may quote the value it found: never under a channel, never a URL."""
    under_channels = tuple(location[:2]) == ("notify", "channels")
    return not (under_channels or "://" in repr(value))


def secrets_of(expanded: Sequence[str], written: Sequence[str], environ: Mapping[str, str] | None = None) -> set[str]:
    """Every piece of channel URLs that could be a token: passwords, path parts, query values,
    the values of their `${VARIABLE}`s (`written` as in the config, `expanded` as sent)."""
    environ = os.environ if environ is None else environ
    found = {environ[name] for url in written for name in VARIABLE.findall(url) if environ.get(name)}
    for url in expanded:
        parts = urlsplit(url)
        found |= {p for p in (parts.password, parts.username) if p}
        found |= {p for p in parts.path.split("/") if len(p) >= 6}
        found |= {v for k, v in parse_qsl(parts.query) if len(v) >= 4 and k not in ("cto", "rto", "format", "mode")}
        host = parts.netloc.rpartition("@")[2].partition(":")[0]  # as written: .hostname lowercases
        if host and "." not in host and host.lower() != "localhost":
            found.add(host)  # e.g. slack://TokenA/...: the "host" is a token
    return {form for s in found if len(s) >= 4 for form in _spellings(s)}


def _spellings(secret: str) -> set[str]:
    """A secret as written in the URL and decoded, and both as a library quoting it again would
    spell them (`%2B`, `%40`, either case): an exception may quote the URL it was given."""
    plain = unquote(secret)
    quoted = {quote(form, safe="") for form in (secret, plain)}
    return {secret, plain, *quoted, *(_ESCAPE.sub(lambda m: m.group().lower(), form) for form in quoted)}


def scrub(text: str, secrets: set[str] | frozenset[str]) -> str:
    """`text` with every one of `secrets` replaced, longest first."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text
