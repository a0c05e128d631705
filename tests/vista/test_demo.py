"""VISTA's part of ``flask demo load``: the shipped questionnaire, a submitted T0 for every demo company, a
better T1 for Boulangerie Fournier, and anonymous peer companies filling peer groups; loading twice changes
nothing."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select

from app.accounts.demo import COMPANIES
from app.accounts.identifiers import siret_valid
from app.accounts.models import Company, RoleGrant
from app.core.extensions import db
from app.vista.demo import PEER_COUNT, TWO_WAVES_SIRET, peer_rows
from app.vista.models import Answer, Assessment, QuestionnaireItem, QuestionnaireVersion
from app.vista.questionnaire_file import SHIPPED, read

MODELS = (QuestionnaireVersion, QuestionnaireItem, Company, Assessment, Answer, RoleGrant)
# Raw answer → [0, 1], as docs/vista.md reads each kind (written out here, independently of the code).
NORMALISE = {
    "tick": lambda v: v,
    "invest": lambda v: v / 2,
    "triple": lambda v: v / 2,
    "scale": lambda v: v / 5,
    "agree": lambda v: (v - 1) / 4,
}
RANGES = {
    "tick": {0, 1},
    "invest": {0, 1, 2},
    "triple": {0, 1, 2},
    "scale": set(range(6)),
    "agree": {1, 2, 3, 4, 5},
}


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in MODELS)


def _load(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_load_twice_changes_nothing(app):
    first = _load(app)
    counts = _counts(app)
    items = len(read(SHIPPED).items)
    assert counts[:4] == (1, items, len(COMPANIES) + PEER_COUNT, len(COMPANIES) + 1 + PEER_COUNT)
    assert (
        f"{len(COMPANIES) + 1 + PEER_COUNT} assessment(s) and {PEER_COUNT} peer company(ies) added" in first
    )
    second = _load(app)
    assert "Demo VISTA: questionnaire vista 2026.1, 0 assessment(s) and 0 peer company(ies) added" in second
    assert _counts(app) == counts


def test_every_demo_assessment_is_complete_and_plausible(app):
    _load(app)
    with app.app_context():
        items = {i.id: i for i in db.session.scalars(select(QuestionnaireItem))}
        assessments = db.session.scalars(select(Assessment)).all()
        answers = defaultdict(dict)
        for answer in db.session.scalars(select(Answer)):
            answers[answer.assessment_id][answer.item_id] = answer
        for assessment in assessments:
            assert assessment.status == "submitted" and assessment.submitted_at is not None
            assert assessment.headcount == assessment.company.headcount
            given = answers[assessment.id]
            for item in items.values():
                if item.required:
                    assert item.id in given, (assessment.company.legal_name, item.code)
            not_relevant = Counter()
            scored = Counter(i.dimension for i in items.values() if i.kind != "figure")
            for item_id, answer in given.items():
                item = items[item_id]
                if answer.not_relevant:
                    assert item.allows_not_relevant and answer.value is None
                    not_relevant[item.dimension] += 1
                elif item.kind == "figure":
                    assert item.minimum <= answer.value <= item.maximum
                else:
                    assert answer.value in RANGES[item.kind], (item.code, answer.value)
            assert all(not_relevant[d] <= 0.3 * scored[d] for d in not_relevant)
            headcount = next(a for a in given.values() if items[a.item_id].code == "headcount")
            assert headcount.value == assessment.headcount
        assert Counter(a.wave for a in assessments) == {"T0": len(COMPANIES) + PEER_COUNT, "T1": 1}
        values = {a.value for per in answers.values() for a in per.values()}
        assert len(values) > 10  # varied answers, not one pattern repeated


def _adoption(app, wave):
    """Boulangerie Fournier's answers of the wave, normalised, per adoption item code."""
    with app.app_context():
        rows = db.session.execute(
            select(QuestionnaireItem.code, QuestionnaireItem.kind, QuestionnaireItem.negative, Answer.value)
            .join(Answer, Answer.item_id == QuestionnaireItem.id)
            .join(Assessment, Assessment.id == Answer.assessment_id)
            .join(Company, Company.id == Assessment.company_id)
            .where(Company.siret == TWO_WAVES_SIRET, Assessment.wave == wave, QuestionnaireItem.lens == "A")
            .where(Answer.not_relevant.is_(False))
        ).all()
    return {code: (1 - NORMALISE[kind](v) if neg else NORMALISE[kind](v)) for code, kind, neg, v in rows}


def test_the_bakery_answers_better_at_t1(app):
    _load(app)
    t0, t1 = _adoption(app, "T0"), _adoption(app, "T1")
    assert t0.keys() == t1.keys() and len(t0) >= 30
    assert all(t1[code] >= t0[code] for code in t0)
    assert sum(t1.values()) > sum(t0.values()) + 3
    with app.app_context():
        t0_at, t1_at = db.session.execute(
            select(func.min(Assessment.submitted_at), func.max(Assessment.submitted_at))
            .join(Company)
            .where(Company.siret == TWO_WAVES_SIRET)
        ).one()
    assert (t1_at - t0_at).days >= 90


def test_peer_companies_fill_the_bakery_s_peer_group_and_have_no_users(app):
    _load(app)
    assert len(peer_rows()) == PEER_COUNT
    with app.app_context():
        peers = db.session.scalars(
            select(Company).where(Company.legal_name.like("Entreprise témoin %"))
        ).all()
        assert len(peers) == PEER_COUNT
        assert all(siret_valid(c.siret) for c in peers)
        assert all(c.cybersite.departement == c.departement for c in peers)
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(RoleGrant)
                .where(RoleGrant.company_id.in_([c.id for c in peers]))
            )
            == 0
        )
        assessed = db.session.execute(
            select(Company.naf_code, Company.size_class)
            .join(Assessment, Assessment.company_id == Company.id)
            .where(Assessment.wave == "T0")
        ).all()
    # NAF section C is divisions 10 to 33; the bakery is a micro company of section C.
    manufacturing_micro = [naf for naf, size in assessed if 10 <= int(naf[:2]) <= 33 and size == "micro"]
    assert len(manufacturing_micro) >= 10
    groups = Counter((naf[:2], size) for naf, size in assessed)
    assert len(groups) >= 8  # several sectors and sizes, not one block
