"""Rows of cells in fixed columns, one line each: what does not fit is cut with "…", never wrapped.

Rich's tables fold a cell onto more lines when the screen is narrow (`queue-backl`/`og`);
`history` and the live view want one alert on one line, so columns give up width in a
stated order (the message first, then the rule) and the cut is marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

GAP = 2
"""Spaces between columns."""


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False
    """Right-aligned (numbers, ids, ages)."""
    cut: int = 0
    """Order in which this column gives up width when the line is too long (1 first); 0 never."""
    keep: int = 0
    """Width the first round of cutting leaves it (a second round takes it down to one character)."""


Cell = Text | str


def lay_out(
    columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int | None, header_style: str = "bold"
) -> list[Text]:
    """The header line, then one line per row, each at most `width` cells wide when it can be."""
    header = [Text(c.header, style=header_style) for c in columns]
    cells = [[_one_line(cell) for cell in row] for row in rows]
    widths = [max(cell.cell_len for cell in column) for column in zip(header, *cells, strict=True)]
    if width is not None:
        widths = _narrowed(columns, widths, width)
    return [_line(columns, widths, row) for row in (header, *cells)]


def _one_line(cell: Cell) -> Text:
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    text.plain = text.plain.replace("\t", " ").replace("\n", " ")
    return text


def _narrowed(columns: Sequence[Column], widths: list[int], width: int) -> list[int]:
    """Take the excess from the cuttable columns in their order: first down to `keep`, then to 1."""
    widths = list(widths)
    excess = sum(widths) + GAP * (len(widths) - 1) - width
    order = sorted((c.cut, i) for i, c in enumerate(columns) if c.cut)
    for floor in ("keep", "one"):
        for _, i in order:
            if excess <= 0:
                return widths
            least = max(columns[i].keep, 1) if floor == "keep" else 1
            taken = min(excess, max(widths[i] - least, 0))
            widths[i] -= taken
            excess -= taken
    return widths


def _line(columns: Sequence[Column], widths: Sequence[int], row: Sequence[Text]) -> Text:
    line = Text()
    for index, (column, size, cell) in enumerate(zip(columns, widths, row, strict=True)):
        cell = cell.copy()
        cell.truncate(size, overflow="ellipsis")
        padding = " " * (size - cell.cell_len)
        if index:
            line.append(" " * GAP)
        line.append_text(Text(padding) + cell if column.right else cell + Text(padding))
    line.rstrip()
    return line
