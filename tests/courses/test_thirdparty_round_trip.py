"""Third-party XBlocks from PyPI in an Open edX export: read as themselves (no placeholder), exported back
with the same fields, and imported again to the same blocks."""

from __future__ import annotations

import html
import json
import tarfile

import pytest
from lxml import etree
from sqlalchemy import select

from app.core.extensions import db
from app.courses.exporting import export_course
from app.courses.importing import import_course
from app.runtime.models import StoredBlock
from tests.courses.test_round_trip import _snapshot
from tests.runtime.olx_helpers import small_course, write_course

EXPLORER = (
    "<image_explorer schema_version='2'><background src='/static/plan.png'/><hotspots>"
    "<hotspot item-id='accueil' x='30%' y='25%'><feedback><header><p>Accueil</p></header></feedback>"
    "</hotspot></hotspots></image_explorer>"
)
QUESTION = (
    "<submit_and_compare schema_version='1'><body><p>Quel indicateur ?</p></body>"
    "<explanation><p>Le délai de paiement.</p></explanation></submit_and_compare>"
)
SCENARIO = {
    "start_node_id": "debut",
    "nodes": {
        "debut": {
            "id": "debut",
            "content": "<p>Début</p>",
            "choices": [{"text": "Fin", "target_node_id": "fin"}],
        },
        "fin": {"id": "fin", "content": "<p>Fin</p>", "choices": []},
    },
}
# Each block as Open edX exports it: its own file in its type's folder, its fields as attributes.
BLOCKS = {
    "feedback": (
        "feedback",
        "<feedback display_name='Votre avis' voting_message='Merci pour votre vote !' "
        "feedback_message='Merci pour votre avis !' show_aggregate_to_students='true'/>",
        {"display_name": "Votre avis", "voting_message": "Merci pour votre vote !",
         "show_aggregate_to_students": "true"},
    ),
    "submit-and-compare": (
        "sac",
        f"<submit-and-compare display_name='Comparer' weight='2' max_attempts='3' "
        f'question_string="{html.escape(QUESTION)}"/>',
        {"display_name": "Comparer", "weight": "2", "max_attempts": "3", "question_string": QUESTION},
    ),
    "image-explorer": (
        "explorer",
        f"<image-explorer display_name=\"Plan de l'atelier\" data=\"{html.escape(EXPLORER)}\"/>",
        {"display_name": "Plan de l'atelier", "data": EXPLORER},
    ),
    "google-document": (
        "gdoc",
        "<google-document display_name='Procédure' alt_text='Schéma' "
        "embed_code='&lt;iframe src=\"/static/plan.png\"&gt;&lt;/iframe&gt;'/>",
        {"display_name": "Procédure", "alt_text": "Schéma",
         "embed_code": '<iframe src="/static/plan.png"></iframe>'},
    ),
    "branching_xblock": (
        "branching",
        f"<branching_xblock display_name='Litige' enable_scoring='true' "
        f"scenario_data='{html.escape(json.dumps(SCENARIO))}'/>",
        {"display_name": "Litige", "enable_scoring": "true", "scenario_data": SCENARIO},
    ),
    "google-calendar": (
        "gcal",
        "<google-calendar display_name='Calendrier' "
        "calendar_id='fr.french#holiday@group.v.calendar.google.com' default_view='1'/>",
        {"display_name": "Calendrier", "calendar_id": "fr.french#holiday@group.v.calendar.google.com",
         "default_view": "1"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("block_type", sorted(BLOCKS))
def test_a_pypi_block_survives_an_export_round_trip(app_ctx, tmp_path, block_type):
    url_name, xml, fields = BLOCKS[block_type]
    unit = f'<vertical display_name="Unité"><{block_type} url_name="{url_name}"/></vertical>'
    files = small_course(**{"vertical/u1.xml": unit, f"{block_type}/{url_name}.xml": xml})
    first = import_course(write_course(tmp_path / "c", files), actor=None)
    db.session.commit()
    assert first.warnings == ()  # read by the block itself, not kept as a placeholder
    stored = db.session.scalar(
        select(StoredBlock).where(StoredBlock.tree_id == first.tree_id, StoredBlock.block_type == block_type)
    )
    assert stored is not None and stored.url_name == url_name
    before = _snapshot(first.tree_id)

    archive = tmp_path / "export.tar.gz"
    export_course(first.course.course_key, archive, actor=None)
    with tarfile.open(archive) as tar:
        exported = etree.fromstring(tar.extractfile(f"T-2026/{block_type}/{url_name}.xml").read())
    assert exported.tag == block_type
    # A Dict field is written as JSON, in the block's own layout: compared as data.
    read = {name: exported.get(name) for name in fields}
    assert {n: json.loads(v) if isinstance(fields[n], dict) else v for n, v in read.items()} == fields

    second = import_course(archive, actor=None)
    db.session.commit()
    assert second.warnings == () and second.tree_id != first.tree_id
    assert _snapshot(second.tree_id) == before
