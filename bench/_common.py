"""What both benchmarks share: finding the installed alertctl, a private environment, the sample config.

Not a benchmark itself; `python bench/coldstart.py` finds it because a script's
own folder is first on sys.path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CONFIG = REPO / "sample-configs" / "default.toml"
REINSTALL_HINT = (
    f"{sys.executable} -m pip install -q --force-reinstall --no-deps {REPO} "
    f"&& {sys.executable} -m pip install -q {REPO}"
)


class BenchError(Exception):
    """A setup or run problem: printed as one line, exit status 2."""


def find_alertctl() -> Path:
    """The `alertctl` next to this interpreter (a venv's bin), else the first on PATH."""
    beside = Path(sys.executable).parent / "alertctl"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("alertctl")
    if found is None:
        raise BenchError(f"no alertctl next to {sys.executable} nor on PATH; install it: {REINSTALL_HINT}")
    return Path(found)


def private_env(home: Path) -> dict[str, str]:
    """This process's environment with alertctl's cache, state and config pointed into `home`.

    ALERTCTL_* variables are dropped so a user's ALERTCTL_DB or overrides neither
    change the figures nor get touched.
    """
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("ALERTCTL_")}
    for variable, folder in (("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state"), ("XDG_CONFIG_HOME", "config")):
        path = home / folder
        path.mkdir(parents=True, exist_ok=True)
        env[variable] = str(path)
    return env


def sample_config(alertctl: Path, home: Path, env: dict[str, str]) -> tuple[Path, str | None]:
    """The config to benchmark with, and a note when it had to be generated for this run."""
    if SAMPLE_CONFIG.is_file():
        return SAMPLE_CONFIG, None
    generated = home / "default.toml"
    done = subprocess.run(
        [str(alertctl), "config", "init", str(generated)], env=env, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise BenchError(f"`alertctl config init` failed ({done.returncode}): {done.stderr.strip()}")
    return (
        generated,
        f"note: {SAMPLE_CONFIG.relative_to(REPO)} not found; generated {generated} with `alertctl config init`",
    )


def install_warnings() -> list[str]:
    """Why the installed alertctl may not be what users get, or not the code in this checkout."""
    try:
        dist = metadata.distribution("alertctl")
    except metadata.PackageNotFoundError:
        return [
            f"warning: alertctl is not installed for {sys.executable}; figures are for whatever `alertctl` is on PATH"
        ]
    warnings = []
    direct_url = dist.read_text("direct_url.json")
    if direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"):
        warnings.append(
            "warning: alertctl is an editable install; with PYTHONDONTWRITEBYTECODE=1 it recompiles "
            "at every start. Use a regular install (see this script's docstring)"
        )
    warnings += [
        f"warning: {line} (figures are not what users get; reinstall: {REINSTALL_HINT})"
        for line in _unmet_requirements()
    ]
    stale = _differing_modules(dist)
    if stale:
        shown = ", ".join(stale[:3]) + (" ..." if len(stale) > 3 else "")
        warnings.append(
            f"warning: installed alertctl differs from {REPO / 'alertctl'} ({shown}); reinstall: {REINSTALL_HINT}"
        )
    return warnings


def _unmet_requirements() -> list[str]:
    """`pip check`'s complaints about alertctl's dependencies: a pin changed since the install."""
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line for line in done.stdout.splitlines() if line.lower().startswith("alertctl ")]


def _differing_modules(dist: metadata.Distribution) -> list[str]:
    source = REPO / "alertctl"
    if not source.is_dir():
        return []
    installed = {
        str(f): Path(str(dist.locate_file(f)))
        for f in dist.files or []
        if str(f).startswith("alertctl/") and str(f).endswith(".py")
    }
    if installed and Path(next(iter(installed.values()))).resolve().is_relative_to(source.resolve()):
        return []  # installed in place: it is the checkout
    local = {str(p.relative_to(REPO)): p for p in source.rglob("*.py")}
    differing = sorted(set(local) ^ set(installed))
    differing += sorted(
        name for name in set(local) & set(installed) if _digest(local[name]) != _digest(installed[name])
    )
    return differing


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def cpu_seconds(proc: psutil.Process) -> float:
    """User + system of a process, its waited-for children and its live descendants."""
    import psutil

    times = proc.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in proc.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except psutil.Error:
            continue
        total += child_times.user + child_times.system
    return total
