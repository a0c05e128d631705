"""Translatable reasons for XML that libxml2 refuses, so that its English sentence never reaches people.

libxml2 reports a numeric code (``lxml.etree.ErrorTypes``) beside an English sentence. The code picks one
of the messages below, each with the line and column; the only thing read from the sentence is an element
or attribute name, and only when it matches a strict pattern (otherwise the message without the name is
used). A code without a message of its own gets the generic one.
"""

from __future__ import annotations

import re

from lxml import etree

from app.runtime.reasons import Reason, _

_E = etree.ErrorTypes
_NAME = r"([A-Za-z_][\w.:-]{0,79})"

#: code -> (pattern of libxml2's sentence giving the names, message with them, message without them).
_REASONS: dict[int, tuple[re.Pattern[str] | None, str | None, str]] = {
    _E.ERR_TAG_NOT_FINISHED: (
        re.compile(rf"\APremature end of data in tag {_NAME} line (\d+)"),
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "the element <%(name)s> opened on line %(opened)d is never closed."
        ),
        _("The XML is not valid (line %(line)d, column %(column)d): an element is never closed."),
    ),
    _E.ERR_TAG_NAME_MISMATCH: (
        re.compile(rf"\AOpening and ending tag mismatch: {_NAME} line (\d+) and {_NAME}"),
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "the end tag </%(closed)s> does not match the element <%(name)s> opened on line %(opened)d."
        ),
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "an end tag does not match the element it closes."
        ),
    ),
    _E.ERR_DOCUMENT_END: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "there is content after the end of the root element."
        ),
    ),
    _E.ERR_DOCUMENT_EMPTY: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "it is empty or does not start with an element."
        ),
    ),
    _E.ERR_GT_REQUIRED: (
        None,
        None,
        _("The XML is not valid (line %(line)d, column %(column)d): a tag is not closed by “>”."),
    ),
    _E.ERR_LTSLASH_REQUIRED: (
        None,
        None,
        _("The XML is not valid (line %(line)d, column %(column)d): an end tag “</…>” is expected."),
    ),
    _E.ERR_LT_IN_ATTRIBUTE: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "an attribute value contains “<”; write it &lt;."
        ),
    ),
    _E.ERR_ATTRIBUTE_WITHOUT_VALUE: (
        re.compile(rf"\ASpecification mandates value for attribute {_NAME}"),
        _("The XML is not valid (line %(line)d, column %(column)d): the attribute %(name)s has no value."),
        _("The XML is not valid (line %(line)d, column %(column)d): an attribute has no value."),
    ),
    _E.ERR_ATTRIBUTE_NOT_STARTED: (
        None,
        None,
        _("The XML is not valid (line %(line)d, column %(column)d): an attribute value must be in quotes."),
    ),
    _E.ERR_ATTRIBUTE_NOT_FINISHED: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "an attribute value is missing its closing quote."
        ),
    ),
    _E.ERR_ATTRIBUTE_REDEFINED: (
        re.compile(rf"\AAttribute {_NAME} redefined"),
        _("The XML is not valid (line %(line)d, column %(column)d): the attribute %(name)s is given twice."),
        _("The XML is not valid (line %(line)d, column %(column)d): an attribute is given twice."),
    ),
    _E.ERR_SPACE_REQUIRED: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "a space is missing between two attributes."
        ),
    ),
    _E.ERR_NAME_REQUIRED: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "a tag, attribute or entity name is missing or not valid."
        ),
    ),
    _E.ERR_UNDECLARED_ENTITY: (
        re.compile(rf"\AEntity '{_NAME}' not defined"),
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "the entity &%(name)s; is not defined (write & as &amp;)."
        ),
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "an entity is not defined (write & as &amp;)."
        ),
    ),
    _E.ERR_ENTITYREF_SEMICOL_MISSING: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "an entity is missing its “;” (write & as &amp;)."
        ),
    ),
    _E.ERR_INVALID_CHAR: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "it contains a character that XML does not allow."
        ),
    ),
    _E.ERR_INVALID_ENCODING: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "the text is not in its declared encoding."
        ),
    ),
    _E.ERR_MISPLACED_CDATA_END: (
        None,
        None,
        _("The XML is not valid (line %(line)d, column %(column)d): “]]>” is not allowed in text."),
    ),
    _E.ERR_HYPHEN_IN_COMMENT: (
        None,
        None,
        _("The XML is not valid (line %(line)d, column %(column)d): a comment may not contain “--”."),
    ),
    _E.ERR_COMMENT_NOT_FINISHED: (
        None,
        None,
        _("The XML is not valid (line %(line)d, column %(column)d): a comment is never closed by “-->”."),
    ),
    _E.ERR_CDATA_NOT_FINISHED: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "a CDATA section is never closed by “]]>”."
        ),
    ),
    _E.ERR_RESERVED_XML_NAME: (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "an XML declaration is only allowed at the very start."
        ),
    ),
    getattr(_E, "ERR_RESOURCE_LIMIT", 114): (
        None,
        None,
        _(
            "The XML is not valid (line %(line)d, column %(column)d): "
            "it is nested too deeply or too large to be read safely."
        ),
    ),
}
_FALLBACK = _("The XML is not valid (line %(line)d, column %(column)d).")


def syntax_reason(error: etree.XMLSyntaxError) -> Reason:
    """The translatable reason that explains ``error``, with its line and column."""
    position = getattr(error, "position", None) or (None, None)
    line = error.lineno or (position[0] if position and position[0] else 1)
    column = position[1] if len(position) > 1 and position[1] else 1
    pattern, named, plain = _REASONS.get(error.code, (None, None, _FALLBACK))
    match = pattern.match(error.msg or "") if pattern is not None else None
    if match is None or named is None:
        return Reason(plain, {"line": line, "column": column})
    names = match.groups()
    params: dict[str, object] = {"line": line, "column": column, "name": names[0]}
    if len(names) > 1:
        params["opened"] = int(names[1])
    if len(names) > 2:
        params["closed"] = names[2]
    return Reason(named, params)
