"""Every file in tests/data/bad-configs is refused with exactly the message next to it.

`NAME.toml` is the config, `NAME.expected` the whole stderr of `config validate`
(every problem, a line each) with `{file}` for the path. `check` must refuse it the
same way, in one or two lines (the first problem, and how many more): no traceback,
the file and the key named. `history` still answers from the database, after a
one-line warning naming the problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from alertctl.cli.app import app
from tests.conftest import run_cli

CORPUS = Path(__file__).parent.parent / "data" / "bad-configs"
CASES = sorted(CORPUS.glob("*.toml"))


def expected_stderr(config: Path) -> str:
    return config.with_suffix(".expected").read_text().replace("{file}", str(config))


def first_and_count(config: Path) -> str:
    """What a command other than `config validate` says: the first problem and how many more."""
    first, *rest = expected_stderr(config).splitlines(keepends=True)
    if not rest:
        return first
    more = f"{len(rest)} more problem{'s' if len(rest) > 1 else ''}"
    return f"{first}alertctl: ... and {more} (`alertctl config validate` or --debug lists them all)\n"


def assert_refused(stderr: str, config: Path) -> None:
    assert stderr == first_and_count(config)
    assert 1 <= len(stderr.splitlines()) <= 2
    assert "Traceback" not in stderr


def test_the_corpus_is_large_and_every_case_has_its_message() -> None:
    assert len(CASES) >= 45
    assert all(case.with_suffix(".expected").is_file() for case in CASES)


HISTORY_HEADER = "id\tstarted_at\tseverity\tworst\tstatus\trule\tlabels\tvalue\tmessage"


@pytest.mark.parametrize("config", CASES, ids=[case.stem for case in CASES])
def test_bad_config_is_refused_by_validate_and_check_and_history_warns(config: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    runner = CliRunner()

    validate = runner.invoke(app, ["config", "validate", str(config)])
    assert (validate.exit_code, validate.stdout, validate.stderr) == (2, "", expected_stderr(config))

    check = runner.invoke(app, ["check", "-c", str(config), "--db", db])
    first_line = expected_stderr(config).splitlines()[0].removeprefix("alertctl: ")
    assert (check.exit_code, check.stdout) == (3, f"ALERTCTL UNKNOWN - {first_line}\n")
    assert_refused(check.stderr, config)

    history = runner.invoke(app, ["history", "-c", str(config), "--db", db])
    assert (history.exit_code, history.stdout.splitlines()) == (0, [HISTORY_HEADER])  # not a terminal: the header alone
    assert history.stderr == f"alertctl: warning: config not loaded, using database {db}: {first_line}\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["toml-unclosed-string", "not-utf8", "rule-empty-table", "check-http-url-with-secret", "agent-interval-inf"]
)
def test_real_process_gives_the_same_answer(name: str, tmp_path: Path) -> None:
    """CliRunner skips `main()` and the interpreter's own exit: a few cases the way cron runs them."""
    config = CORPUS / f"{name}.toml"
    validate = run_cli("config", "validate", str(config), timeout=30)
    assert (validate.returncode, validate.stdout, validate.stderr) == (2, "", expected_stderr(config))
    check = run_cli("check", "-c", str(config), "--db", str(tmp_path / "a.db"), timeout=30)
    assert check.returncode == 3
    assert check.stdout.startswith("ALERTCTL UNKNOWN - ")
    assert_refused(check.stderr, config)


def test_no_message_echoes_a_secret() -> None:
    """Files holding credentials say where the problem is, never what was written there."""
    for case in CASES:
        text = case.with_suffix(".expected").read_text()
        assert "secret" not in text and "hunter2" not in text, case.name
