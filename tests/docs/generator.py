"""docs/generate.py loaded by its path: docs/ is the manual's folder, not a package to import."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "docs" / "generate.py"
_SPEC = importlib.util.spec_from_file_location("alertctl_docs_generate", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
generate = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = generate
_SPEC.loader.exec_module(generate)
