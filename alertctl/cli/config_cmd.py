"""`config init | validate | show`: write a starter file, check one, print the effective config."""

import os
from pathlib import Path
from typing import Annotated

import typer

from alertctl.cli.common import ConfigOption, DbOption, DebugOption, JsonOption, error_line, guarded, load_checked
from alertctl.cli.present import replaced_note, to_json
from alertctl.config import locate
from alertctl.config.runtime import Config
from alertctl.errors import AlertctlError, ConfigError
from alertctl.model import Unit
from alertctl.private import make_folders

app = typer.Typer(help="Write, check and print the configuration.", no_args_is_help=True, rich_markup_mode=None)


@app.command("init")
@guarded()
def init(
    path: Annotated[
        Path | None, typer.Argument(help="Where to write (default: ~/.config/alertctl/config.toml).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Write a commented starter file holding the built-in defaults.

    Example: alertctl config init ./alertctl.toml
    """
    from alertctl.config.document import starter
    from alertctl.config.load import defaults

    target = path or locate.config_candidates()[1]
    if target.exists() and not force:
        raise AlertctlError(f"{target}: already exists (use --force to overwrite)")
    make_folders(target.parent)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(starter(defaults()))
    os.chmod(target, 0o600)
    print(f"Wrote {target}")


@app.command("validate")
@guarded()
def validate(
    path: Annotated[Path | None, typer.Argument(help="File to check (default: the one alertctl would use).")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Check a config file; exit 2 naming every key that is wrong, and what is wrong with it.
    Warns (on stderr, exit 0) about what would leave a rule without data: a pinned mount that
    is not mounted, shell syntax in a command that runs without a shell.

    Example: alertctl config validate /etc/alertctl/config.toml
    """
    from alertctl.config.advice import warnings

    try:
        checked = load_checked(path or config, use_cache=False)
    except ConfigError as error:
        raise ConfigError("\n".join(error.problems)) from None
    _check_channel_urls(checked)
    for warning in warnings(checked):
        error_line(f"warning: {checked.source}: {warning}")
    print(
        f"{checked.source}: ok ({len(checked.rules)} rules, {len(checked.checks)} checks, "
        f"{len(checked.notify.channels) + len(checked.notify.alertmanagers)} channels){replaced_note(checked.rules)}"
    )


def _check_channel_urls(checked: Config) -> None:
    """Apprise itself reads every URL: `http//host/` or `slak://...` would only fail at the first alert."""
    if not checked.notify.channels:
        return
    from alertctl.notify.urls import problems

    found = problems(checked.notify.channels)
    for problem in (p for p in found if not p.fatal):
        error_line(f"warning: {checked.source}: {problem.key}: {problem.message}")
    fatal = [f"{checked.source}: {p.key}: {p.message}" for p in found if p.fatal]
    if fatal:
        raise ConfigError("\n".join(fatal))


@app.command("show")
@guarded()
def show(
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Print the effective config (file, environment and defaults) with secrets hidden.

    Example: alertctl config show --json
    """
    import tomli_w

    from alertctl.config.document import document
    from alertctl.secrets import redact_url

    effective = load_checked(config)
    data = document(effective, redact_url)
    if json_:
        print(to_json(data))
        return
    print(f"# effective config from {effective.source} and ALERTCTL_* variables")
    print("".join(f"# {line}\n" for line in _history_size(effective)))
    print(tomli_w.dumps(data), end="")


def _history_size(effective: Config) -> list[str]:
    """How big the history settles for this host's series at this interval and retention
    (`store/history/size.py`: the figures bench/history.py measured)."""
    import textwrap

    from alertctl.durations import format_duration
    from alertctl.store.history.size import estimate
    from alertctl.units import human

    settings, interval = effective.history, effective.agent.interval
    if not settings.enabled:
        return ["history: off ([history] enabled = false), nothing is kept"]
    series, mounts = _series(effective)
    size = estimate(series, interval, settings)
    per_series = estimate(1, interval, settings).total
    checks = len(effective.checks)
    sentences = [
        f"history: at most {series} series here (the built-in metrics, {_count(mounts, 'file system')}, "
        f"{_count(checks, 'check')}) sampled every {format_duration(interval)}",
        f"settle near {human(size.total, Unit.BYTES)}: raw {human(size.raw, Unit.BYTES)} for "
        f"{format_duration(settings.keep_raw)}, 5-minute {human(size.five_minute, Unit.BYTES)} for "
        f"{format_duration(settings.keep_5m)}, hourly {human(size.hourly, Unit.BYTES)} for "
        f"{format_duration(settings.keep_1h)}",
        f"({human(per_series, Unit.BYTES)} a series; estimated from bench/history.py's measured bytes, "
        "docs/history.md)",
    ]
    return [line for sentence in sentences for line in textwrap.wrap(sentence, 78)]  # "# " + 78: a terminal's 80


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _series(effective: Config) -> tuple[int, int]:
    """The series this config can record on this host, and its file systems: an upper bound, as
    `watch` samples only the areas its rules read unless it exports."""
    from alertctl.catalog import SYSTEM_METRICS, check_metrics
    from alertctl.metrics.disk import mounts

    count = len(mounts())
    system = sum(count if spec.labels else 1 for spec in SYSTEM_METRICS)
    return system + sum(len(check_metrics(check.name, check.type)) for check in effective.checks), count
