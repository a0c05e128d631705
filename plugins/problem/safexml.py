"""Parsing problem XML from authors safely: no entities, no DTD, no network, a size limit.

The platform's importer parses course files the same way before a block sees them; this module is for
what reaches the block directly (the editor's text, and the stored ``data`` when shown), since a block
may not use the platform's code.
"""

from __future__ import annotations

from lxml import etree

from plugins.problem.messages import Message, _
from plugins.problem.xml_errors import syntax_reason

MAX_PROBLEM_BYTES = 512 * 1024


class ProblemXmlError(Message):
    """Problem XML that cannot be read (the ``line`` at fault when known)."""


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def parse_problem_xml(text: str, max_bytes: int = MAX_PROBLEM_BYTES) -> etree._Element:
    """The root element of ``text``; ProblemXmlError when it is too long, declares a DTD or entities,
    or is not well-formed XML."""
    data = text.encode("utf-8")
    if len(data) > max_bytes:
        raise ProblemXmlError(
            _("The problem is {size} bytes long, over the limit of {limit}."), size=len(data), limit=max_bytes
        )
    # No DOCTYPE at all: problems never need one, and it is where entities would be declared.
    position = data.find(b"<!DOCTYPE")
    if position >= 0:
        raise ProblemXmlError(_("A DOCTYPE declaration is not allowed."), data.count(b"\n", 0, position) + 1)
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        # libxml2's own sentence is English: a translatable reason chosen by its code replaces it.
        message, params = syntax_reason(error)
        raise ProblemXmlError(message, error.lineno or None, **params) from None
