"""The case itself: its fields, checked in one place whether they come from OLX or from the editor.

:func:`check_case` takes raw values (strings from XML attributes, or JSON from the editor) and returns the
field values to store, or raises :class:`CaseContentError` listing every problem, in the language of the
``gettext`` it is given. :func:`read_olx` and :func:`write_olx` turn the agreed OLX into raw values and
stored values back into OLX.

OLX (see the project's agreed formats)::

    <case_study display_name="…" company_name="…" sector="retail" size="micro" headcount="8"
                departement="15" weight="1">
      <profile>HTML</profile> <situation>HTML</situation> <solution>HTML</solution>
      <implementation>HTML</implementation>
      <figures><figure label="…" value="…" kind="cost|result"/>…</figures>
      <lessons>HTML</lessons>
      <image src="/static/…" alt="…" caption="…"/>…
      <question id="q1">text</question>…
    </case_study>
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from plugins.case_study.labels import FIGURE_KINDS, SECTIONS, SECTORS, SIZES

Translate = Callable[[str], str]

MAX_TITLE = 255
MAX_COMPANY_NAME = 200
MAX_SECTION = 100_000
MAX_FIGURES = 50
MAX_FIGURE_LABEL = 200
MAX_FIGURE_VALUE = 100
MAX_IMAGES = 20
MAX_ALT = 300
MAX_CAPTION = 500
MAX_QUESTIONS = 20
MAX_QUESTION = 2_000
MAX_WEIGHT = 1_000
MAX_HEADCOUNT = 249

QUESTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# Metropolitan départements (2A and 2B for Corsica) and the overseas ones.
DEPARTEMENT = re.compile(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")
# A course file (``/static/…``, rewritten to the course's assets when shown) or an https address.
IMAGE_SOURCE = re.compile(r"^(/static/[^\s\"'<>\\]+|https://[^\s\"'<>\\]+)$")

ATTRIBUTES = ("display_name", "company_name", "sector", "size", "headcount", "departement", "weight")
#: Fields kept per usage (settings); every other field of the case is content.
SETTINGS_FIELDS = ("display_name", "weight")
CONTENT_FIELDS = ("company_name", "sector", "size", "headcount", "departement", *SECTIONS, "figures")
CONTENT_FIELDS += ("images", "questions")


class CaseContentError(ValueError):
    """The case cannot be stored as given; ``messages`` says why, one problem each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def _text(value: Any) -> str:
    """A raw value as trimmed text (None and missing values are empty)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError
    return str(value).strip()


def _rows(raw: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    rows = raw.get(name) or []
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise TypeError
    return rows


def check_case(raw: Mapping[str, Any], clean_html: Callable[[str], str], _: Translate) -> dict[str, Any]:
    """The field values of a case from raw values, or CaseContentError with every problem found.

    ``clean_html`` is the platform's sanitiser: section HTML is stored only once cleaned.
    """
    problems: list[str] = []
    values: dict[str, Any] = {}
    try:
        _check_facts(raw, values, problems, _)
        _check_sections(raw, values, problems, clean_html, _)
        values["figures"] = _check_figures(_rows(raw, "figures"), problems, _)
        values["images"] = _check_images(_rows(raw, "images"), problems, _)
        values["questions"] = _check_questions(_rows(raw, "questions"), problems, _)
    except TypeError:
        problems.append(
            _("The case study is malformed: each field must be text and each list a list of rows.")
        )
    if problems:
        raise CaseContentError(problems)
    return values


def _check_facts(raw: Mapping[str, Any], values: dict[str, Any], problems: list[str], _: Translate) -> None:
    title = _text(raw.get("display_name"))
    if len(title) > MAX_TITLE:
        problems.append(_("The title is longer than %(max)d characters.") % {"max": MAX_TITLE})
    if "display_name" in raw:
        values["display_name"] = title

    name = _text(raw.get("company_name"))
    if not name:
        problems.append(_("The company name is required."))
    elif len(name) > MAX_COMPANY_NAME:
        problems.append(_("The company name is longer than %(max)d characters.") % {"max": MAX_COMPANY_NAME})
    values["company_name"] = name

    sector = _text(raw.get("sector"))
    if sector not in SECTORS:
        problems.append(
            _("The sector “%(value)s” is not one of: %(choices)s.")
            % {"value": sector, "choices": ", ".join(SECTORS)}
        )
    values["sector"] = sector

    size = _text(raw.get("size"))
    if size not in SIZES:
        problems.append(
            _("The size “%(value)s” is not one of: %(choices)s.")
            % {"value": size, "choices": ", ".join(SIZES)}
        )
    values["size"] = size

    values["headcount"] = _check_headcount(_text(raw.get("headcount")), size, problems, _)

    departement = _text(raw.get("departement")).upper()
    if len(departement) == 1 and departement.isdigit():
        departement = "0" + departement
    if departement and not DEPARTEMENT.match(departement):
        problems.append(
            _("The département “%(value)s” is not a French département number (for example 15, 2A or 971).")
            % {"value": departement}
        )
    values["departement"] = departement

    if "weight" in raw:
        weight = _number(_text(raw.get("weight")))
        if weight is None or not 0 < weight <= MAX_WEIGHT:
            problems.append(
                _("The weight must be a number above 0 and at most %(max)d.") % {"max": MAX_WEIGHT}
            )
        values["weight"] = weight


def _number(text: str) -> float | None:
    """A decimal number written with a point or a comma, or None."""
    try:
        number = float(text.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _check_headcount(text: str, size: str, problems: list[str], _: Translate) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or int(text) > MAX_HEADCOUNT:
        problems.append(_("The headcount must be a whole number from 0 to %(max)d.") % {"max": MAX_HEADCOUNT})
        return None
    headcount = int(text)
    if size in SIZES:
        _label, low, high = SIZES[size]
        if not low <= headcount <= high:
            problems.append(
                _("A headcount of %(headcount)d does not fit the size “%(size)s” (%(low)d to %(high)d).")
                % {"headcount": headcount, "size": size, "low": low, "high": high}
            )
    return headcount


def _check_sections(
    raw: Mapping[str, Any],
    values: dict[str, Any],
    problems: list[str],
    clean_html: Callable[[str], str],
    _: Translate,
) -> None:
    for name, heading in SECTIONS.items():
        html = raw.get(name) or ""
        if not isinstance(html, str):
            raise TypeError
        if len(html) > MAX_SECTION:
            problems.append(
                _("The section “%(section)s” is longer than %(max)d characters.")
                % {"section": _(heading), "max": MAX_SECTION}
            )
            html = ""
        values[name] = clean_html(html.strip()) if html.strip() else ""


def _check_figures(rows: list[Mapping[str, Any]], problems: list[str], _: Translate) -> list[dict[str, str]]:
    if len(rows) > MAX_FIGURES:
        problems.append(_("A case study holds at most %(max)d figures.") % {"max": MAX_FIGURES})
    figures = []
    for number, row in enumerate(rows[:MAX_FIGURES], start=1):
        label, value, kind = _text(row.get("label")), _text(row.get("value")), _text(row.get("kind"))
        where = {"n": number, "max_label": MAX_FIGURE_LABEL, "max_value": MAX_FIGURE_VALUE}
        if not label or not value:
            problems.append(_("Figure %(n)d: both the label and the value are required.") % where)
        elif len(label) > MAX_FIGURE_LABEL or len(value) > MAX_FIGURE_VALUE:
            problems.append(
                _("Figure %(n)d: the label may hold %(max_label)d characters and the value %(max_value)d.")
                % where
            )
        if kind not in FIGURE_KINDS:
            problems.append(_("Figure %(n)d: the kind must be “cost” or “result”.") % where)
        figures.append({"label": label, "value": value, "kind": kind})
    return figures


def _check_images(rows: list[Mapping[str, Any]], problems: list[str], _: Translate) -> list[dict[str, str]]:
    if len(rows) > MAX_IMAGES:
        problems.append(_("A case study holds at most %(max)d images.") % {"max": MAX_IMAGES})
    images = []
    for number, row in enumerate(rows[:MAX_IMAGES], start=1):
        src, alt, caption = _text(row.get("src")), _text(row.get("alt")), _text(row.get("caption"))
        where = {"n": number, "max_alt": MAX_ALT, "max_cap": MAX_CAPTION}
        if not IMAGE_SOURCE.match(src):
            problems.append(
                _("Image %(n)d: the address must be a course file (/static/…) or an https:// address.")
                % where
            )
        if not alt:
            problems.append(
                _("Image %(n)d: a text alternative (alt) describing the image is required.") % where
            )
        if len(alt) > MAX_ALT or len(caption) > MAX_CAPTION:
            problems.append(
                _("Image %(n)d: the alternative may hold %(max_alt)d characters, the caption %(max_cap)d.")
                % where
            )
        images.append({"src": src, "alt": alt, "caption": caption})
    return images


def _check_questions(
    rows: list[Mapping[str, Any]], problems: list[str], _: Translate
) -> list[dict[str, str]]:
    if not rows:
        problems.append(_("A case study needs at least one reflection question."))
    if len(rows) > MAX_QUESTIONS:
        problems.append(_("A case study holds at most %(max)d questions.") % {"max": MAX_QUESTIONS})
    rows = rows[:MAX_QUESTIONS]
    given = [_text(row.get("id")) for row in rows]
    taken = {question_id for question_id in given if question_id}
    questions = []
    for number, (row, named) in enumerate(zip(rows, given, strict=True), start=1):
        text = _text(row.get("text"))
        question_id = named
        where = {"n": number, "id": named, "max": MAX_QUESTION}
        if not named:
            # A new question gets the first free id; existing ones keep theirs, and learners' answers.
            question_id = next(
                f"q{k}" for k in range(1, MAX_QUESTIONS + len(taken) + 2) if f"q{k}" not in taken
            )
            taken.add(question_id)
        elif not QUESTION_ID.match(question_id):
            problems.append(
                _("Question %(n)d: the identifier “%(id)s” may hold only letters, digits, - and _.") % where
            )
        elif any(q["id"] == question_id for q in questions):
            problems.append(_("Question %(n)d: the identifier “%(id)s” is already used.") % where)
        if not text:
            problems.append(_("Question %(n)d: the text of the question is required.") % where)
        elif len(text) > MAX_QUESTION:
            problems.append(_("Question %(n)d: the text is longer than %(max)d characters.") % where)
        questions.append({"id": question_id, "text": text})
    return questions


# OLX ----------------------------------------------------------------------------------------------------


def _inner_html(node: Any) -> str:
    """An element's content as HTML: its text (CDATA included) and its child elements."""
    return (node.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in node)


def read_olx(node: Any) -> dict[str, Any]:
    """The raw values of a ``<case_study>`` element; ValueError names an element the format lacks or
    one given twice."""
    raw: dict[str, Any] = {name: node.get(name) for name in ATTRIBUTES if node.get(name) is not None}
    raw.update(figures=[], images=[], questions=[])
    for child in node:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        if child.tag in SECTIONS:
            if child.tag in raw:
                raise ValueError(f"<{child.tag}> is given twice (line {child.sourceline})")
            raw[child.tag] = _inner_html(child)
        elif child.tag == "figures":
            for figure in child:
                if not isinstance(figure.tag, str):
                    continue
                if figure.tag != "figure":
                    raise ValueError(f"<figures> holds only <figure> elements, not <{figure.tag}>")
                raw["figures"].append(dict(figure.attrib))
        elif child.tag == "image":
            raw["images"].append(dict(child.attrib))
        elif child.tag == "question":
            raw["questions"].append({"id": child.get("id"), "text": "".join(child.itertext())})
        else:
            raise ValueError(f"<case_study> does not take <{child.tag}> (line {child.sourceline})")
    return raw


def write_olx(node: Any, values: Mapping[str, Any]) -> None:
    """Write stored values as the ``<case_study>`` element's attributes and children (in the agreed order).

    ``values`` holds every content field, and the settings fields that were set on the block.
    """
    node.tag = "case_study"
    for name in ATTRIBUTES:
        value = values.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, float):  # 1.0 as "1", and never a rounded value
            node.set(name, str(int(value)) if value.is_integer() else repr(value))
        else:
            node.set(name, str(value))
    for name in ("profile", "situation", "solution", "implementation"):
        _write_section(node, name, values.get(name) or "")
    if values.get("figures"):
        figures = etree.SubElement(node, "figures")
        for figure in values["figures"]:
            etree.SubElement(
                figures, "figure", label=figure["label"], value=figure["value"], kind=figure["kind"]
            )
    _write_section(node, "lessons", values.get("lessons") or "")
    for image in values.get("images") or []:
        element = etree.SubElement(node, "image", src=image["src"], alt=image["alt"])
        if image.get("caption"):
            element.set("caption", image["caption"])
    for question in values.get("questions") or []:
        etree.SubElement(node, "question", id=question["id"]).text = question["text"]


def _write_section(node: Any, name: str, html: str) -> None:
    if not html:
        return
    # CDATA keeps the HTML exactly as stored (it need not be well-formed XML); it cannot hold "]]>".
    etree.SubElement(node, name).text = etree.CDATA(html) if "]]>" not in html else html
