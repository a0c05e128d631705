"""Signing and checking JWTs for LTI 1.3 (joserfc, Authlib's JOSE library), and fetching a tool's keys."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from app.lti.errors import NOT_CONFIGURED, LtiRefused

ALGORITHMS = ["RS256"]
KEYSET_MAX_BYTES = 256 * 1024
KEYSET_TIMEOUT = 5.0
#: Clock difference tolerated between the platform and a tool, in seconds.
LEEWAY = 60


def sign(claims: dict[str, Any], key: RSAKey) -> str:
    """A compact RS256 JWT of ``claims``, its header naming the key."""
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": key.kid}, claims, key, algorithms=ALGORITHMS)


def tool_keys(public_key_pem: str, keyset_url: str) -> KeySet:
    """A tool's keys: its public key in PEM, or the JWKS at its keyset URL (read with a time and size
    limit)."""
    try:
        if keyset_url:
            if not keyset_url.startswith(("https://", "http://")):
                raise LtiRefused("the tool's keyset URL is not an http(s) URL", 403)
            with urllib.request.urlopen(keyset_url, timeout=KEYSET_TIMEOUT) as response:  # noqa: S310
                data = response.read(KEYSET_MAX_BYTES + 1)
            if len(data) > KEYSET_MAX_BYTES:
                raise LtiRefused("the tool's keyset is too large", 403)
            return KeySet.import_key_set(json.loads(data))
        if public_key_pem.strip():
            return KeySet([RSAKey.import_key(public_key_pem.strip())])
    except (OSError, ValueError, JoseError) as error:
        if isinstance(error, LtiRefused):
            raise
        raise LtiRefused(f"the tool's key cannot be read: {error}", 403) from error
    raise LtiRefused("this component names no public key of its tool", 403, NOT_CONFIGURED)


def verify(
    token: str, keys: KeySet, *, issuer: str, audience: str | list[str], subject: str | None = None
) -> dict:
    """The claims of ``token`` once its signature, issuer, audience (one of ``audience``, when a list),
    subject and times are checked."""
    if not isinstance(token, str) or not token or len(token) > 16_384:
        raise LtiRefused("no token, or a token too long", 401)
    try:
        # A tool known by one key may not name it (``kid``) as a keyset needs: that one key checks.
        key: KeySet | Any = keys.keys[0] if len(keys.keys) == 1 else keys
        decoded = jwt.decode(token, key, algorithms=ALGORITHMS)
    except (JoseError, ValueError) as error:
        raise LtiRefused(f"the token's signature is not valid: {error}", 401) from error
    claims = dict(decoded.claims)
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "values": audience if isinstance(audience, list) else [audience]},
        "exp": {"essential": True},
    }
    if subject is not None:
        options["sub"] = {"essential": True, "value": subject}
    try:
        jwt.JWTClaimsRegistry(now=int(time.time()), leeway=LEEWAY, **options).validate(claims)
    except JoseError as error:
        raise LtiRefused(f"the token is refused: {error}", 401) from error
    return claims
