"""Forms for signing in and managing one's own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.accounts.validators import Email, PasswordStrength

LANGUAGE_CHOICES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class SignInForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ProfileForm(FlaskForm):
    """What a user changes about themselves."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    language = RadioField(_l("Language"), choices=LANGUAGE_CHOICES, validators=[DataRequired()])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=1024), PasswordStrength()]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])


class ResetRequestForm(FlaskForm):
    """The address to send a reset link to."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254), Email()])


class AcceptInvitationForm(NewPasswordForm):
    """What an invitee gives to create their account."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    language = RadioField(_l("Language"), choices=LANGUAGE_CHOICES, default="fr", validators=[DataRequired()])
