"""The sandboxed frame of a JavaScript input (``<jsinput>``): the author's page, isolated from the site.

Open edX shows the author's HTML file (a course file) in an iframe of the site's own origin and calls its
functions (``gradefn``, ``get_statefn``, ``set_statefn``) directly, or through jschannel's messages when
``sop`` is set. Here the frame is always ``<iframe sandbox="allow-scripts">`` without
``allow-same-origin``: its origin is opaque, so the author's script reaches no cookie, storage or page of
the site, whatever ``sop`` says. As the html block's author frame does, the block's ``jsinput_frame``
handler serves a small document under a strict Content-Security-Policy of its own; its script
(``public/jsinput-frame.js``, inlined) asks the page for the course file (the frame has no session), and
for the course scripts, style sheets and images that file names (relative to it, or ``/static/…`` as
authors name course files), writes the page into the frame, then answers the page's calls by message: the
answer (the grade function's text), the state, and the state to restore.
The page (``public/problem.js``) believes only messages from that frame's window, shaped as it sends them,
and fetches only the course's own files.

Only course files (``/static/…``) are accepted as ``html_file``: a page of another site would need that
site in the frame policy, and Open edX's cross-site mode (``sop``) exists for pages the course does not
hold. Such a problem shows the "not supported" notice and keeps its XML (:mod:`plugins.problem.model`).
"""

from __future__ import annotations

import json
from importlib import resources

from markupsafe import escape

from plugins.problem.model import JsInput

# The frame's own script, inlined: the frame's CSP allows inline script only besides the site's files.
_INNER_SCRIPT = (resources.files("plugins.problem") / "public" / "jsinput-frame.js").read_text("utf-8")


def frame_document(spec: JsInput, *, title: str, language: str, jquery_url: str) -> str:
    """The frame's first page: jQuery (many authors' pages expect it), the names of the author's
    functions, and the script that fetches the author's page through the parent and runs it."""
    names = {"gradefn": spec.gradefn, "get_statefn": spec.get_statefn, "set_statefn": spec.set_statefn}
    # In an attribute, escaped: nothing of it can end the element or run.
    config = escape(json.dumps(names))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f'<script src="{escape(jquery_url)}"></script>'
        f'<script id="cm-jsinput" data-config="{config}">{_INNER_SCRIPT}</script>'
        "</head><body></body></html>"
    )


def frame_policy(origin: str) -> str:
    """The frame's Content-Security-Policy: sandboxed even when opened on its own (an opaque origin),
    inline script (the author's page, which reaches nothing of the site's), the site's static files,
    course files only as the page handed them over (blob:, data:), no network calls, no form posts, shown
    only inside the site's pages."""
    site = origin.rstrip("/")
    return "; ".join(
        (
            "sandbox allow-scripts",
            "default-src 'none'",
            f"script-src 'unsafe-inline' {site}/static/",
            f"style-src 'unsafe-inline' {site}/static/",
            "img-src data: blob:",
            "font-src data:",
            "media-src blob:",
            "connect-src 'none'",
            "object-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            f"frame-ancestors {site}",
        )
    )
