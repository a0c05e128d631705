"""The ``lti`` block service: what an LTI block asks of the platform, for the person its runtime works for.

A block declares ``@XBlock.needs("lti")`` and calls these methods from its handlers; each raises
:class:`~app.lti.errors.LtiRefused` (a ValueError with an HTTP ``status``) for what it will not do. Nothing
commits: the handler's route does, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.lti import ags, launch11, launch13


class LtiService:
    """The LTI service of one runtime."""

    def __init__(self, runtime: Any) -> None:
        self._runtime = runtime

    # LTI 1.3 ----------------------------------------------------------------------------------------------

    def registration(self, block: Any) -> dict[str, str]:
        """What the tool needs to know of the platform for this block (issuer, client id, URLs)."""
        return launch13.registration(self._runtime, block)

    def login_url(self, block: Any) -> str:
        """The tool's OIDC login initiation URL, to send the learner's browser to."""
        return launch13.login_url(self._runtime, block)

    def authorize(self, block: Any, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """Answer the tool's authorisation request: the URL and fields of the form to post to the tool."""
        return launch13.authorize(self._runtime, block, params)

    def access_token(self, block: Any, form: Mapping[str, str]) -> dict[str, Any]:
        """The token endpoint's answer to the tool (client credentials with a signed JWT)."""
        return ags.access_token(self._runtime, block, form)

    def lineitem(self, block: Any, authorization: str) -> dict[str, Any]:
        """The block's line item, for the tool."""
        return ags.lineitem(self._runtime, block, authorization)

    def record_score(self, block: Any, authorization: str, content_type: str, body: bytes) -> float | None:
        """Record a score the tool posts as the learner's grade; returns the grade."""
        return ags.record_score(self._runtime, block, authorization, content_type, body)

    # LTI 1.1 ----------------------------------------------------------------------------------------------

    def launch_1p1(self, block: Any) -> tuple[str, dict[str, str]]:
        """The signed form (URL and fields) that launches the block's LTI 1.1 tool."""
        return launch11.launch(self._runtime, block)

    def outcome_1p1(self, block: Any, url: str, headers: Mapping[str, str], body: bytes) -> str:
        """Answer a Basic Outcomes request (XML) from the tool; a replaced result becomes a grade."""
        return launch11.outcome(self._runtime, block, url, headers, body)
