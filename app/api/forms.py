"""The form a person fills to make a personal access token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, NumberRange

from app.api.scopes import ALL_SCOPES
from app.api.tokens import MAX_DAYS, MAX_NAME

SCOPE_LABELS = {
    "read": _l("Read everything you may see"),
    "write": _l("Read and change everything you may change"),
    "people:read": _l("Read people"),
    "organisations:read": _l("Read Cybersites and companies"),
    "cohorts:read": _l("Read cohorts, members and enrolments"),
    "cohorts:write": _l("Open cohorts and enrol people"),
    "courses:read": _l("Read the course catalogue"),
    "progress:read": _l("Read progress"),
    "vista:read": _l("Read VISTA reports"),
}


class TokenForm(FlaskForm):
    """Name, scopes and lifetime of a new token."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    scopes = SelectMultipleField(
        _l("Scopes"),
        choices=[SelectChoice(s, SCOPE_LABELS[s]) for s in ALL_SCOPES],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
        validators=[DataRequired()],
    )
    days = IntegerField(
        _l("Lifetime in days"), default=90, validators=[DataRequired(), NumberRange(1, MAX_DAYS)]
    )
