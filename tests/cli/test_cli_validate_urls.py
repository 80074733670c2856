"""`config validate` reads every Apprise URL with Apprise and names the one it cannot understand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Rig
from tests.conftest import run_here


def _config(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "c.toml"
    quoted = ", ".join(f'"{url}"' for url in urls)
    path.write_text(f"[notify.channels.ops]\nurls = [{quoted}]\n")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "http//hooks.example.com/T0kenSecret",
            "no `://` after 'http', host hooks.example.com; Apprise calls a plain webhook json://, form:// or xml://",
        ),
        ("T0kenA/T0kenB/T0kenSecret", "no scheme (expected NAME://...)"),
        (
            "slak://T0kenA/T0kenB/T0kenSecret",
            "unknown scheme 'slak', host hidden (it may be a token); did you mean slack://?",
        ),
        (
            "jsno://user:T0kenSecret@hooks.example.com/x",
            "unknown scheme 'jsno', host hooks.example.com; did you mean json://?",
        ),
        ("slack://T0kenSecret", "scheme slack, host hidden (it may be a token); see Apprise's documentation"),
    ],
)
def test_a_url_apprise_cannot_understand_is_refused_by_key_scheme_and_host(tmp_path: Path, url: str, said: str) -> None:
    config = _config(tmp_path, "json://127.0.0.1:9/fine", url)

    result = run_here("config", "validate", str(config))

    assert (result.returncode, result.stdout) == (2, "")
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"alertctl: {config}: notify.channels.ops.urls[1]: Apprise cannot understand this URL: ")
    assert said in line
    assert "T0ken" not in line


def test_every_bad_url_is_named_and_a_good_file_passes(tmp_path: Path) -> None:
    bad = run_here("config", "validate", str(_config(tmp_path, "http//host/", "json://127.0.0.1/x", "slak://a/b")))
    assert bad.returncode == 2
    assert [line.split(": ")[2] for line in bad.stderr.splitlines()] == [
        "notify.channels.ops.urls[0]",
        "notify.channels.ops.urls[2]",
    ]

    good = run_here("config", "validate", str(_config(tmp_path, "json://127.0.0.1:9/x", "mailto://u:p@example.com")))
    assert good.returncode == 0 and good.stderr == "" and ": ok (" in good.stdout


def test_a_url_whose_variable_is_unset_here_is_said_not_checked(tmp_path: Path) -> None:
    config = _config(tmp_path, "slak://${SLACK_TOKEN}")

    unset = run_here("config", "validate", str(config))
    assert unset.returncode == 0, unset.stderr
    assert (
        unset.stderr == f"alertctl: warning: {config}: notify.channels.ops.urls[0]: not checked: "
        "${SLACK_TOKEN} is not set here\n"
    )

    checked = run_here("config", "validate", str(config), env={"SLACK_TOKEN": "T0kenA/T0kenB/T0kenSecret"})
    assert checked.returncode == 2 and "unknown scheme 'slak'" in checked.stderr
    assert "T0ken" not in checked.stderr


def test_a_send_through_such_a_url_names_it_too(rig: Rig) -> None:
    rig.configure(rig.q_rule(), preamble='[notify.channels.ops]\nurls = ["slak://T0kenA/T0kenB/T0kenSecret"]\n')
    rig.config.chmod(0o600)
    rig.set_value(90)

    result = rig.here("check")

    assert result.returncode == 1
    assert (
        "alertctl: notice to ops failed (will retry): opened #1 - channel ops: an Apprise URL could not be "
        "understood: urls[0], unknown scheme 'slak'" in result.stderr
    )
    assert "`alertctl config validate` checks every URL" in result.stderr and "T0ken" not in result.stderr


def test_an_apprise_config_file_without_a_usable_url_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ok.yml").write_text("urls:\n  - json://127.0.0.1:9/x\n")
    (tmp_path / "bad.yml").write_text("urls:\n  - slak://T0kenA/T0kenSecret\n")
    config = tmp_path / "c.toml"
    config.write_text(
        f'[notify.channels.ok]\nconfig = "{tmp_path}/ok.yml"\n'
        f'[notify.channels.bad]\nconfig = "{tmp_path}/bad.yml"\n'
        f'[notify.channels.gone]\nconfig = "{tmp_path}/missing.yml"\n'
    )

    result = run_here("config", "validate", str(config))

    assert result.returncode == 2
    assert [line.split(": ")[2] for line in result.stderr.splitlines()] == [
        "notify.channels.bad.config",
        "notify.channels.gone.config",
    ]
    assert "T0ken" not in result.stderr
