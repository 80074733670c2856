"""A validated config kept between runs, so a cron `check` skips pydantic entirely.

Validation (pydantic and pydantic-settings) costs more than the rest of a cold
`alertctl check` together. The cache is keyed by everything that can change
the result: alertctl's version and installed model files, the config file's
path and a checksum of its bytes (a script rewriting it within one timestamp
tick still invalidates it), and every ALERTCTL_ variable. The file is private
(0600 in a 0700 folder): channel URLs hold tokens. Any problem reading it means
a cache miss.
"""

from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path

from alertctl import __version__
from alertctl.config.locate import cache_dir
from alertctl.config.runtime import Config
from alertctl.private import make_folders

_LOCATION_VARIABLES = ("ALERTCTL_CONFIG", "ALERTCTL_DB", "ALERTCTL_DEBUG")


def _stamp(path: Path | None) -> str | None:
    parts = [__version__, *_code_stamps()]
    if path is not None:
        try:
            content = path.read_bytes()
        except OSError:
            return None
        parts += [str(path.resolve()), str(len(content)), f"{zlib.crc32(content):08x}"]
    parts += sorted(
        f"{k}={v}"
        for k, v in os.environ.items()
        if k.upper().startswith("ALERTCTL_") and k.upper() not in _LOCATION_VARIABLES
    )
    return "\0".join(parts)


def _code_stamps() -> list[str]:
    """The pickled shape is these modules' dataclasses: a reinstall (even of the same
    version) rewrites them, and must not meet a cache of the old shape."""
    from alertctl import model
    from alertctl.config import runtime

    return [str(Path(module.__file__ or "").stat().st_mtime_ns) for module in (model, runtime)]


def _file(path: Path | None) -> Path:
    name = f"{zlib.crc32(str(path.resolve() if path else '').encode()):08x}"
    return cache_dir() / f"config-{name}.pickle"


def read(path: Path | None) -> Config | None:
    stamp = _stamp(path)
    if stamp is None:
        return None
    try:
        with _file(path).open("rb") as handle:
            if not _private(handle.fileno()):
                return None
            saved_stamp, config = pickle.load(handle)
    except Exception:
        return None
    return config if saved_stamp == stamp and isinstance(config, Config) else None


def _private(descriptor: int) -> bool:
    """Unpickle only our own file that nobody else can write: pickle runs code."""
    info = os.fstat(descriptor)
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def write(path: Path | None, config: Config) -> None:
    """Best effort: a read-only home just means validating every time."""
    stamp = _stamp(path)
    target = _file(path)
    try:
        make_folders(target.parent)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump((stamp, config), handle)
        os.replace(temporary, target)
    except OSError:
        return
