"""A learner's response: one plain text per prompt, checked before anything is stored.

Texts are kept as typed (line breaks normalised, invisible control characters dropped, as the case
study's answers) and escaped wherever they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plugins.support.text import normalise

MAX_RESPONSE = 10_000


class ResponseRefused(ValueError):
    """The response cannot be taken; the message says why, in the learner's language."""


def check_responses(
    data: Any, prompts: int, *, required: bool, complete: bool, _: Callable[[str], str]
) -> list[str]:
    """The texts of a request body ``{"responses": [text per prompt]}``, checked and normalised.

    A draft may leave every prompt empty; a submission needs a text for each prompt when the response
    is ``required``, and at least one otherwise.
    """
    texts = data.get("responses") if isinstance(data, dict) else None
    if not isinstance(texts, list) or len(texts) != prompts or not all(isinstance(t, str) for t in texts):
        raise ResponseRefused(_("The response was not sent in the expected form. Please reload the page."))
    checked = [normalise(text) for text in texts]
    for number, text in enumerate(checked, start=1):
        if len(text) > MAX_RESPONSE:
            raise ResponseRefused(
                _("Your response to prompt %(n)d is %(length)d characters long; the limit is %(max)d.")
                % {"n": number, "length": len(text), "max": MAX_RESPONSE}
            )
    if complete:
        empty = [number for number, text in enumerate(checked, start=1) if not text.strip()]
        if required and empty:
            raise ResponseRefused(
                _("Respond to every prompt before submitting: prompt %(n)d has no response.")
                % {"n": empty[0]}
            )
        if len(empty) == len(checked):
            raise ResponseRefused(_("Your response is empty: write it before submitting."))
    return checked
