"""Space and inode use per real, local, writable-by-design filesystem.

Snap packages, loop-mounted images and optical media are always 100 % full by
design, and bind mounts repeat a device already counted: reporting them would
only produce alerts nobody can act on. Pseudo and overlay filesystems never get
here: `disk_partitions(all=False)` keeps only those backed by a device.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import psutil

from alertctl.catalog import SYSTEM_METRICS
from alertctl.model import Sample, Unavailable, make_labels

IMAGE_FILESYSTEMS = frozenset({"squashfs", "iso9660", "udf", "erofs", "cramfs"})


def collect() -> list[Sample]:
    """A mount that vanished or cannot be read gives nothing, rather than failing every disk;
    a rule that pins it learns why from `pinned`."""
    samples: list[Sample] = []
    for mount in mounts():
        try:
            samples.extend(_usage(mount))
        except OSError:
            continue
    return samples


def pinned(wanted: Iterable[str], sampled: set[str]) -> tuple[list[Sample], list[Unavailable]]:
    """Mounts that rules pin and `collect` did not sample: sampled when they are mount points
    after all (a bind mount, a second mount of one device), else unavailable with the reason."""
    samples: list[Sample] = []
    gaps: list[Unavailable] = []
    for mount in sorted(set(wanted) - sampled):
        if not os.path.ismount(mount):
            gaps += _unavailable(mount, "is not mounted")
            continue
        try:
            samples.extend(_usage(mount))
        except OSError as error:
            gaps += _unavailable(mount, f"cannot be read ({error.strerror or error})")
    return samples, gaps


def _unavailable(mount: str, why: str) -> list[Unavailable]:
    labels = make_labels({"mount": mount})
    return [
        Unavailable(spec.name, f"disk: {mount} {why}", labels)
        for spec in SYSTEM_METRICS
        if spec.name.startswith("disk.")
    ]


def mounts() -> list[str]:
    """Mount points worth watching: one per device, the shortest path wins (a bind
    mount of `/` elsewhere is longer than `/`); `/` when nothing qualifies (containers)."""
    by_device: dict[str, str] = {}
    for part in psutil.disk_partitions(all=False):
        if _is_image(part.device, part.mountpoint, part.fstype):
            continue
        known = by_device.get(part.device)
        if known is None or len(part.mountpoint) < len(known):
            by_device[part.device] = part.mountpoint
    return sorted(by_device.values()) or ["/"]


def _is_image(device: str, mountpoint: str, fstype: str) -> bool:
    return fstype in IMAGE_FILESYSTEMS or device.startswith("/dev/loop") or mountpoint.startswith("/snap/")


def _usage(mount: str) -> list[Sample]:
    usage = psutil.disk_usage(mount)
    inodes = os.statvfs(mount)
    labels = make_labels({"mount": mount})
    samples = [
        Sample("disk.percent", float(usage.percent), labels),
        Sample("disk.free", float(usage.free), labels),
        Sample("disk.used", float(usage.used), labels),
        Sample("disk.total", float(usage.total), labels),
    ]
    if inodes.f_files:  # btrfs and friends allocate inodes on demand and report 0
        used = inodes.f_files - inodes.f_ffree
        samples.append(Sample("disk.inodes_percent", round(used / inodes.f_files * 100.0, 1), labels))
    return samples
