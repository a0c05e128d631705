"""Which files of the shared ``plugins/support`` package a built-in block's catalogue must cover.

``plugins/support`` has no catalogue: its messages are translated through the calling block's i18n
service, so a block's ``translations/`` holds the strings of the support modules it imports (directly or
through another support module). ``make messages`` extracts a block's strings from its own folder and from
these files; ``tests/test_translations.py`` checks that their French is there.

Run as ``python -m tests.catalogue_sources plugins/<block>``: the files, one a line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = "plugins.support"


def _imported_support_modules(source: Path) -> set[Path]:
    """The support modules ``source`` imports (``from plugins.support import x`` names module x)."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(SUPPORT):
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.startswith(SUPPORT)]
        found.update(
            module
            for module in (ROOT / Path(*name.split(".")).with_suffix(".py") for name in names)
            if module.is_file()
        )
    return found


def support_modules(package: Path) -> set[Path]:
    """The files of ``plugins.support`` that the code of ``package`` imports, directly or through them."""
    found: set[Path] = set()
    pending = sorted(package.rglob("*.py"))
    while pending:
        for module in _imported_support_modules(pending.pop()) - found:
            found.add(module)
            pending.append(module)
    return found


if __name__ == "__main__":
    for path in sorted(support_modules(Path(sys.argv[1]).resolve())):
        print(path.relative_to(ROOT))
