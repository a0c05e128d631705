"""Language choice: the signed-in user's own language, otherwise the browser's, French by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_babel
from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

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


class _Catalogues:
    """The catalogue of each language, looked up once per process (Flask-Babel looks it up per call)."""

    def __init__(self) -> None:
        self._found: dict[object, NullTranslations] = {}

    def current(self) -> tuple[object, NullTranslations]:
        """The request's language (``force_locale`` honoured) and its catalogue."""
        locale = get_locale()
        found = self._found.get(locale)
        if found is None:
            found = get_translations()
            if locale is not None:
                self._found[locale] = found
        return locale, found

    # For templates imported without the render's context (macros): the language is looked up per string.
    def gettext(self, string: str) -> str:
        return self.current()[1].ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.current()[1].ungettext(singular, plural, n)

    def pgettext(self, context: str, string: str) -> str:
        return self.current()[1].upgettext(context, string)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.current()[1].unpgettext(context, singular, plural, n)


def _newstyle(translate: Callable[..., str], count_at: int | None = None) -> Callable[..., str]:
    """A template's ``_()``: the translation, marked safe where the template escapes, then formatted
    with the keyword arguments, the count of a plural form as ``num`` (as Jinja's new-style gettext)."""

    @pass_context
    def translated(context: Context, *args: Any, **variables: Any) -> str:
        if count_at is not None:
            variables.setdefault("num", args[count_at])
        text = translate(*args)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 (our own catalogues; the variables are escaped by ``%``)
        return text % variables

    return translated


def _render_i18n(catalogues: _Catalogues) -> dict[str, Any]:
    """What each template render gets: its language and translation functions, looked up once.

    A page shows dozens of strings; looking the language up for each costs more than translating it. The
    look-up happens when the render starts, so a template rendered under ``force_locale`` (mail written in
    the recipient's language) is in that language.
    """
    locale, catalogue = catalogues.current()
    language = str(locale or default_language())
    return {
        "current_locale": lambda: language,
        "gettext": _newstyle(catalogue.ugettext),
        "ngettext": _newstyle(catalogue.ungettext, count_at=2),
        "pgettext": _newstyle(catalogue.upgettext),
        "npgettext": _newstyle(catalogue.unpgettext, count_at=3),
    }


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and the package's catalogues."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    catalogues = _Catalogues()
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=catalogues.gettext,
        ngettext=catalogues.ngettext,
        newstyle=True,
        pgettext=catalogues.pgettext,
        npgettext=catalogues.npgettext,
    )
    app.context_processor(lambda: _render_i18n(catalogues))
    # Dates in the reader's language ("3 déc. 2026" / "Dec 3, 2026"), as Babel formats them.
    app.jinja_env.globals.update(format_date=flask_babel.format_date)
