"""alertctl's own cost, seen through the CLI: what `watch` samples, and a rule on the watcher."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def _config(tmp_path: Path, rules: str) -> Path:
    config = tmp_path / "c.toml"
    config.write_text(rules)
    return config


def test_watch_says_what_it_samples_and_debug_prints_each_cycles_cost(tmp_path: Path) -> None:
    config = _config(tmp_path, '[[rules]]\nname = "cpu"\nmetric = "cpu.percent"\nwarning = 99.9\n')
    result = run_cli(
        "watch", "--interval", "0.2s", "--cycles", "2", "--debug", "-c", str(config), "--db", str(tmp_path / "a.db")
    )
    assert result.returncode == 0, result.stderr
    assert "(sampling alertctl, cpu), database " in result.stdout
    costs = [line for line in result.stderr.splitlines() if line.startswith("alertctl: cycle costs: ")]
    assert len(costs) == 2
    assert all("cpu " in line and "alertctl " in line and "write lock " in line for line in costs)
    assert not any("disk " in line or "processes " in line for line in costs)


def test_a_rule_can_watch_the_watcher(tmp_path: Path) -> None:
    config = _config(tmp_path, '[[rules]]\nname = "fat-watcher"\nmetric = "alertctl.rss"\nwarning = 1024\n')
    result = run_cli("check", "-c", str(config), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("ALERTCTL WARNING - fat-watcher")
    assert "alertctl.cycle_seconds=" in result.stdout and "alertctl.cpu_percent=" in result.stdout
