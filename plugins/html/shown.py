"""What learners are shown of a stored text, worked out once per process and text rather than per view.

The author's HTML is stored as written and made safe when shown (``plugins.html.block``): telling whether
it needs the sandboxed frame (an lxml parse) and cleaning it with the author policy (bleach, about a
millisecond for a page of text) would otherwise be paid on every unit page. Both depend only on the text
and on the sanitiser's class (its policy is its code), nothing about a learner, so they are kept, keyed by
a digest of the text, and all forgotten when too many are kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from plugins.html.frame import needs_frame

MAX_KEPT = 2048
_FRAMED: dict[bytes, bool] = {}
_CLEANED: dict[tuple[type, bytes], str] = {}


def _digest(html: str) -> bytes:
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).digest()


def framed(html: str) -> bool:
    """:func:`plugins.html.frame.needs_frame`, remembered."""
    key = _digest(html)
    found = _FRAMED.get(key)
    if found is None:
        if len(_FRAMED) >= MAX_KEPT:
            _FRAMED.clear()
        found = _FRAMED[key] = needs_frame(html)
    return found


def cleaned(sanitizer: Any, html: str) -> str:
    """``html`` through the sanitiser's author policy (its strict one on a host without it), remembered."""
    key = (type(sanitizer), _digest(html))
    found = _CLEANED.get(key)
    if found is None:
        if len(_CLEANED) >= MAX_KEPT:
            _CLEANED.clear()
        # A host without the author policy gets the strict one: less is shown, nothing unsafe.
        clean = getattr(sanitizer, "clean_author_html", sanitizer.clean_html)
        found = _CLEANED[key] = str(clean(html))
    return found
