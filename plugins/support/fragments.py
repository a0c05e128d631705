"""A block's view as a fragment: its HTML, its stylesheet and script from its own ``public/`` folder, and
the function that starts the script, with the words the script shows (in the reader's language)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from web_fragments.fragment import Fragment


def view_fragment(
    block: Any,
    html: str,
    *,
    css: str | None,
    js: str,
    init: str,
    arguments: Mapping[str, Any],
) -> Fragment:
    """The fragment of ``html`` with ``public/<css>`` and ``public/<js>``, started by ``init(arguments)``."""
    fragment = Fragment(html)
    if css is not None:
        fragment.add_css_url(block.runtime.local_resource_url(block, f"public/{css}"))
    fragment.add_javascript_url(block.runtime.local_resource_url(block, f"public/{js}"))
    fragment.initialize_js(init, dict(arguments))
    return fragment


def sending_messages(_: Callable[[str], str]) -> dict[str, str]:
    """What a learner's view shows while it sends their text, and when the server cannot be reached."""
    return {
        "working": _("Sending…"),
        "failed": _("The server could not be reached. Your text is still here: please try again."),
    }


def editor_messages(_: Callable[[str], str]) -> dict[str, str]:
    """What an editor's script shows while it saves, once saved, and when the server cannot be reached."""
    return {
        "saved": _("Saved."),
        "working": _("Saving…"),
        "failed": _("The server could not be reached. Nothing was saved: please try again."),
    }
