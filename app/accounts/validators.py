"""WTForms validators for the platform's identifiers, with messages in the user's language."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

from app.accounts import departements, identifiers


def normalise_email(raw: str) -> str:
    """The stored form of an address: checked, trimmed and lower-cased (uniqueness ignores case)."""
    info = validate_email((raw or "").strip(), check_deliverability=False)
    return info.normalized.lower()


class Email:
    """A syntactically valid e-mail address; the field's data becomes its normalised form."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            field.data = normalise_email(field.data or "")
        except EmailNotValidError as error:
            raise ValidationError(_l("Enter a valid e-mail address.")) from error


class Siret:
    """14 digits passing the SIRET checksum; spaces between groups are accepted and removed."""

    def __call__(self, form: Any, field: Any) -> None:
        value = identifiers.normalise_siret(field.data or "")
        if len(value) != 14 or not value.isdigit():
            raise ValidationError(_l("A SIRET number has exactly 14 digits."))
        if not identifiers.siret_valid(value):
            raise ValidationError(_l("This SIRET number is not valid (its check digit does not match)."))
        field.data = value


class NafCode:
    """A NAF/APE activity code shaped ``NN.NNX`` (for example 62.01Z) from an existing division."""

    def __call__(self, form: Any, field: Any) -> None:
        value = identifiers.normalise_naf(field.data or "")
        if not identifiers.naf_valid(value):
            raise ValidationError(
                _l("Enter a NAF/APE code such as 62.01Z (two digits, a dot, two digits, a letter).")
            )
        field.data = value


class Departement:
    """A French département code from the reference list."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data not in departements.BY_CODE:
            raise ValidationError(_l("Choose a département from the list."))


MIN_PASSWORD_LENGTH = 10


class PasswordStrength:
    """At least ten characters, not only digits, and not the e-mail address."""

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data or ""
        if len(value) < MIN_PASSWORD_LENGTH:
            raise ValidationError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
        if value.isdigit():
            raise ValidationError(_l("Use letters as well as digits."))
        # The address typed in the same form, or the account's own (set by the route as ``account_email``).
        email = getattr(getattr(form, "email", None), "data", None) or getattr(form, "account_email", None)
        if email and value.lower() == str(email).lower():
            raise ValidationError(_l("Your password must not be your e-mail address."))
