"""The moderation page: trainers (course staff) see reported and hidden forum messages of every course,
within their reach (app.forum.access), and hide, show again or dismiss the reports. Forms post and redirect
back (POST-redirect-GET)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.policy import Action, can, following
from app.core import navigation
from app.core.extensions import db
from app.forum import queries, services
from app.forum.access import Reader
from app.forum.errors import ForumError, NotFound
from app.forum.forms import ModerationForm

blueprint = Blueprint(
    "forum", __name__, url_prefix="/forum", template_folder=str(Path(__file__).resolve().parent / "templates")
)

# Path words (French, as the site's other addresses) for what is acted on and how.
KINDS = {"sujet": queries.KIND_THREAD, "reponse": queries.KIND_POST}
ACTIONS = ("masquer", "afficher", "classer")


@blueprint.before_request
def _gate() -> Response | None:
    """The moderation pages need a signed-in trainer (course staff)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    if not can(current_user, Action.STAFF_COURSES):
        abort(403)
    return None


def _moderator() -> Reader:
    return Reader(current_user.id, is_staff=True, following=following(current_user))


def _show(value: str | None) -> str:
    return value if value in (queries.QUEUE_REPORTED, queries.QUEUE_HIDDEN) else queries.QUEUE_REPORTED


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) <= 100_000 else 1


@blueprint.route("/moderation")
def moderation() -> str:
    """Reported (or hidden) messages, newest first, with the moderation actions."""
    show = _show(request.args.get("vue"))
    moderator = _moderator()
    page = queries.moderation_queue(db.session, moderator, show, _page(request.args.get("page")))
    return render_template(
        "forum/moderation.html",
        show=show,
        page=page,
        counts=queries.queue_counts(db.session, moderator),
        form=ModerationForm(show=show, page=str(page.page)),
    )


@blueprint.route("/moderation/<kind>/<int:target_id>/<action>", methods=["POST"])
def moderate(kind: str, target_id: int, action: str) -> Response:
    """Hide, show again or dismiss the reports of a thread's opening message (``sujet``) or a reply."""
    if kind not in KINDS or action not in ACTIONS:
        abort(404)
    form = ModerationForm()
    if not form.validate_on_submit():
        abort(400)
    moderator, target = _moderator(), KINDS[kind]
    try:
        if action == "classer":
            services.dismiss_flags(db.session, moderator, target, target_id)
            done = _("The reports are dismissed; the message stays as it is.")
        else:
            services.moderate_hidden(db.session, moderator, target, target_id, action == "masquer")
            done = (
                _("The message is hidden from learners.")
                if action == "masquer"
                else _("The message is shown to learners again.")
            )
    except NotFound:
        db.session.rollback()
        abort(404)
    except ForumError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for(".moderation", vue=_show(form.show.data), page=_page(form.page.data)))


def init_app(app: Flask) -> None:
    """Register the moderation pages and their entry in the navigation (for course staff)."""
    app.register_blueprint(blueprint)
    navigation.register(
        app,
        navigation.NavEntry(
            _l("Moderation"), "forum.moderation", lambda user: can(user, Action.STAFF_COURSES), order=70
        ),
    )
