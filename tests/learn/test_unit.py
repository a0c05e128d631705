"""The unit page: every block rendered and wrapped safely, view completion, navigation, placeholders."""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Enrolment
from app.progress.models import BlockCompletion
from app.runtime import bridge
from app.runtime.models import BlockTypeSetting
from tests.conftest import sign_in
from tests.learn.conftest import EN


def _u(name, title, text):
    """A unit with one HTML component."""
    return ("vertical", name, {"display_name": title}, [("html", f"h{name}", {"data": f"<p>{text}</p>"}, [])])


COURSE_TREE = (
    "course", "course", {"display_name": "Formation"}, [
        ("chapter", "ch1", {"display_name": "Chapitre A"}, [
            ("sequential", "seq1", {"display_name": "Séquence A1"}, [
                _u("u1", "Unité 1", "un"),
                _u("u2", "Unité 2", "deux"),
            ]),
            ("sequential", "seq2", {"display_name": "Séquence A2"}, [
                _u("u3", "Unité 3", "trois"),
            ]),
        ]),
        ("chapter", "ch2", {"display_name": "Chapitre B"}, [
            ("sequential", "seq3", {"display_name": "Séquence B1"}, [
                _u("u4", "Unité 4", "quatre"),
            ]),
        ]),
    ],
)  # fmt: skip


def _unit_with(*components):
    return (
        "course", "course", {"display_name": "Formation"}, [
            ("chapter", "ch1", {"display_name": "Chapitre"}, [
                ("sequential", "seq1", {"display_name": "Séquence"}, [
                    ("vertical", "unit1", {"display_name": "Unité"}, list(components)),
                ])
            ])
        ],
    )  # fmt: skip


def _completions(app, user_id):
    with app.app_context():
        rows = db.session.scalars(select(BlockCompletion).where(BlockCompletion.user_id == user_id)).all()
        return {row.usage_id: row.completion for row in rows}


def _links(page):
    prev = re.search(r'rel="prev" href="([^"]+)"', page)
    nxt = re.search(r'rel="next" href="([^"]+)"', page)
    return (html.unescape(prev.group(1)) if prev else None, html.unescape(nxt.group(1)) if nxt else None)


def test_the_unit_renders_every_block_and_records_view_completion(client, app, make_course, learner, enrol):
    course = make_course()  # one unit of two HTML components
    enrol(learner, course)
    sign_in(client, learner.email)
    response = client.get(course.unit_url("unit1"), headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<p>Bonjour</p>") == 2
    assert page.count('data-block-type="html"') == 2
    assert f'data-usage-id="{course.usage("vertical", "unit1")}"' in page
    assert "Chapitre 1" in page and "Séquence 1" in page  # breadcrumb
    assert '<meta name="csrf-token"' in page
    assert "/static/js/xblock-runtime.js" in page and "/static/vendor/jquery/jquery-2.2.4.min.js" in page
    assert _completions(app, learner.id) == {
        course.usage("html", "html0"): 1.0,
        course.usage("html", "html1"): 1.0,
    }
    # Viewing again changes nothing.
    client.get(course.unit_url("unit1"), headers=EN)
    assert len(_completions(app, learner.id)) == 2


def test_other_pages_load_no_block_runtime(client, make_course, learner, enrol):
    course = make_course()
    enrol(learner, course)
    sign_in(client, learner.email)
    for path in ("/", "/formations", course.home_url):
        assert "xblock-runtime.js" not in client.get(path, headers=EN).get_data(as_text=True)


def test_previous_and_next_cross_sequences_and_chapters(client, app, make_course, learner, enrol):
    course = make_course(COURSE_TREE)
    enrol(learner, course)
    sign_in(client, learner.email)
    expected = {
        "u1": (None, "u2"),
        "u2": ("u1", "u3"),  # next sequence
        "u3": ("u2", "u4"),  # next chapter
        "u4": ("u3", None),
    }
    for name, (before, after) in expected.items():
        page = client.get(course.unit_url(name), headers=EN).get_data(as_text=True)
        assert _links(page) == (
            course.unit_url(before) if before else None,
            course.unit_url(after) if after else None,
        ), name
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
        assert enrolment.last_usage_id == course.usage("vertical", "u4")
    assert (
        course.usage("vertical", "u4")
        in client.get(course.home_url, headers=EN).get_data(as_text=True).split("Resume where I left off")[0]
    )


def test_only_units_of_the_course_are_shown(client, make_course, learner, enrol):
    course = make_course(COURSE_TREE)
    enrol(learner, course)
    sign_in(client, learner.email)
    assert client.get(course.unit_url("nope"), headers=EN).status_code == 404
    sequence = course.usage("sequential", "seq1")
    assert client.get(f"/formations/{course.course_key}/unite/{sequence}", headers=EN).status_code == 404
    other = make_course(COURSE_TREE, course_key="course-v1:Cybermassif+OTHER+2026")
    assert client.get(other.unit_url("u1"), headers=EN).status_code == 403


def test_the_wrapper_escapes_what_blocks_carry(client, make_course, learner, enrol):
    evil_name = "\"'><script>alert(1)</script>"
    course = make_course(
        _unit_with(
            ("testblock", "evil", {"display_name": evil_name, "name": evil_name, "note": "</script><b>x"}, [])
        )
    )
    enrol(learner, course)
    sign_in(client, learner.email)
    page = client.get(course.unit_url("unit1"), headers=EN).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<b>x" not in page
    wrapper = re.search(r'<div class="xblock[^"]*testblock[^"]*"([^>]*)>', page)
    assert wrapper, page
    name = re.search(r' data-name="([^"]*)"', wrapper.group(1))
    assert name and html.unescape(name.group(1)) == evil_name
    assert 'data-init="EchoBlock"' in wrapper.group(1)
    args = re.search(
        r'<script type="json/xblock-args" class="xblock-json-init-args[^"]*">(.*?)</script>', page
    )
    assert args and json.loads(args.group(1)) == {"note": "</script><b>x", "name": evil_name}


def test_block_resources_are_merged_into_the_page(client, make_course, learner, enrol):
    course = make_course(_unit_with(("testblock", "one", {}, []), ("testblock", "two", {}, [])))
    enrol(learner, course)
    sign_in(client, learner.email)
    response = client.get(course.unit_url("unit1"), headers=EN)
    page = response.get_data(as_text=True)
    head, body = page.split("</head>")
    assert head.count("p.echo { color: teal; }") == 1  # inline CSS, once
    assert body.count('src="/static/js/echo-test.js"') == 1  # foot JavaScript, once
    assert body.index("echo-test.js") < body.index("xblock-runtime.js")
    assert "'nonce-" in response.headers["Content-Security-Policy"]


def test_a_disabled_type_shows_the_placeholder(client, app, make_course, learner, enrol):
    course = make_course()
    enrol(learner, course)
    with app.app_context():
        db.session.add(BlockTypeSetting(block_type="html", enabled=False))
        db.session.commit()
        bridge.setup_for(app).refresh_disabled()
    sign_in(client, learner.email)
    response = client.get(course.unit_url("unit1"), headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bonjour" not in page
    assert page.count("This component has been disabled by the administrators.") == 2
    assert _completions(app, learner.id) == {}  # placeholders are not counted


def test_an_unknown_type_shows_the_placeholder(client, app, make_course, learner, enrol):
    course = make_course(
        _unit_with(("foo", "mystery", {"olx": "<foo/>"}, []), ("html", "h", {"data": "<p>ok</p>"}, []))
    )
    enrol(learner, course)
    sign_in(client, learner.email)
    response = client.get(course.unit_url("unit1"), headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This component is not available on this site." in page
    assert "<p>ok</p>" in page
    assert list(_completions(app, learner.id)) == [course.usage("html", "h")]


def test_the_placeholder_speaks_the_learners_language(client, make_course, make_user, make_company, enrol):
    from app.accounts.models import Role

    french = make_user(roles=[(Role.LEARNER, make_company())], language="fr")
    course = make_course(_unit_with(("foo", "mystery", {}, [])))
    enrol(french, course)
    sign_in(client, french.email)
    page = client.get(course.unit_url("unit1")).get_data(as_text=True)
    assert "Ce composant n&#39;est pas disponible sur ce site." in page


def test_a_block_whose_view_fails_shows_a_notice_not_a_500(client, app, make_course, learner, enrol):
    course = make_course(_unit_with(("brokenblock", "broken", {}, []), ("testblock", "fine", {}, [])))
    enrol(learner, course)
    sign_in(client, learner.email)
    response = client.get(course.unit_url("unit1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This component could not be shown." in page
    assert "echo block" in page
    with app.app_context():
        seen = {r.block_type for r in db.session.scalars(select(BlockCompletion))}
    assert seen == {"testblock"}


def test_course_links_in_any_blocks_html_are_rewritten_as_open_edx_does(client, make_course, learner, enrol):
    # The image explorer (PyPI) writes its OLX's /static/ and /jump_to_id/ links into its HTML as they are.
    explorer = (
        "<image_explorer schema_version='2'><background src='/static/plan-atelier.png'/>"
        "<description><p><a href='/jump_to_id/hunit2'>Suite</a></p></description><hotspots/></image_explorer>"
    )
    course = make_course(
        (
            "course", "course", {}, [("chapter", "ch1", {}, [("sequential", "seq1", {}, [
                ("vertical", "unit1", {}, [("image-explorer", "ie", {"data": explorer}, [])]),
                _u("unit2", "Unité 2", "deux"),
            ])])],
        )
    )  # fmt: skip
    enrol(learner, course)
    sign_in(client, learner.email)
    page = client.get(course.unit_url("unit1"), headers=EN).get_data(as_text=True)
    assert f'src="/formations/{course.course_key}/static/plan-atelier.png"' in page
    assert f'href="{course.unit_url("unit2")}"' in page
    assert "'/static/" not in page and '"/static/plan' not in page and "/jump_to_id/" not in page
