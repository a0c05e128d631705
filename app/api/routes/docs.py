"""The generated OpenAPI document and its browsable reference page (Swagger UI, served by the product).

Both are public: they describe the API, not anyone's data; every data endpoint still wants a token.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, url_for

from app.api import spec
from app.api.routes import blueprint


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of ``/api/v1``."""
    document = current_app.extensions.get("cybermassif.openapi")
    if document is None:
        # The URL map does not change once the app serves: built once per process.
        document = current_app.extensions["cybermassif.openapi"] = spec.build(current_app)
    return jsonify(document)


@blueprint.get("/docs")
def reference() -> str:
    """The browsable API reference."""
    return render_template("api/reference.html", spec_url=url_for("api.openapi"))
