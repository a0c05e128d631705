"""XBlock handler endpoints: access, CSRF from the browser runtime, size limit, errors mapped to 4xx."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.runtime.models import FieldValue
from tests.conftest import sign_in
from tests.learn.conftest import EN, page_token

ECHO_UNIT = (
    "course", "course", {}, [("chapter", "ch", {}, [("sequential", "seq", {}, [
        ("vertical", "unit1", {}, [("testblock", "echo", {}, []), ("html", "h", {"data": "<p>x</p>"}, [])]),
    ])])],
)  # fmt: skip


@pytest.fixture
def echo_course(make_course):
    return make_course(ECHO_UNIT)


@pytest.fixture
def signed_in(client, echo_course, learner, enrol):
    """The learner enrolled, signed in, with the token their unit page gives the browser runtime."""
    enrol(learner, echo_course)
    sign_in(client, learner.email)
    return page_token(client, echo_course.unit_url("unit1"))


def _post(client, course, handler, body, token=None, suffix="", **kwargs):
    usage = course.usage("testblock", "echo")
    headers = {**EN, **({"X-CSRFToken": token} if token else {}), **kwargs.pop("headers", {})}
    path = f"/xblock/{usage}/handler/{handler}" + (f"/{suffix}" if suffix else "")
    return client.post(path, data=body, content_type="application/json", headers=headers, **kwargs)


def test_a_json_handler_answers_and_its_state_is_kept(client, app, echo_course, signed_in, learner):
    response = _post(client, echo_course, "echo", json.dumps({"a": "é"}), signed_in, suffix="x/y")
    assert response.status_code == 200
    assert response.json == {"data": {"a": "é"}, "suffix": "x/y", "count": 1}
    assert _post(client, echo_course, "echo", "{}", signed_in).json["count"] == 2
    with app.app_context():
        row = db.session.scalar(select(FieldValue).where(FieldValue.field_name == "count"))
        assert (row.user_id, row.value, row.scope) == (learner.id, 2, "user_state")


def test_the_handler_url_the_runtime_gives_matches_the_route(app, client, echo_course, signed_in):
    page = client.get(echo_course.unit_url("unit1"), headers=EN).get_data(as_text=True)
    assert '<meta name="xblock-handler-url" content="/xblock/__usage_id__/handler/__handler__">' in page


def test_a_post_without_the_csrf_token_is_refused(client, echo_course, signed_in):
    response = _post(client, echo_course, "echo", "{}")
    assert response.status_code == 400
    assert _post(client, echo_course, "echo", "{}", "not-a-token").status_code == 400


def test_an_unknown_handler_is_not_found(client, echo_course, signed_in):
    assert _post(client, echo_course, "nope", "{}", signed_in).status_code == 404
    assert _post(client, echo_course, "student_view", "{}", signed_in).status_code == 404


def test_bad_json_is_a_bad_request(client, echo_course, signed_in):
    assert _post(client, echo_course, "echo", "{not json", signed_in).status_code == 400


def test_a_json_handler_error_keeps_its_status(client, echo_course, signed_in):
    response = _post(client, echo_course, "echo", json.dumps({"fail": True}), signed_in)
    assert response.status_code == 409


def test_a_write_without_a_learner_is_a_bad_request(app, echo_course):
    usage = echo_course.usage("testblock", "echo")
    response = app.test_client().post(f"/xblock/{usage}/handler_noauth/anonymous_write", data="", headers=EN)
    assert response.status_code == 400
    assert response.json["error"] == "This component tried to save something it may not change here."
    assert "no user" in response.json["detail"]


def test_a_learner_may_not_change_a_blocks_settings(app, client, echo_course, signed_in):
    response = _post(client, echo_course, "rename", json.dumps({"note": "changed"}), signed_in)
    assert response.status_code == 400
    assert response.json["error"] == "This component tried to save something it may not change here."
    assert "read-only for learners" in response.json["detail"]
    with app.app_context():
        assert db.session.scalar(select(FieldValue).where(FieldValue.field_name == "note")) is None


def test_the_reason_is_in_the_learners_language(client, echo_course, make_user, make_company, enrol):
    from app.accounts.models import Role

    french = make_user(roles=[(Role.LEARNER, make_company())], language="fr")
    enrol(french, echo_course)
    sign_in(client, french.email)
    token = page_token(client, echo_course.unit_url("unit1"))
    response = _post(client, echo_course, "rename", json.dumps({"note": "x"}), token, headers={})
    assert response.status_code == 400
    assert response.json["error"] == "Ce composant a tenté d’enregistrer ce qu’il ne peut pas modifier ici."


def test_browser_events_may_not_award_progress(client, echo_course, signed_in):
    body = json.dumps({"event_type": "grade", "value": 1, "max_value": 1})
    refused = _post(client, echo_course, "publish_event", body, signed_in)
    assert refused.status_code == 400
    assert refused.json == {
        "error": "This component sent a report that was refused.",
        "detail": "grade events are not accepted from the browser",
    }
    body = json.dumps({"event_type": "xblock.echo.clicked"})
    assert _post(client, echo_course, "publish_event", body, signed_in).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["edx.drag_and_drop_v2.loaded", "xblock.image-explorer.hotspot.opened", "Video.Loaded", "play_video"],
)
def test_browser_tracking_events_of_open_edx_blocks_are_accepted(client, echo_course, signed_in, name):
    body = json.dumps({"event_type": name, "currentTime": 12})
    assert _post(client, echo_course, "publish_event", body, signed_in).status_code == 200


@pytest.mark.parametrize("name", ["", "x" * 201, "a b", "évènement\n", "<script>", "1abc", None, 3, [1], {}])
def test_browser_event_names_that_are_not_one_word_are_refused(client, echo_course, signed_in, name):
    body = json.dumps({"event_type": name})
    assert _post(client, echo_course, "publish_event", body, signed_in).status_code == 400


def test_an_oversized_body_is_refused(client, echo_course, signed_in):
    body = json.dumps({"blob": "x" * (1024 * 1024 + 10)})
    assert _post(client, echo_course, "echo", body, signed_in).status_code == 413


def test_a_course_the_learner_is_not_enrolled_in_is_forbidden(client, make_course, echo_course, signed_in):
    other = make_course(ECHO_UNIT, course_key="course-v1:Cybermassif+OTHER+2026")
    assert _post(client, other, "echo", "{}", signed_in).status_code == 403


def test_anonymous_callers_and_unknown_blocks_are_refused(app, client, echo_course, signed_in):
    stranger = app.test_client()
    assert _post(stranger, echo_course, "echo", "{}", headers={}).status_code in (400, 401)
    missing = "block-v1:Cybermassif+TEST+2026+type@testblock+block@missing"
    response = client.post(
        f"/xblock/{missing}/handler/echo", data="{}", content_type="application/json",
        headers={"X-CSRFToken": signed_in},
    )  # fmt: skip
    assert response.status_code == 404
    response = client.post(
        "/xblock/not-a-key/handler/echo", data="{}", content_type="application/json",
        headers={"X-CSRFToken": signed_in},
    )  # fmt: skip
    assert response.status_code == 404


def test_third_party_handlers_run_without_a_session_when_the_block_lists_them(app, echo_course):
    stranger = app.test_client()
    usage = echo_course.usage("testblock", "echo")
    response = stranger.post(f"/xblock/{usage}/handler_noauth/callback/result", data="ok")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "called result"
    assert stranger.post(f"/xblock/{usage}/handler_noauth/secret", data="").status_code == 404
    assert stranger.post(f"/xblock/{usage}/handler_noauth/echo", data="{}").status_code == 404
    html = echo_course.usage("html", "h")
    assert stranger.post(f"/xblock/{html}/handler_noauth/callback", data="").status_code == 404


def test_asides_answer_only_when_the_site_allows_them(client, echo_course, signed_in):
    aside = f"aside-usage-v2:{echo_course.usage('testblock', 'echo')}::acid_aside"
    response = client.post(
        f"/xblock/{aside}/handler/check_storage", data="{}", content_type="application/json",
        headers={"X-CSRFToken": signed_in},
    )  # fmt: skip
    assert response.status_code == 404
    assert client.get("/xblock/resource/acid_aside/public/test_data.json").status_code == 404


@pytest.fixture
def transactions(app):
    """Each transaction begun, as ``"reader"`` or ``"writer"`` (SQLite begins a writer with BEGIN IMMEDIATE),
    followed by the first words of the statements run in it."""
    from sqlalchemy import event

    from app.core import database

    log: list[str] = []
    with app.app_context():
        engine = db.engine

    def begun(_connection):
        log.append("writer" if database._write_intent.get() else "reader")

    def executed(_connection, _cursor, statement, *_args):
        log.append(" ".join(statement.split()[:3]))

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", executed)
    yield log
    event.remove(engine, "begin", begun)
    event.remove(engine, "before_cursor_execute", executed)


def test_a_handler_checks_who_asks_as_a_reader_and_writes_only_the_blocks_work(
    client, echo_course, signed_in, transactions
):
    """The checks do not hold the write lock: other requests' writes go on while they run."""
    transactions.clear()
    assert _post(client, echo_course, "echo", "{}", signed_in).status_code == 200
    writer = transactions.index("writer")
    checks, work = transactions[:writer], transactions[writer:]
    assert checks[0] == "reader"
    assert {"SELECT user_account.id, user_account.email,", "SELECT course.id, course.course_key,"} <= set(
        checks
    )
    assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in checks)
    assert work[1].startswith("SELECT xblock_field.")  # the block's state, read where it is saved
    assert any(s.startswith("INSERT INTO xblock_field") for s in work)
    assert "writer" not in work[1:]  # one writing transaction


def _without_session(client):
    return client.application.test_client()


def test_a_refused_handler_call_never_takes_the_write_lock(
    client, make_course, echo_course, signed_in, transactions
):
    other = make_course(ECHO_UNIT, course_key="course-v1:Cybermassif+OTHER+2026")
    transactions.clear()
    assert _post(client, other, "echo", "{}", signed_in).status_code == 403
    assert _post(client, echo_course, "echo", "{}", "not-a-token").status_code == 400
    assert _post(_without_session(client), echo_course, "echo", "{}").status_code in (400, 401)
    assert "writer" not in transactions


EXPLORER = (
    "<image_explorer schema_version='2'><background src='/static/plan.png'/><hotspots>"
    "<hotspot item-id='a' x='10%' y='10%'><feedback><header><p>A</p></header></feedback></hotspot>"
    "<hotspot item-id='b' x='50%' y='50%'><feedback><header><p>B</p></header></feedback></hotspot>"
    "</hotspots></image_explorer>"
)


def test_a_block_may_grade_from_its_own_publish_event_handler(client, make_course, learner, enrol, app):
    """The image explorer (PyPI) grades each hotspot opened in its ``publish_event`` handler: that grade is
    the block's, while the browser still may not name a grade there."""
    from app.progress.models import BlockCompletion

    course = make_course(
        ("course", "course", {}, [("chapter", "ch", {}, [("sequential", "seq", {}, [
            ("vertical", "unit1", {}, [("image-explorer", "ie", {"data": EXPLORER}, [])]),
        ])])]),
    )  # fmt: skip
    enrol(learner, course)
    sign_in(client, learner.email)
    token = page_token(client, course.unit_url("unit1"))
    path = f"/xblock/{course.usage('image-explorer', 'ie')}/handler/publish_event"

    def post(body):
        headers = {**EN, "X-CSRFToken": token}
        return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)

    def grade():
        with app.app_context():
            record = db.session.scalar(
                select(BlockCompletion).where(
                    BlockCompletion.user_id == learner.id, BlockCompletion.block_type == "image-explorer"
                )
            )
            return None if record is None else (record.earned, record.possible)

    assert post({"event_type": "grade", "value": 1, "max_value": 1}).status_code == 400
    assert post({"event_type": "progress"}).status_code == 400
    assert post({"event_type": ["grade"], "item_id": "a"}).status_code == 400
    headers = {**EN, "X-CSRFToken": token}
    assert client.post(path, data="{", content_type="application/json", headers=headers).status_code == 400
    assert grade() is None
    opened = post({"event_type": "xblock.image-explorer.hotspot.opened", "item_id": "a"})
    assert opened.status_code == 200 and opened.json == {"result": "success"}
    assert grade() == (0.5, 1.0)
    # A hotspot the block does not have, or one already opened, changes nothing.
    assert post({"event_type": "xblock.image-explorer.hotspot.opened", "item_id": "zz"}).status_code == 200
    assert post({"event_type": "xblock.image-explorer.hotspot.opened", "item_id": "a"}).status_code == 200
    assert grade() == (0.5, 1.0)
    assert post({"event_type": "xblock.image-explorer.hotspot.opened", "item_id": "b"}).status_code == 200
    assert grade() == (1.0, 1.0)
