"""Random arguments never make a traceback: an exit status in {0, 1, 2} and at most two lines on stderr.

Runs `alertctl.cli.app.main` in this process (as the console script does, so a bad
option is the same one line as from a shell) against one database seeded with a
few alerts; hypothesis picks ids, durations, dates, labels and garbage.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import run_here, thorough

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Seeded:
    config: Path
    db: Path

    def run(self, *args: str) -> Ran:
        """One command through the console script's `main`, in this process."""
        done = run_here(*args, "-c", str(self.config), "--db", str(self.db))
        return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    """Two alerts opened by `check` (one then resolved), one acknowledged, one silence."""
    value = tmp_path / "value"
    value.write_text("99\n")
    config = tmp_path / "alertctl.toml"
    config.write_text(
        textwrap.dedent(f"""
        [[checks]]
        name = "q"
        type = "command"
        command = ["cat", "{value}"]

        [[rules]]
        name = "q-high"
        metric = "q.value"
        warning = 80
        critical = 95

        [[rules]]
        name = "q-any"
        metric = "q.value"
        warning = 1
        labels = {{ team = "ops" }}
    """)
    )
    rig = Seeded(config, tmp_path / "a.db")
    silence = ["suppress", "--rule", "q-any", "--for", "1h", "--reason", "x"]
    for args in (["check"], ["ack", "1"], ["resolve", "2"], silence):
        assert rig.run(*args).code in (0, 2), args
    yield rig


TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)


def mostly(valid: list[str], odd: list[str]) -> st.SearchStrategy[str]:
    """Valid values half the time, so commands get past their first check; odd ones and garbage the rest.

    `\udcff` is how Python hands over an argument byte that is not UTF-8 (`$'\\xff'` in a shell).
    """
    return st.sampled_from(valid) | st.sampled_from([*odd, "\udcff", "a\udcfeb"]) | TEXT


IDS = mostly(
    ["1", "2", "3"], ["-1", "0", "99999999999999999999", "9223372036854775807", "abc", "١", "1.5", "", " 1"]
) | st.integers(-(10**22), 10**22).map(str)
DURATIONS = mostly(
    ["5m", "2h", "7d", "500ms", "1w", "2026-11-23", "2026-11-23T10:00:00+02:00", "1970-01-01"],
    [
        "0",
        "0s",
        "-1h",
        "1e9",
        "99999999999999999999w",
        "inf",
        "nan",
        "1.5",
        "2026-13-45",
        "0001-01-01",
        "9999-12-31T23:59:59",
        "9999-12-31T23:59:59-14:00",
        "yesterday",
        "",
        " ",
    ],
)
LABELS = mostly(["mount=/", "team=ops", "k="], ["=x", "x", "a=b=c", "==", " =1"]) | st.tuples(TEXT, TEXT).map("=".join)
CHOICES = mostly(["warning", "critical", "firing", "acknowledged", "suppressed", "resolved"], ["WARNING", "", "all"])
NUMBERS = mostly(["1", "5", "1000"], ["0", "-1", "abc", "", "9223372036854775808"])
NUMBERS |= st.integers(-(10**21), 10**21).map(str)
RULES = mostly(["q-high", "q-any"], ["", "cpu-high", "%", "q-high'"])


def option(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(values.map(lambda v: [name, v]), max_size=2).map(lambda pairs: [x for p in pairs for x in p])


def joined(*parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda lists: [x for part in lists for x in part])


ARGUMENTS = st.one_of(
    joined(st.just(["show"]), IDS.map(lambda i: [i])),
    joined(st.just(["ack"]), st.lists(IDS, min_size=1, max_size=3), option("--note", TEXT), option("--by", TEXT)),
    joined(st.just(["resolve"]), st.lists(IDS, min_size=1, max_size=3), option("--note", TEXT)),
    joined(
        st.just(["suppress"]),
        st.lists(IDS, max_size=1),
        option("--for", DURATIONS),
        option("--reason", TEXT),
        option("--rule", RULES),
        option("--label", LABELS),
    ),
    joined(st.just(["unsuppress"]), st.lists(IDS, max_size=1), option("--silence", IDS)),
    joined(
        st.just(["history"]),
        option("--since", DURATIONS),
        option("--until", DURATIONS),
        option("--label", LABELS),
        option("--severity", CHOICES),
        option("--status", CHOICES),
        option("--limit", NUMBERS),
        option("--rule", RULES),
        st.sampled_from([[], ["--json"], ["--csv"]]),
    ),
    joined(st.just(["report"]), option("--since", DURATIONS), option("--until", DURATIONS), option("--rule", RULES)),
    joined(st.just(["prune"]), option("--older-than", DURATIONS)),
    joined(st.just(["watch", "--cycles", "1"]), option("--interval", DURATIONS)),
)


def assert_no_traceback(args: list[str], ran: Ran, statuses: tuple[int, ...], failure: int | None = None) -> None:
    """`failure`: the one status that means an error (`check` exits 1 and 2 for its verdict)."""
    assert "Traceback" not in ran.stdout + ran.stderr, (args, ran.stderr)
    assert "internal error" not in ran.stderr, (args, ran.stderr)
    assert ran.code in statuses, (args, ran)
    event(f"{args[0]} exit {ran.code}")
    if ran.code != 0 and failure in (None, ran.code):
        assert 1 <= len(ran.stderr.splitlines()) <= 2, (args, ran.stderr)


@settings(
    max_examples=thorough(200, 500),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ARGUMENTS)
def test_random_arguments_never_make_a_traceback(seeded: Seeded, args: list[str]) -> None:
    assert_no_traceback(args, seeded.run(*args), (0, 1, 2))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["--json", "--dry-run"]) | TEXT, max_size=2))
def test_check_answers_nagios_whatever_it_is_given(seeded: Seeded, args: list[str]) -> None:
    assert_no_traceback(["check", *args], seeded.run("check", *args), (0, 1, 2, 3), failure=3)
