"""Installed block types, discovered once per process from the ``xblock.v1`` entry points.

XBlock's own ``load_class``/``load_classes`` scan the installed packages' metadata (and its default
``applicable_aside_types`` does so on every render). The host scans once, when the registry is built, and
afterwards loads classes by name from that index, so that rendering and handling never scan.
Django, when installed, is configured as a template library before the first block class is imported,
because several popular blocks read Django settings at import time.
"""

from __future__ import annotations

import importlib.metadata
import logging
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("cybermassif.runtime.registry")

BLOCK_GROUP = "xblock.v1"
ASIDE_GROUP = "xblock_asides.v1"

_django_lock = threading.Lock()
_django_ready = False


def configure_django() -> bool:
    """Configure Django once as a template library (no site, no database); False if it is not installed."""
    global _django_ready  # noqa: PLW0603 (process-wide, once)
    with _django_lock:
        if _django_ready:
            return True
        try:
            import django
            from django.conf import settings
        except ImportError:
            return False
        if not settings.configured:
            settings.configure(
                TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": False}],
                USE_I18N=True,
                USE_TZ=True,
                INSTALLED_APPS=[],
                LANGUAGES=[("fr", "Français"), ("en", "English")],
                LANGUAGE_CODE="fr",
            )
            django.setup()
        _django_ready = True
        return True


@dataclass(frozen=True)
class BlockType:
    """An installed block type: its name, where it comes from, and its entry point."""

    name: str
    distribution: str
    version: str
    module: str
    is_aside: bool
    entry_point: importlib.metadata.EntryPoint


class PluginRegistry:
    """The index of installed block and aside types, scanned once; classes loaded on first use."""

    def __init__(self) -> None:
        self._types: dict[tuple[str, str], BlockType] = {}
        self._classes: dict[tuple[str, str], Any] = {}
        self._failed: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self.scan()

    def scan(self) -> None:
        """Read the entry points of every installed distribution (overrides win over plain entries)."""
        found: dict[tuple[str, str], BlockType] = {}
        for group, is_aside in ((BLOCK_GROUP, False), (ASIDE_GROUP, True)):
            for suffix in ("", ".overrides"):
                for ep in importlib.metadata.entry_points(group=group + suffix):
                    dist = ep.dist
                    key = (group, ep.name.lower())
                    if key in found and not suffix:
                        log.warning(
                            "block type %r is installed twice; keeping %s", ep.name, found[key].module
                        )
                        continue
                    found[key] = BlockType(
                        name=ep.name,
                        distribution=dist.metadata["Name"] if dist else "",
                        version=dist.version if dist else "",
                        module=ep.value,
                        is_aside=is_aside,
                        entry_point=ep,
                    )
        self._types = found
        self._classes.clear()
        self._failed.clear()

    def block_types(self) -> list[BlockType]:
        """Installed block types (not asides), by name."""
        return sorted((t for (g, _), t in self._types.items() if g == BLOCK_GROUP), key=lambda t: t.name)

    def aside_types(self) -> list[BlockType]:
        """Installed aside types, by name."""
        return sorted((t for (g, _), t in self._types.items() if g == ASIDE_GROUP), key=lambda t: t.name)

    def is_installed(self, block_type: str) -> bool:
        """Whether a block type of this name is installed."""
        return (BLOCK_GROUP, block_type.lower()) in self._types

    def load_failure(self, block_type: str) -> str | None:
        """Why a block type failed to import, if it did."""
        return self._failed.get((BLOCK_GROUP, block_type.lower()))

    def _load(self, group: str, name: str) -> Any | None:
        key = (group, name.lower())
        if key in self._classes:
            return self._classes[key]
        with self._lock:
            if key in self._classes:
                return self._classes[key]
            entry = self._types.get(key)
            cls = None
            if entry is not None:
                configure_django()
                try:
                    cls = entry.entry_point.load()
                    cls.plugin_name = entry.name
                except Exception as error:  # a broken plugin must not break the site
                    log.exception("block type %r failed to import", name)
                    self._failed[key] = f"{type(error).__name__}: {error}"
                    cls = None
            self._classes[key] = cls
            return cls

    def load_block_class(self, block_type: str) -> Any | None:
        """The XBlock class of a block type, or None if it is not installed or cannot be imported."""
        return self._load(BLOCK_GROUP, block_type)

    def load_aside_class(self, aside_type: str) -> Any | None:
        """The XBlockAside class of an aside type, or None."""
        return self._load(ASIDE_GROUP, aside_type)


_registry: PluginRegistry | None = None
_registry_lock = threading.Lock()


def get_registry() -> PluginRegistry:
    """The process-wide registry, built (and the entry points scanned) on first use."""
    global _registry  # noqa: PLW0603 (one index per process, like XBlock's own plugin cache)
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                _registry = PluginRegistry()
    return _registry
