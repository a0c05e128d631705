"""The one place where the runtime meets Flask: URLs, the request's language and user, the app's config.

Everything else in ``app.runtime`` works without a request. Endpoint names are the web layer's
(``learn.xblock_handler`` and friends), resolved with ``url_for`` here.
"""

from __future__ import annotations

import io
import time
import urllib.parse
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from typing import Any

import webob
import webob.exc
from flask import Flask, abort, current_app, has_request_context, jsonify, make_response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.extensions import db
from app.runtime import events, openedx_compat
from app.runtime.host import EVERY_COMPONENT, ComponentAccess, HostConfig, HostRuntime, Learner
from app.runtime.keys import CourseKey
from app.runtime.models import BlockTypeSetting
from app.runtime.registry import get_registry
from app.runtime.services import ServiceFactory
from app.runtime.store import FieldStore, ReadOnlyFieldError
from app.runtime.tree import LoadedTree

EXTENSION_KEY = "cybermassif.runtime"
# Several workers serve the site: each re-reads the disabled block types at most this often.
DISABLED_TYPES_TTL = 10.0


LEARNER_HANDLER = "learn.xblock_handler"
AUTHORING_HANDLER = "studio.xblock_handler"


class FlaskUrls:
    """URLs for blocks, built with the web layer's endpoints (the studio's handlers when authoring)."""

    def __init__(self, course_key: str, handler_endpoint: str = LEARNER_HANDLER) -> None:
        self.course_key = course_key
        self.handler_endpoint = handler_endpoint

    def handler_url(self, usage_id: str, handler: str, suffix: str, query: str, thirdparty: bool) -> str:
        """A handler URL; third-party ones are absolute and need no sign-in."""
        endpoint = "learn.xblock_handler_noauth" if thirdparty else self.handler_endpoint
        url = url_for(endpoint, usage_id=usage_id, handler=handler, suffix=suffix, _external=thirdparty)
        if suffix == "":
            url = url.rstrip("/")
        return f"{url}?{query}" if query else url

    def local_resource_url(self, block_type: str, uri: str) -> str:
        """URL of a file of a block package's ``public/`` folder."""
        return url_for("learn.xblock_resource", block_type=block_type, uri=uri)

    def resource_url(self, resource: str) -> str:
        """URL of a platform static file."""
        return url_for("static", filename=resource)

    def asset_url(self, path: str) -> str:
        """URL of a course asset."""
        return url_for("learn.course_asset", course_key=self.course_key, path=urllib.parse.unquote(path))

    def unit_url(self, usage_id: str) -> str:
        """URL of a unit page of the course."""
        return url_for("learn.unit", course_key=self.course_key, usage_id=usage_id)


class RuntimeSetup:
    """Per-application runtime configuration, kept in ``app.extensions``."""

    def __init__(self, app: Flask) -> None:
        self.registry = get_registry()
        self.secret = app.config["SECRET_KEY"]
        self.aside_types = tuple(app.config.get("XBLOCK_ASIDES", ()))
        self.settings_buckets = dict(app.config.get("XBLOCK_SETTINGS", {}))
        self.extra_services: dict[str, ServiceFactory] = {}
        self._disabled: frozenset[str] = frozenset()
        self._disabled_read_at = float("-inf")

    def disabled_types(self) -> frozenset[str]:
        """Block types the administrators disabled (re-read every few seconds)."""
        if time.monotonic() - self._disabled_read_at > DISABLED_TYPES_TTL:
            self.refresh_disabled()
        return self._disabled

    def refresh_disabled(self) -> None:
        """Read the disabled block types now (after a change on this worker)."""
        rows = db.session.scalars(
            select(BlockTypeSetting.block_type).where(BlockTypeSetting.enabled.is_(False))
        )
        self._disabled = frozenset(rows)
        self._disabled_read_at = time.monotonic()

    def config(self) -> HostConfig:
        """The HostConfig of a new runtime."""
        return HostConfig(
            registry=self.registry,
            secret=self.secret,
            disabled_types=self.disabled_types(),
            aside_types=self.aside_types,
            settings_buckets=self.settings_buckets,
            extra_services=self.extra_services,
        )


def init_app(app: Flask, services: dict[str, ServiceFactory] | None = None) -> RuntimeSetup:
    """Set the runtime up for an application; ``services`` are the higher layers' block services."""
    setup = RuntimeSetup(app)
    setup.extra_services.update(services or {})
    openedx_compat.install(app.config.get("XBLOCK_WAFFLE_FLAGS", ()))
    app.extensions[EXTENSION_KEY] = setup
    return setup


def setup_for(app: Flask | None = None) -> RuntimeSetup:
    """The runtime setup of the (current) application."""
    return (app or current_app).extensions[EXTENSION_KEY]


def current_language() -> str:
    """The request's language."""
    return str(get_locale() or "fr")


def make_runtime(
    *,
    course_key: str,
    tree: LoadedTree,
    learner: Learner,
    notices: Mapping[str, str] | None = None,
    authoring: bool = False,
    components: ComponentAccess = EVERY_COMPONENT,
) -> HostRuntime:
    """A runtime for this request, one course and one learner (an author, with ``authoring``), who sees
    the course's components as ``components`` says."""
    store = FieldStore(db.session, tree, learner.user_id, authoring=authoring, hidden=components.hidden)
    # Authoring changes blocks in memory before they are saved: nothing it renders may be shared.
    root = request.script_root if has_request_context() else ""
    view_cache = None if authoring else tree.shared_views.setdefault(root, {})
    return HostRuntime(
        config=setup_for().config(),
        course_key=CourseKey.from_string(course_key),
        tree=tree,
        store=store,
        learner=learner,
        urls=FlaskUrls(course_key, AUTHORING_HANDLER if authoring else LEARNER_HANDLER),
        notices=notices,
        view_cache=view_cache,
        components=components,
    )


@contextmanager
def block_language(language: str) -> Any:
    """Run block code in the request's language, for blocks that translate through Django."""
    try:
        from django.utils import translation
    except ImportError:
        yield
        return
    from app.runtime.registry import configure_django

    configure_django()
    with translation.override(language):
        yield


HANDLER_MAX_BYTES = 1024 * 1024


def handler_request(max_bytes: int = HANDLER_MAX_BYTES) -> webob.Request:
    """The request for a block handler, its body read (at most ``max_bytes``) and kept readable."""
    request.max_content_length = max_bytes
    body = request.get_data(cache=True)
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    return webob.Request(environ)


def _refused(error: Exception) -> Any:
    """A 400 a block's script can show: what went wrong for the learner, and for its developers."""
    if isinstance(error, events.EventRefused):
        message = _("This component sent a report that was refused.")
    elif isinstance(error, ReadOnlyFieldError):
        message = _("This component tried to save something it may not change here.")
    else:
        message = _("This component named a block that is not part of this course.")
    return make_response(jsonify(error=message, detail=str(error)[:500]), 400)


def run_handler(
    runtime: HostRuntime,
    block: Any,
    handler: str,
    suffix: str,
    req: webob.Request,
    *,
    before_commit: Callable[[], None] | None = None,
) -> Any:
    """Run a handler, end the request's block work and commit once; block errors become 4xx responses.

    An unknown handler is a 404, a ``JsonHandlerError`` its own status, a webob HTTP exception itself, a
    refused event, a write to a read-only field or a block of another course a 400 whose JSON says why
    (``error`` in the learner's language, ``detail`` for developers); nothing is kept of a failed call.
    """
    from xblock.exceptions import JsonHandlerError, NoSuchHandlerError, NoSuchUsage

    try:
        with block_language(runtime.learner.language):
            result = runtime.handle(block, handler, req, suffix)
        runtime.finish()
        if before_commit is not None:
            before_commit()
    except NoSuchHandlerError:
        db.session.rollback()
        abort(404)
    except JsonHandlerError as error:
        db.session.rollback()
        return make_response(jsonify(error=error.message), error.status_code)
    except webob.exc.HTTPException as error:
        db.session.rollback()
        return current_app.response_class.force_type(error, request.environ)  # type: ignore[arg-type]
    except (events.EventRefused, ReadOnlyFieldError, NoSuchUsage) as error:
        db.session.rollback()
        return _refused(error)
    db.session.commit()
    if isinstance(result, webob.Response):
        return current_app.response_class.force_type(result, request.environ)  # type: ignore[arg-type]
    return result
