"""The exposition text, read back by a strict parser and by prometheus_client's."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from alertctl.catalog import SYSTEM_METRICS, check_metrics
from alertctl.export.prometheus import Snapshot, exposition, family_name
from alertctl.model import CheckType, Sample, Severity, make_labels
from tests.alerts import open_alert
from tests.export.exposition import parse

HOSTILE_MOUNTS = ["/mnt/back\\slash", '/mnt/"quoted"', "/mnt/new\nline", "/mnt/space d=é"]
CHECKS = {"queue": CheckType.COMMAND, "web-site": CheckType.HTTP, "db": CheckType.TCP, "worker": CheckType.PROCESS}


def every_metric() -> list[Sample]:
    """Each built-in metric (per mount for disks, with hostile mount names) and each check type's."""
    samples = []
    for number, spec in enumerate(SYSTEM_METRICS):
        mounts = HOSTILE_MOUNTS if spec.labels else [None]
        for mount in mounts:
            labels = make_labels({"mount": mount}) if mount else ()
            samples.append(Sample(spec.name, number + 0.25, labels))
    for name, check_type in CHECKS.items():
        samples.extend(Sample(spec.name, 1.5) for spec in check_metrics(name, check_type))
    return samples


def snapshot(**changes: object) -> Snapshot:
    fields: dict[str, object] = {
        "host": 'web "01"',
        "samples": every_metric(),
        "checks": CHECKS,
        "last_cycle_at": 1_795_000_000.5,
    }
    return Snapshot(**{**fields, **changes})  # type: ignore[arg-type]


def test_every_metric_parses_strictly_with_its_labels_round_tripped() -> None:
    families = parse(exposition(snapshot()))

    expected = {family_name(sample.metric) for sample in every_metric()}
    assert expected <= set(families)
    disk = families["alertctl_disk_percent"].samples
    assert {dict(series)["mount"] for series in disk} == set(HOSTILE_MOUNTS)
    assert all(dict(series)["host"] == 'web "01"' for family in families.values() for series in family.samples)


def test_prometheus_client_reads_the_same_families_and_values() -> None:
    text = exposition(snapshot())
    ours = parse(text)

    theirs = {family.name: family for family in text_string_to_metric_families(text)}

    assert set(theirs) == set(ours)
    for name, family in theirs.items():
        assert family.type == "gauge"
        assert family.documentation == ours[name].help
        read = {tuple(sorted(s.labels.items())): s.value for s in family.samples}
        assert read == ours[name].samples


@pytest.mark.parametrize(
    ("metric", "name"),
    [
        ("cpu.percent", "alertctl_cpu_percent"),
        ("cpu.iowait", "alertctl_cpu_iowait_percent"),
        ("memory.available", "alertctl_memory_available_bytes"),
        ("disk.inodes_percent", "alertctl_disk_inodes_percent"),
        ("load.per_cpu", "alertctl_load_per_cpu"),
        ("web-site.response_time", "alertctl_web_site_response_time_seconds"),
        ("queue.exit_code", "alertctl_queue_exit_code"),
        ("worker.rss", "alertctl_worker_rss_bytes"),
        ("worker.cpu_percent", "alertctl_worker_cpu_percent"),
    ],
)
def test_names_replace_invalid_characters_and_carry_the_unit(metric: str, name: str) -> None:
    assert family_name(metric) == name


def test_help_names_the_alertctl_metric_and_its_description() -> None:
    families = parse(exposition(snapshot()))

    assert families["alertctl_disk_free_bytes"].help == "disk space free, bytes (alertctl metric disk.free)"
    assert families["alertctl_queue_value"].help == "first number the command printed (alertctl metric queue.value)"


def test_open_alerts_are_counted_by_severity_and_all_four_severities_are_always_there() -> None:
    none = parse(exposition(snapshot()))["alertctl_alerts_open"].samples
    some = parse(
        exposition(
            snapshot(
                open_alerts=[
                    open_alert(1, Severity.WARNING),
                    open_alert(2, Severity.CRITICAL),
                    open_alert(3, Severity.CRITICAL),
                ]
            )
        )
    )["alertctl_alerts_open"].samples

    assert {dict(s)["severity"]: v for s, v in none.items()} == {"info": 0, "warning": 0, "error": 0, "critical": 0}
    assert {dict(s)["severity"]: v for s, v in some.items()} == {"info": 0, "warning": 1, "error": 0, "critical": 2}


def test_names_that_map_alike_make_one_family_and_no_duplicate_series() -> None:
    samples = [
        Sample("a-b.value", 1),
        Sample("a_b.value", 2),
        Sample("disk.percent", 3, make_labels({"mount": "/"})),
        Sample("disk.percent", 4, make_labels({"mount": "/"})),
    ]

    families = parse(exposition(snapshot(samples=samples, checks={})))

    assert families["alertctl_a_b_value"].samples == {(("host", 'web "01"'),): 1}
    assert list(families["alertctl_disk_percent"].samples.values()) == [3]


def test_a_failed_cycle_says_down_and_keeps_only_the_last_good_time() -> None:
    families = parse(exposition(snapshot(up=False)))

    assert set(families) == {"alertctl_up", "alertctl_last_cycle_timestamp_seconds"}
    assert list(families["alertctl_up"].samples.values()) == [0]
    assert list(families["alertctl_last_cycle_timestamp_seconds"].samples.values()) == [1_795_000_000.5]


def test_up_is_one_after_a_good_cycle_and_values_keep_their_precision() -> None:
    families = parse(exposition(snapshot(samples=[Sample("load.1", 0.1 + 0.2), Sample("memory.available", 2.0**53)])))

    assert list(families["alertctl_up"].samples.values()) == [1]
    assert list(families["alertctl_load_1"].samples.values()) == [0.1 + 0.2]
    assert list(families["alertctl_memory_available_bytes"].samples.values()) == [2.0**53]


@pytest.mark.parametrize(
    "broken",
    [
        "x 1\n",  # no HELP/TYPE
        "# HELP x h\n# TYPE x gauge\nx 1 123\n",  # timestamp
        '# HELP x h\n# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n',  # duplicate
        '# HELP x h\n# TYPE x gauge\nx{a="\\q"} 1\n',  # bad escape
        "# HELP x h\n# TYPE x gauge\nx 1\n# HELP y h\n# TYPE y gauge\ny 1\nx 2\n",  # not grouped
    ],
)
def test_the_strict_parser_rejects_what_the_format_forbids(broken: str) -> None:
    with pytest.raises(AssertionError):
        parse(broken)
