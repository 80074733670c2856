"""Dependencies point one way: a test that fails when an import arrow points upward.

Every module of the package is parsed (not imported), and every `import` in it counts,
including those inside functions and under `TYPE_CHECKING`: a lazy import is still
an arrow, it only moves the cost. docs/architecture.md draws the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "alertctl"

PURE = (
    "alertctl.engine",
    "alertctl.nodata",
    "alertctl.waits",
    "alertctl.messages",
    "alertctl.units",
    "alertctl.model",
    "alertctl.catalog",
    "alertctl.silencing",
    "alertctl.forecast",
    "alertctl.declaration",
)
"""The engine and what it reads (samples, state and `now` in, transitions out), and silence matching."""

BELOW_CONFIG = ("alertctl.secrets", "alertctl.notice_text", "alertctl.notice_reasons")
"""Read by config validation as well as by notify, so they sit below both."""

RULES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("alertctl.config", "alertctl.store"), ("alertctl.notify", "alertctl.cli", "alertctl.loop", "alertctl.writer")),
    (
        PURE + BELOW_CONFIG,
        ("alertctl.metrics", "alertctl.store", "alertctl.notify", "alertctl.cli", "alertctl.config", "alertctl.loop"),
    ),
    (
        ("alertctl.backtest",),
        (
            "alertctl.cli",
            "alertctl.loop",
            "alertctl.metrics",
            "alertctl.notify.send",
            "alertctl.notify.deliver",
            "alertctl.notify.worker",
            "alertctl.notify.queue",
        ),
    ),
)
"""(the modules or packages, what they must not import)."""


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _imported(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """What one import statement names, fully qualified: `from alertctl import catalog` names
    alertctl.catalog, `from alertctl.model import Alert` alertctl.model.Alert (within alertctl.model)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
        base = ".".join(anchor + ([base] if base else []))
    return [f"{base}.{alias.name}" for alias in node.names]


def imports() -> dict[str, list[tuple[str, int]]]:
    """Each module of the package and the package modules it imports, with line numbers."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _name(path)
        arrows = found.setdefault(module, [])
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = _imported(module, path.name == "__init__.py", node)
                arrows += [(name, node.lineno) for name in names if _within(name, ("alertctl",))]
    return found


def upward(found: dict[str, list[tuple[str, int]]]) -> list[str]:
    """Every import that breaks a rule, as `module:line imports target`."""
    broken = []
    for modules, forbidden in RULES:
        for module, arrows in found.items():
            if _within(module, modules):
                broken += [f"{module}:{line} imports {target}" for target, line in arrows if _within(target, forbidden)]
    return sorted(set(broken))


def test_no_module_imports_upward() -> None:
    assert upward(imports()) == []


def test_the_walk_sees_imports_inside_functions_and_from_the_package() -> None:
    """Without this the rules could pass by seeing nothing: `_template` imports lazily."""
    arrows = imports()
    assert any(_within(target, ("alertctl.notice_text",)) for target, _ in arrows["alertctl.config.schema"])
    assert "alertctl.catalog" in [target for target, _ in arrows["alertctl.metrics.collector"]]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    from alertctl.notify import send\n", ["alertctl.config.schema:2 imports alertctl.notify.send"]),
        ("import alertctl.cli.app\n", ["alertctl.config.schema:1 imports alertctl.cli.app"]),
        ("from alertctl import loop\n", ["alertctl.config.schema:1 imports alertctl.loop"]),
        ("from ..notify import send\n", ["alertctl.config.schema:1 imports alertctl.notify.send"]),
        ("from alertctl import model, catalog\n", []),
    ],
)
def test_an_upward_import_is_named_with_its_line(source: str, expected: list[str]) -> None:
    module, is_package = "alertctl.config.schema", False
    arrows = [
        (name, node.lineno)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in _imported(module, is_package, node)
    ]
    assert upward({module: arrows}) == expected
