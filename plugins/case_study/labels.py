"""The block's own words for its codes: sectors, company sizes, sections (English msgids, French in
``translations/``). Marked with a no-op ``_`` so that Babel extracts them; translated when shown."""

from __future__ import annotations


def _(message: str) -> str:
    """Mark ``message`` for extraction; the i18n service translates it when it is shown."""
    return message


SECTORS: dict[str, str] = {
    "retail": _("Retail"),
    "crafts_building": _("Crafts and building"),
    "manufacturing": _("Manufacturing"),
    "tourism_hospitality": _("Tourism and hospitality"),
    "agriculture_food": _("Agriculture and food"),
    "services": _("Services"),
}

#: size code -> (label, smallest headcount, largest headcount): the European SME size classes.
SIZES: dict[str, tuple[str, int, int]] = {
    "micro": (_("Micro-enterprise (fewer than 10 employees)"), 0, 9),
    "small": (_("Small enterprise (10 to 49 employees)"), 10, 49),
    "medium": (_("Medium-sized enterprise (50 to 249 employees)"), 50, 249),
}

#: The HTML sections of a case, in reading order, with their headings.
SECTIONS: dict[str, str] = {
    "profile": _("Company profile"),
    "situation": _("The situation before"),
    "solution": _("The ICT solution chosen"),
    "implementation": _("How it was put in place"),
    "lessons": _("Lessons learned"),
}

#: The kinds of figures, as the headings of their groups.
FIGURE_KINDS: dict[str, str] = {
    "cost": _("Costs"),
    "result": _("Results"),
}

#: The kinds as one figure's: the editor's choices.
FIGURE_KIND_CHOICES: dict[str, str] = {
    "cost": _("Cost"),
    "result": _("Result"),
}
