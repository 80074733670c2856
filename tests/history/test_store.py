"""The history store on a real SQLite file: the open hour, the seal, rollups, clock steps, retention."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from alertctl.config.runtime import History
from alertctl.model import Sample, make_labels
from alertctl.store import history
from alertctl.store.db import open_database, transaction
from alertctl.store.history import chunk, read

HOUR0 = 1_800_000_000.0  # an hour boundary: 1_800_000_000 / 3600 = 500_000
KEEP = History(keep_raw=2 * 86400.0, keep_5m=4 * 86400.0, keep_1h=8 * 86400.0)
ROOT = make_labels({"mount": "/"})


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return open_database(tmp_path / "a.db")


def _cycle(conn: sqlite3.Connection, at: float, cpu: float, disk: float = 50.0) -> None:
    with transaction(conn):
        history.record(conn, [Sample("cpu.percent", cpu), Sample("disk.percent", disk, ROOT)], at, KEEP)


def _raw(conn: sqlite3.Connection, metric: str, since: float, until: float) -> list[tuple[float, float]]:
    [signal] = read.signals(conn, metric, (), since, until, step=0)
    return [(point.at, point.value) for point in signal.points]


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_samples_of_the_open_hour_come_back_exactly(conn: sqlite3.Connection) -> None:
    for i in range(5):
        _cycle(conn, HOUR0 + 10 * i + 0.04, 10.0 + i / 10)
    assert _raw(conn, "cpu.percent", HOUR0, HOUR0 + 60) == [(HOUR0 + 10 * i, 10.0 + i / 10) for i in range(5)]
    assert _count(conn, "sample_hot") == 10 and _count(conn, "sample_chunk") == 0


def test_the_first_cycle_of_a_new_hour_seals_the_last_into_one_chunk_per_series(conn: sqlite3.Connection) -> None:
    values = [float(i % 50) for i in range(360)]
    for i, value in enumerate(values):
        _cycle(conn, HOUR0 + 10 * i, value)
    assert _count(conn, "sample_chunk") == 0
    _cycle(conn, HOUR0 + 3600, 99.0)
    chunks = conn.execute("SELECT series, t0, n, vmin, vmax, vals FROM sample_chunk ORDER BY series").fetchall()
    assert [(c[1], c[2], c[3], c[4]) for c in chunks] == [(HOUR0, 360, 0.0, 49.0), (HOUR0, 360, 50.0, 50.0)]
    assert chunk.decode_values(chunks[0][5]) == values
    assert _count(conn, "sample_hot") == 2  # only the new hour's cycle is still open
    assert [v for _, v in _raw(conn, "cpu.percent", HOUR0, HOUR0 + 3600)] == [*values, 99.0]


def test_rollups_hold_min_max_sum_and_count_per_bucket(conn: sqlite3.Connection) -> None:
    for i in range(360):
        _cycle(conn, HOUR0 + 10 * i, float(i))
    _cycle(conn, HOUR0 + 3600, 0.0)
    series = conn.execute("SELECT id FROM series WHERE metric = 'cpu.percent'").fetchone()[0]
    rows = {
        (row[0], row[1]): (row[2], row[3], chunk.decode_buckets(row[4]))
        for row in conn.execute("SELECT step, t0, vmin, vmax, buckets FROM sample_rollup WHERE series = ?", (series,))
    }
    day = HOUR0 // 86400 * 86400
    assert set(rows) == {(300, HOUR0), (3600, day)}  # an hour of 5-minute buckets, a day of hourly ones
    low, high, five = rows[(300, HOUR0)]
    assert (low, high, len(five)) == (0.0, 359.0, 12)
    assert five[0] == (HOUR0, 0.0, 29.0, sum(range(30)), 30)
    assert five[11] == (HOUR0 + 3300, 330.0, 359.0, sum(range(330, 360)), 30)
    assert rows[(3600, day)][2] == [(HOUR0, 0.0, 359.0, sum(range(360)), 360)]


def test_the_day_of_hourly_buckets_grows_an_hour_at_a_time(conn: sqlite3.Connection) -> None:
    for hour in range(3):
        _cycle(conn, HOUR0 + 3600 * hour, float(hour))
    _cycle(conn, HOUR0 + 3 * 3600, 0.0)
    [blob] = conn.execute("SELECT buckets FROM sample_rollup WHERE series = 1 AND step = 3600").fetchone()
    assert chunk.decode_buckets(blob) == [(HOUR0 + 3600 * h, float(h), float(h), float(h), 1) for h in range(3)]


def test_steps_read_the_rollups_and_agree_with_the_raw_samples(conn: sqlite3.Connection) -> None:
    for i in range(720):
        _cycle(conn, HOUR0 + 10 * i, float(i % 97))
    _cycle(conn, HOUR0 + 7200, 5.0)
    until = HOUR0 + 7200
    raw = [v for _, v in _raw(conn, "cpu.percent", HOUR0, until)]
    for step in (60, 300, 3600):
        [signal] = read.signals(conn, "cpu.percent", (), HOUR0, until, step=step)
        per_bucket = step // 10
        assert [p.at for p in signal.points] == [HOUR0 + step * k for k in range(7200 // step + 1)]
        for k, point in enumerate(signal.points[:-1]):
            bucket = raw[k * per_bucket : (k + 1) * per_bucket]
            assert (point.min, point.max) == (min(bucket), max(bucket))
            assert point.value == pytest.approx(sum(bucket) / len(bucket))
        assert signal.points[-1] == read.Point(until, 5.0, 5.0, 5.0)  # the open hour, from its raw rows


def test_a_step_is_chosen_for_at_most_a_thousand_points(conn: sqlite3.Connection) -> None:
    for i in range(1500):
        _cycle(conn, HOUR0 + 10 * i, 1.0)
    [few] = read.signals(conn, "cpu.percent", (), HOUR0, HOUR0 + 9990)
    assert few.step == 0 and len(few.points) == 1000
    [many] = read.signals(conn, "cpu.percent", (), HOUR0, HOUR0 + 15000)
    assert many.step == 30 and len(many.points) == 500  # 15s would give 1,001 buckets
    assert read.choose_step(10**6, HOUR0 - 30 * 86400, HOUR0) == 3600


def test_labels_select_series(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        history.record(
            conn,
            [Sample("disk.percent", 1.0, ROOT), Sample("disk.percent", 2.0, make_labels({"mount": "/var"}))],
            HOUR0,
            KEEP,
        )
    both = read.signals(conn, "disk.percent", (), HOUR0 - 1, HOUR0 + 1)
    assert [(s.labels, s.points[0].value) for s in both] == [(ROOT, 1.0), (make_labels({"mount": "/var"}), 2.0)]
    [var] = read.signals(conn, "disk.percent", make_labels({"mount": "/var"}), HOUR0 - 1, HOUR0 + 1)
    assert var.points[0].value == 2.0


def test_a_clock_set_back_into_a_sealed_hour_merges_into_its_chunk_in_time_order(conn: sqlite3.Connection) -> None:
    """Defined behaviour: no sample is lost, a chunk stays one per series and hour, in time order,
    and a sample at the same tenth of a second as a stored one is kept at the next free tenth."""
    for i in range(6):
        _cycle(conn, HOUR0 + 600 * i, float(i))
    _cycle(conn, HOUR0 + 3600, 10.0)  # seals the first hour
    _cycle(conn, HOUR0 + 1500, 20.0)  # the clock was set back 35 minutes
    _cycle(conn, HOUR0 + 1200, 30.0)  # ... and this lands on a stored sample's time
    _cycle(conn, HOUR0 + 3700, 11.0)  # set right again: the hour changed, so the open samples are sealed
    _cycle(conn, HOUR0 + 7200, 12.0)
    assert conn.execute("SELECT count(*) FROM sample_chunk GROUP BY series, t0 HAVING count(*) > 1").fetchall() == []
    ticks, values = conn.execute("SELECT ts, vals FROM sample_chunk WHERE t0 = ? AND series = 1", (HOUR0,)).fetchone()
    assert chunk.decode_times(ticks) == sorted(chunk.decode_times(ticks))
    assert chunk.decode_values(values) == [0.0, 1.0, 2.0, 30.0, 20.0, 3.0, 4.0, 5.0]
    [blob] = conn.execute("SELECT buckets FROM sample_rollup WHERE series = 1 AND step = 3600").fetchone()
    assert [(b[2], b[4]) for b in chunk.decode_buckets(blob) if b[0] == HOUR0] == [(30.0, 8)]
    assert _raw(conn, "cpu.percent", HOUR0 + 1200, HOUR0 + 1200.1) == [(HOUR0 + 1200, 2.0), (HOUR0 + 1200.1, 30.0)]
    assert [v for _, v in _raw(conn, "cpu.percent", HOUR0, HOUR0 + 7200)] == [
        0.0,
        1.0,
        2.0,
        30.0,
        20.0,
        3.0,
        4.0,
        5.0,
        10.0,
        11.0,
        12.0,
    ]


def test_a_sample_set_back_onto_an_hours_last_tenth_stays_in_its_hour(conn: sqlite3.Connection) -> None:
    """The next free tenth of a second would be the next hour's: the sample takes the last free one
    before it instead, so the hour's chunk and rollups hold it and the next hour's are untouched."""
    last = HOUR0 + 3599.9
    _cycle(conn, last, 1.0)
    _cycle(conn, HOUR0 + 3600, 2.0)  # seals the first hour
    _cycle(conn, last + 0.01, 3.0)  # the clock was set back onto the sealed sample's tenth of a second
    _cycle(conn, HOUR0 + 3610, 4.0)  # set right again: seals the set-back sample into the first hour
    assert _raw(conn, "cpu.percent", HOUR0, HOUR0 + 3600) == [(HOUR0 + 3599.8, 3.0), (last, 1.0), (HOUR0 + 3600, 2.0)]
    assert conn.execute("SELECT n FROM sample_chunk WHERE series = 1 AND t0 = ?", (HOUR0,)).fetchone()[0] == 2
    assert _count(conn, "sample_hot") == 4  # the second hour's two cycles, two series each


def test_retention_prunes_whole_chunks_and_buckets_per_tier(conn: sqlite3.Connection) -> None:
    start = HOUR0 - 10 * 86400
    for hour in range(10 * 24):
        _cycle(conn, start + 3600 * hour, float(hour))
        _cycle(conn, start + 3600 * hour + 1800, float(hour))
    now = start + 10 * 86400
    _cycle(conn, now, 0.0)  # a new hour: seals the last one and prunes
    t0s = [row[0] for row in conn.execute("SELECT t0 FROM sample_chunk WHERE series = 1 ORDER BY t0")]
    assert t0s[0] == now - 2 * 86400 and t0s[-1] == now - 3600  # whole hours within keep_raw (2 days)
    oldest = dict(conn.execute("SELECT step, min(t0) FROM sample_rollup WHERE series = 1 GROUP BY step").fetchall())
    assert oldest == {300: now - 4 * 86400, 3600: (now - 8 * 86400) // 86400 * 86400}  # whole hours, whole days
    with transaction(conn):
        pruned = history.prune(conn, now + 86400, KEEP)
    assert pruned.chunks == 2 * 24  # a day later, one more day of chunks per series
    assert _count(conn, "series") == 2


def test_an_unused_series_goes_once_every_tier_has_let_it_go(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        history.record(conn, [Sample("cpu.percent", 1.0)], HOUR0, KEEP)
        history.record(conn, [Sample("load.1", 1.0)], HOUR0 + 3600, KEEP)  # seals cpu.percent's hour
        history.prune(conn, HOUR0 + 7 * 86400, KEEP)
    assert _count(conn, "series") == 2
    with transaction(conn):
        history.prune(conn, HOUR0 + 8 * 86400 + 3600, KEEP)
    assert _count(conn, "series") == 2  # its day of hourly rollups ends later: kept whole
    with transaction(conn):
        history.prune(conn, HOUR0 + 9 * 86400, KEEP)
    assert [row[0] for row in conn.execute("SELECT metric FROM series")] == ["load.1"]  # its sample is open
    assert _count(conn, "sample_rollup") == 0


def test_values_that_are_not_numbers_are_not_kept(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        history.record(conn, [Sample("cpu.percent", float("nan")), Sample("load.1", 1.5)], HOUR0, KEEP)
    assert [row[0] for row in conn.execute("SELECT metric FROM series")] == ["load.1"]
