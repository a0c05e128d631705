"""What a fresco holds: sectors (rows), business functions (columns) and the cells where they meet.

A cell has a short HTML text (cleaned by the platform's sanitiser), example tools (plain text) and links
to units of the course (``/jump_to_id/<url_name>``) or to web pages (``https://``). Cells are checked the
same way whether they come from OLX or from the editor; problems are :class:`FrescoError` values whose
message is translated where it is shown.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


def _(message: str) -> str:
    """Mark a message for translation; it is translated in the reader's language when shown."""
    return message


#: Rows, in the order shown: key -> English label (the block's catalogue has the French).
SECTORS: dict[str, str] = {
    "retail": _("Retail"),
    "crafts_building": _("Crafts and building"),
    "manufacturing": _("Manufacturing"),
    "tourism_hospitality": _("Tourism and hospitality"),
    "agriculture_food": _("Agriculture and food"),
    "services": _("Services"),
}
#: Columns, in the order shown.
FUNCTIONS: dict[str, str] = {
    "sales_marketing": _("Sales and marketing"),
    "production": _("Production"),
    "purchasing_logistics": _("Purchasing and logistics"),
    "accounting_invoicing": _("Accounting and invoicing"),
    "hr": _("Human resources"),
    "communication": _("Communication"),
}

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_TOOLS = 300
MAX_LINKS = 6
MAX_LABEL = 150
MAX_HREF = 500
MAX_CELLS = len(SECTORS) * len(FUNCTIONS)

# Open edX url_names: letters, digits and ``_ - . : ~``.
_JUMP = re.compile(r"^/jump_to_id/[A-Za-z0-9_.:~-]+$")
_UNSAFE_IN_URL = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


class FrescoError(ValueError):
    """Content that cannot be stored: an English message id with its values, and the cell it is about."""

    def __init__(self, message: str, cell: tuple[str, str] | None = None, **values: Any) -> None:
        self.message = message
        self.cell = cell
        self.values = values
        super().__init__(self.text())

    def text(self, gettext: Callable[[str], str] = _) -> str:
        """The message in the language of ``gettext`` (English without one)."""
        problem = gettext(self.message) % self.values
        if self.cell is None:
            return problem
        sector, function = self.cell
        return gettext("%(sector)s, %(function)s: %(problem)s") % {
            "sector": gettext(SECTORS[sector]),
            "function": gettext(FUNCTIONS[function]),
            "problem": problem,
        }


class FrescoErrors(ValueError):
    """Every problem found in a submission, so that the author can fix them all at once."""

    def __init__(self, errors: list[FrescoError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


@dataclass(frozen=True)
class Link:
    """A link of a cell: a unit of the course (``/jump_to_id/…``) or a web page (``https://…``)."""

    href: str
    label: str

    @property
    def external(self) -> bool:
        """Whether the link leaves the course."""
        return self.href.startswith("https://")


@dataclass(frozen=True)
class Cell:
    """What ICT does for one business function in one sector."""

    sector: str
    function: str
    text: str = ""
    tools: str = ""
    links: tuple[Link, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the cell has nothing to show."""
        return not (self.text.strip() or self.tools or self.links)

    def to_json(self) -> dict[str, Any]:
        """The cell as stored in the block's field."""
        return {
            "sector": self.sector,
            "function": self.function,
            "text": self.text,
            "tools": self.tools,
            "links": [{"href": link.href, "label": link.label} for link in self.links],
        }

    @classmethod
    def from_json(cls, value: Any, clean_html: Callable[[str], str]) -> Cell | None:
        """A stored cell as it may be shown, or None when it is not one.

        Stored values are checked again: a course's ``policy.json`` can set the field without going
        through :func:`make_cell`. The text is cleaned again (cleaning clean HTML changes nothing) and
        links whose address is not allowed are left out.
        """
        try:
            sector, function = check_place(value["sector"], value["function"])
            text, tools = value.get("text", ""), value.get("tools", "")
            if not isinstance(text, str) or not isinstance(tools, str):
                return None
            links = []
            for number, link in enumerate(value.get("links", []), start=1):
                href, label = link.get("href"), link.get("label")
                if not (isinstance(href, str) and isinstance(label, str) and plain_text(label)):
                    continue
                try:
                    links.append(Link(check_href(href, number, (sector, function)), plain_text(label)))
                except FrescoError:
                    continue
        except (FrescoError, KeyError, TypeError, AttributeError):
            return None
        return cls(sector, function, clean_html(text) if text else "", plain_text(tools), tuple(links))


def plain_text(value: str) -> str:
    """One line of plain text: runs of white space (new lines included) become one space."""
    return _SPACES.sub(" ", value).strip()


def check_href(href: str, number: int, cell: tuple[str, str]) -> str:
    """The link address, if it is a unit of the course or an https page; else a FrescoError."""
    href = href.strip()
    if not href:
        raise FrescoError(_("Link %(number)d has no address."), cell, number=number)
    if len(href) > MAX_HREF:
        raise FrescoError(
            _("The address of link %(number)d is too long (at most %(max)d characters)."),
            cell,
            number=number,
            max=MAX_HREF,
        )
    if _JUMP.match(href):
        return href
    parts = urllib.parse.urlsplit(href) if not _UNSAFE_IN_URL.search(href) else None
    if parts is None or parts.scheme != "https" or not parts.hostname or not href.startswith("https://"):
        raise FrescoError(
            _(
                "The address of link %(number)d is not allowed: it must start with https:// or be "
                "/jump_to_id/ followed by the url_name of a component of the course."
            ),
            cell,
            number=number,
        )
    return href


def check_place(sector: Any, function: Any) -> tuple[str, str]:
    """The (sector, function) of a cell, if both are known; else a FrescoError naming what is allowed."""
    if not isinstance(sector, str) or sector not in SECTORS:
        raise FrescoError(
            _("Unknown sector “%(value)s”: use one of %(allowed)s."),
            value=str(sector)[:40],
            allowed=", ".join(SECTORS),
        )
    if not isinstance(function, str) or function not in FUNCTIONS:
        raise FrescoError(
            _("Unknown business function “%(value)s”: use one of %(allowed)s."),
            value=str(function)[:40],
            allowed=", ".join(FUNCTIONS),
        )
    return sector, function


def make_cell(
    sector: Any,
    function: Any,
    text: str,
    tools: str,
    links: Iterable[tuple[str, str]],
    *,
    clean_html: Callable[[str], str],
) -> Cell:
    """A checked cell: known place, lengths within limits, allowed link addresses, text cleaned."""
    place = check_place(sector, function)
    if len(text) > MAX_TEXT:
        raise FrescoError(
            _("The text is too long (%(length)d characters, at most %(max)d)."),
            place,
            length=len(text),
            max=MAX_TEXT,
        )
    tools = plain_text(tools)
    if len(tools) > MAX_TOOLS:
        raise FrescoError(
            _("The example tools are too long (%(length)d characters, at most %(max)d)."),
            place,
            length=len(tools),
            max=MAX_TOOLS,
        )
    pairs = list(links)
    if len(pairs) > MAX_LINKS:
        raise FrescoError(
            _("Too many links (%(count)d, at most %(max)d)."), place, count=len(pairs), max=MAX_LINKS
        )
    checked = []
    for number, (href, raw_label) in enumerate(pairs, start=1):
        address = check_href(href, number, place)
        label = plain_text(raw_label)
        if not label:
            raise FrescoError(_("Link %(number)d has no label."), place, number=number)
        if len(label) > MAX_LABEL:
            raise FrescoError(
                _("The label of link %(number)d is too long (at most %(max)d characters)."),
                place,
                number=number,
                max=MAX_LABEL,
            )
        checked.append(Link(address, label))
    cleaned = clean_html(text.strip()).strip() if text.strip() else ""
    return Cell(place[0], place[1], cleaned, tools, tuple(checked))


def unique_cells(cells: Iterable[Cell]) -> list[Cell]:
    """The non-empty cells, each place at most once (a FrescoErrors lists the places given twice)."""
    seen: set[tuple[str, str]] = set()
    kept: list[Cell] = []
    errors: list[FrescoError] = []
    for cell in cells:
        place = (cell.sector, cell.function)
        if place in seen:
            errors.append(FrescoError(_("This cell is given twice."), place))
            continue
        seen.add(place)
        if not cell.empty:
            kept.append(cell)
    if errors:
        raise FrescoErrors(errors)
    return kept


def check_title(title: Any) -> str:
    """The fresco's title: one line, not empty, not too long."""
    if not isinstance(title, str) or not plain_text(title):
        raise FrescoError(_("The title cannot be empty."))
    title = plain_text(title)
    if len(title) > MAX_TITLE:
        raise FrescoError(_("The title is too long (at most %(max)d characters)."), max=MAX_TITLE)
    return title


def read_submission(data: Any, clean_html: Callable[[str], str]) -> tuple[str, list[Cell]]:
    """The title and cells of an editor's submission (JSON), or a FrescoErrors listing every problem.

    The shape: ``{"display_name": str, "cells": [{"sector", "function", "text", "tools",
    "links": [{"href", "label"}]}]}``; cells with nothing in them are dropped.
    """
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise FrescoErrors(
            [FrescoError(_("The fresco could not be read: send a title and a list of cells."))]
        )
    errors: list[FrescoError] = []
    title = ""
    try:
        title = check_title(data.get("display_name"))
    except FrescoError as error:
        errors.append(error)
    raw_cells = data["cells"]
    if len(raw_cells) > MAX_CELLS:
        errors.append(
            FrescoError(
                _("Too many cells (%(count)d, at most %(max)d)."), count=len(raw_cells), max=MAX_CELLS
            )
        )
        raise FrescoErrors(errors)
    cells: list[Cell] = []
    for number, raw in enumerate(raw_cells, start=1):
        try:
            cells.append(_submitted_cell(raw, number, clean_html))
        except FrescoError as error:
            errors.append(error)
    try:
        cells = unique_cells(cells)
    except FrescoErrors as duplicates:
        errors.extend(duplicates.errors)
    if errors:
        raise FrescoErrors(errors)
    return title, cells


def _submitted_cell(raw: Any, number: int, clean_html: Callable[[str], str]) -> Cell:
    malformed = FrescoError(_("Cell %(number)d is not well formed."), number=number)
    if not isinstance(raw, dict):
        raise malformed
    text, tools, links = raw.get("text", ""), raw.get("tools", ""), raw.get("links", [])
    if not isinstance(text, str) or not isinstance(tools, str) or not isinstance(links, list):
        raise malformed
    pairs = []
    for link in links:
        if not isinstance(link, dict):
            raise malformed
        href, label = link.get("href", ""), link.get("label", "")
        if not isinstance(href, str) or not isinstance(label, str):
            raise malformed
        pairs.append((href, label))
    return make_cell(raw.get("sector"), raw.get("function"), text, tools, pairs, clean_html=clean_html)
