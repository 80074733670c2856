"""`notify test`: prove each channel reaches someone, before an incident does."""

from typing import Annotated

import typer

from alertctl.cli.common import ConfigOption, DbOption, DebugOption, guarded, load_checked
from alertctl.errors import AlertctlError, ConfigError, UsageError

app = typer.Typer(
    help="Send test notices through the configured channels.", no_args_is_help=True, rich_markup_mode=None
)

TEST_TIMEOUT = 10.0


@app.command("test")
@guarded()
def test(
    channel: Annotated[
        str | None, typer.Option("--channel", help="Only this channel (default: every channel).")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Send one `info` notice through each channel; say which worked; exit 1 if any failed.

    Example: alertctl notify test --channel ops
    """
    from alertctl.notice_text import test_notice
    from alertctl.notify.send import expand, send

    effective = load_checked(config)
    channels = effective.notify.channels
    if not channels:
        raise ConfigError(f"{effective.source}: notify.channels: none configured; add [notify.channels.NAME]")
    if channel is not None:
        chosen = effective.notify.channel(channel)
        if chosen is None:
            known = ", ".join(c.name for c in channels)
            raise UsageError(f"--channel {channel}: no such channel (configured: {known})")
        channels = (chosen,)
    for each in channels:
        try:
            expand(each)  # a missing ${VARIABLE} is a config error (exit 2), before anything is sent
        except ConfigError as error:
            raise ConfigError(f"{effective.source}: {error}") from None
    failed = []
    for each in channels:
        notice = test_notice(each.name, effective.agent.hostname)
        sent = send(each, notice.title, notice.body, notice.notify_type, TEST_TIMEOUT)
        print(f"{each.name}: delivered" if sent.ok else f"{each.name}: failed: {sent.error}", flush=True)
        if not sent.ok:
            failed.append(each.name)
    if failed:
        raise AlertctlError(f"notify test: {len(failed)} of {len(channels)} channels failed: {', '.join(failed)}")
