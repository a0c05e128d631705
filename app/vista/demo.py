"""Demo data of VISTA for ``demo load``: the shipped questionnaire, a submitted T0 assessment for every demo
company (and a better T1 a few months later for Boulangerie Fournier, whose staff follow the demo courses),
and anonymous peer companies with a T0 each, so that peer groups reach the k ≥ 10 floor.

Answers are drawn from random generators seeded with each company's SIRET, so every load draws the same
ones; loading is idempotent (questionnaire by its digest, companies by SIRET, assessments by company and
wave). Scores are not written here: the scoring helpers compute them from the answers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.demo import COMPANIES
from app.accounts.identifiers import luhn_valid
from app.accounts.models import Company, Cybersite, User
from app.core.extensions import db
from app.vista import questionnaire_file, scores
from app.vista.models import (
    Answer,
    Assessment,
    ItemKind,
    QuestionnaireItem,
    QuestionnaireVersion,
    Status,
    Wave,
)
from app.vista.questionnaire_file import HEADCOUNT_CODE

PEER_COUNT = 60
PEER_NAME = "Entreprise témoin {:03d}"
PEER_SIRET_PREFIX = "990"
TWO_WAVES_SIRET = "41295260181596"  # Boulangerie Fournier: its staff follow the demo cohort's courses
T1_BOOST = 0.2
NOISE = 0.18
# At most this share of a dimension's scored items answered "not relevant": under the 30 % beyond which
# a dimension shows "insufficient data", so that every demo dimension gets a score.
NOT_RELEVANT_SHARE = 0.25

# Peer profiles: (NAF codes, smallest and largest headcount, how many). Weighted towards the sectors and
# sizes of the demo companies (bakery, joinery, garage, shops, trades) so their finest peer groups fill.
PEER_PROFILES = (
    (("10.71C", "10.71D", "10.13B", "25.62B", "16.23Z"), 2, 9, 12),  # C, micro: bakers, butchers, workshops
    (("16.23Z", "25.62A", "10.51C", "22.22Z", "31.09B"), 10, 45, 10),  # C, small: joinery, machining
    (("47.11B", "47.76Z", "47.71Z", "45.20A"), 1, 9, 10),  # G, micro: shops, garages
    (("43.22A", "43.21A", "43.32A"), 1, 9, 8),  # F, micro: plumbers, electricians, carpenters
    (("56.10A", "55.10Z"), 2, 9, 6),  # I, micro: restaurants, hotels
    (("96.02A", "96.02B", "95.11Z"), 1, 6, 6),  # S, micro: hairdressers, beauty, repairs
    (("45.32Z", "46.90Z"), 10, 40, 4),  # G, small
    (("49.41A",), 12, 48, 4),  # H, small: road haulage
)
PEER_DEPARTEMENTS = ("63", "15", "43", "42")  # those of the demo Cybersites


@dataclass(frozen=True)
class DemoVista:
    """What a demo load of VISTA did."""

    questionnaire: QuestionnaireVersion
    peers_created: int
    assessments_created: int


def _siret(number: int) -> str:
    """A 14-digit SIRET passing the Luhn check, in a range no real company uses here."""
    head = f"{PEER_SIRET_PREFIX}{number:010d}"
    return next(head + str(d) for d in range(10) if luhn_valid(head + str(d)))


def peer_rows() -> list[tuple[str, str, str, int, str]]:
    """The peer companies: (legal name, SIRET, NAF code, headcount, département), always the same."""
    rows = []
    number = 0
    for codes, smallest, largest, count in PEER_PROFILES:
        for index in range(count):
            number += 1
            rng = random.Random(f"vista-peer-{number}")  # noqa: S311 (seeded on purpose: same data every load)
            departement = PEER_DEPARTEMENTS[number % len(PEER_DEPARTEMENTS)]
            rows.append(
                (
                    PEER_NAME.format(number),
                    _siret(number),
                    codes[index % len(codes)],
                    rng.randint(smallest, largest),
                    departement,
                )
            )
    return rows


def _load_peers() -> tuple[list[Company], int]:
    sites = {site.departement: site for site in db.session.scalars(select(Cybersite))}
    rows = peer_rows()
    existing = {
        c.siret: c for c in db.session.scalars(select(Company).where(Company.siret.in_([r[1] for r in rows])))
    }
    created = 0
    companies = []
    for name, siret, naf, headcount, departement in rows:
        company = existing.get(siret)
        if company is None:
            company = Company(
                legal_name=name,
                siret=siret,
                naf_code=naf,
                headcount=headcount,
                departement=departement,
                cybersite=sites[departement],
            )
            db.session.add(company)
            created += 1
        companies.append(company)
    db.session.flush()
    return companies, created


def _maturity(rng: random.Random, headcount: int) -> float:
    """How far along a company is, in [0.05, 0.95]: larger companies tend to be further along."""
    base = 0.35 + (0.1 if headcount >= 10 else 0) + (0.1 if headcount >= 50 else 0)
    return min(0.95, max(0.05, rng.gauss(base, 0.15)))


def _scored_value(kind: str, level: float) -> float:
    """A raw answer of a scored kind (as app.vista.scoring reads it) for a level in [0, 1]."""
    if kind == ItemKind.TICK:
        return 1.0 if level >= 0.5 else 0.0
    if kind in (ItemKind.INVEST, ItemKind.TRIPLE):
        return 2.0 if level >= 0.66 else 1.0 if level >= 0.4 else 0.0
    if kind == ItemKind.SCALE:
        return float(round(level * 5))
    return float(1 + round(level * 4))  # agree


def _figure(item: QuestionnaireItem, maturity: float, headcount: int, noise: float) -> float:
    """A plausible raw figure for the shipped figure items, within the item's range."""
    guesses = {
        HEADCOUNT_CODE: headcount,
        "d1_online_sales_share": maturity * 35 - 8 + noise * 20,
        "d2_hours_saved": maturity * (2 + 2 * headcount**0.5) + noise * 3,
        "d4_incidents": (1 - maturity) * 3 + noise * 3,
        "d6_paper_reams": headcount * (1.4 - maturity) * 3 + noise * 5,
    }
    low, high = item.minimum or 0.0, item.maximum if item.maximum is not None else 100.0
    value = guesses.get(item.code, low + (high - low) * 0.1 * maturity)
    return float(round(min(high, max(low, value))))


def _answers(items: list[QuestionnaireItem], seed: str, headcount: int, boost: float) -> list[Answer]:
    """Answers drawn for one company; the same seed draws the same noise, so a boost only improves them."""
    rng = random.Random(seed)  # noqa: S311 (seeded on purpose: the same answers every load)
    maturity = min(0.98, _maturity(rng, headcount) + boost)
    not_relevant: dict[str | None, int] = {}
    scored: dict[str | None, int] = {}
    for item in items:
        if item.kind != ItemKind.FIGURE:
            scored[item.dimension] = scored.get(item.dimension, 0) + 1
    answers = []
    for item in items:
        noise, draw = rng.gauss(0, NOISE), rng.random()
        limit = int(scored.get(item.dimension, 0) * NOT_RELEVANT_SHARE)
        if item.allows_not_relevant and draw < 0.12 and not_relevant.get(item.dimension, 0) < limit:
            # A small business that genuinely does not need it (kept under the insufficient-data rule).
            not_relevant[item.dimension] = not_relevant.get(item.dimension, 0) + 1
            answers.append(Answer(item_id=item.id, value=None, not_relevant=True))
            continue
        if item.kind == ItemKind.FIGURE:
            if not item.required and draw > 0.7:
                continue  # an optional figure left blank
            value = _figure(item, maturity, headcount, noise)
        else:
            level = (1 - maturity if item.negative else maturity) + noise
            value = _scored_value(item.kind, min(1.0, max(0.0, level)))
        answers.append(Answer(item_id=item.id, value=value, not_relevant=False))
    return answers


def _submit(
    company: Company,
    version: QuestionnaireVersion,
    items: list[QuestionnaireItem],
    *,
    wave: Wave,
    when: datetime,
    boost: float = 0.0,
    by: User | None = None,
) -> Assessment:
    assessment = Assessment(
        company_id=company.id,
        questionnaire_id=version.id,
        status=Status.SUBMITTED.value,
        wave=wave.value,
        headcount=company.headcount,
        started_by_id=by.id if by else None,
        submitted_by_id=by.id if by else None,
        created_at=when - timedelta(days=3),
        updated_at=when,
        submitted_at=when,
    )
    db.session.add(assessment)
    db.session.flush()
    for answer in _answers(items, f"vista-{company.siret}", company.headcount, boost):
        answer.assessment_id = assessment.id
        db.session.add(answer)
    return assessment


def _shipped() -> tuple[QuestionnaireVersion, list[QuestionnaireItem]]:
    """The shipped questionnaire (loaded once: by its digest) and its items in page order."""
    version = questionnaire_file.load(db.session, questionnaire_file.read(questionnaire_file.SHIPPED))
    items = list(
        db.session.scalars(
            select(QuestionnaireItem)
            .where(QuestionnaireItem.questionnaire_id == version.id)
            .order_by(QuestionnaireItem.page_id, QuestionnaireItem.position)
        )
    )
    return version, items


def assess_companies(companies: list[Company], first: datetime) -> int:
    """A submitted T0 for each of these companies that has none yet, a few days apart from ``first``
    (answers drawn from each SIRET, as the demo companies' are); returns how many were added. For the
    larger demo networks of ``demo load --size``. Flushed, not committed."""
    if not companies:
        return 0
    version, items = _shipped()
    done = set(
        db.session.scalars(
            select(Assessment.company_id).where(
                Assessment.company_id.in_([c.id for c in companies]), Assessment.wave == Wave.T0.value
            )
        )
    )
    added = [c for c in companies if c.id not in done]
    for index, company in enumerate(added):
        _submit(company, version, items, wave=Wave.T0, when=first + timedelta(days=2 * index % 120))
    db.session.flush()
    if added:
        scores.recompute(db.session, [c.id for c in added])
    return len(added)


def load_demo_vista() -> DemoVista:
    """Load the shipped questionnaire, the demo companies' assessments and the peer companies (flushed, not
    committed; idempotent)."""
    version, items = _shipped()
    demo_sirets = [row[1] for row in COMPANIES]
    demo = list(
        db.session.scalars(select(Company).where(Company.siret.in_(demo_sirets)).order_by(Company.id))
    )
    peers, peers_created = _load_peers()
    done = {
        (company_id, wave)
        for company_id, wave in db.session.execute(
            select(Assessment.company_id, Assessment.wave).where(
                Assessment.company_id.in_([c.id for c in demo + peers])
            )
        )
    }
    manager = db.session.scalar(select(User).where(User.email == "gerant@demo.cybermassif.fr"))
    created = 0
    t0 = datetime(2026, 2, 23, 10, 0, tzinfo=UTC)
    for index, company in enumerate(demo):
        by = manager if company.siret == TWO_WAVES_SIRET else None
        if (company.id, Wave.T0.value) not in done:
            _submit(company, version, items, wave=Wave.T0, when=t0 + timedelta(days=index), by=by)
            created += 1
        if company.siret == TWO_WAVES_SIRET and (company.id, Wave.T1.value) not in done:
            t1 = datetime(2026, 7, 3, 16, 0, tzinfo=UTC)
            _submit(company, version, items, wave=Wave.T1, when=t1, boost=T1_BOOST, by=by)
            created += 1
    for index, company in enumerate(peers):
        if (company.id, Wave.T0.value) not in done:
            when = datetime(2025, 9, 1, 9, 0, tzinfo=UTC) + timedelta(days=5 * index)
            _submit(company, version, items, wave=Wave.T0, when=when)
            created += 1
    db.session.flush()
    if created:
        # The stored scores the report, the peers and the observatory read.
        scores.recompute(db.session, [c.id for c in demo + peers])
    return DemoVista(version, peers_created, created)
