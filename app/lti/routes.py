"""The platform's public LTI endpoint: the JWKS tools verify our tokens with."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app.core.database import writes
from app.core.extensions import csrf, db
from app.lti import keys

blueprint = Blueprint("lti", __name__, url_prefix="/lti")


@blueprint.route("/jwks.json")
@csrf.exempt
@writes  # the first call makes and stores the platform key
def jwks() -> Response:
    """The platform's public keys (JSON Web Key Set), for every tool."""
    keyset = keys.public_jwks(db.session)
    db.session.commit()
    response = jsonify(keyset)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
