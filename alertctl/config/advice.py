"""What `config validate` warns about: valid settings that will give a rule no data.

Not errors (exit 0): a mount may be mounted later, and a program may be installed
later, but the operator should hear of it now rather than at the first missed alert.
Warnings name the key and never echo a command's words, which may hold secrets.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import PurePath

from alertctl.config.runtime import Config
from alertctl.model import CommandCheck

OPERATOR = re.compile(r"^[0-9]?(?:\|\|?|&&|>>?|<|;)(?:&[0-9])?$")
"""A word a shell would have interpreted (`|`, `&&`, `>`, `2>`, `;`); alertctl runs commands without one."""
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "busybox", "fish"})


def warnings(config: Config) -> list[str]:
    found = [_unmounted(index, rule.mount) for index, rule in enumerate(config.rules) if rule.mount is not None]
    found += [
        _shell_syntax(index, check) for index, check in enumerate(config.checks) if isinstance(check, CommandCheck)
    ]
    return [line for line in found if line]


def _unmounted(index: int, mount: str) -> str:
    if os.path.ismount(mount):
        return ""
    return f"rules[{index}].mount: {mount!r} is not mounted on this host; the rule will have no data"


def _shell_syntax(index: int, check: CommandCheck) -> str:
    if PurePath(check.command[0]).name in SHELLS:
        return ""
    operators = _operators(check.command)
    if not operators:
        return ""
    shown = " ".join(f'"{op}"' for op in operators)
    return (
        f"checks[{index}].command ({check.name}): {shown} is shell syntax, but commands run without a shell; "
        'write command = ["sh", "-c", "..."] for a pipeline or redirection'
    )


def _operators(argv: Sequence[str]) -> list[str]:
    """Operators standing as words (`cat f | wc`), or inside a lone argv element (`["cat f | wc"]`)."""
    words = argv[0].split() if len(argv) == 1 else list(argv)
    found = [
        ";" if word.endswith(";") and len(word) > 1 else word
        for word in words
        if OPERATOR.match(word) or (word.endswith(";") and len(word) > 1)
    ]
    return list(dict.fromkeys(found))
