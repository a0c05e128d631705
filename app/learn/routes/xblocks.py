"""XBlock endpoints: handlers (signed in, or third-party without sign-in), block resources, course assets.

Handlers get a ``webob.Request`` over the request (read once, at most ``HANDLER_MAX_BYTES``); their
``webob.Response`` is returned as it is. Errors become 4xx: an unknown handler 404, a
``JsonHandlerError`` its own status, a webob HTTP exception itself, a refused event or a write to a
read-only field 400. CSRF is checked here (the token comes in the ``X-CSRFToken`` header from the browser
runtime) after the body is read, so the body stays readable for the block.

The usage id may name an aside of a block (``aside-usage-v2:…``) when the site allows that aside type.

Third-party handlers (``handler_noauth``) run for an anonymous user and without CSRF: XBlock has no
marker for handlers that are safe to call without a session, so a block class opts in by naming them in
a ``noauth_handlers`` class attribute (a tuple of handler names, like the callbacks Open edX serves on its
``handler_noauth`` URLs); any other handler answers 404 there.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from werkzeug.wrappers import Response
from xblock.core import XBlock
from xblock.exceptions import DisallowedFileError, NoSuchUsage

from app.core.database import reads_first, start_writing
from app.core.extensions import csrf, db
from app.courses import library_draws, queries, transcripts, visibility
from app.courses.models import Course
from app.learn.routes.base import (
    CourseAccess,
    blueprint,
    component_access,
    course_access,
    learner,
    unavailable_notices,
)
from app.progress import rollups
from app.runtime import bridge
from app.runtime.host import HostRuntime, Learner
from app.runtime.keys import AsideUsageKey, InvalidKeyError, UsageKey
from app.runtime.tree import shared_tree

HANDLER_METHODS = ["GET", "POST", "PUT", "DELETE"]
NOAUTH_ATTRIBUTE = "noauth_handlers"
# Types a browser could run as script or a document in the site's origin.
SCRIPT_CAPABLE = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "text/ecmascript",
    "application/x-shockwave-flash",
}
ASSET_CSP = "sandbox; default-src 'none'"
RESOURCE_CACHE = "public, max-age=86400"


def _usage_key(usage_id: str) -> tuple[UsageKey, str | None]:
    """The block's usage key, and the aside type when the id names an aside of it."""
    try:
        if usage_id.startswith(AsideUsageKey.PREFIX):
            aside = AsideUsageKey.from_string(usage_id)
            return aside.usage_key, aside.aside_type
        return UsageKey.from_string(usage_id), None
    except InvalidKeyError:
        abort(404)


def _runtime(
    course: Course, key: UsageKey, aside_type: str | None, who: Learner, access: CourseAccess | None = None
) -> tuple[HostRuntime, XBlock]:
    """A runtime for the request, and the block (or the allow-listed aside of it) the handler is on.

    A block the user may not see (in a unit not released, staff only, of another content group…:
    ``app.courses.visibility``; a child of a randomised content block not drawn for them:
    ``app.courses.library_draws``) answers 404, as Open edX does; third-party calls see what learners see.

    What comes before is checks, read beside other requests' writes; from here on the request writes:
    the block's state is read in the transaction that will save it, so that no other request's change
    to it comes in between.
    """
    usage_id = str(key)
    course_key = course.course_key
    assert course.published_tree_id is not None
    tree = shared_tree(db.session, course.published_tree_id, course.updated_at)
    seen = access.visibility(tree) if access is not None else visibility.of(tree, is_staff=False)
    if usage_id not in tree or not seen.shows(usage_id):
        abort(404)
    # A component of a randomised content block not drawn for the learner is not there for them either.
    if not who.is_staff and not library_draws.drawn_for(db.session, tree, who.user_id, usage_id):
        abort(404)
    notices = unavailable_notices()
    runtime = bridge.make_runtime(
        course_key=course_key,
        tree=tree,
        learner=who,
        notices=notices,
        components=component_access(seen, usage_id),
    )
    start_writing(db.session)
    runtime.preload(tree.subtree(usage_id))
    block = runtime.get_block(usage_id)
    if aside_type is None:
        return runtime, block
    try:
        return runtime, runtime.get_aside_of_type(block, aside_type)
    except NoSuchUsage:
        abort(404)


@blueprint.route("/xblock/<usage_id>/handler/<handler>", defaults={"suffix": ""}, methods=HANDLER_METHODS)
@blueprint.route("/xblock/<usage_id>/handler/<handler>/<path:suffix>", methods=HANDLER_METHODS)
@csrf.exempt  # checked below, once the body is read
@reads_first
def xblock_handler(usage_id: str, handler: str, suffix: str) -> Any:
    """Call a block's handler for the signed-in learner (enrolled, or course staff)."""
    req = bridge.handler_request()
    csrf.protect()
    if not current_user.is_authenticated:
        abort(401)
    key, aside_type = _usage_key(usage_id)
    access = course_access(str(key.course_key))
    if not access.allowed:
        abort(403)
    who = learner(current_user, access)
    runtime, block = _runtime(access.course, key, aside_type, who, access)
    before_commit: Callable[[], None] | None = None
    if key.block_type == library_draws.LIBRARY_TYPE and aside_type is None and who.user_id is not None:
        # A new draw changes what counts for the learner, though no progress record names it.
        user_id, course_key, below = who.user_id, str(key.course_key), runtime.tree.subtree(str(key))

        def refresh() -> None:
            rollups.refresh_draw(db.session, course_key, user_id, below, runtime)

        before_commit = refresh
    return bridge.run_handler(runtime, block, handler, suffix, req, before_commit=before_commit)


@blueprint.route(
    "/xblock/<usage_id>/handler_noauth/<handler>", defaults={"suffix": ""}, methods=HANDLER_METHODS
)
@blueprint.route("/xblock/<usage_id>/handler_noauth/<handler>/<path:suffix>", methods=HANDLER_METHODS)
@csrf.exempt  # called by other servers, which have no session
@reads_first
def xblock_handler_noauth(usage_id: str, handler: str, suffix: str) -> Any:
    """Call a third-party handler (one the block class lists in ``noauth_handlers``) anonymously."""
    req = bridge.handler_request()
    key, aside_type = _usage_key(usage_id)
    found = queries.course_with_enrolment(str(key.course_key), None)
    if found is None or found[0].published_tree_id is None:
        abort(404)
    runtime, block = _runtime(found[0], key, aside_type, Learner(user_id=None))
    function = getattr(block, handler, None)
    allowed = getattr(type(block), NOAUTH_ATTRIBUTE, ())
    if handler not in allowed or not getattr(function, "_is_xblock_handler", False):
        abort(404)
    return bridge.run_handler(runtime, block, handler, suffix, req)


def _safe_resource_uri(uri: str, public_dir: object) -> bool:
    # The block's own public folder (XBlock's ``public_dir``: "public" unless the block says otherwise,
    # as a branching block's "static"), itself a plain relative folder.
    if not isinstance(public_dir, str) or not public_dir or public_dir.startswith("/"):
        return False
    folder = public_dir.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in folder):
        return False
    parts = uri.split("/")
    return (
        uri.startswith(f"{public_dir}/")
        and "\\" not in uri
        and "\x00" not in uri
        and all(part not in ("", ".", "..") and not part.startswith(".") for part in parts)
    )


@blueprint.route("/xblock/resource/<block_type>/<path:uri>")
def xblock_resource(block_type: str, uri: str) -> Response:
    """A file of the public folder (``public_dir``: ``public/`` unless the block names another) of an
    installed block's (or allowed aside's) package."""
    setup = bridge.setup_for()
    cls = None if block_type in setup.disabled_types() else setup.registry.load_block_class(block_type)
    if cls is None and block_type in setup.aside_types:
        cls = setup.registry.load_aside_class(block_type)
    if cls is None or not _safe_resource_uri(uri, getattr(cls, "public_dir", None)):
        abort(404)
    try:
        with cls.open_local_resource(uri) as stream:
            data = stream.read()
    except (DisallowedFileError, OSError, ValueError):
        abort(404)
    mimetype = mimetypes.guess_type(uri)[0] or "application/octet-stream"
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Cache-Control"] = RESOURCE_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def script_capable(content_type: str, path: str) -> bool:
    """Whether a file could run script when opened on its own (HTML, SVG, any XML)."""
    guessed = mimetypes.guess_type(path)[0] or ""
    kinds = {content_type.split(";", 1)[0].strip().lower(), guessed}
    return any(kind in SCRIPT_CAPABLE or kind.endswith("+xml") for kind in kinds)


def _as_webvtt(path: str, asset: Any) -> Response:
    """A SubRip or .sjson transcript of the course, as the WebVTT its player reads."""
    try:
        text = transcripts.to_webvtt(path, asset.data)
    except transcripts.TranscriptError:
        abort(422)
    response = current_app.response_class(text, content_type="text/vtt; charset=utf-8")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.set_etag(f"{asset.sha256}-vtt")
    return response.make_conditional(request)


@blueprint.route("/formations/<course_key>/static/<path:path>")
def course_asset(course_key: str, path: str) -> Response:
    """A static file of a course's published version, served so that it cannot run script here."""
    if not current_user.is_authenticated:
        abort(401)
    access = course_access(course_key)
    if not access.allowed:
        abort(403)
    asset = queries.course_asset(access.tree_id, path)
    if asset is None:
        abort(404)
    if request.args.get("format") == "vtt" and path.lower().endswith(transcripts.CONVERTIBLE):
        return _as_webvtt(path, asset)
    response = current_app.response_class(asset.data, content_type=asset.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    if script_capable(asset.content_type, path):
        response.headers["Content-Security-Policy"] = ASSET_CSP
        response.headers["Content-Disposition"] = "attachment"
    response.set_etag(asset.sha256)
    # Byte ranges let players seek in a video without downloading it whole (and iOS needs them).
    return response.make_conditional(request, accept_ranges=True, complete_length=len(asset.data))
