"""Fixtures of the Open edX corpus tests: the course of ``openedx_course/`` (OLX as Open edX's exporter
writes it) imported unmodified, and the people who open it (the block fixtures of tests/plugins)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask

from app.core.extensions import db
from app.courses.importing import import_course
from tests.plugins.conftest import OlxCourse, as_user, enrolled, trainer

__all__ = ["as_user", "enrolled", "trainer"]

CORPUS = Path(__file__).resolve().parent / "openedx_course"
COURSE_KEY = "course-v1:CyberMassif+PME-FACT-CYBER+2026_T1"


def corpus_digest() -> str:
    """A digest of every file of the corpus (names and bytes): the import must leave it as it is."""
    digest = hashlib.sha256()
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(CORPUS)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture
def corpus_course(app: Flask) -> OlxCourse:
    """The corpus imported as it is, through the import service the command line uses."""
    with app.app_context():
        result = import_course(CORPUS, actor=None)
        db.session.commit()
        return OlxCourse(result.course.id, COURSE_KEY, result.tree_id, CORPUS, result.warnings)
