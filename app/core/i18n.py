"""Language choice: the signed-in user's own language, otherwise the browser's, French by default."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from app.core.config import LANGUAGES
from app.core.extensions import babel


def default_language() -> str:
    """The language for visitors whose browser asks for none we have (``CYBERMASSIF_DEFAULT_LANGUAGE``)."""
    configured = current_app.config.get("BABEL_DEFAULT_LOCALE")
    return configured if configured in LANGUAGES else LANGUAGES[0]


def select_locale() -> str:
    """The language of this request; outside a request (CLI, jobs), the default language."""
    if not has_request_context():
        return default_language()
    preferred = getattr(current_user, "language", None) if current_user.is_authenticated else None
    if preferred in LANGUAGES:
        return preferred
    return request.accept_languages.best_match(LANGUAGES) or default_language()


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and the package's catalogues."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.context_processor(lambda: {"current_locale": lambda: str(get_locale() or default_language())})
