"""LTI: the platform side of LTI 1.3 (keys, JWKS, OIDC authorisation, Assignment and Grade Services) and
LTI 1.1 (OAuth 1 signed launches, Basic Outcomes), given to the LTI blocks as the ``lti`` service."""
