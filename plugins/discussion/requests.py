"""Reading the JSON the browser sends to the discussion block's handlers, refusing anything malformed.

Handlers get the body as a dict; each value is checked for its type and range here, and a bad one stops
the handler with a 400 :class:`~xblock.exceptions.JsonHandlerError` whose message is in the reader's
language. Raising (rather than answering) lets the handler endpoint roll back whatever was begun.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
KINDS = ("thread", "post")


def json_handler(method: Callable[[Any, dict[str, Any]], dict[str, Any]]) -> Callable[..., Response]:
    """As ``XBlock.json_handler`` (POST with a JSON object, JSON answer), with translated refusals."""

    @XBlock.handler
    @functools.wraps(method)
    def wrapper(block: Any, request: Any, suffix: str = "") -> Response:
        _ = block.i18n.gettext
        if request.method != "POST":
            raise JsonHandlerError(405, _("This address answers only POST requests."))
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise JsonHandlerError(
                400, _("The request could not be read: reload the page and try again.")
            ) from None
        if not isinstance(data, dict):
            raise malformed(block)
        result = method(block, data)
        return Response(json.dumps(result), content_type="application/json", charset="utf8")

    return wrapper


def malformed(block: Any) -> JsonHandlerError:
    """The refusal of a request whose values are missing or of the wrong kind."""
    return JsonHandlerError(
        400, block.i18n.gettext("The request is malformed: reload the page and try again.")
    )


def identifier(block: Any, data: dict[str, Any], name: str) -> int:
    """A row id (a positive integer)."""
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise malformed(block)
    return value


def page(block: Any, data: dict[str, Any], default: int | None = 1) -> int | None:
    """A page number (1 when absent, unless another ``default``)."""
    value = data.get("page", default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_PAGE:
        raise malformed(block)
    return value


def flag(block: Any, data: dict[str, Any], name: str = "value") -> bool:
    """A true/false value."""
    value = data.get(name)
    if not isinstance(value, bool):
        raise malformed(block)
    return value


def kind(block: Any, data: dict[str, Any]) -> str:
    """What a message is: a thread's opening message ("thread") or a reply ("post")."""
    value = data.get("kind")
    if value not in KINDS:
        raise malformed(block)
    return str(value)


def text(block: Any, data: dict[str, Any], name: str, required: bool = True) -> str:
    """A text value (checked further by the forum: length, emptiness)."""
    value = data.get(name, None if required else "")
    if not isinstance(value, str):
        raise malformed(block)
    return value


def optional_identifier(block: Any, data: dict[str, Any], name: str) -> int | None:
    """A row id, or None when absent, null or empty."""
    if data.get(name) in (None, ""):
        return None
    if isinstance(data.get(name), str) and data[name].isdigit():
        data = {**data, name: int(data[name])}
    return identifier(block, data, name)
