"""Services the host gives blocks: i18n, user, settings, replace_urls; plus a registry for higher layers.

Each is built from plain values (no Flask globals), so a runtime can be made in a request, a CLI command
or a test alike.
"""

from __future__ import annotations

import gettext as gettext_module
import importlib
import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_time

from app.runtime.registry import configure_django

# xblock.reference imports djpyfs when it is installed, which needs Django's settings to exist already.
configure_django()

from xblock.reference.user_service import UserService, XBlockUser  # noqa: E402

#: name -> factory(runtime, block) -> service. Higher layers (forum, sanitiser…) add theirs at start-up.
ServiceFactory = Callable[[Any, Any], Any]


def _packages_of(module_name: str) -> list[str]:
    """The packages holding a module, innermost first (``a.b.block`` gives ``a.b``, then ``a``)."""
    parts = module_name.split(".")
    return [".".join(parts[:end]) for end in range(max(len(parts) - 1, 1), 0, -1)]


@lru_cache(maxsize=256)
def block_translations(module_name: str, language: str) -> gettext_module.NullTranslations:
    """A block package's own catalogue (``<package>/translations/<lang>/LC_MESSAGES/text.mo``).

    The innermost package that has a catalogue wins, so each built-in block of ``plugins/`` keeps its own.
    """
    for package in _packages_of(module_name):
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            for folder in ("translations", "conf/locale", "locale"):
                base = Path(location) / folder
                for domain in ("text", "django"):
                    try:
                        return gettext_module.translation(domain, localedir=str(base), languages=[language])
                    except OSError:
                        continue
    return gettext_module.NullTranslations()


class I18nService:
    """The ``i18n`` service: the request's language, with the block package's own catalogue."""

    def __init__(self, language: str, translations: gettext_module.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def gettext(self, message: str) -> str:
        """Translate a message."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message with a plural form."""
        return self._translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """Translate a message in a context."""
        return self._translations.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        """Translate a message with a plural form in a context."""
        return self._translations.npgettext(context, singular, plural, n)

    # Older names that blocks still call.
    ugettext = gettext
    ungettext = ngettext

    def strftime(self, dtime: datetime, format: str = "SHORT_DATE") -> str:
        """Format a date in the request's language; accepts Open edX's named formats (dates only for the
        ``…_DATE`` ones, as Open edX does)."""
        if format == "SHORT_DATE":
            return format_date(dtime, "short", locale=self.language)
        if format == "LONG_DATE":
            return format_date(dtime, "long", locale=self.language)
        if format == "TIME":
            return format_time(dtime, "short", locale=self.language)
        if format == "DATE_TIME":
            return format_datetime(dtime, "medium", locale=self.language)
        return dtime.strftime(format)

    def get_javascript_i18n_catalog_url(self, block: Any) -> str | None:
        """Blocks' browser strings come from the page's catalogue, not a separate file."""
        return None

    def get_javascript_locale(self) -> str:
        """The language for browser-side formatting."""
        return self.language


class HostUserService(UserService):
    """The ``user`` service: the current learner, with the attributes Open edX blocks read."""

    def __init__(self, user: XBlockUser, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._user = user

    def get_current_user(self) -> XBlockUser:
        """The learner the request is for."""
        return self._user


class SettingsService:
    """The ``settings`` service: a configuration bucket per block class (Open edX's XBLOCK_SETTINGS)."""

    def __init__(self, buckets: dict[str, Any]) -> None:
        self._buckets = buckets

    def get_settings_bucket(self, block: Any, default: Any = None) -> Any:
        """The block's settings, looked up by its ``block_settings_key``, class name or block type."""
        names = (
            getattr(block, "block_settings_key", None),
            type(block).__name__,
            block.scope_ids.block_type,
        )
        for name in names:
            if name and name in self._buckets:
                return self._buckets[name]
        return {} if default is None else default


_STATIC_LINK = re.compile(r"""(?P<quote>["'(])/static/(?P<path>[^"'()\s?#]+)""")
_JUMP_LINK = re.compile(r"""(?P<quote>["'(])/jump_to_id/(?P<block_id>[^"'()\s?#/]+)/?""")


class ReplaceUrlsService:
    """The ``replace_urls`` service: ``/static/…`` links in block HTML point to the course's assets, and
    ``/jump_to_id/<url_name>`` links (Open edX's way to link blocks of a course) to the unit holding it."""

    def __init__(
        self, asset_url: Callable[[str], str], jump_url: Callable[[str], str | None] | None = None
    ) -> None:
        self._asset_url = asset_url
        self._jump_url = jump_url

    def _jump(self, match: re.Match[str]) -> str:
        target = self._jump_url(match.group("block_id")) if self._jump_url else None
        return match.group(0) if target is None else match.group("quote") + target

    def replace_urls(self, text: str, static_replace_only: bool = False) -> str:
        """Rewrite course asset links (and, unless ``static_replace_only``, links to other blocks)."""
        text = _STATIC_LINK.sub(lambda m: m.group("quote") + self._asset_url(m.group("path")), text or "")
        if not static_replace_only and "/jump_to_id/" in text:
            text = _JUMP_LINK.sub(self._jump, text)
        return text

    # Open edX's service also offers these names.
    def replace_static_urls(self, text: str) -> str:
        """Only the course asset links of :meth:`replace_urls`."""
        return self.replace_urls(text, static_replace_only=True)

    def replace_jump_to_id_urls(self, text: str) -> str:
        """Same as :meth:`replace_urls`."""
        return self.replace_urls(text)


def make_xblock_user(
    *,
    user_id: int | None,
    username: str,
    email: str,
    full_name: str,
    is_staff: bool,
    role: str,
    anonymous_id: str,
    language: str,
    company_naf: str | None = None,
) -> XBlockUser:
    """An XBlockUser carrying the ``edx-platform.*`` attributes real blocks read, and ours:
    ``cybermassif.company_naf``, the NAF code of the learner's company (None without one)."""
    user = XBlockUser(is_current_user=True, emails=[email] if email else [], full_name=full_name)
    # XBlock 6.1's XBlockUser takes no ``opt_attrs`` argument: it starts with an empty dict to fill.
    user.opt_attrs.update(
        {
            "edx-platform.user_id": user_id,
            "edx-platform.username": username,
            "edx-platform.is_authenticated": user_id is not None,
            "edx-platform.user_is_staff": is_staff,
            "edx-platform.user_role": role,
            "edx-platform.anonymous_user_id": anonymous_id,
            "edx-platform.user_preferences": {"pref-lang": language},
            "cybermassif.company_naf": company_naf,
        }
    )
    return user
