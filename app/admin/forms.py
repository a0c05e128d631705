"""Forms of the administration pages: Cybersites, companies, accounts, roles and invitations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.accounts import departements
from app.accounts.forms import LANGUAGE_CHOICES
from app.accounts.labels import ROLE_LABELS
from app.accounts.models import MAX_SME_HEADCOUNT, Role
from app.accounts.validators import Departement, Email, NafCode, Siret

HEADCOUNT_MESSAGE = _l(
    "Enter the number of staff as a whole number from 0 to 249 (an SME has fewer than 250)."
)


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to an id; the empty option gives None."""
    if value is None or value == "":
        return None
    return int(value)


def role_value(value: Any) -> Role | None:
    """Coerce a select's value to a Role; the empty option gives None."""
    if value is None or value == "" or isinstance(value, Role):
        return value or None
    return Role(value)


def id_choices(rows: Iterable[tuple[int, str]]) -> list[SelectChoice]:
    """Options for an id select, after an empty one."""
    return [SelectChoice("", "—")] + [SelectChoice(str(ident), label) for ident, label in rows]


def _departement_field() -> SelectField:
    return SelectField(
        _l("Département"),
        choices=[SelectChoice("", _l("Choose…"))] + [SelectChoice(c, n) for c, n in departements.choices()],
        validate_choice=False,
        validators=[Departement()],
    )


def _id_select(label: Any) -> SelectField:
    # The choices are what the actor may use; any other id is for the access policy to refuse (403).
    return SelectField(label, coerce=optional_id, validate_choice=False)


class CybersiteForm(FlaskForm):
    """A Cybersite's name and place."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    town = StringField(_l("Town"), validators=[DataRequired(), Length(max=120)])
    departement = _departement_field()


class CompanyForm(FlaskForm):
    """An SME: identity, activity, size, place and the Cybersite that follows it."""

    legal_name = StringField(_l("Legal name"), validators=[DataRequired(), Length(max=200)])
    siret = StringField(_l("SIRET number"), validators=[DataRequired(), Siret()])
    naf_code = StringField(_l("NAF/APE code"), validators=[DataRequired(), NafCode()])
    headcount = IntegerField(
        _l("Headcount"),
        validators=[
            InputRequired(message=HEADCOUNT_MESSAGE),
            NumberRange(min=0, max=MAX_SME_HEADCOUNT, message=HEADCOUNT_MESSAGE),
        ],
    )
    departement = _departement_field()
    cybersite_id = _id_select(_l("Cybersite"))

    def validate_cybersite_id(self, field: Any) -> None:
        """A company belongs to a Cybersite."""
        if field.data is None:
            raise ValidationError(_l("Choose the Cybersite that follows this company."))


class UserForm(FlaskForm):
    """An account's name, address and language."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), Email()])
    language = RadioField(_l("Language"), choices=LANGUAGE_CHOICES, default="fr", validators=[DataRequired()])


class RoleScopeForm(FlaskForm):
    """A role and where it is held: a company or a Cybersite (the network needs neither)."""

    role = SelectField(_l("Role"), coerce=role_value, validate_choice=False, validators=[InputRequired()])
    company_id = _id_select(_l("Company"))
    cybersite_id = _id_select(_l("Cybersite"))

    def offer(self, roles: list[Role], companies: list[Any], cybersites: list[Any]) -> None:
        """Fill the selects with what the actor may assign."""
        self.role.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(r.value, ROLE_LABELS[r]) for r in roles
        ]
        self.company_id.choices = id_choices(
            (c.id, f"{c.legal_name} ({c.cybersite.name})") for c in companies
        )
        self.cybersite_id.choices = id_choices((s.id, s.name) for s in cybersites)


class GrantRoleForm(RoleScopeForm):
    """Give an existing account a role."""


class InvitationForm(RoleScopeForm):
    """Invite someone by e-mail to take a role."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), Email()])
    language = RadioField(
        _l("Language of the invitation"), choices=LANGUAGE_CHOICES, default="fr", validators=[DataRequired()]
    )


class CourseArchiveForm(FlaskForm):
    """A course archive to import: a .tar.gz in the Open edX export layout."""

    archive = FileField(
        _l("Course archive (.tar.gz)"),
        validators=[
            FileRequired(_l("Choose the course archive to import.")),
            FileAllowed(["gz", "tgz"], _l("The archive must be a .tar.gz file exported from a course.")),
        ],
    )
