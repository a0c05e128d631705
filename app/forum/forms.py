"""Forms of the moderation page: each action button is a form carrying the CSRF token and where to return."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ModerationForm(FlaskForm):
    """One moderation action (hide, show again, dismiss reports) on one message."""

    show = HiddenField()
    page = HiddenField()
