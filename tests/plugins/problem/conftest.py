"""Fixtures of the problem block tests: a course whose unit ``u1`` holds problems, what a learner's state
holds, their recorded grade, and the progress events the runtime announced."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.core.extensions import db
from app.progress.models import BlockCompletion
from app.runtime import events
from app.runtime.models import FieldValue
from tests.plugins.conftest import OlxCourse

#: One question of each kind, worth 5 points in all (weight 10 scales them).
QUIZ = """<problem url_name="quiz" display_name="La facture électronique" max_attempts="2" weight="10"
  showanswer="finished">
  <p>La boulangerie <strong>Vidal</strong> se prépare.</p>
  <multiplechoiceresponse>
    <label>En quelle année la réception devient-elle obligatoire ?</label>
    <description>Une seule réponse.</description>
    <choicegroup type="MultipleChoice">
      <choice correct="false">2020<choicehint>Trop tôt.</choicehint></choice>
      <choice correct="true">2026<choicehint>Oui, en septembre.</choicehint></choice>
    </choicegroup>
  </multiplechoiceresponse>
  <choiceresponse>
    <label>Que faut-il adapter ?</label>
    <checkboxgroup>
      <choice correct="true">Le logiciel de facturation</choice>
      <choice correct="true">Le classement des factures</choice>
      <choice correct="false">La vitrine
        <choicehint selected="true">Elle n’y est pour rien.</choicehint></choice>
    </checkboxgroup>
  </choiceresponse>
  <optionresponse>
    <label>Le taux normal de TVA est de</label>
    <optioninput options="('5,5 %','10 %','20 %')" correct="20 %"/>
  </optionresponse>
  <numericalresponse answer="12.5">
    <label>Montant hors taxes (en euros) ?</label>
    <responseparam type="tolerance" default="5%"/>
    <formulaequationinput/>
  </numericalresponse>
  <stringresponse answer="Chorus Pro" type="ci">
    <label>Le portail public de facturation ?</label>
    <additional_answer answer="ChorusPro"/>
    <textline size="20"/>
  </stringresponse>
  <solution><div class="detailed-solution"><p>Explication : le calendrier fixe 2026.</p></div></solution>
  <demandhint><hint>Regardez le calendrier.</hint><hint>C’est en <em>2026</em>.</hint></demandhint>
</problem>"""

P = "block-problem-quiz"
RIGHT = {
    f"{P}_2_1": "choice_1",
    f"{P}_3_1": ["choice_0", "choice_1"],
    f"{P}_4_1": "20 %",
    f"{P}_5_1": "12,9",
    f"{P}_6_1": "chorus pro",
}
WRONG = {
    f"{P}_2_1": "choice_0",
    f"{P}_3_1": ["choice_2"],
    f"{P}_4_1": "10 %",
    f"{P}_5_1": "20",
    f"{P}_6_1": "Impots.gouv",
}
#: What the page must not contain before the answer may be shown.
SECRETS = (
    "Oui, en septembre",
    "Trop tôt",
    "Elle n’y est pour rien",
    "Explication",
    "Chorus",
    "12.5",
    "correct=",
)


@pytest.fixture
def quiz_course(olx_course: Callable[..., OlxCourse]) -> OlxCourse:
    """A course whose unit ``u1`` holds the quiz."""
    return olx_course(QUIZ)


def user_state(app: Flask, user_id: int, course: OlxCourse, url_name: str = "quiz") -> dict[str, Any]:
    """The learner's stored fields of a problem (user_state scope), by name."""
    with app.app_context():
        rows = db.session.execute(
            select(FieldValue.field_name, FieldValue.value).where(
                FieldValue.scope == "user_state",
                FieldValue.user_id == user_id,
                FieldValue.scope_key == course.usage("problem", url_name),
            )
        ).all()
    return dict(rows)


def recorded(app: Flask, user_id: int, course: OlxCourse, url_name: str = "quiz") -> tuple | None:
    """The learner's recorded (earned, possible, completion) for a problem, None when nothing is."""
    with app.app_context():
        row = db.session.execute(
            select(BlockCompletion.earned, BlockCompletion.possible, BlockCompletion.completion).where(
                BlockCompletion.user_id == user_id,
                BlockCompletion.usage_id == course.usage("problem", url_name),
            )
        ).first()
    return tuple(row) if row is not None else None


@pytest.fixture
def announced() -> Iterator[list[events.ProgressEvent]]:
    """Every progress event the runtime announces during the test."""
    seen: list[events.ProgressEvent] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        seen.extend(kwargs["events"])

    with events.progress_recorded.connected_to(listen):
        yield seen
