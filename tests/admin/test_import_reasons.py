"""Why an import was refused, in the reader's language: the archive's, the parser's and the course's reasons
(issue 18, item 2). libxml2's and Python's English sentences never reach the page."""

from __future__ import annotations

import io

import pytest
from lxml import html as lxml_html

from app.accounts.models import Role
from tests.admin.test_course_archives import _archive, _counts
from tests.conftest import csrf_token, sign_in

POINTER = b'<course url_name="2026" org="Cybermassif" course="RAISONS"/>'
COURSE = b'<course display_name="Raisons"><chapter url_name="ch1"/></course>'
CHAPTER = b'<chapter display_name="Un"><sequential url_name="s1"/></chapter>'
SEQUENCE = b'<sequential display_name="S"><vertical url_name="u1"/></sequential>'
DUPLICATE = b'<vertical><html url_name="h1">a</html><html url_name="h1">b</html></vertical>'
UNIT = b'<vertical display_name="U"><html url_name="h1">Bonjour</html></vertical>'


def _course(**changes: bytes | None) -> dict[str, bytes]:
    files: dict[str, bytes | None] = {
        "course/course.xml": POINTER,
        "course/course/2026.xml": COURSE,
        "course/chapter/ch1.xml": CHAPTER,
        "course/sequential/s1.xml": SEQUENCE,
        "course/vertical/u1.xml": UNIT,
    }
    files.update({f"course/{name}": data for name, data in changes.items()})
    return {name: data for name, data in files.items() if data is not None}


@pytest.fixture
def admin_of(client, make_user):
    def sign_in_as(language: str):
        user = make_user(roles=[(Role.NETWORK_ADMIN, None)], language=language)
        sign_in(client, user.email)
        return user

    return sign_in_as


def _refused(app, client, files: dict[str, bytes], language: str) -> str:
    response = client.post(
        "/admin/formations/importer",
        data={
            "csrf_token": csrf_token(client, "/admin/formations"),
            "archive": (io.BytesIO(_archive(files)), "course.tar.gz"),
        },
        content_type="multipart/form-data",
        headers={"Accept-Language": language},
    )
    assert response.status_code == 400
    assert _counts(app) == (0, 0)
    return _text(response.get_data(as_text=True))


def _text(page: str) -> str:
    """The page as a person reads it (its text, without tags)."""
    return " ".join(lxml_html.fromstring(page).text_content().split())


def test_a_missing_chapter_file_is_explained_in_french(app, client, admin_of):
    admin_of("fr")
    page = _refused(app, client, _course(**{"chapter/ch1.xml": None}), "fr")
    assert "La formation n'a pas été importée et rien n'a été modifié." in page
    assert (
        "course/2026.xml:1: le fichier chapter/ch1.xml est absent (il est désigné par l’élément <chapter>)"
        in page
    )
    assert "is missing" not in page and "named by" not in page


def test_a_missing_chapter_file_is_explained_in_english(app, client, admin_of):
    admin_of("en")
    page = _refused(app, client, _course(**{"chapter/ch1.xml": None}), "en")
    assert "course/2026.xml:1: chapter/ch1.xml is missing (named by <chapter>)" in page
    assert "est absent" not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            "chapter/ch1.xml:1: Le XML n’est pas valide (ligne 1, colonne 36) : balise non fermée, "
            "l’élément <sequential> ouvert à la ligne 1 n’est jamais fermé.",
        ),
        (
            "en",
            "chapter/ch1.xml:1: The XML is not valid (line 1, column 36): "
            "the element <sequential> opened on line 1 is never closed.",
        ),
    ],
)
def test_malformed_xml_is_explained_with_its_line_and_column(app, client, admin_of, language, expected):
    admin_of(language)
    page = _refused(
        app, client, _course(**{"chapter/ch1.xml": b'<chapter><sequential url_name="s1">'}), language
    )
    assert expected in page
    assert "Premature end of data" not in page


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"chapter/ch1.xml": b'<chapter>\n  <sequential url_name="s1"/>\n</chapitre>'},
            "chapter/ch1.xml:3: Le XML n’est pas valide (ligne 3, colonne 12) : la balise de fin </chapitre> "
            "ne correspond pas à l’élément <chapter> ouvert à la ligne 1.",
        ),
        (
            {"vertical/u1.xml": b'<vertical><html url_name="h1">caf&eacute;</html></vertical>'},
            "l’entité &eacute; n’est pas définie (écrivez & sous la forme &amp;).",
        ),
        (
            {"policies/2026/policy.json": b"{\n  'course/2026': {}}"},
            "policies/2026/policy.json:2: Le JSON n’est pas valide (ligne 2, colonne 3) : une clé entre "
            "guillemets doubles est attendue",
        ),
        (
            {"policies/2026/policy.json": '{"chapter/ch1": {"start": "bientôt"}}'.encode()},
            "chapter/ch1: start : 'bientôt' n’est pas une date au format ISO 8601",
        ),
        (
            {"policies/2026/policy.json": b'{"course/2026": {"cybermassif_vista": {"D9": 1}}}'},
            "cybermassif_vista : dimension 'D9' inconnue (D1 à D6 attendues)",
        ),
        (
            {"vertical/u1.xml": DUPLICATE},
            "url_name 'h1' en double pour <html> (déjà utilisé en vertical/u1.xml:1)",
        ),
    ],
)
def test_every_reason_of_a_course_is_in_french(app, client, admin_of, changes, expected):
    admin_of("fr")
    page = _refused(app, client, _course(**changes), "fr")
    assert expected in page
    for english in (
        "mismatch",
        "not defined",
        "Expecting",
        "is not an ISO",
        "unknown dimension",
        "duplicate",
    ):
        assert english not in page


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"../evil.txt": b"x", **_course()}, "../evil.txt: les chemins ne peuvent pas contenir « .. »"),
        (
            {"notes.txt": b"x"},
            "aucun course.xml à la racine de l’archive ni dans un dossier de premier niveau",
        ),
    ],
)
def test_archive_reasons_are_in_french(app, client, admin_of, files, expected):
    admin_of("fr")
    page = _refused(app, client, files, "fr")
    assert "L'archive ne peut pas être ouverte sans risque" in page and expected in page
    assert "not allowed" not in page and "may not" not in page


def test_a_file_that_is_no_archive_is_explained_in_french(app, client, admin_of):
    admin_of("fr")
    response = client.post(
        "/admin/formations/importer",
        data={
            "csrf_token": csrf_token(client, "/admin/formations"),
            "archive": (io.BytesIO(b"not gzip at all"), "course.tar.gz"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = _text(response.get_data(as_text=True))
    assert "le fichier n’est pas une archive .tar.gz lisible" in page
    assert "Not a gzipped file" not in page and "readable" not in page
