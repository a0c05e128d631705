"""Cleaning stored cell texts again when they are shown, once per process and text rather than per view.

Texts are cleaned by the platform's ``sanitizer`` service when they are saved (OLX import, editor), but a
course's ``policy.json`` can set the field directly, so the view cleans them again. Bleach takes about half a
millisecond a cell (20 ms for a full fresco), so the result is kept, keyed by the sanitiser's class (its
policy is its code) and the text: course content, nothing about a learner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_CLEANED: dict[tuple[type, str], str] = {}
MAX_KEPT = 4096


def cached_cleaner(sanitizer: Any) -> Callable[[str], str]:
    """``sanitizer.clean_html``, remembering what it returned for each text (forgetting all when full)."""

    def clean(html: str) -> str:
        key = (type(sanitizer), html)
        cleaned = _CLEANED.get(key)
        if cleaned is None:
            if len(_CLEANED) >= MAX_KEPT:
                _CLEANED.clear()
            cleaned = _CLEANED[key] = sanitizer.clean_html(html)
        return cleaned

    return clean
