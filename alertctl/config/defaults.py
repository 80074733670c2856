"""The built-in rules, as the TOML a user would write.

Kept as plain data so that one table feeds the schema's defaults, `config init`
and `sample-configs/default.toml` alike.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_RULES: list[dict[str, object]] = [
    {
        "name": "cpu-high",
        "metric": "cpu.percent",
        "warning": 85,
        "critical": 95,
        "for": "2m",
        "clear": 75,
        "description": "CPU busy for a sustained period",
        "recommendations": [
            "Look at the top processes in this alert's context",
            "Check for runaway jobs or a recent deploy",
        ],
    },
    {
        "name": "memory-high",
        "metric": "memory.percent",
        "warning": 85,
        "critical": 95,
        "for": "2m",
        "clear": 80,
        "description": "Memory nearly exhausted",
        "recommendations": [
            "Look at the top processes by memory in this alert's context",
            "Check for leaks in long-running services",
        ],
    },
    {
        "name": "swap-high",
        "metric": "swap.percent",
        "warning": 50,
        "critical": 80,
        "for": "5m",
        "description": "Heavy swapping slows everything down",
        "recommendations": ["Find what is using memory; add RAM or limit the worst service"],
    },
    {
        "name": "load-high",
        "metric": "load.per_cpu",
        "warning": 1.5,
        "critical": 3,
        "for": "5m",
        "description": "More runnable work than CPUs",
        "recommendations": ["Check the top processes and I/O wait (cpu.iowait)"],
    },
    {
        "name": "disk-full",
        "metric": "disk.percent",
        "warning": 85,
        "critical": 95,
        "clear": 80,
        "description": "A file system is filling up",
        "recommendations": [
            "Find the largest directories: du -xh --max-depth=2 MOUNT | sort -h | tail",
            "Rotate or delete old logs; prune package caches",
        ],
    },
    {
        "name": "disk-filling",
        "metric": "disk.percent",
        # Time left until full, fitted over 6 hours; a rise the last day does not confirm (log
        # rotation, a nightly burst that is cleaned up) and disks below 60 % are not judged. The
        # guards cost lead time on a sudden runaway, which disk-full still catches (docs/history.md).
        "forecast": {"reaches": 100, "window": "6h", "confirm": "24h", "from": 60},
        "warning": "24h",
        "clear": "36h",
        "for": "30m",
        "description": "A file system will be full within a day at its current rate",
        "recommendations": [
            "Find what grows: du -xh --max-depth=2 MOUNT | sort -h | tail, and again in an hour",
            "Check log rotation and the retention of backups, dumps and caches",
        ],
    },
    {
        "name": "inodes-full",
        "metric": "disk.inodes_percent",
        "warning": 85,
        "critical": 95,
        "description": "A file system is running out of inodes",
        "recommendations": ["Look for directories with millions of small files (caches, sessions)"],
        # btrfs, ZFS and others allocate inodes on demand and report no count: on a host
        # with only such file systems this rule never has a sample, which is not a fault.
        "nodata": "ignore",
    },
]


def needs_history(rule: dict[str, object]) -> bool:
    """A built-in forecast rule reads the metric history: with `[history] enabled = false` it is
    left out of the built-in rules rather than failing a file that never wrote it."""
    return "forecast" in rule


def replaced_builtins(rule_names: Iterable[str]) -> list[str]:
    """The built-in rules no longer watched: writing any `[[rules]]` replaces them all
    (the contract), and an operator should hear which ones went."""
    kept = set(rule_names)
    return [str(rule["name"]) for rule in DEFAULT_RULES if rule["name"] not in kept]
