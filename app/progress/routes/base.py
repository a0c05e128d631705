"""The progress blueprint and what its views share: the sign-in gate, the access check, bad-request
pages with their reason, and a table answered as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.core.database import get_row
from app.core.extensions import db
from app.progress import exports
from app.progress.tables import Table

T = TypeVar("T")

blueprint = Blueprint(
    "progress",
    __name__,
    url_prefix="/progression",
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)

# Pages anyone may open: the public verification of a certificate.
PUBLIC_ENDPOINTS = {"progress.verify"}


@blueprint.before_request
def _gate() -> Any:
    """Every progress page but the certificate verification needs a signed-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def actor() -> User:
    """The signed-in user, as the object services take."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def get(model: type[T], object_id: int) -> T | None:
    """The object with this id, or None (also for an id no table can hold)."""
    return get_row(db.session, model, object_id)


def require(action: Action, target: Any) -> None:
    """Stop with 403 unless the signed-in user may do ``action`` to ``target`` (404 first if none)."""
    if target is None:
        abort(404)
    if not can(actor(), action, target):
        abort(403)


def permitted(model: type[T], object_id: int, action: Action) -> T:
    """The object with this id if the signed-in user may do ``action`` to it; else 404 or 403."""
    found = get(model, object_id)
    require(action, found)
    assert found is not None
    return found


class BadRequest(Exception):
    """A request whose parameters cannot be used; its message says why, in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@blueprint.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> tuple[str, int]:
    return render_template("error.html", code=400, message=error.message), 400


def export(tables: Mapping[str, Callable[[], Table]], name: str, fmt: str, stem: str) -> Response:
    """One of a page's tables as a download (404 for a table or format the page has not)."""
    build = tables.get(name)
    if build is None or fmt not in exports.FORMATS:
        abort(404)
    table = build()
    download = exports.filename(f"{stem}-{name}", fmt)
    headers = {
        "Content-Disposition": f'attachment; filename="{download}"',
        "Cache-Control": "private, no-store",
    }
    spool = exports.export_file(table, fmt)
    mimetype = exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE
    return Response(exports.file_chunks(spool), mimetype=mimetype, headers=headers)
