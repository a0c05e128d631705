"""The escaping wrapper around each rendered block (XBlock 6.1.0's default writes attributes unescaped).

Every ``data-*`` value is HTML-escaped, and the JSON init arguments are serialised so that ``<``, ``>``
and ``&`` cannot close the script element they sit in.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment


def json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    return (
        json.dumps(value, default=str)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# The same few names and values (runtime class, block types, course and usage ids, class lists) are
# escaped for every block of every page: their escaped forms are remembered, up to a bound.
_ESCAPED: dict[str, str] = {}
_ESCAPED_LIMIT = 20_000


def _escaped(value: Any) -> str:
    """``escape(value)`` as a plain string; plain strings' results are remembered."""
    if type(value) is not str:
        return str(escape(value))
    text = _ESCAPED.get(value)
    if text is None:
        if len(_ESCAPED) >= _ESCAPED_LIMIT:
            _ESCAPED.clear()
        text = _ESCAPED[value] = str(escape(value))
    return text


def wrap_fragment(frag: Fragment, css_classes: list[str], data: dict[str, Any]) -> Fragment:
    """``frag``'s HTML in a div with escaped classes and data attributes, and its resources."""
    attributes = "".join(
        f' data-{_escaped(name)}="{_escaped(value)}"' for name, value in data.items() if value is not None
    )
    init_args = ""
    if getattr(frag, "json_init_args", None) is not None:
        init_args = (
            '<script type="json/xblock-args" class="xblock-json-init-args xblock_json_init_args">'
            f"{json_for_script(frag.json_init_args)}</script>"
        )
    wrapped = Fragment()
    # The block's own HTML is its responsibility (and sanitised where people typed it); what the host adds
    # around it is escaped here.
    classes = _escaped(" ".join(css_classes))
    wrapped.add_content(f'<div class="{classes}"{attributes}>{frag.body_html()}{init_args}</div>')
    wrapped.add_fragment_resources(frag)
    return wrapped
