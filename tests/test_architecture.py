"""Rules of docs/architecture.md that import-linter cannot express."""

from __future__ import annotations

import ast
import configparser
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


def _setup_cfg() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    return parser


def _listed(value: str) -> set[str]:
    return {line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")}


def test_every_built_in_block_is_in_the_contracts_that_keep_blocks_apart():
    # import-linter checks the packages a contract names: a block left out would escape them.
    blocks = {f"plugins.{path.parent.name}" for path in (ROOT / "plugins").glob("*/__init__.py")} - {
        "plugins.support"
    }
    config = _setup_cfg()
    assert _listed(config["importlinter:contract:blocks-independent"]["modules"]) == blocks
    assert _listed(config["importlinter:contract:support"]["forbidden_modules"]) == blocks


def test_the_support_package_is_not_a_block():
    entry_points = _setup_cfg()["options.entry_points"]["xblock.v1"]
    assert "plugins.support" not in entry_points
    assert not (ROOT / "plugins/support/public").exists()
    assert not (ROOT / "plugins/support/templates").exists()
