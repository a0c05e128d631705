"""The OpenAPI 3.1 document, generated from the views' declarations and schemas by apispec.

Every rule of the ``api`` blueprint whose view was declared with ``framework.operation`` becomes an
operation: its path (Flask's converters as OpenAPI parameters), its query parameters and body from the
marshmallow schemas, its answers, and the scope it needs. Nothing here is written by hand per route.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from app.api.framework import Meta
from app.api.scopes import ALL_SCOPES, Level

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_PROBLEM = {"$ref": "#/components/schemas/Problem"}
_PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; ``code`` is stable, ``title`` and ``detail`` translated.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status", "code"],
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": _PROBLEM}}}


def _operation(meta: Meta, method: str, path_params: list[tuple[str, str]]) -> dict[str, Any]:
    needed = [f"{meta.level.value}", f"{meta.resource.value}:{meta.level.value}"]
    if meta.level == Level.READ:
        needed += ["write", f"{meta.resource.value}:write"]
    found: dict[str, Any] = {
        "summary": meta.summary,
        "tags": [meta.tag],
        "security": [{"bearer": []}],
        "x-scopes": [s for s in needed if s in ALL_SCOPES],
        "parameters": [
            {"in": "path", "name": name, "required": True, "schema": {"type": kind}}
            for name, kind in path_params
        ],
        "responses": {
            str(meta.status): {
                "description": "OK" if meta.status == 200 else "Created",
                "content": {"application/json": {"schema": meta.response}} if meta.response else {},
            },
            "400": _problem("Bad query, cursor or JSON"),
            "401": _problem("Missing, malformed, expired or revoked token"),
            "403": _problem("Outside the token's scopes, or not allowed"),
            "404": _problem("No such object, or not visible to you"),
        },
    }
    if meta.query is not None:
        found["parameters"].append({"in": "query", "schema": meta.query})
    if meta.body is not None:
        found["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta.body}}}
        found["responses"]["415"] = _problem("The body is not application/json")
        found["responses"]["422"] = _problem("The body has wrong types or values, or the change is refused")
    return found


def build(app: Flask) -> dict[str, Any]:
    """The document for the application's ``/api/v1`` routes."""
    spec = APISpec(
        title="Cybermassif API",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "The network's data for its own tools. Authenticate with a personal access "
            "token (Authorization: Bearer). Lists page by cursor (next_cursor); errors are "
            "application/problem+json."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", component=_PROBLEM_SCHEMA)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        meta: Meta | None = getattr(app.view_functions.get(rule.endpoint), "api_meta", None)
        if meta is None:
            continue
        params = [
            (name, "integer" if conv == "int" else "string") for conv, name in _CONVERTER.findall(rule.rule)
        ]
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = _operation(meta, method, params)
            operation["operationId"] = rule.endpoint.replace("api.", "", 1)
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
