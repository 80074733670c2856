"""Shell completion as the README documents it: bash sources `--show-completion` and completes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASH = shutil.which("bash")


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("alertctl s", ["show", "suppress", "silences"]),
        ("alertctl watch --te", ["--textfile"]),
        ("alertctl config ", ["init", "validate", "show"]),
    ],
)
def test_bash_completes_commands_and_options_from_the_shown_script(words: str, expected: list[str]) -> None:
    script = (
        "source <(alertctl --show-completion)\n"
        f"COMP_WORDS=({words}); COMP_CWORD={len(words.split()) - (0 if words.endswith(' ') else 1)}\n"
        "_alertctl_completion alertctl\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    bin_dir = str(Path(sys.executable).parent)

    result = subprocess.run(
        [BASH, "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_install_completion_writes_the_script_and_sources_it_from_bashrc(isolated_home: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)

    # Two commands, so bash stays the parent instead of exec-ing alertctl: typer asks the process tree
    # which shell it runs in, and that tree differs between a terminal, CI and a background job.
    result = subprocess.run(
        [BASH, "-c", "alertctl --install-completion; exit $?"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )

    assert result.returncode == 0, result.stderr
    script = isolated_home / ".bash_completions" / "alertctl.sh"
    assert "complete -o default -F _alertctl_completion alertctl" in script.read_text()
    assert f"source '{script}'" in (isolated_home / ".bashrc").read_text()
