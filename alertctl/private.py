"""Folders only their owner may enter: the config, its cache and the database hold channel tokens.

The files themselves are created 0600 where they are opened (`os.open(..., 0o600)`).
"""

from __future__ import annotations

from pathlib import Path

FOLDER_MODE = 0o700


def make_folders(folder: Path) -> None:
    """Create `folder` and any missing parent, each 0700; existing ones are left as they are.

    `Path.mkdir(mode, parents=True)` gives the mode to the last folder only: the
    parents it creates get 0777 less the umask, world-readable under `umask 000`.
    """
    if folder.is_dir():
        return
    make_folders(folder.parent)
    try:
        folder.mkdir(mode=FOLDER_MODE)
    except FileExistsError:
        if not folder.is_dir():
            raise
