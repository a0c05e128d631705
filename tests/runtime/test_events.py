"""Open edX's completion and grade semantics applied to published events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from xblock.completable import XBlockCompletionMode
from xblock.fields import ScopeIds

from app.runtime import events
from app.runtime.keys import CourseKey, usage_key_for

KEY = usage_key_for(CourseKey.from_string("course-v1:Cybermassif+TEST+2026"), "problem", "q1")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


class Block:
    """Just the attributes the semantics look at (a real XBlock is exercised by the page tests)."""

    has_custom_completion = False
    has_score = False
    completion_mode = XBlockCompletionMode.COMPLETABLE
    scope_ids = ScopeIds(7, "problem", KEY.definition_key, KEY)

    def __init__(self, **attributes):
        for name, value in attributes.items():
            setattr(self, name, value)


def test_grade_means_complete():
    event = events.interpret(Block(has_score=True), "grade", {"value": 1, "max_value": 2}, 7, NOW)
    assert (event.earned, event.possible, event.completion) == (1.0, 2.0, 1.0)
    assert event.usage_id == str(KEY) and event.course_key == "course-v1:Cybermassif+TEST+2026"


def test_custom_completion_blocks_report_their_own():
    block = Block(has_custom_completion=True, has_score=True)
    assert events.interpret(block, "grade", {"value": 1, "max_value": 1}, 7, NOW).completion is None
    assert events.interpret(block, "completion", {"completion": 0.25}, 7, NOW).completion == 0.25


def test_completion_from_a_block_without_custom_completion_is_ignored():
    assert events.interpret(Block(), "completion", {"completion": 1.0}, 7, NOW) is None


def test_progress_means_complete():
    assert events.interpret(Block(), "progress", {}, 7, NOW).completion == 1.0


@pytest.mark.parametrize("mode", [XBlockCompletionMode.EXCLUDED, XBlockCompletionMode.AGGREGATOR])
def test_excluded_and_aggregators_do_not_count(mode):
    block = Block(completion_mode=mode, has_custom_completion=True)
    assert events.interpret(block, "completion", {"completion": 1.0}, 7, NOW) is None
    assert not events.completes_on_view(block)


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("completion", {"completion": 1.5}),
        ("completion", {"completion": -0.1}),
        ("completion", {"completion": "1"}),
        ("grade", {"value": 3, "max_value": 2}),
        ("grade", {"value": -1, "max_value": 2}),
        ("grade", {"value": 1, "max_value": 0}),
        ("grade", {"value": True, "max_value": 1}),
        ("grade", {"max_value": 1}),
    ],
)
def test_bad_values_are_refused(event_type, data):
    with pytest.raises(events.EventRefused):
        events.interpret(Block(has_custom_completion=True, has_score=True), event_type, data, 7, NOW)


def test_complete_on_view_only_for_plain_blocks():
    assert events.completes_on_view(Block())
    assert not events.completes_on_view(Block(has_score=True))
    assert not events.completes_on_view(Block(has_custom_completion=True))


@pytest.mark.parametrize(
    "name", ["grade", "completion", "progress", "edx.done.toggled;drop", "x" * 201, "", "a b", None, 3]
)
def test_browser_event_names_outside_the_allow_list_are_refused(name):
    with pytest.raises(events.EventRefused):
        events.track(Block(), name, {}, 7, from_browser=True)


def test_browser_event_names_in_the_allow_list_are_tracked(caplog):
    with caplog.at_level("INFO", logger="cybermassif.tracking"):
        events.track(Block(), "xblock.poll.view_results", {"a": 1}, 7, from_browser=True)
    assert "xblock.poll.view_results" in caplog.text
