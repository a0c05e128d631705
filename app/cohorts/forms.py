"""Forms of the cohort pages. Choices are what the user may pick; any other id is refused by the services
(a clear message) or by the access policy (403)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.accounts.labels import ROLE_LABELS
from app.accounts.models import Role
from app.accounts.validators import Email
from app.cohorts.services import MAX_CAPACITY

CAPACITY_MESSAGE = _l("Enter the number of places as a whole number from 1 to %(max)d.", max=MAX_CAPACITY)
DATE_MESSAGE = _l("Enter a date such as 2026-09-14.")


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to an id; the empty option (or a non-number) gives None."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def id_choices(rows: Any) -> list[SelectChoice]:
    """Options for an id select, after an empty one."""
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(str(ident), label) for ident, label in rows]


def _id_select(label: Any) -> SelectField:
    return SelectField(label, coerce=optional_id, validate_choice=False)


class CohortForm(FlaskForm):
    """A cohort's name, dates, capacity, forum setting and courses (and, when created, its Cybersite)."""

    cybersite_id = _id_select(_l("Cybersite"))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    starts_on = DateField(_l("Start date"), validators=[InputRequired(message=DATE_MESSAGE)])
    ends_on = DateField(_l("End date"), validators=[InputRequired(message=DATE_MESSAGE)])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            InputRequired(message=CAPACITY_MESSAGE),
            NumberRange(min=1, max=MAX_CAPACITY, message=CAPACITY_MESSAGE),
        ],
    )
    forum_within_cohort = BooleanField(_l("Forum threads are shared within the cohort only"), default=True)
    course_ids = SelectMultipleField(_l("Courses"), coerce=int, validate_choice=False)

    def validate_ends_on(self, field: Any) -> None:
        """A cohort ends on or after the day it starts."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def validate_course_ids(self, field: Any) -> None:
        """Ids only (the service checks they are published courses)."""
        if field.data is None:
            field.data = []


class ContentGroupsForm(FlaskForm):
    """The content group of each course the cohort follows: ``group-<course id>`` selects, read by the
    route (their number depends on the courses); this form checks the CSRF token."""


class CompanyForm(FlaskForm):
    """A company to accept into the cohort."""

    company_id = _id_select(_l("Company"))

    def validate_company_id(self, field: Any) -> None:
        """A company must be chosen."""
        if field.data is None:
            raise ValidationError(_l("Choose a company."))


ROLE_CHOICES = [
    SelectChoice(Role.LEARNER.value, ROLE_LABELS[Role.LEARNER]),
    SelectChoice(Role.COMPANY_MANAGER.value, ROLE_LABELS[Role.COMPANY_MANAGER]),
]


class PersonForm(FlaskForm):
    """Someone to enrol by e-mail address: an existing account, or a new person to invite."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), Email()])
    first_name = StringField(_l("First name"), validators=[Length(max=60)])
    last_name = StringField(_l("Last name"), validators=[Length(max=60)])
    company_id = _id_select(_l("Company"))
    role = RadioField(
        _l("Role in the company, if they do not have one yet"),
        choices=ROLE_CHOICES,
        default=Role.LEARNER.value,
        validators=[DataRequired()],
    )

    def validate_company_id(self, field: Any) -> None:
        """A company must be chosen."""
        if field.data is None:
            raise ValidationError(_l("Choose the company this person works for."))


class StaffForm(FlaskForm):
    """A learner of the manager's company to enrol (``user_id:company_id``)."""

    person = SelectField(_l("Person"), validate_choice=False)

    def chosen(self) -> tuple[int, int] | None:
        """The chosen user id and company id, or None when the value is not a pair of ids."""
        user, _sep, company = (self.person.data or "").partition(":")
        if not (user.isdigit() and company.isdigit()):
            return None
        return int(user), int(company)

    def validate_person(self, field: Any) -> None:
        """Someone must be chosen."""
        if self.chosen() is None:
            raise ValidationError(_l("Choose a person."))


class MoveForm(FlaskForm):
    """Another cohort to move a member to."""

    target_id = _id_select(_l("Move to"))

    def validate_target_id(self, field: Any) -> None:
        """A cohort must be chosen."""
        if field.data is None:
            raise ValidationError(_l("Choose the cohort to move this person to."))


class UploadForm(FlaskForm):
    """An enrolment file."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose the CSV file to import."))])


class ConfirmForm(FlaskForm):
    """Confirmation of a previewed file (the form carries only its CSRF token)."""
