"""Author HTML that runs script, shown in a sandboxed frame with an opaque origin of its own.

Open edX authors write ``<script>``, ``onclick`` attributes and ``<style>`` sheets into their html blocks.
None of it may run, or style, in the site's origin: the block shows such a text in an ``<iframe
sandbox="allow-scripts">`` (without ``allow-same-origin``, so the frame's origin is opaque: no cookies, no
access to the page around it), whose document the block's ``frame`` handler serves with its own strict
Content-Security-Policy. The document tells the page its height with one ``postMessage``; the page checks
where the message comes from and its shape (``public/html-frame.js``).
"""

from __future__ import annotations

import re

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

# Sent by the frame when it loads and whenever its content changes size. In the head, so that author
# markup left open (a comment, a textarea) cannot swallow it.
_HEIGHT_SCRIPT = """(function () {
  "use strict";
  function send() {
    var body = document.body, root = document.documentElement;
    var height = Math.max(body ? body.scrollHeight : 0, root.scrollHeight, root.offsetHeight);
    window.parent.postMessage({type: "MESSAGE", height: Math.ceil(height)}, "*");
  }
  document.addEventListener("DOMContentLoaded", function () {
    send();
    if (window.ResizeObserver) { new ResizeObserver(send).observe(document.documentElement); }
  });
  window.addEventListener("load", send);
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.type === "MESSAGE-request") { send(); }
  });
}());""".replace("MESSAGE", HEIGHT_MESSAGE)


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


def frame_document(html: str, *, title: str, language: str, jquery_url: str) -> str:
    """The frame's page: jQuery (as Open edX serves it to authors' scripts), the height reporter, the HTML."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{margin:0;padding:0 2px;font-family:system-ui,sans-serif;line-height:1.5}</style>"
        f'<script src="{escape(jquery_url)}"></script>'
        f"<script>{_HEIGHT_SCRIPT}</script>"
        f"</head><body>{html}</body></html>"
    )


def frame_policy(origin: str) -> str:
    """The frame's Content-Security-Policy: sandboxed even when opened on its own, inline script (its
    origin is opaque, so it reaches nothing of the site's), files only from the site (jQuery, the
    course's assets), no network calls, no form posts, shown only inside the site's own pages."""
    site = origin.rstrip("/")
    return "; ".join(
        (
            "sandbox allow-scripts",
            "default-src 'none'",
            f"script-src 'unsafe-inline' {site}/static/ {site}/formations/",
            f"style-src 'unsafe-inline' {site}/formations/",
            f"img-src {site} data:",
            f"media-src {site}",
            f"font-src {site} data:",
            f"frame-src {site}/formations/ https://www.youtube-nocookie.com https://player.vimeo.com",
            "connect-src 'none'",
            "object-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            f"frame-ancestors {site}",
        )
    )
