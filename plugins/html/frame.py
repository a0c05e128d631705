"""Author HTML that runs script, shown in a sandboxed frame with an opaque origin of its own.

Open edX authors write ``<script>``, ``onclick`` attributes and ``<style>`` sheets into their html blocks.
None of it may run, or style, in the site's origin: the block shows such a text in an ``<iframe
sandbox="allow-scripts">`` (without ``allow-same-origin``, so the frame's origin is opaque: no cookies, no
access to the page around it), whose document the block's ``frame`` handler serves with its own strict
Content-Security-Policy. The frame's script (``public/html-frame-inner.js``) tells the page its height and
asks it for the course's files (stylesheets, images, scripts), which the frame cannot load without the
session; the page checks where each message comes from and its shape, and fetches only the files the
block's HTML names (``public/html-frame.js``).
"""

from __future__ import annotations

import re
from importlib import resources

import lxml.html
from lxml import etree
from markupsafe import escape

#: the ``type`` of the height message the frame posts to the page (checked there)
HEIGHT_MESSAGE = "cybermassif-html-height"
# Attributes holding a URL that could be a javascript: link.
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href"})
# Browsers ignore control characters and whitespace inside the scheme ("java\tscript:").
_JAVASCRIPT_URL = re.compile(r"^[\x00-\x20]*" + r"[\x00-\x20]*".join("javascript") + r"[\x00-\x20]*:", re.I)
_ACTIVE_TAGS = frozenset({"script", "style"})

# The frame's own script (height, course files through the page), inlined: the frame's CSP allows inline
# script only besides the site's static files.
_INNER_SCRIPT = (resources.files("plugins.html") / "public" / "html-frame-inner.js").read_text("utf-8")
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
_COURSE_FILE = re.compile(r"^/static/(?!/)(?!.*(?:\.\.|\\))[^\s\"'<>()]+$")
_STATIC_PATH = re.compile(r"""/static/[^"'()\s?#<>\\]+""")
MAX_ASSETS = 500


def _attribute(pattern: re.Pattern[str], attributes: str) -> str | None:
    match = pattern.search(attributes)
    return None if match is None else next(g for g in match.groups() if g is not None)


def hold_scripts(html: str) -> str:
    """``html`` whose scripts wait for the course's files when one of them is a course file.

    The frame cannot load a course file itself (no session there): its script gets the file through the
    page, then runs every held script in document order, inline ones included, so that an inline script
    still finds the library a course file defines. Without a course script, ``html`` is left as it is.
    """
    sources = (_attribute(_SRC, m.group(1)) for m in _SCRIPT_TAG.finditer(html))
    if not any(src and _COURSE_FILE.match(src.strip()) for src in sources):
        return html

    def hold(match: re.Match[str]) -> str:
        src, kind = _attribute(_SRC, match.group(1)), _attribute(_TYPE, match.group(1))
        if src is not None and _COURSE_FILE.match(src.strip()):
            return f'<script type="text/x-cybermassif-course" data-cm-src="{escape(src.strip())}">'
        if src is None and (kind or "").strip().lower() in _JS_TYPES:
            return '<script type="text/x-cybermassif-inline">'
        return match.group(0)

    return _SCRIPT_TAG.sub(hold, html)


def course_files(html: str) -> list[str]:
    """The course files (``/static/…``) ``html`` names, once each, in order: what the page may fetch for
    the frame."""
    return list(dict.fromkeys(_STATIC_PATH.findall(html)))[:MAX_ASSETS]


def needs_frame(html: str) -> bool:
    """Whether author ``html`` holds script (elements, event attributes, javascript: links) or a style
    sheet, which only a frame of its own can keep away from the site's page."""
    if not html or not html.strip():
        return False
    lowered = html.lower()
    if "<script" in lowered or "<style" in lowered:
        return True
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return True  # unreadable here, so not shown in the page: the frame shows it as the browser reads it
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.lower() in _ACTIVE_TAGS:
            return True
        for attribute, value in node.attrib.items():
            name = attribute.lower()
            if name.startswith("on") or (name in _URL_ATTRIBUTES and _JAVASCRIPT_URL.match(value)):
                return True
    return False


_USE_TAG = re.compile(r"""<use\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_USE_REFERENCE = re.compile(
    r"""\s(?:xlink:)?href\s*=\s*(?:"(?!\s*#)[^"]*"|'(?!\s*#)[^']*'|(?![\s"'#])[^\s>]+)""", re.IGNORECASE
)


def drop_external_uses(html: str) -> str:
    """``html`` whose SVG ``<use>`` elements keep only references within the document (``#id``).

    An external ``<use href>`` cannot show anything in the frame (course files need the session, other
    origins' and ``data:`` documents are refused to ``<use>`` by browsers), and Chromium, refusing a
    ``data:`` one, sometimes leaves the frame's document loading for ever, which holds the load event of
    the whole unit page. The author's text is kept as written; only the frame's copy loses them.
    """
    return _USE_TAG.sub(lambda match: _USE_REFERENCE.sub("", match.group(0)), html)


def frame_document(html: str, *, title: str, language: str, jquery_url: str) -> str:
    """The frame's page: jQuery (as Open edX serves it to authors' scripts), the frame's own script, the
    HTML (its course links already resolved, its scripts held by :func:`hold_scripts`)."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{margin:0;padding:0 2px;font-family:system-ui,sans-serif;line-height:1.5}</style>"
        f'<script src="{escape(jquery_url)}"></script>'
        f"<script>{_INNER_SCRIPT}</script>"
        f"</head><body>{drop_external_uses(html)}</body></html>"
    )


def frame_policy(origin: str) -> str:
    """The frame's Content-Security-Policy: sandboxed even when opened on its own, inline script (its
    origin is opaque, so it reaches nothing of the site's), files only from the site (jQuery) or as the
    page handed them over (blob:), no network calls, no form posts, shown only inside the site's pages."""
    site = origin.rstrip("/")
    return "; ".join(
        (
            "sandbox allow-scripts",
            "default-src 'none'",
            f"script-src 'unsafe-inline' {site}/static/",
            f"style-src 'unsafe-inline' {site}",
            f"img-src {site} data: blob:",
            f"media-src {site} blob:",
            f"font-src {site} data:",
            f"frame-src {site}/formations/ https://www.youtube-nocookie.com https://player.vimeo.com",
            "connect-src 'none'",
            "object-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            f"frame-ancestors {site}",
        )
    )
