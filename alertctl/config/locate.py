"""Where the config file and the database live, first match wins (see the contract)."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else Path.home() / fallback


def config_candidates() -> list[Path]:
    return [
        Path("alertctl.toml"),
        _xdg("XDG_CONFIG_HOME", ".config") / "alertctl" / "config.toml",
        Path("/etc/alertctl/config.toml"),
    ]


def config_path(explicit: Path | None) -> Path | None:
    """The file to read, or None for built-in defaults. An explicit path must exist."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("ALERTCTL_CONFIG")
    if from_env:
        return Path(from_env)
    return next((path for path in config_candidates() if path.is_file()), None)


def database_path(explicit: Path | None, configured: str | None) -> Path:
    if explicit is not None:
        return explicit
    from_env = os.environ.get("ALERTCTL_DB")
    if from_env:
        return Path(from_env)
    if configured:
        return Path(configured).expanduser()
    return _xdg("XDG_STATE_HOME", ".local/state") / "alertctl" / "alertctl.db"


def database_of_unloadable(explicit: Path | None) -> str | None:
    """`[agent] database` as far as it can be read from a config that fails to load:
    the environment's `ALERTCTL_AGENT__DATABASE` (it would win), else the file's if it is TOML."""
    import tomllib  # only here: every command imports this module, and a cron `check` never needs it

    from_env = next((v for k, v in os.environ.items() if k.upper() == "ALERTCTL_AGENT__DATABASE"), None)
    if from_env:
        return from_env
    path = config_path(explicit)
    try:
        text = path.read_text(encoding="utf-8") if path else ""
    except (OSError, UnicodeDecodeError):
        return None
    try:
        agent = tomllib.loads(text).get("agent")
    except (RecursionError, tomllib.TOMLDecodeError):
        return _database_line(text)  # a typo elsewhere in the file must not send `ack` to another database
    database = agent.get("database") if isinstance(agent, dict) else None
    return database if isinstance(database, str) and database else None


def _database_line(text: str) -> str | None:
    """`database = "..."` under `[agent]`, read line by line from a file TOML cannot parse whole."""
    import tomllib

    table = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped
        elif table == "[agent]" and stripped.startswith("database"):
            try:
                database = tomllib.loads(stripped).get("database")
            except tomllib.TOMLDecodeError:
                return None
            return database if isinstance(database, str) and database else None
    return None


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / "alertctl"
