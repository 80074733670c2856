"""Write the manual's generated parts from the code, so the manual cannot drift from it.

    python3 docs/generate.py              # everything: the reference parts and the tour
    python3 docs/generate.py --reference  # metric tables, config keys, docs/cli.md
    python3 docs/generate.py --tour       # run docs/tour.md's commands, write their output
    python3 docs/generate.py --check      # exit 1 naming what is stale; write nothing

The reference parts sit between `<!-- generated: NAME -->` and `<!-- /generated -->` in a
page (docs/cli.md is generated whole). The tour's console blocks are produced by running
each `$ ` command in a scratch home; tests/docs re-run both and compare (the tour without
what changes from run to run: times, durations, this machine's readings).
It imports (and the tour runs) the alertctl of this checkout, never an installed one.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alertctl.config.keys import Declared

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the worktree's alertctl, not an installed one

_REGION = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /generated -->)", re.S)


def metric_tables() -> str:
    """The built-in metrics and the metrics each check type yields, from alertctl/catalog.py."""
    from alertctl import catalog

    lines = ["| metric | unit | meaning | labels |", "|---|---|---|---|"]
    for spec in catalog.SYSTEM_METRICS:
        labels = ", ".join(f"`{label}`" for label in spec.labels)
        lines.append(f"| `{spec.name}` | {spec.unit.value} | {spec.description} | {labels} |")
    lines += [
        "",
        "From `[[checks]]`, under the check's `name`:",
        "",
        "| type | metric | unit | meaning |",
        "|---|---|---|---|",
    ]
    for check_type, metrics in catalog.CHECK_METRICS.items():
        for suffix, unit, description in metrics:
            lines.append(f"| `{check_type.value}` | `NAME.{suffix}` | {unit.value} | {description} |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Table:
    """One table of the config file: how the summary names it, and the dataclasses (in
    `alertctl.MODULE`) that declare its keys (a channel's table joins both kinds of channel)."""

    heading: str
    module: str
    classes: tuple[str, ...]


TABLES = {
    "agent": Table("[agent]", "config.runtime", ("Agent",)),
    "notify": Table("[notify]", "config.runtime", ("Notify",)),
    "channel": Table("[notify.channels.NAME]", "config.runtime", ("Channel", "AlertmanagerChannel")),
    "history": Table("[history]", "config.runtime", ("History",)),
    "check-command": Table('[[checks]] type = "command"', "model", ("CommandCheck",)),
    "check-http": Table('[[checks]] type = "http"', "model", ("HttpCheck",)),
    "check-tcp": Table('[[checks]] type = "tcp"', "model", ("TcpCheck",)),
    "check-process": Table('[[checks]] type = "process"', "model", ("ProcessCheck",)),
    "rule": Table("[[rules]]", "model", ("Rule",)),
    "level": Table("a level: info/warning/error/critical = { ... }", "model", ("Level",)),
    "forecast": Table("[[rules]] forecast = { ... }", "model", ("Forecast",)),
}
"""Each table's generated key table is the region `config-NAME`."""


def section_table(section: str) -> str:
    """One table's keys, defaults and meanings, from their declarations."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {default} | {doc} |" for key, default, doc in section_rows(section)]
    return "\n".join(lines) + "\n"


def section_rows(section: str) -> list[tuple[str, str, str]]:
    """(key, default as written in the file, meaning) for every key of a table."""
    import importlib

    from alertctl.config.keys import declared

    table = TABLES[section]
    module = importlib.import_module(f"alertctl.{table.module}")
    classes = [getattr(module, name) for name in table.classes]
    rows: dict[str, tuple[str, str, str]] = {}
    for cls in classes:
        for key in declared(cls):
            rows.setdefault(key.key, (key.key, _default(key), _meaning(key)))
    return list(rows.values())


def _default(key: Declared) -> str:
    """The default as the file would write it; "required" when the file must give the key."""
    from alertctl.config.document import toml_value, written

    if key.required:
        return "required"
    if key.setting.default_text is not None:
        return key.setting.default_text
    value = written(key, key.default)
    return "unset" if value is None else f"`{toml_value(value)}`"


def _meaning(key: Declared) -> str:
    """The key's doc, and for a severity the names it takes (every level unless it says)."""
    from alertctl.model import Severity

    doc = key.setting.doc.replace("|", "\\|")
    if not isinstance(key.default, Severity):
        return doc
    names = [f'`"{level.label}"`' for level in key.setting.choices or Severity]
    if key.setting.off is not None:
        names.append(f'`"{key.setting.off}"`')
    return f"{doc} One of {', '.join(names[:-1])} or {names[-1]}."


def config_keys() -> str:
    """Every key of the config file with its default, table by table."""
    lines = ["| table | key | default |", "|---|---|---|"]
    for section, table in TABLES.items():
        lines += [f"| `{table.heading}` | `{key}` | {default} |" for key, default, _ in section_rows(section)]
    return "\n".join(lines) + "\n"


def cli_reference() -> str:
    """docs/cli.md: every command's --help, as printed at 80 columns."""
    from typer.main import get_command
    from typer.testing import CliRunner

    from alertctl.cli.app import app

    parts = [
        "# Command reference\n",
        "Every command's `--help`, generated by `python3 docs/generate.py` (a test fails when this\n"
        "page is stale). [Commands](commands.md) explains them with examples.\n",
    ]
    for path in command_paths(get_command(app)):
        result = CliRunner().invoke(app, [*path, "--help"], prog_name="alertctl", env={"COLUMNS": "80"})
        if result.exit_code != 0:
            raise SystemExit(f"alertctl {' '.join(path)} --help failed: {result.output}")
        title = " ".join(["alertctl", *path])
        parts.append(f"## {title}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def command_paths(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group below `group`, depth first, as argument tuples."""
    if not hasattr(group, "list_commands"):
        return [prefix]
    found = [prefix]
    for name in group.list_commands(None):
        command = group.get_command(None, name)  # type: ignore[attr-defined]
        if not getattr(command, "hidden", False):
            found += command_paths(command, (*prefix, name))
    return found


REGIONS: dict[str, Callable[[], str]] = {
    "metrics": metric_tables,
    "config-keys": config_keys,
    **{f"config-{section}": functools.partial(section_table, section) for section in TABLES},
}


def fill_regions(text: str) -> str:
    """`text` with every generated region rewritten; an unknown region name is an error."""

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in REGIONS:
            raise SystemExit(f"unknown generated region {name!r}")
        return match.group(1) + REGIONS[name]() + match.group(4)

    return _REGION.sub(fill, text)


def reference_outputs() -> dict[Path, str]:
    """Each generated file with the content it should have."""
    outputs = {DOCS / "cli.md": cli_reference()}
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text()
        if _REGION.search(text):
            outputs[page] = fill_regions(text)
    return outputs


def tour_outputs() -> dict[Path, str]:
    page = DOCS / "tour.md"
    return {page: regenerate_tour(page.read_text())}


# -- the tour ------------------------------------------------------------------------------
#
# Each `$ ` line of a ```console block runs in bash, in a scratch folder and home, with the
# worktree's alertctl first on PATH; its stdout and stderr replace the lines below it. A
# ```toml block after `<!-- tour: alertctl.toml -->` is written to ./alertctl.toml there.
# `/tmp/` in the page stands for the scratch folder and `/home/alice` for the scratch home.

_FENCE = re.compile(r"(?P<head><!-- tour: (?P<file>[\w.-]+) -->\n)?```(?P<lang>console|toml)\n(?P<body>.*?)```", re.S)
_SYSTEM = r"(?:cpu|memory|swap|load|disk|processes|alertctl)\.\w+"
_PERFDATA_ITEM = re.compile(r"(?:'[^']*'|[^\s=']+)=\S*")


def regenerate_tour(page: str) -> str:
    """The page with every console block's output replaced by a fresh run of its commands."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tour") as scratch:
        run = _TourRun(Path(scratch))
        return _FENCE.sub(run.block, page)


class _TourRun:
    def __init__(self, scratch: Path) -> None:
        self.work, self.home, self.bin = scratch / "work", scratch / "home", scratch / "bin"
        for folder in (self.work, self.home, self.bin):
            folder.mkdir()
        shim = self.bin / "alertctl"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m alertctl "$@"\n')
        shim.chmod(0o755)
        self.status = 0
        self.configured = False

    def environment(self) -> dict[str, str]:
        import os

        kept = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "SYSTEMROOT")}
        return kept | {
            "HOME": str(self.home),
            "USER": "alice",
            "LOGNAME": "alice",
            "TZ": "UTC",
            "COLUMNS": "100",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "PYTHONPATH": str(ROOT),
            "PATH": f"{self.bin}:/usr/bin:/bin",
        }

    def block(self, match: re.Match[str]) -> str:
        body = match.group("body")
        if match.group("lang") == "toml":
            if match.group("file"):
                (self.work / match.group("file")).write_text(self.to_scratch(body))
                self.configured = True
            return match.group(0)
        lines = []
        for line in body.splitlines():
            if line.startswith("$ "):
                lines += [line, *self.run(line[2:])]
        return "```console\n" + "".join(f"{line}\n" for line in lines) + "```"

    def run(self, command: str) -> list[str]:
        import subprocess

        done = subprocess.run(
            ["bash", "-c", f"(exit {self.status}); {self.to_scratch(command)}"],
            cwd=self.work,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
        self.status = done.returncode
        return [self.shorten(self.from_scratch(line.rstrip())) for line in done.stdout.splitlines()]

    def to_scratch(self, text: str) -> str:
        return text.replace("/tmp/", f"{self.work}/")

    def from_scratch(self, text: str) -> str:
        return text.replace(str(self.work), "/tmp").replace(str(self.home), "/home/alice")

    def shorten(self, line: str) -> str:
        """Once a config is written, a status line's perfdata of built-in metrics becomes `…`."""
        status, sep, perfdata = line.partition(" | ")
        if not self.configured or not sep or not status.startswith("ALERTCTL "):
            return line
        items = _PERFDATA_ITEM.findall(perfdata)
        kept = [item for item in items if not re.match(f"'?{_SYSTEM}", item)]
        return f"{status}{sep}{' '.join(['…', *kept] if len(kept) < len(items) else kept)}"


def _without_readings(line: str) -> str:
    """A status line keeps its verdict; a row of this machine's metrics (which mounts it has,
    what they read) goes."""
    if not re.search(_SYSTEM, line):
        return line
    return line.partition(" | ")[0] + " | …" if line.startswith("ALERTCTL ") else ""


def masked(page: str) -> str:
    """The page without what changes from run to run and machine to machine: times, durations,
    the machine's own readings, and the column widths and wrapping that follow from them."""
    page = re.sub(r"(?:\d{4}-)?\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:[+-]\d\d:\d\d|Z)?", "<time>", page)
    page = re.sub(r"((?:duration|response_time|connect_time)\S*?[=:] ?)[\d.]+", r"\1#", page)
    page = re.sub(r"((?:duration|response_time|connect_time) +)[\d.]+ ?(?:µs|ms|s)\b", r"\1#", page)
    page = re.sub(
        r"(?m)^.*[┤└].*$|^[ \d:]*\d\d:\d\d[ \d:]*$", "", page
    )  # a chart's plot and axes: where the points fall
    page = "\n".join(_without_readings(line) for line in page.splitlines())
    page = re.sub(r"[─━]+", "─", page)
    return re.sub(r"\s+", " ", page)  # where a line wraps follows from the widths masked above


def _same(path: Path, old: str, new: str) -> bool:
    return masked(old) == masked(new) if path.name == "tour.md" else old == new


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", action="store_true", help="only the reference parts")
    parser.add_argument("--tour", action="store_true", help="only the tour")
    parser.add_argument("--check", action="store_true", help="say what is stale, write nothing")
    args = parser.parse_args()
    both = not args.reference and not args.tour
    outputs: dict[Path, str] = {}
    if args.reference or both:
        outputs |= reference_outputs()
    if args.tour or both:
        outputs |= tour_outputs()
    stale = [path for path, text in outputs.items() if not path.exists() or not _same(path, path.read_text(), text)]
    for path in stale:
        if args.check:
            print(f"{path.relative_to(ROOT)}: stale; run python3 docs/generate.py", file=sys.stderr)
        else:
            path.write_text(outputs[path])
            print(f"wrote {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
