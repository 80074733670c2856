"""Each config key is declared once (config/runtime.py for the sections, model.py for rules and
checks); every view of it derives from that.

For every declared key: the file's validation reads it, the runtime config carries it,
`config show` writes it back as it was read, the starter file and the generated reference
in docs/ show it with its doc. A key added to the declaration is in all of them or a test
here fails.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import tomli_w

from alertctl.config import load_config, runtime, schema
from alertctl.config.document import document, starter, table
from alertctl.config.keys import Declared, declared
from alertctl.config.load import defaults, runtime_section
from alertctl.declaration import REQUIRED, Kind, setting
from alertctl.errors import ConfigError
from alertctl.model import (
    Check,
    CommandCheck,
    Forecast,
    HttpCheck,
    Labels,
    Level,
    Op,
    ProcessCheck,
    Rule,
    Severity,
    TcpCheck,
    make_labels,
)
from tests.conftest import run_here

SECTIONS = (runtime.Agent, runtime.History, runtime.Notify, runtime.Channel, runtime.AlertmanagerChannel)
TABLES = (Rule, Level, Forecast, CommandCheck, HttpCheck, TcpCheck, ProcessCheck)
"""The tables whose keys model.py declares."""
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def _other(key: Declared) -> object:
    """A valid value for `key` that is not its default, so reading it back proves it was read."""
    default, example = key.default, key.setting.example
    if isinstance(default, bool):
        return not default
    if isinstance(default, Severity):
        return next(level for level in key.setting.choices or Severity if level is not default)
    if isinstance(default, int | float):
        return default + (60.0 if isinstance(default, float) else 1)
    assert example is not None, f"{key.name}: a key without a default needs an example"
    return tuple(example) if isinstance(example, list) else example


def _changed(section: type, **fixed: object) -> object:
    return section(**{key.name: _other(key) for key in declared(section)}, **fixed)


def _every_key_changed() -> runtime.Config:
    """A config in which every declared key has a value other than its default."""
    pager = _changed(runtime.Channel, name="pager")
    am = _changed(runtime.AlertmanagerChannel, name="am")
    notify = dataclasses.replace(_changed(runtime.Notify), channels=(pager,), alertmanagers=(am,))  # type: ignore[type-var]
    assert notify.escalate_to == ("pager",)
    config = defaults()
    history: runtime.History = _changed(runtime.History)  # type: ignore[assignment]
    assert not history.enabled, "history off: forecast rules, which need it, are left out below"
    rules = tuple(rule for rule in config.rules if rule.forecast is None)
    return dataclasses.replace(config, agent=_changed(runtime.Agent), notify=notify, history=history, rules=rules)  # type: ignore[arg-type]


@pytest.mark.parametrize("section", SECTIONS + TABLES, ids=lambda section: section.__name__)
def test_every_section_has_its_keys_declared(section: type) -> None:
    keys = declared(section)
    assert keys and all(key.setting.doc for key in keys)


def test_a_key_both_kinds_of_channel_have_is_declared_alike() -> None:
    """One table in the file: a key the two share must mean and default to the same thing."""
    apprise = {key.key: key for key in declared(runtime.Channel)}
    shared = [key for key in declared(runtime.AlertmanagerChannel) if key.key in apprise]
    assert shared
    for key in shared:
        assert (key.default, key.setting) == (apprise[key.key].default, apprise[key.key].setting)


def test_every_declared_key_is_read_and_written_back_as_read(tmp_path: Path) -> None:
    """Validation and conversion read each key from the file; `config show` writes it as read."""
    expected = _every_key_changed()
    written = document(expected)
    path = tmp_path / "every-key.toml"
    path.write_text(tomli_w.dumps(written))

    loaded = load_config(path, use_cache=False)

    assert dataclasses.replace(loaded, source=expected.source) == expected
    assert document(loaded) == written
    for section in (loaded.agent, loaded.notify, loaded.history, *loaded.notify.channels, *loaded.notify.alertmanagers):
        assert set(table(section)) == {key.key for key in declared(type(section))}


def test_config_show_prints_every_declared_key(tmp_path: Path) -> None:
    path = tmp_path / "every-key.toml"
    path.write_text(tomli_w.dumps(document(_every_key_changed())))

    result = run_here("config", "show", "--json", "-c", str(path))

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    notify = shown["notify"]
    for name, section in (("agent", runtime.Agent), ("history", runtime.History), ("notify", runtime.Notify)):
        assert {key.key for key in declared(section)} <= set(shown[name]), name
    assert {key.key for key in declared(runtime.Channel)} <= set(notify["channels"]["pager"])
    assert {key.key for key in declared(runtime.AlertmanagerChannel)} <= set(notify["channels"]["am"])


@pytest.mark.parametrize("section", SECTIONS, ids=lambda section: section.__name__)
def test_the_starter_file_and_the_reference_show_every_key_with_its_doc(section: type) -> None:
    text = starter(defaults())
    reference = REFERENCE.read_text()
    for key in declared(section):
        assert f"\n{key.key} = " in text or f"\n# {key.key} = " in text, key.key
        assert " ".join(key.setting.doc.split()[:6]) in " ".join(text.replace("\n# ", " ").split()), key.key
        assert f"| `{key.key}` | " in reference and key.setting.doc.replace("|", "\\|") in reference, key.key


RULES = (
    Rule(
        "every-key",
        "disk.percent",
        Op.GE,
        info=Level(50),
        warning=Level(60, for_seconds=300),
        error=Level(70),
        critical=Level(80, for_seconds=600),
        for_seconds=60,
        consecutive=2,
        clear=40,
        mount="/var",
        channels=("pager",),
        labels=make_labels({"team": "web"}),
        description="Disk filling",
        runbook="https://wiki.example/disk",
        recommendations=("Rotate logs",),
        nodata=Severity.ERROR,
        nodata_after=600,
    ),
    Rule("no-nodata", "cpu.percent", warning=Level(90), nodata=None),
    Rule(
        "filling",
        "disk.percent",
        Op.LT,
        warning=Level(86400),
        critical=Level(3600, for_seconds=120),
        clear=129600,
        forecast=Forecast(100, 21600, confirm=86400, past=60),
        nodata_after=43200,
    ),
)
CHECKS: tuple[Check, ...] = (
    CommandCheck("queue", ("sh", "-c", "echo 1"), 7.0),
    HttpCheck("site", "http://127.0.0.1:9/health", 3.0, expect_status=200),
    TcpCheck("db", "127.0.0.1", 5432, 2.0),
    ProcessCheck("nginx", "^nginx: master", 4.0),
)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.__name__)
def test_every_key_of_a_rule_and_a_check_has_a_value_other_than_its_default_below(table: type) -> None:
    """So the round trip that follows covers every key model.py declares."""
    instances = [*RULES, *CHECKS]
    instances += [level for rule in RULES for _, level in rule.levels()]
    instances += [rule.forecast for rule in RULES if rule.forecast is not None]
    mine = [instance for instance in instances if isinstance(instance, table)]
    for key in declared(table):
        assert any(key.required or getattr(one, key.name) != key.default for one in mine), key.key


def test_every_key_of_a_rule_and_a_check_is_read_and_written_back_as_read(tmp_path: Path) -> None:
    pager = runtime.Channel("pager", ("json://127.0.0.1:9/hook",))
    config = dataclasses.replace(
        defaults(), notify=runtime.Notify(channels=(pager,)), checks=CHECKS, rules=RULES, source="x"
    )
    written = document(config)
    path = tmp_path / "rules.toml"
    path.write_text(tomli_w.dumps(written))

    loaded = load_config(path, use_cache=False)

    assert loaded.rules == RULES
    assert loaded.checks == CHECKS
    assert document(loaded)["rules"] == written["rules"]
    assert document(loaded)["checks"] == written["checks"]
    assert written["rules"][2]["warning"] == "1d" and "op" not in written["rules"][2]  # type: ignore[index]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.__name__)
def test_the_reference_shows_every_key_of_a_rule_and_a_check_with_its_doc(table: type) -> None:
    reference = REFERENCE.read_text()
    for key in declared(table):
        assert f"| `{key.key}` | " in reference and key.setting.doc.replace("|", "\\|") in reference, key.key


def test_the_starter_file_names_every_key_of_a_rule_with_the_words_it_takes() -> None:
    text = " ".join(starter(defaults()).replace("\n# ", " ").split())
    assert "op (> >= < <= == !=), info, warning" in text
    assert "nodata (info warning error critical ignore), nodata_after, forecast" in text


def test_the_starter_files_example_checks_validate_once_uncommented(tmp_path: Path) -> None:
    """They are made from the declarations' examples: one of each kind, every key written."""
    text = starter(defaults())
    block = text[text.index("# [[checks]] add metrics") : text.index("# [[rules]] replace")]
    uncommented = "\n".join(line.removeprefix("#").removeprefix(" ") for line in block.splitlines()[1:])
    path = tmp_path / "checks.toml"
    path.write_text(uncommented)

    loaded = load_config(path, use_cache=False)

    assert [type(check) for check in loaded.checks] == [CommandCheck, HttpCheck, TcpCheck, ProcessCheck]
    assert "# metrics: queue.value, queue.exit_code, queue.duration" in block


@dataclasses.dataclass(frozen=True)
class _Added:
    """[added]: a section made up for this test."""

    id: str = setting(REQUIRED, "Who.", kind=Kind.NAME)
    pause: float = setting(90.0, "How long to pause.", kind=Kind.POSITIVE_DURATION)
    tries: int = setting(3, "How many tries.", at_least=1)
    level: Severity = setting(Severity.WARNING, "The mildest severity.")
    names: tuple[str, ...] = setting((), "Some names.", example=["a"])
    alarm: Severity | None = setting(Severity.INFO, "How loud, or never.", off="never")
    tags: Labels = setting((), "Some tags.", kind=Kind.LABELS)
    limit: Level | None = setting(None, "A threshold.")


def test_a_declared_key_is_validated_converted_and_written_by_its_declaration() -> None:
    model = schema.section_model("AddedSection", _Added)
    table_read = {"pause": "2m", "level": "critical", "names": ["x"], "alarm": "never"}
    table_read |= {"tags": {"b": "2", "a": "1"}, "limit": {"value": 5, "for": "1m"}, "id": "me"}

    added = runtime_section(_Added, model.model_validate(table_read))

    assert added == _Added(
        pause=120.0,
        tries=3,
        level=Severity.CRITICAL,
        names=("x",),
        alarm=None,
        tags=(("a", "1"), ("b", "2")),
        limit=Level(5, 60),
        id="me",
    )
    assert table(added) == {"tries": 3, **table_read, "tags": {"a": "1", "b": "2"}}
    assert runtime_section(_Added, model.model_validate({"id": "me", "limit": 7})).limit == Level(7)
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        model.model_validate({"tries": 0, "id": "me"})
    with pytest.raises(ValueError, match="must be more than 0s"):
        model.model_validate({"pause": "0s", "id": "me"})
    with pytest.raises(ValueError, match="Field required"):
        model.model_validate({})
    with pytest.raises(ValueError, match="must be letters, digits"):
        model.model_validate({"id": "no spaces"})


def test_an_unknown_key_in_a_declared_section_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text("[notify]\nack_survive_rise = true\n")

    with pytest.raises(
        ConfigError, match=r"notify.ack_survive_rise: unknown key \(did you mean `ack_survives_rise`\?\)"
    ):
        load_config(path, use_cache=False)
