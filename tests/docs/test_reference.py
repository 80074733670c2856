"""The manual's reference parts are generated from the code: a test fails when they go stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from alertctl import catalog
from alertctl.cli.app import app
from tests.docs.generator import generate

FIX = "stale: run `python3 docs/generate.py --reference` and commit the result"


@pytest.mark.parametrize("page", sorted(generate.reference_outputs()), ids=lambda page: page.name)
def test_each_generated_page_is_current(page: Path) -> None:
    assert page.exists() and page.read_text() == generate.reference_outputs()[page], f"{page.name}: {FIX}"


def test_every_command_has_its_help_in_the_reference() -> None:
    reference = (generate.DOCS / "cli.md").read_text()
    paths = generate.command_paths(get_command(app))
    assert len(paths) > 15
    for path in paths:
        assert f"\n## {' '.join(['alertctl', *path])}\n" in reference, f"alertctl {' '.join(path)}: {FIX}"


@pytest.mark.parametrize("path", [p for p in generate.command_paths(get_command(app)) if p], ids=" ".join)
def test_every_command_explains_itself(path: tuple[str, ...]) -> None:
    """Help is documentation: a command without a line of help is undocumented."""
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="alertctl")
    usage, _, rest = result.output.partition("\n\n")
    assert result.exit_code == 0 and usage.startswith("Usage: alertctl")
    assert rest.strip() and not rest.lstrip().startswith("Options:"), f"alertctl {' '.join(path)} has no help text"


def test_the_metric_table_lists_every_metric_of_the_catalog() -> None:
    page = (generate.DOCS / "configuration.md").read_text()
    for spec in catalog.SYSTEM_METRICS:
        assert f"| `{spec.name}` | {spec.unit.value} | {spec.description} |" in page


def test_a_region_out_of_date_is_rewritten() -> None:
    page = "before\n<!-- generated: metrics -->\n| `cpu.percent` | old |\n<!-- /generated -->\nafter\n"

    filled = generate.fill_regions(page)

    assert filled.startswith("before\n<!-- generated: metrics -->\n| metric |")
    assert filled.endswith("<!-- /generated -->\nafter\n") and "| old |" not in filled
