"""The fresco's OLX: read into checked cells, written back the same, and refused with a clear problem."""

from __future__ import annotations

import tarfile

import pytest
from lxml import etree
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.runtime.models import StoredBlock
from tests.plugins.ict_fresco.conftest import UNIT, stored_settings
from tests.runtime.olx_helpers import the_unreadable_warning, write_course

RUN = "2026"


def _course_files(unit_xml: str, **extra: str) -> dict[str, str]:
    return {
        "course.xml": f'<course url_name="{RUN}" org="Cybermassif" course="FRESQUE"/>',
        f"course/{RUN}.xml": (
            '<course display_name="Fresque"><chapter url_name="ch1" display_name="Chapitre">'
            '<sequential url_name="s1" display_name="Séquence">'
            f'<vertical url_name="u1" display_name="Unité">{unit_xml}</vertical>'
            "</sequential></chapter></course>"
        ),
        **extra,
    }


def _blocks(tree_id: int) -> dict[str, tuple]:
    rows = db.session.scalars(select(StoredBlock).where(StoredBlock.tree_id == tree_id)).all()
    return {b.usage_id: (b.block_type, b.display_name, b.content, b.settings) for b in rows}


def test_the_sample_is_read_into_cells(app, fresco_course):
    settings = stored_settings(app, fresco_course)
    assert settings["display_name"] == "Fresque des usages"
    cells = settings["cells"]
    assert [(c["sector"], c["function"]) for c in cells] == [
        ("retail", "sales_marketing"),
        ("crafts_building", "accounting_invoicing"),
        ("manufacturing", "purchasing_logistics"),
        ("tourism_hospitality", "communication"),
        ("agriculture_food", "production"),
        ("services", "hr"),
    ]
    assert cells[0] == {
        "sector": "retail",
        "function": "sales_marketing",
        "text": "<p>Vendre en <strong>ligne</strong> et en boutique.</p>",
        "tools": "Shopify, WooCommerce",
        "links": [
            {"href": "/jump_to_id/h1", "label": "Unité boutique"},
            {"href": "https://www.francenum.gouv.fr/", "label": "France Num"},
        ],
    }


def test_import_export_import_gives_the_same_fresco(app_ctx, tmp_path):
    source = write_course(tmp_path / "source", _course_files(UNIT))
    first = import_course(source, actor=None)
    db.session.commit()
    before = _blocks(first.tree_id)
    archive = tmp_path / "export.tar.gz"
    export_course(first.course.course_key, archive, actor=None)
    second = import_course(archive, actor=None)
    db.session.commit()
    assert second.tree_id != first.tree_id
    assert _blocks(second.tree_id) == before

    with tarfile.open(archive) as tar:
        name = next(n for n in tar.getnames() if n.endswith("ict_fresco/f1.xml"))
        written = tar.extractfile(name).read().decode()
    node = etree.fromstring(written.encode())
    assert node.tag == "ict_fresco" and node.get("display_name") == "Fresque des usages"
    first_cell = node.find("cell")
    assert (first_cell.get("sector"), first_cell.get("function")) == ("retail", "sales_marketing")
    assert "<![CDATA[<p>Vendre en <strong>ligne</strong> et en boutique.</p>]]>" in written
    assert first_cell.findtext("tools") == "Shopify, WooCommerce"
    assert [(a.get("href"), a.text) for a in first_cell.findall("link")] == [
        ("/jump_to_id/h1", "Unité boutique"),
        ("https://www.francenum.gouv.fr/", "France Num"),
    ]
    assert len(node.findall("cell")) == 6


def test_a_pointer_to_a_file_a_default_title_and_blank_cells(app_ctx, tmp_path):
    fresco = (
        "<ict_fresco>"
        "<!-- a trainer's note -->"
        '<cell sector="services" function="hr"/>'
        '<cell sector="retail" function="hr"><text>  </text><tools> </tools></cell>'
        '<cell sector="retail" function="production"><tools>Tableur,\n   ERP</tools></cell>'
        "</ict_fresco>"
    )
    source = write_course(
        tmp_path / "c", _course_files('<ict_fresco url_name="f9"/>', **{"ict_fresco/f9.xml": fresco})
    )
    result = import_course(source, actor=None)
    db.session.commit()
    block = next(v for v in _blocks(result.tree_id).values() if v[0] == "ict_fresco")
    assert "display_name" not in block[3]  # not set: the default title shows, and is not exported
    assert block[3]["cells"] == [
        {"sector": "retail", "function": "production", "text": "", "tools": "Tableur, ERP", "links": []}
    ]
    archive = tmp_path / "export.tar.gz"
    export_course(result.course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        name = next(n for n in tar.getnames() if n.endswith("ict_fresco/f9.xml"))
        written = tar.extractfile(name).read().decode()
    assert "display_name" not in written and "<tools>Tableur, ERP</tools>" in written


BAD = [
    ('<cell sector="bakery" function="production"/>', "Unknown sector “bakery”: use one of retail, "),
    ('<cell function="production"/>', "Unknown sector “None”"),
    ('<cell sector="retail" function="it"/>', "Unknown business function “it”: use one of sales_marketing"),
    (
        '<cell sector="retail" function="hr"><link href="javascript:alert(1)">Piège</link></cell>',
        "Retail, Human resources: The address of link 1 is not allowed: it must start with https://",
    ),
    (
        '<cell sector="retail" function="hr"><link href="http://example.org/">Non chiffré</link></cell>',
        "The address of link 1 is not allowed",
    ),
    (
        '<cell sector="retail" function="hr"><link href="/jump_to_id/a b">Espace</link></cell>',
        "The address of link 1 is not allowed",
    ),
    (
        '<cell sector="retail" function="hr"><link href="//evil.example/x">Sans schéma</link></cell>',
        "The address of link 1 is not allowed",
    ),
    (
        '<cell sector="retail" function="hr"><link href="https://example.org/"> </link></cell>',
        "Link 1 has no label.",
    ),
    ('<cell sector="retail" function="hr"><link>Sans adresse</link></cell>', "Link 1 has no address."),
    (
        '<cell sector="retail" function="hr"><text>a</text></cell>'
        '<cell sector="retail" function="hr"><text>b</text></cell>',
        "Retail, Human resources: This cell is given twice.",
    ),
    ('<cell sector="retail" function="hr"><image/></cell>', "Unexpected element <image> in a cell"),
    ('<row sector="retail"/>', "Unexpected element <row> in the fresco: use <cell> elements."),
    ('<cell sector="retail" function="hr"><text>a</text><text>b</text></cell>', "A cell has only one <text>"),
    (
        f'<cell sector="retail" function="hr"><text>{"x" * 4001}</text></cell>',
        "The text is too long (4001 characters, at most 4000).",
    ),
    (
        f'<cell sector="retail" function="hr"><tools>{"outil, " * 60}</tools></cell>',
        "The example tools are too long",
    ),
    (
        '<cell sector="retail" function="hr">'
        + '<link href="https://example.org/">Lien</link>' * 7
        + "</cell>",
        "Too many links (7, at most 6).",
    ),
]


@pytest.mark.parametrize(("cells", "message"), BAD, ids=[m[:40] for _c, m in BAD])
def test_a_bad_fresco_is_kept_as_a_placeholder_with_a_clear_warning(app_ctx, tmp_path, cells, message):
    source = write_course(tmp_path / "bad", _course_files(f'<ict_fresco url_name="f1">{cells}</ict_fresco>'))
    result = import_course(source, actor=None)
    the_unreadable_warning(result.warnings, "ict_fresco", message)
    kept = db.session.scalar(select(StoredBlock).where(StoredBlock.block_type == "ict_fresco"))
    assert kept.olx == f"<ict_fresco>{cells}</ict_fresco>" and kept.content == {}


def test_an_empty_title_is_kept_as_a_placeholder_with_a_warning(app_ctx, tmp_path):
    source = write_course(tmp_path / "bad", _course_files('<ict_fresco url_name="f1" display_name="  "/>'))
    result = import_course(source, actor=None)
    the_unreadable_warning(result.warnings, "ict_fresco", "The title cannot be empty.")
