"""Loading the config: find the file, validate it (or reuse the cached result)."""

from __future__ import annotations

from pathlib import Path

from alertctl.config import cache, locate
from alertctl.config.runtime import Config


def load_config(explicit: Path | None = None, *, use_cache: bool = True) -> Config:
    path = locate.config_path(explicit)
    if use_cache:
        cached = cache.read(path)
        if cached is not None:
            return cached
    from alertctl.config.load import validate

    config = validate(path)
    if use_cache:
        cache.write(path, config)
    return config
