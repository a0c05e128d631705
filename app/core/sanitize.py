"""The sanitising policy: what HTML people may store (trainer content, forum posts, case answers).

Course authors' html blocks have a wider policy of their own, ``app.core.author_html``.

Applied with bleach when text is saved; templates escape everything else.
"""

from __future__ import annotations

import re

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
        "details", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
        "i", "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "lang", "dir"],
    "a": ["href", "rel", "target"],
    "abbr": ["title"],
    "img": ["src", "alt", "width", "height", "loading"],
    "iframe": ["src", "width", "height", "title", "allowfullscreen", "allow"],
    "td": ["colspan", "rowspan", "headers"],
    "th": ["colspan", "rowspan", "scope", "headers"],
    "ol": ["start", "type"],
    "col": ["span"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
# Embedded players only from these hosts (privacy-enhanced YouTube, Vimeo, PeerTube instances on https).
IFRAME_SOURCES = re.compile(
    r"^https://(www\.youtube-nocookie\.com/embed/|player\.vimeo\.com/video/|[a-z0-9.-]+/videos/embed/)[\w/?=&.-]*$"
)

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_IFRAME = re.compile(r"<iframe\b[^>]*>.*?</iframe>|<iframe\b[^>]*/?>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r'\ssrc="([^"]*)"')


def _drop_foreign_iframes(html: str) -> str:
    def check(match: re.Match[str]) -> str:
        src = _SRC.search(match.group(0))
        return match.group(0) if src and IFRAME_SOURCES.match(src.group(1).replace("&amp;", "&")) else ""

    return _IFRAME.sub(check, html)


_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def clean_html(html: str) -> str:
    """``html`` reduced to the allow-list: no script, no event attributes, no ``javascript:`` links,
    iframes only from the allowed video hosts."""
    # Bleach strips disallowed tags but keeps their text; a script's source is not text for readers.
    return _drop_foreign_iframes(_cleaner.clean(_SCRIPT_OR_STYLE.sub("", html or "")))


class SanitizerService:
    """The ``sanitizer`` service blocks declare."""

    def clean_html(self, html: str) -> str:
        """Clean HTML with the platform's policy (for what anyone may write: learners' text)."""
        return clean_html(html)

    def clean_author_html(self, html: str) -> str:
        """Clean course authors' HTML with their wider policy (``app.core.author_html``)."""
        # Imported here: the author policy builds on this module's lists.
        from app.core.author_html import clean_author_html

        return clean_author_html(html)
