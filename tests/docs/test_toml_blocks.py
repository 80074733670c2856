"""Every TOML block in the manual and the README is a config file `config validate` accepts.

A block that is only part of a file is marked `<!-- fragment: why -->` on the line before
its fence, and skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alertctl.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"(?P<mark><!--[^\n]*-->\n)?```toml\n(?P<body>.*?)```", re.S)


def toml_blocks() -> list[tuple[str, str | None, str]]:
    """(page:line, its marker comment or None, the TOML) for every block."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text()
        for match in _BLOCK.finditer(text):
            where = f"{page.relative_to(ROOT)}:{text[: match.start('body')].count(chr(10)) + 1}"
            found.append((where, match.group("mark"), match.group("body")))
    return found


BLOCKS = toml_blocks()


def test_the_manual_has_toml_blocks_and_few_are_fragments() -> None:
    fragments = [where for where, mark, _ in BLOCKS if mark and mark.startswith("<!-- fragment")]
    assert len(BLOCKS) >= 10 and len(fragments) <= 2, fragments


@pytest.mark.parametrize(("where", "mark", "toml"), BLOCKS, ids=[where for where, _, _ in BLOCKS])
def test_each_toml_block_passes_config_validate(tmp_path: Path, where: str, mark: str | None, toml: str) -> None:
    if mark and mark.startswith("<!-- fragment"):
        pytest.skip(f"{where} is marked as a fragment")
    config = tmp_path / "block.toml"
    config.write_text(toml)

    result = CliRunner().invoke(app, ["config", "validate", "-c", str(config)])

    assert result.exit_code == 0, f"{where}: {result.output}"
    assert f"{config}: ok" in result.output
