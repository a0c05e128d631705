"""The page's share of rendered fragments: their CSS and JavaScript, once each, allowed by the page's CSP.

Blocks add inline JavaScript and CSS (``add_javascript(text)``); the site's Content-Security-Policy lets
scripts run only from its own origin or with the page's nonce, so every inline script gets that nonce.
Inline styles are allowed on block pages (``'unsafe-inline'`` for styles only), as blocks position their
elements with ``style`` attributes.
"""

from __future__ import annotations

from markupsafe import escape
from web_fragments.fragment import Fragment, FragmentResource

JS_TYPES = frozenset({"application/javascript", "text/javascript"})


def _inline(data: str, tag: str) -> str:
    # "</script" (or "</style") inside a block's own code would end the element early.
    return data.replace(f"</{tag}", f"<\\/{tag}")


def resource_html(resource: FragmentResource, nonce: str) -> str:
    """The tag for one resource."""
    if resource.mimetype == "text/css":
        if resource.kind == "url":
            return f'<link rel="stylesheet" href="{escape(resource.data)}">'
        return f'<style nonce="{nonce}">\n{_inline(resource.data, "style")}\n</style>'
    if resource.mimetype in JS_TYPES:
        if resource.kind == "url":
            return f'<script src="{escape(resource.data)}" nonce="{nonce}"></script>'
        return f'<script nonce="{nonce}">\n{_inline(resource.data, "script")}\n</script>'
    if resource.mimetype == "text/html" and resource.kind == "text":
        return resource.data
    return ""


def resources_html(fragment: Fragment, placement: str, nonce: str) -> str:
    """Every resource of ``fragment`` for ``placement`` ("head" or "foot"), de-duplicated, in order."""
    return "\n".join(resource_html(r, nonce) for r in fragment.resources if r.placement == placement)


def content_security_policy(nonce: str) -> str:
    """The CSP of a page running blocks: own origin, or inline code carrying this request's nonce.

    ``'unsafe-eval'`` is there because popular blocks compile templates in the browser (Handlebars,
    Underscore); inline styles because blocks lay out their elements with ``style`` attributes; objects
    from the site itself because course authors show the course's PDFs with ``<object>``/``<embed>`` (only
    course files reach an author's object, and those that could run script are served sandboxed).
    """
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' https:",
            "frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com https:",
            "object-src 'self'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        )
    )
