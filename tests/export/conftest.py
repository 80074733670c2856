"""The CLI tests' rig and `watch` children, for the export tests."""

from tests.cli.conftest import rig  # noqa: F401
from tests.cli.test_cli_watch import watchers  # noqa: F401
