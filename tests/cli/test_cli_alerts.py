"""`show`, `ack`, `resolve` and `prune`: reading one alert and closing alerts by hand."""

from __future__ import annotations

import getpass
import json
import time

import pytest

from tests.cli.conftest import Rig


@pytest.fixture
def two_open(rig: Rig) -> Rig:
    """#1 q-high (warning) and #2 q-other (warning), both firing."""
    rig.configure(
        rig.q_rule(
            extra="""
        description = "The queue is backing up"
        runbook = "https://wiki.example/queue"
        recommendations = ["Restart the consumer", "Look at the dead letters"]
        """
        )
        + rig.q_rule("q-other", warning=85, critical=98)
    )
    rig.set_value(90)
    assert len(rig.cycle_at(time.time()).open_alerts) == 2  # as `check` runs it, without sampling the CPU
    assert [a["id"] for a in rig.alerts()] == [2, 1]
    return rig


def alert(rig: Rig, alert_id: int) -> dict:  # type: ignore[type-arg]
    result = rig.invoke("show", str(alert_id), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- show -------------------------------------------------------------------------


def test_show_prints_the_alert_with_its_context(two_open: Rig) -> None:
    result = two_open.run("show", "1")

    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "#1 q-high" in text
    assert "q.value is 90 (warning above 80" in text
    assert "Restart the consumer" in text
    assert "https://wiki.example/queue" in text
    assert "The queue is backing up" in text
    assert "firing" in text


def test_show_strips_the_terminal_escapes_a_check_printed(rig: Rig) -> None:
    """Colours, a window title, a bell, a carriage return: `show` prints none of them, and the
    colour's digits are not taken for the value."""
    rig.configure(rig.q_rule())
    rig.set_value("\x1b[31m97\x1b[0m jobs\x1b]0;owned\x07 queued\r\x07")
    assert rig.here("check").returncode == 2

    shown = rig.here("show", "1")
    assert shown.returncode == 0, shown.stderr
    assert "97 jobs queued" in shown.stdout
    assert not [c for c in shown.stdout if ord(c) < 32 and c != "\n"]
    assert "owned" not in shown.stdout


def test_show_json_is_the_alert_plus_its_deliveries(two_open: Rig) -> None:
    document = alert(two_open, 1)

    assert document["id"] == 1
    assert document["rule"] == "q-high"
    assert document["deliveries"] == []
    assert document["context"]["recommendations"] == ["Restart the consumer", "Look at the dead letters"]
    assert document["context"]["runbook"] == "https://wiki.example/queue"
    assert document["context"]["check"]["output"] == "90"
    assert document["status"] == "firing"


def test_show_of_an_unknown_id_fails_naming_it(two_open: Rig) -> None:
    result = two_open.run("show", "4242")

    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "4242" in line
    assert "Traceback" not in result.stderr


def test_show_wants_a_number(two_open: Rig) -> None:
    result = two_open.invoke("show", "first")

    assert result.exit_code == 2
    assert "first" in result.stderr


# -- ack --------------------------------------------------------------------------


def test_ack_defaults_to_the_login_name_and_keeps_the_note(two_open: Rig) -> None:
    result = two_open.run("ack", "1", "--note", "on it")

    assert result.returncode == 0, result.stderr
    assert "#1 q-high" in result.stdout
    acked = alert(two_open, 1)
    assert acked["status"] == "acknowledged"
    assert acked["acked_by"] == getpass.getuser()
    assert acked["ack_note"] == "on it"
    assert acked["acked_at"] is not None
    assert alert(two_open, 2)["status"] == "firing"


def test_ack_takes_several_ids_and_a_name(two_open: Rig) -> None:
    result = two_open.invoke("ack", "1", "2", "--by", "alice")

    assert result.exit_code == 0
    for alert_id in (1, 2):
        acked = alert(two_open, alert_id)
        assert (acked["status"], acked["acked_by"], acked["ack_note"]) == ("acknowledged", "alice", None)


def test_acking_twice_is_fine(two_open: Rig) -> None:
    assert two_open.invoke("ack", "1", "--by", "alice", "--note", "first").exit_code == 0
    first = alert(two_open, 1)

    result = two_open.invoke("ack", "1", "--by", "bob")

    assert result.exit_code == 0
    second = alert(two_open, 1)
    assert second["status"] == "acknowledged"
    assert second["acked_at"] == first["acked_at"]
    assert second["ack_note"] == "first"


def test_ack_of_an_unknown_id_fails_and_acks_nothing(two_open: Rig) -> None:
    result = two_open.run("ack", "1", "99")

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "99" in line
    assert alert(two_open, 1)["status"] == "firing"
    assert alert(two_open, 1)["acked_by"] is None


def test_ack_of_a_resolved_alert_leaves_it_resolved(two_open: Rig) -> None:
    assert two_open.invoke("resolve", "1").exit_code == 0

    result = two_open.invoke("ack", "1")

    assert result.exit_code == 0
    assert "already resolved" in result.stdout
    assert alert(two_open, 1)["status"] == "resolved"


def test_ack_needs_an_id(two_open: Rig) -> None:
    assert two_open.invoke("ack").exit_code == 2


# -- resolve ----------------------------------------------------------------------


def test_resolve_closes_by_hand_with_a_note(two_open: Rig) -> None:
    result = two_open.run("resolve", "2", "--note", "fixed the consumer")

    assert result.returncode == 0, result.stderr
    assert "#2 q-other: resolved (manual)" in result.stdout
    closed = alert(two_open, 2)
    assert (closed["status"], closed["resolution"], closed["resolve_note"]) == (
        "resolved",
        "manual",
        "fixed the consumer",
    )
    assert closed["resolved_at"] is not None
    assert alert(two_open, 1)["status"] == "firing"


def test_resolve_of_an_unknown_id_fails_and_resolves_nothing(two_open: Rig) -> None:
    result = two_open.invoke("resolve", "2", "77")

    assert result.exit_code == 1
    assert "77" in result.stderr
    assert alert(two_open, 2)["status"] == "firing"


def test_resolving_twice_keeps_the_first_resolution(two_open: Rig) -> None:
    assert two_open.invoke("resolve", "1", "--note", "first").exit_code == 0
    first = alert(two_open, 1)

    assert two_open.invoke("resolve", "1", "--note", "second").exit_code == 0

    assert alert(two_open, 1) == first


# -- prune ------------------------------------------------------------------------


def test_prune_older_than_zero_removes_resolved_alerts_and_keeps_open_ones(two_open: Rig) -> None:
    assert two_open.invoke("resolve", "2").exit_code == 0
    time.sleep(0.01)

    result = two_open.run("prune", "--older-than", "0s")

    assert result.returncode == 0, result.stderr
    assert "Pruned 1" in result.stdout
    assert [a["id"] for a in two_open.alerts()] == [1]
    assert two_open.invoke("show", "2").exit_code == 1


def test_prune_by_default_keeps_what_is_within_the_retention(two_open: Rig) -> None:
    assert two_open.invoke("resolve", "1", "2").exit_code == 0
    long_ago = time.time() - 91 * 86400
    two_open.sql("UPDATE alerts SET resolved_at = ? WHERE id = 2", long_ago)

    result = two_open.invoke("prune")

    assert result.exit_code == 0
    assert "Pruned 1" in result.stdout
    assert [a["id"] for a in two_open.alerts()] == [1]


def test_prune_rejects_a_bad_duration(two_open: Rig) -> None:
    assert two_open.invoke("resolve", "2").exit_code == 0

    result = two_open.run("prune", "--older-than", "ages")

    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "--older-than" in line and "ages" in line
    assert len(two_open.alerts()) == 2


def test_show_prints_operator_text_as_written_not_as_markup(two_open: Rig) -> None:
    assert two_open.invoke("ack", "1", "--note", "[/bold] restarted [red]consumer[/red]").exit_code == 0
    result = two_open.run("show", "1")
    assert result.returncode == 0, result.stderr
    assert "[/bold] restarted" in result.stdout
    assert "[red]consumer[/red]" in result.stdout


def test_history_table_shows_the_worst_severity_reached(two_open: Rig) -> None:
    two_open.set_value(99)
    two_open.invoke("check")
    two_open.set_value(90)
    two_open.invoke("check")
    result = two_open.run("history")
    header, first, *_ = result.stdout.splitlines()
    row = dict(zip(header.split("\t"), first.split("\t"), strict=True))
    assert (row["severity"], row["worst"]) == ("warning", "critical")
