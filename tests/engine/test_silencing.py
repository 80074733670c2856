"""Which silence mutes which alert, one table per question, on the pure `silencing.plan`."""

from __future__ import annotations

import pytest

from alertctl.durations import iso
from alertctl.model import Silence, make_labels
from alertctl.silencing import Held, Lifted, Mute, plan

T0 = 1_767_225_600.0


def silence(
    id_: int = 1,
    rule: str = "disk",
    labels: dict[str, str] | None = None,
    starts: float = T0 - 60,
    ends: float = T0 + 3600,
    lifted_at: float | None = None,
) -> Silence:
    return Silence(id_, rule, make_labels(labels), starts, ends, "migration", "ops", lifted_at)


def firing(
    id_: int = 7, rule: str = "disk", labels: dict[str, str] | None = None, silence_id: int | None = None
) -> Held:
    return Held(id_, rule, {"mount": "/var", "team": "web"} if labels is None else labels, None, silence_id)


def muted(id_: int = 7, until: float = T0 + 100, silence_id: int | None = 1) -> Held:
    return Held(id_, "disk", {"mount": "/var"}, until, silence_id)


@pytest.mark.parametrize(
    ("the_silence", "alert", "mutes"),
    [
        (silence(), firing(), True),
        (silence(labels={"mount": "/var"}), firing(), True),
        (silence(labels={"mount": "/var", "team": "web"}), firing(), True),
        (silence(labels={"mount": "/"}), firing(), False),
        (silence(labels={"mount": "/var", "host": "db"}), firing(), False),
        (silence(rule="cpu"), firing(), False),
        (silence(labels={"mount": "/var"}), firing(labels={}), False),
        (silence(starts=T0 + 1), firing(), False),
        (silence(starts=T0), firing(), True),
        (silence(ends=T0), firing(), False),
        (silence(lifted_at=T0 - 1), firing(), False),
        (silence(lifted_at=T0 + 1), firing(), True),
        (silence(id_=1), firing(silence_id=1), False),
        (silence(id_=2), firing(silence_id=1), True),
        (silence(), muted(until=T0 + 100, silence_id=None), False),
    ],
    ids=[
        "no-labels",
        "one-label",
        "all-labels",
        "other-value",
        "extra-label",
        "other-rule",
        "label-missing",
        "pending",
        "starts-now",
        "ended",
        "lifted",
        "lifted-later",
        "lifted-from-by-hand",
        "another-silence",
        "already-suppressed",
    ],
)
def test_which_silence_mutes_which_alert(the_silence: Silence, alert: Held, mutes: bool) -> None:
    assert plan([alert], [the_silence], T0).mute == ((Mute(alert.id, the_silence),) if mutes else ())


@pytest.mark.parametrize(
    ("alert", "lifted"),
    [
        (muted(until=T0 - 1), (Lifted(7, 1),)),
        (muted(until=T0), (Lifted(7, 1),)),
        (muted(until=T0 + 1), ()),
        (muted(until=T0 - 1, silence_id=None), (Lifted(7, None),)),
        (firing(), ()),
    ],
    ids=["ended", "ends-now", "not-yet", "single-alert-suppression", "not-muted"],
)
def test_a_suppression_is_lifted_when_its_time_has_come(alert: Held, lifted: tuple[Lifted, ...]) -> None:
    assert plan([alert], [], T0).lift == lifted


def test_the_first_covering_silence_mutes() -> None:
    broad, narrow = silence(3), silence(5, labels={"mount": "/var"})
    assert plan([firing()], [broad, narrow], T0).mute == (Mute(7, broad),)


def test_a_lifted_alert_another_silence_covers_is_muted_again_and_not_announced() -> None:
    ended, other = muted(until=T0 - 1, silence_id=1), silence(2)
    decided = plan([ended], [silence(1, ends=T0 - 1), other], T0)
    assert (decided.lift, decided.mute, decided.announce) == ((Lifted(7, 1),), (Mute(7, other),), [])


def test_a_lifted_alert_is_not_muted_again_by_the_silence_it_was_under() -> None:
    """Its silence was lifted by hand at T0 - 1 but the suppression ran to T0: not active, and excluded anyway."""
    decided = plan([muted(until=T0, silence_id=1)], [silence(1, lifted_at=T0 - 1)], T0)
    assert (decided.mute, decided.announce) == ((), [Lifted(7, 1)])


def test_what_is_said_in_the_history() -> None:
    decided = plan([Held(8, "cpu", {}, T0, None), firing()], [silence()], T0)
    assert [item.why for item in decided.lift] == ["suppression ended"]
    assert [item.why for item in decided.mute] == [f"silence #1 until {iso(T0 + 3600)}: migration"]
    assert Lifted(9, 4).why == "silence #4 ended"
