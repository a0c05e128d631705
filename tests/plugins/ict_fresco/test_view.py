"""The learner's view of the fresco: the row of their company's sector first, every cell, links resolved,
hostile content escaped, French and English labels, complete on view."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.progress.models import BlockCompletion
from tests.plugins.ict_fresco.conftest import FRESCO, UNIT, by_class, fresco_root, open_sector


@pytest.mark.parametrize(
    ("naf", "sector", "label"),
    [
        ("47.11B", "retail", "Commerce"),
        ("43.22A", "crafts_building", "Artisanat et bâtiment"),
        ("25.62B", "manufacturing", "Industrie"),
        ("55.10Z", "tourism_hospitality", "Tourisme et hôtellerie-restauration"),
        ("10.71C", "agriculture_food", "Agriculture et agroalimentaire"),
        ("69.20Z", "services", "Services"),
    ],
)
def test_the_fresco_opens_on_the_sector_of_the_learners_company(
    fresco_course, enrolled, as_user, make_company, naf, sector, label
):
    learner = enrolled(fresco_course, company=make_company(naf_code=naf))
    page = as_user(learner, fresco_course, language="fr").page()
    assert open_sector(page) == sector
    root = fresco_root(page)
    intro = by_class(root, "ict-fresco-intro")[0].text_content()
    assert f"La fresque s’ouvre sur le secteur de votre entreprise : {label}." in intro
    # Their row is marked, in the tabs and in the table, and only theirs.
    mine = root.xpath('.//tr[@class="is-mine"]/th')
    assert [th.text_content().strip() for th in mine] == [f"{label} (votre secteur)"]
    selected = root.xpath('.//*[@role="tab"][@aria-selected="true"]')[0]
    assert selected.text_content() == f"{label} (votre secteur)"
    assert selected.get("tabindex") == "0"
    assert [t.get("tabindex") for t in root.xpath('.//*[@role="tab"]')].count("-1") == 5


def test_a_company_manager_sees_the_sector_of_their_company(
    fresco_course, as_user, make_company, make_user, app
):
    from app.courses.models import Enrolment

    manager = make_user(roles=[(Role.COMPANY_MANAGER, make_company(naf_code="56.10A"))])
    with app.app_context():
        db.session.add(Enrolment(user_id=manager.id, course_id=fresco_course.course_id))
        db.session.commit()
    assert open_sector(as_user(manager, fresco_course).page()) == "tourism_hospitality"


def test_someone_with_no_company_sees_the_first_row_and_is_asked_to_choose(fresco_course, trainer, as_user):
    page = as_user(trainer, fresco_course, language="fr").page()
    assert open_sector(page) == "retail"
    root = fresco_root(page)
    assert "Choisissez un secteur pour voir" in by_class(root, "ict-fresco-intro")[0].text_content()
    assert "votre secteur" not in page
    assert not root.xpath('.//tr[@class="is-mine"]')
    # The choice is there, tabs and (without JavaScript) one <details> per sector.
    assert len(root.xpath('.//*[@role="tab"]')) == len(by_class(root, "ict-fresco-sector", "details")) == 6


@pytest.mark.parametrize("naf", ["00.00Z", "83.00Z", "ABCDEF", ""])
def test_an_unknown_naf_code_opens_the_first_row(fresco_course, enrolled, as_user, make_company, naf):
    learner = enrolled(fresco_course, company=make_company(naf_code=naf))
    page = as_user(learner, fresco_course, language="fr").page()
    assert open_sector(page) == "retail"
    assert "Choisissez un secteur pour voir" in page
    assert "votre secteur" not in page


def test_every_cell_shows_with_its_text_tools_and_links(fresco_course, enrolled, as_user):
    learner = enrolled(fresco_course)
    page = as_user(learner, fresco_course, language="fr").page()
    root = fresco_root(page)
    retail = by_class(root, "ict-fresco-sector", "details")[0]
    assert retail.get("data-sector") == "retail"
    cards = by_class(retail, "ict-fresco-card", "li")
    assert [c.xpath("./h3")[0].text for c in cards] == [
        "Vente et marketing",
        "Production",
        "Achats et logistique",
        "Comptabilité et facturation",
        "Ressources humaines",
        "Communication",
    ]
    first = cards[0]
    assert lxml_html.tostring(by_class(first, "ict-fresco-text")[0], encoding="unicode") == (
        '<div class="ict-fresco-text"><p>Vendre en <strong>ligne</strong> et en boutique.</p></div>'
    )
    assert by_class(first, "ict-fresco-tools")[0].text_content() == "Exemples d’outils : Shopify, WooCommerce"
    links = first.xpath(".//a")
    # The /jump_to_id/ link leads to the unit holding that component; the web page is left as it is.
    assert [(a.get("href"), a.text, a.get("rel")) for a in links] == [
        (fresco_course.unit_url("u1"), "Unité boutique", None),
        ("https://www.francenum.gouv.fr/", "France Num", "external noopener noreferrer"),
    ]
    # A missing cell shows as empty.
    assert "is-empty" in cards[1].get("class")
    assert by_class(cards[1], "ict-fresco-empty")[0].text == "Rien pour l’instant."
    assert len(by_class(root, "ict-fresco-card", "li")) == 36
    assert len(by_class(root, "is-empty", "li")) == 36 - 6


def test_the_whole_grid_is_a_table_with_headers(fresco_course, enrolled, as_user):
    page = as_user(enrolled(fresco_course), fresco_course, language="fr").page()
    table = fresco_root(page).xpath(".//table")[0]
    assert table.xpath("./caption")[0].text_content().startswith("Fresque des usages : usages du numérique")
    columns = table.xpath("./thead/tr/th")
    assert [th.get("scope") for th in columns] == ["col"] * 7
    assert [th.text for th in columns] == [
        "Secteur",
        "Vente et marketing",
        "Production",
        "Achats et logistique",
        "Comptabilité et facturation",
        "Ressources humaines",
        "Communication",
    ]
    rows = table.xpath("./tbody/tr")
    assert [r.xpath("./th")[0].get("scope") for r in rows] == ["row"] * 6
    assert [r.xpath("./th")[0].text.strip() for r in rows] == [
        "Commerce",
        "Artisanat et bâtiment",
        "Industrie",
        "Tourisme et hôtellerie-restauration",
        "Agriculture et agroalimentaire",
        "Services",
    ]
    assert all(len(r.xpath("./td")) == 6 for r in rows)
    assert rows[1].xpath("./td")[3].text_content().strip().startswith("Devis et factures en ligne")


def test_labels_are_in_english_for_english_readers(fresco_course, enrolled, as_user, make_company):
    learner = enrolled(fresco_course, company=make_company(naf_code="47.11B"), language="en")
    page = as_user(learner, fresco_course, language="en").page()
    root = fresco_root(page)
    assert [t.text.strip() for t in root.xpath('.//*[@role="tab"]')][:3] == [
        "Retail",
        "Crafts and building",
        "Manufacturing",
    ]
    assert "The fresco opens on the sector of your company: Retail." in page
    assert "Sales and marketing" in page and "Nothing here yet." in page


def test_the_view_loads_its_script_and_style_from_the_block_package(fresco_course, enrolled, as_user):
    client = as_user(enrolled(fresco_course), fresco_course)
    page = client.page()
    assert 'data-init="IctFrescoBlock"' in page
    for name in ("fresco.js", "fresco.css"):
        url = f"/xblock/resource/ict_fresco/public/{name}"
        assert url in page
        response = client.client.get(url)
        assert response.status_code == 200 and len(response.data) > 500


def test_the_fresco_is_complete_once_viewed(app, fresco_course, enrolled, as_user):
    learner = enrolled(fresco_course)
    usage = fresco_course.usage("ict_fresco", "f1")
    as_user(learner, fresco_course).page()
    with app.app_context():
        record = db.session.scalar(
            select(BlockCompletion).where(
                BlockCompletion.user_id == learner.id, BlockCompletion.usage_id == usage
            )
        )
        assert record is not None and record.completion == 1.0 and record.block_type == "ict_fresco"


HOSTILE = """<ict_fresco url_name="f1" display_name="&lt;script&gt;alert('titre')&lt;/script&gt;">
  <cell sector="retail" function="sales_marketing">
    <text><![CDATA[<p onclick="alert('clic')">Texte</p><script>alert('script')</script>
      <img src="x" onerror="alert('img')"><a href="javascript:alert('lien')">piège</a><iframe src="https://evil.example/"></iframe>]]></text>
    <tools>&lt;script&gt;alert('outils')&lt;/script&gt; "onmouseover="</tools>
    <link href="https://example.org/?q=1&amp;r=2">&lt;img src=x onerror=alert('intitulé')&gt;</link>
  </cell>
</ict_fresco>"""


def test_hostile_cell_content_is_cleaned_or_escaped(olx_course, enrolled, as_user):
    course = olx_course(HOSTILE)
    page = as_user(enrolled(course), course).page()
    root = fresco_root(page)
    # Nothing that runs: no script or frame, no event attribute, no javascript: address.
    assert not root.xpath(".//script | .//iframe")
    assert not [a for element in root.iter() for a in element.attrib if a.lower().startswith("on")]
    assert not [h for h in root.xpath(".//@href | .//@src") if "javascript" in h.lower() or "evil" in h]
    # What is plain text shows as text.
    assert root.xpath(".//h2")[0].text == "<script>alert('titre')</script>"
    tools = by_class(root, "ict-fresco-tools")[0].text_content()
    assert tools.endswith("<script>alert('outils')</script> \"onmouseover=\"")
    link = by_class(root, "ict-fresco-links")[0].xpath(".//a")[0]
    assert (link.get("href"), link.text) == (
        "https://example.org/?q=1&r=2",
        "<img src=x onerror=alert('intitulé')>",
    )
    text = by_class(root, "ict-fresco-text")[0]
    assert text.xpath("./p")[0].text == "Texte" and text.xpath("./p")[0].attrib == {}
    assert [a.text for a in text.xpath(".//a")] == ["piège"]


def test_cells_set_by_a_course_policy_are_checked_again_when_shown(olx_course, enrolled, as_user):
    """``policy.json`` can set the field without going through the OLX reader: the view checks it."""
    cells = [
        {
            "sector": "retail",
            "function": "production",
            "text": "<p>Atelier</p><script>alert('policy')</script>",
            "tools": "Outil",
            "links": [
                {"href": "javascript:alert('policy')", "label": "Piège"},
                {"href": "https://example.org/", "label": "Bon lien"},
            ],
        },
        {"sector": "nowhere", "function": "production", "text": "Perdue"},
        "not a cell",
    ]
    course = olx_course(
        FRESCO,
        {"policies/2026/policy.json": json.dumps({"ict_fresco/f1": {"cells": cells}})},
    )
    page = as_user(enrolled(course), course).page()
    assert "alert('policy')" not in page and "javascript:" not in page and "Perdue" not in page
    root = fresco_root(page)
    card = by_class(by_class(root, "ict-fresco-sector", "details")[0], "ict-fresco-card", "li")[1]
    assert by_class(card, "ict-fresco-text")[0].text_content() == "Atelier"
    assert [(a.get("href"), a.text) for a in card.xpath(".//a")] == [("https://example.org/", "Bon lien")]


def test_two_frescoes_on_a_page_have_ids_of_their_own(olx_course, enrolled, as_user):
    course = olx_course(UNIT + FRESCO.replace('url_name="f1"', 'url_name="f2"'))
    page = as_user(enrolled(course), course).page()
    ids = lxml_html.fromstring(page).xpath("//@id")
    assert len(ids) == len(set(ids))
    assert len(by_class(lxml_html.fromstring(page), "ict-fresco", "div")) == 2
