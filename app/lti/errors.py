"""Refusals of the LTI service: what a tool or a learner's browser sent that the platform will not take."""

from __future__ import annotations

#: What a refusal's ``code`` says, for blocks that explain it to learners in their words.
SIGN_IN = "sign_in"  # nobody is signed in
NOT_CONFIGURED = "not_configured"  # the component or the course lacks a URL, a key, a passport
REPLAY = "replay"  # a nonce or a token id came a second time
REFUSED = "refused"  # anything else the tool or the browser sent that does not check out


class LtiRefused(ValueError):
    """A request the platform refuses; ``status`` is the HTTP status to answer with (4xx), ``code`` one of
    the names above; the message says what was wrong, in English, for the tool's developers.

    A ValueError, so that blocks, which may not import the platform, can catch it.
    """

    def __init__(self, message: str, status: int = 400, code: str = REFUSED) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
