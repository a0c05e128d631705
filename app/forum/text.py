"""Forum post text: checking what people type, and turning their Markdown into safe HTML.

Posts are written in a small Markdown dialect (emphasis, lists, links, inline and fenced code, quotes,
line breaks as typed); raw HTML is shown as text, never interpreted. The HTML is then cleaned twice: by the
platform's policy (``app.core.sanitize``), and by the forum's stricter one, which allows no images, frames,
headings or attributes beyond a link's address and title, and makes every link ``rel="nofollow
noopener"`` (bare addresses become links too).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from flask_babel import gettext as _

from app.core.sanitize import clean_html
from app.forum.errors import Invalid
from app.forum.models import BODY_MAX, REASON_MAX, TITLE_MAX

POST_TAGS = frozenset(
    {"a", "b", "blockquote", "br", "code", "em", "hr", "i", "li", "ol", "p", "pre", "strong", "ul"}
)
POST_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
POST_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

# Control characters other than tab and line breaks, and lone surrogates (JSON allows "\ud800"): the
# databases refuse them (PostgreSQL has no NUL in text) and no reader wants them.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _rel(attrs: dict[Any, str], new: bool = False) -> dict[Any, str]:
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=POST_TAGS,
    attributes=POST_ATTRIBUTES,
    protocols=POST_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_rel], skip_tags={"pre", "code"}, parse_email=False)],
)


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["fenced_code", "sane_lists", "nl2br"], output_format="html")
    # No raw HTML (it is escaped and shown as typed) and no headings in posts.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.parser.blockprocessors.deregister("hashheader")
    md.parser.blockprocessors.deregister("setextheader")
    # An image shows as a link to it: posts embed nothing.
    md.inlinePatterns.deregister("image_link")
    md.inlinePatterns.deregister("image_reference")
    return md


def render(text: str) -> str:
    """The sanitised HTML of a post's Markdown."""
    html = _markdown().convert(text)
    return _cleaner.clean(clean_html(html)).strip()


def tidy(value: Any) -> str:
    """A typed text without unwanted characters and surrounding blanks ('' for anything but text)."""
    if not isinstance(value, str):
        return ""
    return _UNWANTED.sub("", value).strip()


def checked_title(value: Any) -> str:
    """The thread title, or :class:`Invalid` with the reason."""
    title = " ".join(tidy(value).split())
    if not title:
        raise Invalid(_("Give the thread a title."), field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(_("The title is too long: %(max)d characters at most.", max=TITLE_MAX), field="title")
    return title


def checked_body(value: Any) -> str:
    """The message's Markdown, or :class:`Invalid` with the reason."""
    body = tidy(value)
    if not body:
        raise Invalid(_("Write a message before posting."), field="body")
    if len(body) > BODY_MAX:
        raise Invalid(
            _(
                "The message is too long: %(max)d characters at most (it has %(count)d).",
                max=BODY_MAX,
                count=len(body),
            ),
            field="body",
        )
    return body


def checked_reason(value: Any) -> str:
    """The optional reason given when reporting a message."""
    reason = " ".join(tidy(value).split())
    if len(reason) > REASON_MAX:
        raise Invalid(
            _("The reason is too long: %(max)d characters at most.", max=REASON_MAX), field="reason"
        )
    return reason
