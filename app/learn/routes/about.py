"""A course's presentation page (Open edX's "about" page), for whoever is not in the course yet, and its
image.

Anyone may read it (the catalogue is public): title, overview, image, effort and duration, VISTA
dimensions, chapter titles, and how to join: the enrol button of an open course, or the cohorts of the
visitor's Cybersite (every Cybersite's for a visitor without one) that follow it. Enrolled learners and
course staff are sent into the course itself.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.accounts.policy import Action, can
from app.cohorts import queries as cohort_queries
from app.core.author_html import clean_author_html
from app.core.extensions import db
from app.courses import queries, vista_tags
from app.courses.importing import plain_text
from app.learn import outline
from app.learn.routes.base import actor, blueprint, course_access
from app.learn.routes.xblocks import ASSET_CSP, script_capable
from app.runtime.tree import shared_tree

# Open edX keeps the course image's name in the course's policy, as a path under static/.
IMAGE_SETTING = "course_image"
# Cohorts end on a date where the Cybersites are.
LOCAL_TIME = ZoneInfo("Europe/Paris")


def course_image_path(policy: dict[str, object] | None) -> str | None:
    """The static path of the course's image named by its policy, if any."""
    value = (policy or {}).get(IMAGE_SETTING)
    if not isinstance(value, str) or not value.strip():
        return None
    path = value.strip().removeprefix("/").removeprefix("static/")
    # Only an image is shown (and served): a policy naming another file has no image.
    return path if (mimetypes.guess_type(path)[0] or "").startswith("image/") else None


@blueprint.route("/formations/<course_key>/presentation")
def about(course_key: str) -> str | Response:
    """The presentation of a published course; those who may open it go straight in."""
    access = course_access(course_key)
    if access.allowed:
        return redirect(url_for("learn.course", course_key=course_key))
    course = access.course
    user = actor()
    signed_in = user.is_authenticated
    tree = shared_tree(db.session, access.tree_id, access.version)
    root = tree.get(tree.root_usage_id or "")
    if root is not None:
        tree.load_fields(db.session, [root.usage_id])
    pages = course.about or {}
    may_enrol = can(user, Action.ENROL, course)
    # An open course needs no cohort: the button is the way in.
    visitor = user if signed_in else None
    today = datetime.now(LOCAL_TIME).date()
    cohorts = [] if may_enrol else cohort_queries.cohorts_offering(course.id, visitor, today)
    return render_template(
        "learn/about.html",
        course=course,
        # Imports clean the about pages already; cleaned again here, so that no other way of storing them
        # can bring script to the page.
        overview=Markup(clean_author_html(pages.get("overview", ""))),  # noqa: S704 (the authors' policy)
        effort=plain_text(clean_author_html(pages.get("effort", ""))),
        duration=plain_text(clean_author_html(pages.get("duration", ""))),
        has_image=course_image_path(course.policy) is not None,
        vista=vista_tags.labelled(vista_tags.of_course_block(root.settings if root else None)),
        chapters=[chapter.title for chapter in outline.build(tree, set(), access.visibility(tree))],
        may_enrol=may_enrol,
        cohorts=cohorts,
        signed_in=signed_in,
    )


@blueprint.route("/formations/<course_key>/image")
def course_image(course_key: str) -> Response:
    """The image a published course's policy names, public like its presentation page."""
    access = course_access(course_key)
    path = course_image_path(access.course.policy)
    asset = queries.course_asset(access.tree_id, path) if path else None
    if asset is None or not asset.content_type.startswith("image/"):
        abort(404)
    response = current_app.response_class(asset.data, content_type=asset.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, no-cache"
    if script_capable(asset.content_type, path or ""):
        # An SVG still shows in an <img>; opened on its own it runs nothing.
        response.headers["Content-Security-Policy"] = ASSET_CSP
        response.headers["Content-Disposition"] = "attachment"
    response.set_etag(asset.sha256)
    return response.make_conditional(request)
