"""Names shown to people for roles and size classes, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role, SizeClass

ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.COMPANY_MANAGER: _l("Company manager"),
    Role.TRAINER: _l("Trainer"),
    Role.CYBERSITE_MANAGER: _l("Cybersite manager"),
    Role.NETWORK_ADMIN: _l("Network administrator"),
}


def cybersite_place(name: str) -> str:
    """A Cybersite's name after "the Cybersite" in a sentence: "Cybersite Clermont-Ferrand" is
    "Clermont-Ferrand" there (the sentence says "Cybersite" already), any other name stays as it is."""
    words = (name or "").split(maxsplit=1)
    if len(words) == 2 and words[0].casefold() == "cybersite":
        return words[1]
    return name


SIZE_CLASS_LABELS = {
    SizeClass.MICRO: _l("Micro (0–9 staff)"),
    SizeClass.SMALL: _l("Small (10–49 staff)"),
    SizeClass.MEDIUM: _l("Medium (50–249 staff)"),
}
