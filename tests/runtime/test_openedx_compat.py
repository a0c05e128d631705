"""The Open edX modules hosted blocks import (app.runtime.openedx_compat): served only where no real one is
found, their waffle flags on exactly when the platform's configuration names them, under both of Open
edX's signatures."""

from __future__ import annotations

import importlib
import sys

import pytest

from app import create_app
from app.runtime import openedx_compat


@pytest.fixture
def flags():
    """The configured flags, put back after the test."""
    before = set(openedx_compat._enabled)
    yield openedx_compat.install
    openedx_compat.install(before)


def test_the_module_blocks_import_is_served_by_the_last_finder(flags):
    flags([])
    assert sys.meta_path[-1] is openedx_compat._FINDER
    waffle = importlib.import_module("openedx.core.djangoapps.waffle_utils")
    assert waffle.CourseWaffleFlag is openedx_compat.CourseWaffleFlag
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("openedx.core.djangoapps.something_else")


def test_flags_are_off_unless_configured_under_either_signature(flags):
    from openedx.core.djangoapps.waffle_utils import CourseWaffleFlag, WaffleFlag

    flags([])
    old_style = CourseWaffleFlag("drag_and_drop_v2", "grading_ignore_decoys", "drag_and_drop_v2.compat")
    new_style = CourseWaffleFlag("drag_and_drop_v2.grading_ignore_decoys", "drag_and_drop_v2.compat")
    assert old_style.name == new_style.name == "drag_and_drop_v2.grading_ignore_decoys"
    assert not old_style.is_enabled("course-v1:X+Y+Z") and not WaffleFlag("other.flag").is_enabled()
    flags(["drag_and_drop_v2.grading_ignore_decoys"])
    assert old_style.is_enabled("course-v1:X+Y+Z") and new_style.is_enabled(None)
    assert not WaffleFlag("other.flag", __name__).is_enabled()
    with pytest.raises(ValueError):
        WaffleFlag("")


def test_the_application_turns_on_the_flags_it_is_configured_with(flags, tmp_path):
    create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SECRET_KEY": "k" * 32,
            "XBLOCK_WAFFLE_FLAGS": ("drag_and_drop_v2.grading_ignore_decoys",),
        }
    )
    from openedx.core.djangoapps.waffle_utils import CourseWaffleFlag

    assert CourseWaffleFlag("drag_and_drop_v2.grading_ignore_decoys", __name__).is_enabled("k")
