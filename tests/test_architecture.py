"""Rules of docs/architecture.md that import-linter cannot express."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_ROOT_IMPORTERS = {ROOT / "wsgi.py", ROOT / "app" / "cli.py", ROOT / "app" / "__init__.py"}


def _imports_app_root(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "app" and node.level == 0:
            return True
        if isinstance(node, ast.Import) and any(alias.name == "app" for alias in node.names):
            return True
    return False


def test_only_the_entry_points_import_the_app_package_root():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app", "plugins")
        for path in (ROOT / folder).rglob("*.py")
        if path not in ALLOWED_ROOT_IMPORTERS and _imports_app_root(ast.parse(path.read_text()))
    ]
    assert offenders == []


def test_services_never_commit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("services*/**/*.py")
        if ".commit()" in path.read_text()
    ] + [
        str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("services.py") if ".commit()" in p.read_text()
    ]
    assert offenders == []
