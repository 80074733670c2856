"""Metric history: every sample `watch` and `check` take, kept in the same SQLite file.

The open hour's samples are small rows (`sample_hot`); the first cycle of a new hour
seals the hours before it into one compressed chunk per series and hour
(`sample_chunk`, see `chunk.py`) and into 5-minute and hourly rollups
(`sample_rollup`). Each tier is pruned by age, in whole chunks and buckets.
"""

from alertctl.store.history.write import Retention, prune, record, seal

__all__ = ["Retention", "prune", "record", "seal"]
"""The write side only: a cron `check` records and never reads, so the read side (`read.py`:
`signals`, `Point`, `Signal`) is imported by the commands that draw."""

TABLES = ("series", "sample_hot", "sample_chunk", "sample_rollup")
"""Left out of `watch`'s in-memory copy while the file refuses writes (see `store/copy.py`)."""
