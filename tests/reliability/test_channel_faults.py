"""Channels that refuse, answer 500, or hang: the loop keeps its interval and nothing is lost.

The `command` check stamps the time of every cycle into a file, so the gaps are
measured from the cycles themselves, not from the test's own timing. Its value
flips every cycle, so every cycle queues notices for every channel. No gap may come
near what waiting on the hanging channel costs (its read timeout); the drift is
printed, not asserted, as it depends on how busy the machine is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alertctl.notify.send import READ_TIMEOUT
from tests.notify.receivers import free_port, http_receiver
from tests.reliability.watching import query, start_watch

pytestmark = pytest.mark.slow

CYCLES = 24
INTERVAL = 0.25


def _config(path: Path, ticks: Path, urls: dict[str, str]) -> Path:
    channels = "".join(f'[notify.channels.{name}]\nurls = ["{url}"]\n\n' for name, url in urls.items())
    stamp = f"date +%s.%N >> {ticks}; n=$(wc -l < {ticks}); if [ $((n % 2)) -eq 0 ]; then echo 10; else echo 90; fi"
    path.write_text(
        '[notify]\ndedup_window = "0s"\nmax_per_minute = 1000\ndigest_after = 1000\n\n'
        + channels
        + f'[[checks]]\nname = "q"\ntype = "command"\ncommand = ["sh", "-c", "{stamp}"]\n\n'
        + '[[rules]]\nname = "q-high"\nmetric = "q.value"\nwarning = 80\n'
    )
    return path


def test_failing_channels_do_not_slow_the_loop_or_lose_notices(tmp_path: Path) -> None:
    ticks, db = tmp_path / "ticks", tmp_path / "a.db"
    with (
        http_receiver() as good,
        http_receiver(statuses=[500] * 10_000) as failing,
        http_receiver(hang=True) as hanging,
    ):
        urls = {
            "good": good.url(),
            "failing": failing.url(),
            "hanging": hanging.url(),
            "refused": f"json://127.0.0.1:{free_port()}/hook",
        }
        config = _config(tmp_path / "c.toml", ticks, urls)
        watch = start_watch(config, db, "--interval", f"{INTERVAL}s", "--cycles", str(CYCLES))
        out, err = watch.communicate(timeout=120)
    assert watch.returncode == 0, err
    assert "Traceback" not in err

    stamps = [float(line) for line in ticks.read_text().split()]
    assert len(stamps) == CYCLES
    drift = [stamp - (stamps[0] + i * INTERVAL) for i, stamp in enumerate(stamps)]
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    worst = max(drift, key=abs)
    print(
        f"drift over {CYCLES} cycles at {INTERVAL}s: worst {worst * 1000:+.1f} ms, "
        f"final {drift[-1] * 1000:.1f} ms, longest gap {max(gaps) * 1000:.1f} ms"
    )
    assert max(gaps) < READ_TIMEOUT  # no cycle waited for the hanging channel

    per_channel = dict(query(db, "SELECT channel, count(*) FROM outbox GROUP BY channel"))
    assert set(per_channel) == set(urls)
    assert len(set(per_channel.values())) == 1 and per_channel["good"] >= CYCLES - 1  # every notice, every channel
    lost = query(db, "SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL")
    assert lost == [(0,)]
    attempts = query(db, "SELECT sum(attempts) FROM outbox")[0][0]
    assert query(db, "SELECT count(*) FROM deliveries")[0][0] == attempts  # every attempt recorded
    failed = dict(query(db, "SELECT channel, count(*) FROM deliveries WHERE ok = 0 GROUP BY channel"))
    assert failed.get("failing", 0) >= 1 and failed.get("refused", 0) >= 1
    assert query(db, "SELECT count(*) FROM deliveries WHERE ok = 1 AND channel != 'good'") == [(0,)]
    assert good.payloads, "the healthy channel heard nothing"
