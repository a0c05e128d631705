"""Helpers for OLX tests: course folders written from a mapping of files, and the import config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.sanitize import SanitizerService
from app.runtime.host import HostConfig
from app.runtime.registry import get_registry

SAMPLE = Path(__file__).resolve().parents[2] / "courses" / "bien-demarrer"


def import_config(**changes: Any) -> HostConfig:
    """What the application gives the importer: the registry and the sanitiser service."""
    return HostConfig(
        registry=changes.pop("registry", get_registry()),
        secret="test",
        extra_services={"sanitizer": lambda runtime, block: SanitizerService()},
        **changes,
    )


def write_course(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``; return ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


POINTER = '<course url_name="2026" org="Cybermassif" course="T"/>'


def small_course(**extra: str | bytes) -> dict[str, str | bytes]:
    """A course of one chapter, one sequence, one unit and one html component, all in pointer files."""
    files: dict[str, str | bytes] = {
        "course.xml": POINTER,
        "course/2026.xml": '<course display_name="Petit cours"><chapter url_name="ch1"/></course>',
        "chapter/ch1.xml": '<chapter display_name="Chapitre"><sequential url_name="seq1"/></chapter>',
        "sequential/seq1.xml": '<sequential display_name="Séquence"><vertical url_name="u1"/></sequential>',
        "vertical/u1.xml": '<vertical display_name="Unité"><html url_name="h1"/></vertical>',
        "html/h1.xml": '<html filename="h1" display_name="Texte"/>',
        "html/h1.html": "<p>Bonjour</p>",
    }
    files.update(extra)
    return files


def the_unreadable_warning(warnings: Any, tag: str, message: str) -> Any:
    """The one warning of an import that kept a ``<tag>`` as a placeholder, its reason holding ``message``."""
    texts = [str(w) for w in warnings]
    assert len(texts) == 1, texts
    warning = warnings[0]
    assert warning.code == "unreadable", texts
    assert f"<{tag}> could not be read and is kept as it is" in warning.text, texts
    assert message.lower() in warning.text.lower(), texts
    return warning
