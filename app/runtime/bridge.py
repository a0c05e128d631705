"""The one place where the runtime meets Flask: URLs, the request's language and user, the app's config.

Everything else in ``app.runtime`` works without a request. Endpoint names are the web layer's
(``learn.xblock_handler`` and friends), resolved with ``url_for`` here.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import get_locale
from sqlalchemy import select

from app.core.extensions import db
from app.runtime.host import HostConfig, HostRuntime, Learner
from app.runtime.keys import CourseKey
from app.runtime.models import BlockTypeSetting
from app.runtime.registry import get_registry
from app.runtime.services import ServiceFactory
from app.runtime.store import FieldStore
from app.runtime.tree import LoadedTree

EXTENSION_KEY = "cybermassif.runtime"
# Several workers serve the site: each re-reads the disabled block types at most this often.
DISABLED_TYPES_TTL = 10.0


class FlaskUrls:
    """URLs for blocks, built with the web layer's endpoints."""

    def __init__(self, course_key: str) -> None:
        self.course_key = course_key

    def handler_url(self, usage_id: str, handler: str, suffix: str, query: str, thirdparty: bool) -> str:
        """A handler URL; third-party ones are absolute and need no sign-in."""
        endpoint = "learn.xblock_handler_noauth" if thirdparty else "learn.xblock_handler"
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
) -> HostRuntime:
    """A runtime for this request, one course and one learner."""
    store = FieldStore(db.session, tree, learner.user_id, authoring=authoring)
    return HostRuntime(
        config=setup_for().config(),
        course_key=CourseKey.from_string(course_key),
        tree=tree,
        store=store,
        learner=learner,
        urls=FlaskUrls(course_key),
        notices=notices,
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
