"""Language choice: the signed-in user's own language, otherwise the browser's, French by default."""

from __future__ import annotations

from collections.abc import Callable

from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, get_translations
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


def _template_translations() -> Callable[[], NullTranslations]:
    """The catalogue of the request's language for templates, looked up once per language.

    Flask-Babel's own template functions find the catalogue through several context look-ups for each
    string, and a page shows dozens of strings. The language is still read for every string, so that
    ``force_locale`` (mail written in the recipient's language) is honoured.
    """
    catalogues: dict[object, NullTranslations] = {}

    def translations() -> NullTranslations:
        locale = get_locale()
        found = catalogues.get(locale)
        if found is None:
            found = get_translations()
            if locale is not None:
                catalogues[locale] = found
        return found

    return translations


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and the package's catalogues."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    translations = _template_translations()
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.context_processor(lambda: {"current_locale": lambda: str(get_locale() or default_language())})
