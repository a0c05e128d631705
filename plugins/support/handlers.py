"""JSON handlers as ``XBlock.json_handler`` makes them, with the refusals of a malformed request worded in
the learner's language (the block's ``i18n`` service) rather than in XBlock's English."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError

Method = Callable[[Any, Any, str], Any]
Handler = Callable[..., Any]


def json_response(result: Any) -> Response:
    """A handler's result as a JSON answer."""
    return Response(json.dumps(result), content_type="application/json", charset="utf8")


def _request_refusal(block: Any, request: Any) -> tuple[Response | None, Any]:
    """The answer to a request that is not a POST of JSON (or None), and the body read."""
    _ = block.i18n.gettext
    if request.method != "POST":
        error = JsonHandlerError(405, _("This address answers only POST requests."))
        return error.get_response(allow=["POST"]), None
    try:
        return None, json.loads(request.body.decode("utf-8"))
    except ValueError:
        return JsonHandlerError(
            400, _("The request could not be read (it is not valid JSON).")
        ).get_response(), None


def _json_handler(method: Method, *, answer_refusals: bool) -> Handler:
    @XBlock.handler
    @functools.wraps(method)
    def wrapper(block: Any, request: Any, suffix: str = "") -> Response:
        refusal, data = _request_refusal(block, request)
        if refusal is not None:
            return refusal
        if not answer_refusals:
            return json_response(method(block, data, suffix))
        try:
            result = method(block, data, suffix)
        except JsonHandlerError as error:
            return error.get_response()
        return json_response(result)

    return wrapper


def json_handler(method: Method) -> Handler:
    """A handler taking a POST with a JSON body and answering JSON; a ``JsonHandlerError`` the method raises
    is answered here, with its status (what the method wrote before it is kept, as XBlock's own does)."""
    return _json_handler(method, answer_refusals=True)


def json_handler_rolling_back(method: Method) -> Handler:
    """As :func:`json_handler`, but a ``JsonHandlerError`` the method raises goes on to the runtime, which
    answers it and drops whatever the handler began (nothing is kept of a refused call)."""
    return _json_handler(method, answer_refusals=False)
