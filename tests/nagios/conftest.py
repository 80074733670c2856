"""The CLI tests' rig, for a real `check`."""

from tests.cli.conftest import rig  # noqa: F401
