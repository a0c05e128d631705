"""Measured watching: the ``watched`` handler merges played ranges, refuses what it cannot check, and
publishes completion once 90 % of the video was watched (once only); ``mark_watched`` for players that
cannot be measured."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.video import watching
from plugins.video.validation import InvalidVideo
from tests.conftest import csrf_token
from tests.plugins.video.conftest import FILES, HTML5, YOUTUBE, completion, user_state

# Pure functions ------------------------------------------------------------------------------------------

ranges_strategy = st.lists(
    st.tuples(st.floats(0, 1000, allow_nan=False), st.floats(0, 1000, allow_nan=False)).map(sorted),
    max_size=30,
)


@given(ranges_strategy)
def test_merging_keeps_exactly_the_union(ranges):
    merged = watching.merge(ranges)
    assert all(a < b for a, b in merged)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))  # sorted and disjoint
    assert watching.merge(merged) == merged
    for a, b in ranges:  # every point of the input is covered, and nothing else
        if b > a:
            middle = (a + b) / 2
            assert any(x <= middle <= y for x, y in merged)
    for x, y in merged:
        middle = (x + y) / 2
        assert any(a <= middle <= b for a, b in ranges)


@given(ranges_strategy, ranges_strategy)
def test_merging_is_order_free_and_never_counts_twice(first, second):
    assert watching.merge(first + second) == watching.merge(second + first)
    assert watching.merge(watching.merge(first) + second) == watching.merge(first + second)
    covered = watching.watched_seconds(watching.merge(first + second), (0.0, 1000.0))
    assert covered <= 1000.0 + 1e-6


@given(
    duration=st.floats(1, watching.MAX_DURATION, allow_nan=False),
    fraction=st.floats(0, 1, allow_nan=False),
)
def test_complete_exactly_from_ninety_percent(duration, fraction):
    span = (0.0, duration)
    watched = [(0.0, duration * fraction)]
    if fraction >= watching.COMPLETION_THRESHOLD:
        assert watching.is_complete(watched, span)
    elif fraction < watching.COMPLETION_THRESHOLD - 1e-9:
        assert not watching.is_complete(watched, span)


def test_too_many_stored_ranges_drop_the_shortest():
    ranges = [(i * 3.0, i * 3.0 + (2.0 if i % 2 else 1.0)) for i in range(watching.MAX_STORED_RANGES + 10)]
    merged = watching.merge(ranges)
    assert len(merged) == watching.MAX_STORED_RANGES
    assert watching.watched_seconds(merged, (0, 1e9)) <= watching.watched_seconds(ranges, (0, 1e9))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "The report must be a JSON object with a duration and ranges."),
        ({"ranges": []}, "The duration must be a number of seconds above 0 and at most 24 hours."),
        ({"duration": "100", "ranges": []}, "The duration must be a number"),
        ({"duration": True, "ranges": []}, "The duration must be a number"),
        ({"duration": 0, "ranges": []}, "The duration must be a number"),
        ({"duration": -5, "ranges": []}, "The duration must be a number"),
        ({"duration": float("nan"), "ranges": []}, "The duration must be a number"),
        ({"duration": float("inf"), "ranges": []}, "The duration must be a number"),
        ({"duration": 90000, "ranges": []}, "The duration must be a number"),
        ({"duration": 100}, "The ranges must be a list of [start, end] pairs."),
        ({"duration": 100, "ranges": "0-50"}, "The ranges must be a list of [start, end] pairs."),
        ({"duration": 100, "ranges": [0, 50]}, "The ranges must be a list of [start, end] pairs."),
        ({"duration": 100, "ranges": [[0, 5, 9]]}, "The ranges must be a list of [start, end] pairs."),
        ({"duration": 100, "ranges": [{"start": 0, "end": 5}]}, "The ranges must be a list"),
        ({"duration": 100, "ranges": [["0", 5]]}, "The start and end of a range must be numbers of seconds."),
        ({"duration": 100, "ranges": [[None, 5]]}, "The start and end of a range must be numbers"),
        ({"duration": 100, "ranges": [[False, 5]]}, "The start and end of a range must be numbers"),
        ({"duration": 100, "ranges": [[0, float("nan")]]}, "The start and end of a range must be numbers"),
        ({"duration": 100, "ranges": [[-1, 5]]}, "A range must start at 0 or later and end after it starts."),
        ({"duration": 100, "ranges": [[50, 10]]}, "A range must start at 0 or later"),
        ({"duration": 100, "ranges": [[0, 100.6]]}, "A range cannot end after the end of the video."),
        ({"duration": 100, "ranges": [[0, 1]] * 101}, "A report can hold at most 100 ranges."),
    ],
)
def test_reports_are_checked(payload, message):
    with pytest.raises(InvalidVideo) as caught:
        watching.parse_report(payload)
    assert str(caught.value).startswith(message)


def test_a_range_a_hair_past_the_end_is_clamped():
    report = watching.parse_report({"duration": 100, "ranges": [[10, 100.4]]})
    assert report.ranges == [(10.0, 100.0)]


def test_the_window_falls_back_to_the_whole_video_when_it_does_not_fit():
    assert watching.window(100, 10, 20) == (10.0, 20.0)
    assert watching.window(100, 10, 0) == (10.0, 100.0)
    assert watching.window(100, 10, 500) == (10.0, 100.0)
    assert watching.window(100, 150, 0) == (0.0, 100.0)


# Through the handler --------------------------------------------------------------------------------------


@pytest.fixture
def html5_course(olx_course):
    return olx_course(HTML5 + YOUTUBE, FILES)


def test_ranges_are_merged_in_the_learners_state(app, html5_course, enrolled, as_user, announced):
    learner = enrolled(html5_course, language="en")
    client = as_user(learner, html5_course)
    first = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 30]]})
    assert first.status_code == 200
    assert first.get_json() == {"complete": False, "percent": 30, "status": "Watched so far: 30%"}
    second = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[20, 50], [70, 80]]})
    assert second.get_json()["percent"] == 60
    assert user_state(app, learner.id, html5_course) == {
        "duration": 100.0,
        "watched_ranges": [[0.0, 50.0], [70.0, 80.0]],
    }
    assert completion(app, learner.id, html5_course) is None
    assert announced == []


def test_completion_is_published_once_at_ninety_percent(app, html5_course, enrolled, as_user, announced):
    learner = enrolled(html5_course, language="en")
    client = as_user(learner, html5_course)
    client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 89.9]]})
    assert completion(app, learner.id, html5_course) is None
    done = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 90]]})
    assert done.get_json() == {"complete": True, "percent": 90, "status": "You have watched this video."}
    assert completion(app, learner.id, html5_course) == 1.0
    for ranges in ([[0, 90]], [[0, 100]], [[95, 100]]):  # replays and more watching publish nothing more
        assert client.call("video", "v1", "watched", {"duration": 100, "ranges": ranges}).status_code == 200
    video_events = [e for e in announced if e.usage_id == html5_course.usage("video", "v1")]
    assert [(e.completion, e.user_id) for e in video_events] == [(1.0, learner.id)]
    assert user_state(app, learner.id, html5_course)["completed"] is True


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    duration=st.floats(1, 7200, allow_nan=False).map(lambda d: round(d, 3)),
    fraction=st.sampled_from([0.0, 0.5, 0.8999, 0.899999, 0.9, 0.90001, 0.95, 1.0]),
)
def test_completion_boundary_through_the_handler(app, html5_course, enrolled, as_user, duration, fraction):
    learner = enrolled(html5_course, language="en")
    report = {"duration": duration, "ranges": [[0, duration * fraction]]}
    response = as_user(learner, html5_course).call("video", "v1", "watched", report)
    assert response.status_code == 200
    expected = fraction >= 0.9
    assert response.get_json()["complete"] is expected
    assert completion(app, learner.id, html5_course) == (1.0 if expected else None)


def test_a_start_end_window_is_what_must_be_watched(app, olx_course, enrolled, as_user):
    xml = (
        '<video url_name="v1" html5_sources=\'["/static/intro.mp4"]\' '
        'start_time="00:00:10" end_time="00:00:20"/>'
    )
    course = olx_course(xml, FILES)
    client = as_user(enrolled(course, language="en"), course)
    outside = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 10], [20, 100]]})
    assert outside.get_json()["complete"] is False
    inside = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[10, 19]]})
    assert inside.get_json() == {"complete": True, "percent": 90, "status": "You have watched this video."}


def test_another_duration_means_other_media_and_restarts_the_count(app, html5_course, enrolled, as_user):
    learner = enrolled(html5_course, language="en")
    client = as_user(learner, html5_course)
    client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 60]]})
    client.call("video", "v1", "watched", {"duration": 100.4, "ranges": [[60, 70]]})  # same media, rounded
    assert user_state(app, learner.id, html5_course)["watched_ranges"] == [[0.0, 70.0]]
    response = client.call("video", "v1", "watched", {"duration": 300, "ranges": [[0, 30]]})
    assert response.get_json()["percent"] == 10
    assert user_state(app, learner.id, html5_course) == {"duration": 300.0, "watched_ranges": [[0.0, 30.0]]}


def test_learners_do_not_share_ranges(app, html5_course, enrolled, as_user):
    first, second = enrolled(html5_course), enrolled(html5_course)
    as_user(first, html5_course).call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 95]]})
    assert completion(app, first.id, html5_course) == 1.0
    assert completion(app, second.id, html5_course) is None
    assert user_state(app, second.id, html5_course) == {}


BAD_BODIES = [
    pytest.param(
        json.dumps({"duration": 100, "ranges": [["zero", 50]]}), "must be numbers", id="not-numbers"
    ),
    pytest.param(json.dumps({"duration": 100, "ranges": [[-10, 95]]}), "start at 0 or later", id="negative"),
    pytest.param(
        json.dumps({"duration": 100, "ranges": [[0, 150]]}), "after the end of the video", id="beyond"
    ),
    pytest.param(
        json.dumps({"duration": 100, "ranges": [[0, 1]] * 5000}), "at most 100 ranges", id="too-many"
    ),
    pytest.param('{"duration": 100, "ranges": [[0, NaN]]}', "must be numbers", id="nan"),
    pytest.param('{"duration": Infinity, "ranges": [[0, 95]]}', "duration must be a number", id="infinite"),
    pytest.param(json.dumps([[0, 95]]), "must be a JSON object", id="wrong-shape"),
    pytest.param('{"duration": 100, "ranges": [[0, 95]', "Invalid JSON", id="malformed-json"),
    pytest.param(b"\xff\xfe{}", "Invalid JSON", id="not-utf8"),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
def test_bad_reports_are_refused_and_change_nothing(
    app, html5_course, enrolled, as_user, announced, body, message
):
    learner = enrolled(html5_course, language="en")
    client = as_user(learner, html5_course)
    client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 40]]})
    before = user_state(app, learner.id, html5_course)
    raw = body if isinstance(body, bytes) else body.encode()
    response = client.call("video", "v1", "watched", raw=raw)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert user_state(app, learner.id, html5_course) == before
    assert completion(app, learner.id, html5_course) is None
    assert announced == []


def test_an_oversized_body_is_refused_before_the_block_sees_it(app, html5_course, enrolled, as_user):
    learner = enrolled(html5_course)
    client = as_user(learner, html5_course)
    padding = " " * (1024 * 1024)
    raw = ('{"duration": 100, "ranges": [[0, 95]]' + padding + "}").encode()
    assert client.call("video", "v1", "watched", raw=raw).status_code == 413
    assert user_state(app, learner.id, html5_course) == {}
    assert completion(app, learner.id, html5_course) is None


def test_errors_are_in_the_learners_language(html5_course, enrolled, as_user):
    client = as_user(enrolled(html5_course, language="fr"), html5_course)
    response = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 150]]})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Une plage ne peut pas finir après la fin de la vidéo."
    ok = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 50]]})
    assert ok.get_json()["status"] == "Déjà regardé : 50 %"


def test_a_learner_not_enrolled_cannot_report(app, html5_course, make_user, as_user):
    outsider = make_user(language="en")
    client = as_user(outsider, html5_course)
    client._token = csrf_token(client.client, "/")  # a valid token of the outsider's own session
    response = client.call("video", "v1", "watched", {"duration": 100, "ranges": [[0, 95]]})
    assert response.status_code == 403
    assert user_state(app, outsider.id, html5_course) == {}
    assert completion(app, outsider.id, html5_course) is None


def test_youtube_watching_cannot_be_reported_as_measured(app, html5_course, enrolled, as_user):
    learner = enrolled(html5_course, language="en")
    response = as_user(learner, html5_course).call(
        "video", "yt", "watched", {"duration": 100, "ranges": [[0, 100]]}
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "Watching this video cannot be measured here."
    assert completion(app, learner.id, html5_course, "yt") is None


def test_the_watched_button_completes_other_players_once(app, html5_course, enrolled, as_user, announced):
    learner = enrolled(html5_course, language="en")
    client = as_user(learner, html5_course)
    first = client.call("video", "yt", "mark_watched")
    assert first.status_code == 200
    assert first.get_json()["complete"] is True
    assert client.call("video", "yt", "mark_watched").status_code == 200
    assert completion(app, learner.id, html5_course, "yt") == 1.0
    assert [e.completion for e in announced if e.usage_id == html5_course.usage("video", "yt")] == [1.0]


def test_the_watched_button_does_not_complete_a_measured_video(app, html5_course, enrolled, as_user):
    learner = enrolled(html5_course, language="en")
    response = as_user(learner, html5_course).call("video", "v1", "mark_watched")
    assert response.status_code == 400
    assert response.get_json()["error"] == "This video counts as watched once you have played enough of it."
    assert completion(app, learner.id, html5_course) is None
    assert user_state(app, learner.id, html5_course) == {}


def test_handlers_take_only_post(html5_course, enrolled, as_user):
    client = as_user(enrolled(html5_course), html5_course)
    response = client.client.get(html5_course.handler_url("video", "v1", "watched"))
    assert response.status_code == 405
