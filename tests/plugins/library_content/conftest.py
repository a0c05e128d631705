"""The ``library_content`` block type as this checkout's setup.cfg declares it.

The shared test environment's package metadata may come from another checkout (the entry points of the
last editable install): when it lacks this block type, the registry gets the entry point written in
setup.cfg here, so that the tests load the block exactly as an install of this checkout would.
"""

from __future__ import annotations

import configparser
import importlib.metadata
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.runtime import bridge
from app.runtime.registry import BLOCK_GROUP, BlockType, get_registry

SETUP_CFG = Path(__file__).resolve().parents[3] / "setup.cfg"
TYPE = "library_content"


def declared_entry_point() -> str:
    """The ``xblock.v1`` entry point of ``library_content`` in setup.cfg."""
    parser = configparser.ConfigParser()
    parser.read(SETUP_CFG)
    for line in parser["options.entry_points"][BLOCK_GROUP].splitlines():
        name, _, value = line.partition("=")
        if name.strip() == TYPE:
            return value.strip()
    raise AssertionError("setup.cfg declares no library_content block")


@pytest.fixture(autouse=True)
def library_content_installed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry serves ``library_content`` from this checkout's declaration when it is not installed."""
    registry = get_registry()
    if not registry.is_installed(TYPE):
        entry = importlib.metadata.EntryPoint(TYPE, declared_entry_point(), BLOCK_GROUP)
        monkeypatch.setitem(
            registry._types,
            (BLOCK_GROUP, TYPE),
            BlockType(TYPE, "cybermassif", "0", entry.value, False, entry),
        )
        registry._classes.pop((BLOCK_GROUP, TYPE), None)
    with app.app_context():
        bridge.setup_for(app).refresh_disabled()
    yield
    registry._classes.pop((BLOCK_GROUP, TYPE), None)
