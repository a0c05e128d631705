"""The fresco's editor: the studio page shows the cells in a form; ``studio_submit`` checks everything,
lists every problem in the author's language and changes nothing unless all is well."""

from __future__ import annotations

import copy
import json

import pytest
from lxml import html as lxml_html

from app.accounts.models import Role
from tests.plugins.ict_fresco.conftest import by_class, fresco_root, open_sector, stored_settings


def _cell(sector: str, function: str, text: str = "", tools: str = "", links=()) -> dict:
    return {
        "sector": sector,
        "function": function,
        "text": text,
        "tools": tools,
        "links": [{"label": label, "href": href} for label, href in links],
    }


def _all_cells(**filled: dict) -> list[dict]:
    """The 36 cells the editor sends, blank but for ``filled`` (keyed ``sector__function``)."""
    from plugins.ict_fresco.grid import FUNCTIONS, SECTORS

    return [filled.get(f"{s}__{f}", _cell(s, f)) for s in SECTORS for f in FUNCTIONS]


GOOD = {
    "display_name": "  Le numérique   par métier ",
    "cells": _all_cells(
        retail__hr=_cell(
            "retail",
            "hr",
            "<p>Plannings <em>partagés</em></p><script>alert(1)</script>",
            " Skello,\n Combo ",
            [("Unité planning", "/jump_to_id/h1"), ("Guide", "https://www.francenum.gouv.fr/guides")],
        ),
        services__communication=_cell("services", "communication", "Lettre d’information"),
    ),
}


def test_the_editor_shows_every_cell_in_a_form(fresco_course, trainer, as_user):
    page = as_user(trainer, fresco_course, language="fr").studio_page()
    doc = lxml_html.fromstring(page)
    form = by_class(doc, "ict-fresco-editor", "form")[0]
    assert form.xpath('.//input[@name="display_name"]')[0].get("value") == "Fresque des usages"
    fieldsets = by_class(form, "ict-fresco-editor-cell", "fieldset")
    assert len(fieldsets) == 36
    first = fieldsets[0]
    assert (first.get("data-sector"), first.get("data-function")) == ("retail", "sales_marketing")
    assert first.xpath("./legend")[0].text == "Vente et marketing"
    assert first.xpath('.//textarea[@name="text"]')[0].text == (
        "<p>Vendre en <strong>ligne</strong> et en boutique.</p>"
    )
    assert first.xpath('.//input[@name="tools"]')[0].get("value") == "Shopify, WooCommerce"
    assert first.xpath('.//textarea[@name="links"]')[0].text == (
        "Unité boutique | /jump_to_id/h1\nFrance Num | https://www.francenum.gouv.fr/"
    )
    # Every control has its label.
    for control in form.xpath(".//textarea | .//input"):
        assert form.xpath(f'.//label[@for="{control.get("id")}"]'), control.get("name")
    summaries = [s.text_content() for s in form.xpath(".//summary")]
    assert summaries[0] == "Commerce (1 case remplie)" and summaries[5] == "Services (1 case remplie)"
    assert 'data-init="IctFrescoEditor"' in page
    assert "/xblock/resource/ict_fresco/public/fresco-studio.js" in page
    # The script's texts come with it, translated.
    editor = form.xpath('ancestor::*[@data-init="IctFrescoEditor"]')[0]
    texts = json.loads(by_class(editor, "xblock-json-init-args", "script")[0].text)
    assert texts["saving"] == "Enregistrement…" and texts["saved"] == "Enregistré."


def test_a_good_submission_is_cleaned_stored_and_shown_to_learners(
    app, fresco_course, trainer, enrolled, as_user, make_company
):
    author = as_user(trainer, fresco_course, language="fr")
    author.studio_page()
    response = author.studio_call("ict_fresco", "f1", "studio_submit", GOOD)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"result": "success"}

    settings = stored_settings(app, fresco_course)
    assert settings["display_name"] == "Le numérique par métier"
    assert settings["cells"] == [
        {
            "sector": "retail",
            "function": "hr",
            "text": "<p>Plannings <em>partagés</em></p>",
            "tools": "Skello, Combo",
            "links": [
                {"href": "/jump_to_id/h1", "label": "Unité planning"},
                {"href": "https://www.francenum.gouv.fr/guides", "label": "Guide"},
            ],
        },
        {
            "sector": "services",
            "function": "communication",
            "text": "Lettre d’information",
            "tools": "",
            "links": [],
        },
    ]

    learner = enrolled(fresco_course, company=make_company(naf_code="47.11B"))
    page = as_user(learner, fresco_course, language="fr").page()
    assert open_sector(page) == "retail"
    root = fresco_root(page)
    assert root.xpath(".//h2")[0].text == "Le numérique par métier"
    assert "Vendre en" not in page  # the old cells are gone
    hr = by_class(by_class(root, "ict-fresco-sector", "details")[0], "ict-fresco-card", "li")[4]
    assert by_class(hr, "ict-fresco-text")[0].text_content() == "Plannings partagés"
    assert hr.xpath(".//a")[0].get("href") == fresco_course.unit_url("u1")


def _bad(**changes) -> dict:
    data = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if key == "cell":
            data["cells"][0] = value
        else:
            data[key] = value
    return data


BAD = [
    (
        _bad(cell=_cell("bakery", "hr", "x")),
        "Secteur inconnu « bakery » : utilisez l’un de ceux-ci : retail, ",
    ),
    (_bad(cell=_cell("retail", "it", "x")), "Fonction de l’entreprise inconnue « it »"),
    (
        _bad(cell=_cell("retail", "sales_marketing", "x", links=[("Piège", "javascript:alert(1)")])),
        "Commerce, Vente et marketing : L’adresse du lien 1 n’est pas acceptée : elle doit commencer par https://",
    ),
    (
        _bad(cell=_cell("retail", "sales_marketing", links=[("Clair", "http://example.org/")])),
        "L’adresse du lien 1 n’est pas acceptée",
    ),
    (
        _bad(
            cell=_cell("retail", "sales_marketing", links=[("Données", "data:text/html,<script>x</script>")])
        ),
        "L’adresse du lien 1 n’est pas acceptée",
    ),
    (
        _bad(cell=_cell("retail", "sales_marketing", links=[("", "https://example.org/")])),
        "Commerce, Vente et marketing : Le lien 1 n’a pas d’intitulé.",
    ),
    (
        _bad(cell=_cell("retail", "sales_marketing", links=[("x", "https://example.org/" + "a" * 500)])),
        "L’adresse du lien 1 est trop longue (500 caractères au plus).",
    ),
    (
        _bad(cell=_cell("retail", "sales_marketing", links=[("x" * 151, "https://example.org/")])),
        "L’intitulé du lien 1 est trop long (150 caractères au plus).",
    ),
    (
        _bad(cell=_cell("retail", "sales_marketing", "x" * 4001)),
        "Commerce, Vente et marketing : Le texte est trop long (4001 caractères, 4000 au plus).",
    ),
    (_bad(cell=_cell("retail", "sales_marketing", tools="o" * 301)), "Les exemples d’outils sont trop longs"),
    (
        _bad(cell=_cell("retail", "sales_marketing", links=[("L", "https://example.org/")] * 7)),
        "Trop de liens (7, 6 au plus).",
    ),
    (
        _bad(cell=_cell("retail", "hr", "doublon")),
        "Commerce, Ressources humaines : Cette case est donnée deux fois.",
    ),
    (_bad(display_name="   "), "Le titre ne peut pas être vide."),
    (_bad(display_name=None), "Le titre ne peut pas être vide."),
    (_bad(display_name="T" * 201), "Le titre est trop long (200 caractères au plus)."),
    (_bad(cell="pas une case"), "La case 1 est mal formée."),
    (_bad(cell={**_cell("retail", "hr"), "links": "https://example.org/"}), "La case 1 est mal formée."),
    (_bad(cell={**_cell("retail", "hr"), "text": ["<p>"]}), "La case 1 est mal formée."),
    (_bad(cells="toutes"), "La fresque n’a pas pu être lue : envoyez un titre et une liste de cases."),
    (["pas", "un", "objet"], "La fresque n’a pas pu être lue"),
    (_bad(cells=[*_all_cells(), _cell("retail", "hr")]), "Trop de cases (37, 36 au plus)."),
]


@pytest.mark.parametrize(("data", "message"), BAD, ids=[m[:45] for _d, m in BAD])
def test_a_bad_submission_gets_a_clear_message_and_changes_nothing(
    app, fresco_course, trainer, as_user, data, message
):
    before = stored_settings(app, fresco_course)
    author = as_user(trainer, fresco_course, language="fr")
    author.studio_page()
    response = author.studio_call("ict_fresco", "f1", "studio_submit", data)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert stored_settings(app, fresco_course) == before


def test_every_problem_is_listed_at_once_in_english_for_english_authors(
    app, fresco_course, make_user, make_cybersite, as_user
):
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())], language="en")
    before = stored_settings(app, fresco_course)
    data = _bad(display_name="")
    data["cells"][1] = _cell("retail", "production", links=[("Piège", "javascript:x")])
    data["cells"][2] = _cell("retail", "purchasing_logistics", "y" * 5000)
    author = as_user(trainer, fresco_course, language="en")
    author.studio_page()
    response = author.studio_call("ict_fresco", "f1", "studio_submit", data)
    assert response.status_code == 400
    assert response.get_json()["error"].split("\n") == [
        "The title cannot be empty.",
        "Retail, Production: The address of link 1 is not allowed: it must start with https:// or be "
        "/jump_to_id/ followed by the url_name of a component of the course.",
        "Retail, Purchasing and logistics: The text is too long (5000 characters, at most 4000).",
    ]
    assert stored_settings(app, fresco_course) == before


def test_a_body_that_is_not_json_or_too_big_changes_nothing(app, fresco_course, trainer, as_user):
    before = stored_settings(app, fresco_course)
    author = as_user(trainer, fresco_course)
    author.studio_page()
    url = f"/studio/xblock/{fresco_course.usage('ict_fresco', 'f1')}/handler/studio_submit"
    headers = {"X-CSRFToken": author.token, "Content-Type": "application/json"}
    assert author.client.post(url, data=b"{not json", headers=headers).status_code == 400
    huge = json.dumps(_bad(display_name="x" * (2 * 1024 * 1024))).encode()
    assert author.client.post(url, data=huge, headers=headers).status_code == 413
    assert (
        author.client.post(
            url, data=json.dumps(GOOD), headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert stored_settings(app, fresco_course) == before


def test_learners_cannot_change_the_fresco(app, fresco_course, enrolled, as_user):
    before = stored_settings(app, fresco_course)
    learner = as_user(enrolled(fresco_course), fresco_course)
    learner.page()
    # Not through the studio…
    url = f"/studio/xblock/{fresco_course.usage('ict_fresco', 'f1')}/handler/studio_submit"
    response = learner.client.post(
        url, data=json.dumps(GOOD), headers={"X-CSRFToken": learner.token, "Content-Type": "application/json"}
    )
    assert response.status_code == 403
    # …nor through the learner's handler endpoint, where the fresco's fields are read-only.
    assert learner.call("ict_fresco", "f1", "studio_submit", GOOD).status_code == 400
    assert stored_settings(app, fresco_course) == before
