"""Language choice: the signed-in user's own language, otherwise the browser's, French by default."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from app.core.config import LANGUAGES
from app.core.extensions import babel


def select_locale() -> str:
    """The language of this request."""
    preferred = getattr(current_user, "language", None) if current_user.is_authenticated else None
    if preferred in LANGUAGES:
        return preferred
    return request.accept_languages.best_match(LANGUAGES) or "fr"


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and the package's catalogues."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.context_processor(lambda: {"current_locale": lambda: str(get_locale() or "fr")})
