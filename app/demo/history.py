"""Months of plausible activity in the demo network, written through the platform's own code paths.

- Cohorts: a spring and an autumn cohort at every Cybersite (``app.cohorts.services``, as its manager); the
  companies of a site alternate between them, and their learners are enrolled through the cohort.
- Progress: each learner draws a pace (fast, regular, slow, stalled, or not started yet) and works through
  the cohort's courses from a few days after its start until the history's end. Their blocks complete and
  their quizzes are graded through a learner's runtime, at the moment each happened (the runtime's ``now``),
  with the runtime's own ``publish`` and ``mark_viewed``, sent to progress once per learner and course with
  ``finish``: the roll-ups, course grades and certificates follow as they do for a real request.
- Case studies: the learner's answers go through the block's ``submit`` handler; most are then graded by
  the site's trainer through the ``staff_grading`` service (some are left for the trainer to grade).
- VISTA: half of the companies of the network's copies (``--size`` above 1) submit a self-assessment
  (``app.vista.demo``; every demo company has one already).
- Forums: threads and replies in the courses' discussions through ``app.forum.services``, dated afterwards
  to when they were written (the forum keeps no figures derived from dates).

Everything is drawn from generators seeded with fixed text and each learner's e-mail address, so a load
always writes the same history; it is written only for learners who have no progress record yet, and
cohorts and threads only once, so a second load changes nothing. Certificates are dated when progress
issues them (at the load); completions and grades keep their own dates.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import webob
from sqlalchemy import select, update
from xblock.exceptions import JsonHandlerError

from app.accounts.demo import COMPANIES
from app.accounts.models import User
from app.accounts.policy import following
from app.cohorts import services as cohort_services
from app.cohorts.models import Cohort, CohortCompany, CohortMember
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.courses.services import remember_position
from app.courses.staff_grading import StaffGradingRefused, StaffGradingService
from app.demo.network import SEED, Network, SiteStaff
from app.forum import services as forum_services
from app.forum.access import Discussion, Reader
from app.forum.errors import ForumError
from app.forum.models import ForumPost, ForumThread
from app.progress.models import BlockCompletion
from app.progress.rollups import structure_of
from app.progress.structure import UNIT, CourseStructure
from app.runtime import bridge, events
from app.runtime.host import HostRuntime, Learner
from app.runtime.tree import LoadedTree, shared_tree
from app.vista.demo import assess_companies

# The copies' companies answer VISTA's self-assessment from this day on (the demo ones have theirs).
VISTA_FROM = datetime(2026, 2, 2, 10, 0, tzinfo=UTC)
# The history runs until this day; everything in it is dated before.
HISTORY_END = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
SPRING = ("Promotion printemps 2026", date(2026, 3, 2), date(2026, 12, 18))
AUTUMN = ("Promotion automne 2026", date(2026, 9, 7), date(2027, 3, 19))
# The autumn cohorts follow the first two courses only (by course order).
AUTUMN_COURSES = 2
# (pace name, sittings a week, share of the path where they stop, weight); a sitting covers 2 to 5 blocks.
PACES = (
    ("fast", 2.5, 1.0, 2),
    ("regular", 0.9, 1.0, 4),
    ("slow", 0.35, 1.0, 3),
    ("stalled", 1.0, 0.35, 2),
    ("idle", 0.0, 0.0, 1),
    ("steady", 0.22, 1.0, 0),  # never drawn: the printed demo learner's
)
SITTING = (2, 5)
# The printed demo learners: one still halfway through the spring cohort's courses (so that their home page
# has a course to resume), the other at a regular pace.
FIXED_PACES = {"apprenant@demo.cybermassif.fr": "steady", "learner@demo.cybermassif.fr": "regular"}
GRADED_CASE_SHARE = 0.8  # the others wait for the trainer: the "answers to grade" of the demo
CASE_ANSWER = (
    "Dans notre entreprise, nous commencerions par {a} ; ensuite nous mettrions en place {b}, "
    "avec un point d'étape au bout d'un mois pour mesurer ce qui a changé."
)
CASE_IDEAS = (
    "un inventaire de nos outils et de nos comptes",
    "une formation courte de toute l'équipe",
    "une sauvegarde hebdomadaire testée",
    "un devis auprès de deux prestataires locaux",
    "la double authentification sur la messagerie",
    "un tableau de suivi partagé",
)
TRAINER_COMMENTS = (
    "Analyse claire et réaliste ; pensez à chiffrer le temps nécessaire.",
    "Bonne démarche. Précisez qui, dans l'équipe, porte chaque action.",
    "Réponse complète, bien reliée au cas. Bravo.",
    "L'idée est bonne mais reste générale : appuyez-vous sur les chiffres du cas.",
)
THREADS = (
    ("Par où commencer dans une petite équipe ?", "Nous sommes six ; qui devrait s'en occuper en premier ?"),
    (
        "Retour d'expérience après un mois",
        "Nous avons appliqué le chapitre : voici ce qui a marché chez nous.",
    ),
    ("Quel budget prévoir ?", "Avez-vous une idée du coût pour une entreprise comme la nôtre ?"),
    ("Outil conseillé ?", "Quel outil utilisez-vous pour suivre tout cela au quotidien ?"),
)
REPLIES = (
    "Chez nous, c'est la gérante qui a lancé le sujet, puis chacun a pris une partie.",
    "Même question de notre côté ; le cas pratique du chapitre m'a bien aidé.",
    "Nous avons commencé petit, sur un seul poste, avant de généraliser.",
    "Bonne idée, je vais en parler à mon responsable.",
)
TRAINER_REPLY = (
    "Bonne question : nous y reviendrons à la prochaine séance au Cybersite, apportez vos exemples."
)


@dataclass
class History:
    """What this load of the history wrote."""

    cohorts_created: int = 0
    members_added: int = 0
    learners_with_history: int = 0
    events: int = 0
    cases_submitted: int = 0
    cases_graded: int = 0
    threads: int = 0
    replies: int = 0
    assessments: int = 0


@dataclass
class _Course:
    """A published course as the history needs it: its tree, structure and a few of its blocks."""

    course: Course
    tree: LoadedTree
    structure: CourseStructure
    # The blocks the learner's path goes through, in course order: (usage id, block type, unit id).
    path: list[tuple[str, str, str]] = field(default_factory=list)
    blocks: dict[str, Any] = field(default_factory=dict)  # usage id → block, read once (no learner)
    discussions: list[tuple[str, str, bool, str]] = field(default_factory=list)  # usage, id, divided, unit


def _runtime(entry: _Course, user: User | None, *, is_staff: bool = False) -> HostRuntime:
    learner = (
        Learner(
            user_id=user.id,
            username=user.email,
            email=user.email,
            full_name=user.display_name,
            language=user.language or "fr",
            is_staff=is_staff,
        )
        if user is not None
        else Learner(user_id=None)
    )
    return bridge.make_runtime(course_key=entry.course.course_key, tree=entry.tree, learner=learner)


def _courses() -> list[_Course]:
    """The published courses, in course order, with their learners' paths."""
    found = []
    for course in db.session.scalars(
        select(Course).where(Course.published_tree_id.is_not(None)).order_by(Course.id)
    ):
        assert course.published_tree_id is not None
        tree = shared_tree(db.session, course.published_tree_id, course.updated_at)
        structure = structure_of(db.session, course.course_key, course=course)
        if structure is None:
            continue
        entry = _Course(course, tree, structure)
        reader = _runtime(entry, None)
        for unit in structure.of_type(UNIT):
            for usage_id in unit.counted:
                entry.path.append((usage_id, structure.block_types.get(usage_id, ""), unit.usage_id))
                entry.blocks[usage_id] = reader.get_block(usage_id)
        for usage_id, kind, unit_id in entry.path:
            # The discussion block's own reading of its key and visibility (absent if another block
            # type holds the name: then it has no threads here).
            discussion_id = getattr(entry.blocks[usage_id], "effective_discussion_id", None)
            if kind == "discussion" and isinstance(discussion_id, str):
                divided = getattr(entry.blocks[usage_id], "visibility", "cohort") != "course"
                entry.discussions.append((usage_id, discussion_id, divided, unit_id))
        found.append(entry)
    return found


def _cohort(
    staff: SiteStaff, spec: tuple[str, date, date], course_ids: list[int], history: History
) -> Cohort:
    name, starts_on, ends_on = spec
    cohort = db.session.scalar(
        select(Cohort).where(Cohort.cybersite_id == staff.site.id, Cohort.name == name)
    )
    if cohort is None:
        details = cohort_services.CohortDetails(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            capacity=60,
            forum_within_cohort=True,
            course_ids=course_ids,
        )
        cohort = cohort_services.create_cohort(staff.manager, staff.site, details)
        history.cohorts_created += 1
    return cohort


def _enrol(staff: SiteStaff, cohort: Cohort, people: list[tuple[int, User]], history: History) -> None:
    """Accept the companies and enrol the people not yet in the cohort (as the site's manager)."""
    accepted = set(
        db.session.scalars(select(CohortCompany.company_id).where(CohortCompany.cohort_id == cohort.id))
    )
    members = set(db.session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)))
    for company_id, user in people:
        if user.id in members:
            continue
        if company_id not in accepted:
            cohort_services.accept_company(staff.manager, cohort, company_id)
            accepted.add(company_id)
        cohort_services.add_member(staff.manager, cohort, user, company_id)
        members.add(user.id)
        history.members_added += 1


def _moment(rng: random.Random, day: datetime) -> datetime:
    """A working-hours moment of that day."""
    return day.replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(minutes=rng.randint(0, 600))


@dataclass
class _Plan:
    """One learner's pace through the cohort's courses."""

    rate: float
    stop_share: float
    ability: float
    start: datetime


def _plan(user: User, cohort: Cohort) -> _Plan:
    rng = random.Random(f"{SEED}-pace-{user.email}")  # noqa: S311 (seeded on purpose: same history every load)
    drawn = rng.choices(PACES, weights=[p[3] for p in PACES])[0]
    fixed = FIXED_PACES.get(user.email)
    _name, rate, stop_share, _weight = next(p for p in PACES if p[0] == fixed) if fixed else drawn
    start_day = datetime.combine(cohort.starts_on, datetime.min.time(), UTC) + timedelta(
        days=rng.randint(0, 12)
    )
    return _Plan(rate, stop_share, min(1.0, max(0.35, rng.gauss(0.78, 0.13))), _moment(rng, start_day))


def _learn(
    user: User,
    entries: Sequence[_Course],
    plan: _Plan,
    history: History,
    to_grade: list[tuple[_Course, int, float, datetime]],
) -> int:
    """Walk the learner through the courses at their pace; return how many progress events it made."""
    rng = random.Random(f"{SEED}-work-{user.email}")  # noqa: S311 (seeded on purpose: same history every load)
    moment = plan.start
    total = sum(len(e.path) for e in entries)
    stop_after = int(total * plan.stop_share * (rng.uniform(0.4, 1.6) if plan.stop_share < 1 else 1))
    done = 0
    sitting = rng.randint(*SITTING)
    written = 0
    for entry in entries:
        if done >= stop_after or moment >= HISTORY_END:
            break
        runtime = _runtime(entry, user)
        last_unit = None
        for usage_id, kind, unit in entry.path:
            if done >= stop_after or moment >= HISTORY_END:
                break
            runtime.now = moment  # when this happened: the runtime dates the request's events with it
            _do(runtime, entry, usage_id, kind, plan=plan, rng=rng, history=history, to_grade=to_grade)
            last_unit = unit
            done += 1
            sitting -= 1
            if sitting > 0:  # the next block of this sitting, minutes later
                moment += timedelta(minutes=rng.randint(3, 25))
            else:  # the next sitting, days later, in working hours
                sitting = rng.randint(*SITTING)
                moment = _moment(rng, moment + timedelta(days=1 + rng.expovariate(plan.rate / 7)))
        written += len(runtime.pending_progress)
        runtime.finish()  # writes the block fields and sends the events to progress, as a request's end does
        if last_unit is not None:
            _remember_position(user, entry, last_unit)
    history.events += written
    return written


def _remember_position(user: User, entry: _Course, unit_id: str) -> None:
    """The unit the learner last worked in, as opening it would have noted ("Resume" on their pages)."""
    enrolment_id = db.session.scalar(
        select(Enrolment.id).where(Enrolment.user_id == user.id, Enrolment.course_id == entry.course.id)
    )
    if enrolment_id is not None:
        remember_position(enrolment_id, unit_id)


def _do(
    runtime: HostRuntime,
    entry: _Course,
    usage_id: str,
    kind: str,
    *,
    plan: _Plan,
    rng: random.Random,
    history: History,
    to_grade: list[tuple[_Course, int, float, datetime]],
) -> None:
    """One block done by the learner at ``runtime.now``: as the block itself, or the page showing it, would
    tell the runtime."""
    block = entry.blocks[usage_id]
    if kind == "case_study":
        if _submit_case(runtime, usage_id, rng):
            history.cases_submitted += 1
            graded_on = runtime.now + timedelta(days=rng.randint(2, 12))
            if rng.random() < GRADED_CASE_SHARE and graded_on < HISTORY_END:
                assert runtime.learner.user_id is not None
                to_grade.append((entry, runtime.learner.user_id, plan.ability, graded_on))
    elif getattr(block, "has_score", False):
        points = entry.structure.points.get(usage_id) or 1.0
        right = rng.random() < plan.ability
        earned = points if right else round(points * rng.choice((0.0, 0.0, 0.5)), 2)
        runtime.publish(block, "grade", {"value": earned, "max_value": points})
    elif events.completes_on_view(block):
        runtime.seen.append((usage_id, kind))
        runtime.mark_viewed()
        runtime.seen.clear()
    elif getattr(block, "has_custom_completion", False):
        runtime.publish(block, "completion", {"completion": 1.0})


def _submit_case(runtime: HostRuntime, usage_id: str, rng: random.Random) -> bool:
    """The learner submits their answers through the block's own handler."""
    block = runtime.get_block(usage_id)
    answers = {
        str(q["id"]): CASE_ANSWER.format(a=rng.choice(CASE_IDEAS), b=rng.choice(CASE_IDEAS))
        for q in getattr(block, "questions", [])
    }
    request = webob.Request.blank(
        "/", method="POST", body=json.dumps({"answers": answers}).encode(), content_type="application/json"
    )
    try:
        response = runtime.handle(block, "submit", request)
    except JsonHandlerError:
        return False  # the block refused them (it never does for these answers): no case answer then
    accepted = int(getattr(response, "status_code", 500)) == 200 and bool(answers)
    if accepted and "submitted_at" in block.fields:
        # The block stamps the submission with the clock; in the history it was submitted back then.
        block.submitted_at = runtime.now
        block.save()
    return accepted


def _grade_cases(
    staff: SiteStaff, to_grade: list[tuple[_Course, int, float, datetime]], history: History
) -> None:
    """The site's trainer grades the submitted answers through the staff_grading service."""
    runtimes: dict[str, tuple[HostRuntime, dict[str, Any]]] = {}
    for entry, learner_id, ability, graded_on in to_grade:
        runtime, blocks = runtimes.setdefault(
            entry.course.course_key, (_runtime(entry, staff.trainer, is_staff=True), {})
        )
        # Seeded by the learner's e-mail, not their id: ids differ between loads on PostgreSQL (its
        # sequences do not go back), and the history must not.
        email = db.session.get(User, learner_id).email
        rng = random.Random(f"{SEED}-case-{email}-{entry.course.course_key}")  # noqa: S311 (seeded on purpose)
        service = StaffGradingService(runtime)
        for usage_id, kind, _unit in entry.path:
            if kind != "case_study":
                continue
            block = blocks.get(usage_id) or blocks.setdefault(usage_id, runtime.get_block(usage_id))
            maximum = float(block.max_score())
            grade = round(min(maximum, max(0.0, maximum * rng.gauss(ability, 0.1))), 2)
            try:
                service.set_feedback(block, learner_id, rng.choice(TRAINER_COMMENTS), grade, at=graded_on)
            except StaffGradingRefused:
                continue
            history.cases_graded += 1
    for runtime, _blocks in runtimes.values():
        runtime.finish()


def _forum(
    staff: SiteStaff, cohort: Cohort, entries: Sequence[_Course], people: list[User], history: History
) -> None:
    """A few threads with replies in the cohort's discussions, by its learners and the trainer."""
    rng = random.Random(f"{SEED}-forum-{staff.site.name}-{cohort.name}")  # noqa: S311 (seeded on purpose)
    if len(people) < 2:
        return
    trainer = Reader(staff.trainer.id, True, None, following(staff.trainer))
    start = datetime.combine(cohort.starts_on, datetime.min.time(), UTC)
    for entry in entries:
        for usage_id, discussion_id, divided, _unit in entry.discussions[:2]:
            discussion = Discussion(entry.course.course_key, discussion_id, divided)
            title, body = THREADS[rng.randrange(len(THREADS))]
            author = rng.choice(people)
            written = _moment(rng, start + timedelta(days=rng.randint(7, 60)))
            try:
                thread = forum_services.start_thread(
                    db.session,
                    Reader(author.id, False, cohort.id if divided else None),
                    discussion,
                    usage_id=usage_id,
                    title=title,
                    body=body,
                )
            except ForumError:
                continue
            history.threads += 1
            moments = [written]
            for index in range(rng.randint(1, 3)):
                replier = rng.choice([p for p in people if p.id != author.id])
                reader = trainer if index == 1 else Reader(replier.id, False, cohort.id if divided else None)
                post = forum_services.reply(
                    db.session,
                    reader,
                    discussion,
                    thread.id,
                    TRAINER_REPLY if index == 1 else rng.choice(REPLIES),
                )
                moments.append(moments[-1] + timedelta(hours=rng.randint(2, 70)))
                db.session.execute(
                    update(ForumPost).where(ForumPost.id == post.id).values(created_at=moments[-1])
                )
                history.replies += 1
            # Dated when they were written: the services date them now.
            db.session.execute(
                update(ForumThread)
                .where(ForumThread.id == thread.id)
                .values(created_at=written, updated_at=moments[-1], last_activity_at=moments[-1])
                .execution_options(synchronize_session=False)
            )
            db.session.expire(thread)


def load_history(network: Network) -> History:
    """Write the network's history (flushed, not committed); only what is not there yet."""
    history = History()
    entries = _courses()
    if not entries:
        return history
    with_records = set(db.session.scalars(select(BlockCompletion.user_id).distinct()))
    for staff in network.sites:
        spring = _cohort(staff, SPRING, [e.course.id for e in entries], history)
        autumn = _cohort(staff, AUTUMN, [e.course.id for e in entries[:AUTUMN_COURSES]], history)
        groups: dict[int, list[tuple[int, User]]] = {spring.id: [], autumn.id: []}
        # People already in one of the two (the demo cohort's learners) stay there.
        placed = dict(
            db.session.execute(
                select(CohortMember.user_id, CohortMember.cohort_id).where(
                    CohortMember.cohort_id.in_(list(groups))
                )
            ).all()
        )
        for position, company in enumerate(staff.companies):
            for user in network.learners.get(company.id, []):
                cohort_id = placed.get(user.id, spring.id if position % 2 == 0 else autumn.id)
                groups[cohort_id].append((company.id, user))
        to_grade: list[tuple[_Course, int, float, datetime]] = []
        for cohort, courses in ((spring, entries), (autumn, entries[:AUTUMN_COURSES])):
            people = groups[cohort.id]
            new_cohort = not db.session.scalar(
                select(CohortMember.id).where(CohortMember.cohort_id == cohort.id).limit(1)
            )
            _enrol(staff, cohort, people, history)
            for _company_id, user in people:
                if user.id in with_records:
                    continue
                if _learn(user, courses, _plan(user, cohort), history, to_grade):
                    with_records.add(user.id)
                    history.learners_with_history += 1
            if (
                new_cohort or any(user.id in network.new_learners for _c, user in people)
            ) and not _has_threads(courses, cohort):
                _forum(staff, cohort, courses, [user for _c, user in people], history)
        _grade_cases(staff, to_grade, history)
    # Half of the copies' companies answered VISTA (every demo company has, through app.vista.demo).
    demo_sirets = {row[1] for row in COMPANIES}
    copies = [c for s in network.sites for c in s.companies if c.siret not in demo_sirets]
    history.assessments = assess_companies(copies[::2], VISTA_FROM)
    db.session.flush()
    return history


def _has_threads(entries: Sequence[_Course], cohort: Cohort) -> bool:
    keys = [e.course.course_key for e in entries]
    return (
        db.session.scalar(
            select(ForumThread.id)
            .where(ForumThread.cohort_id == cohort.id, ForumThread.course_key.in_(keys))
            .limit(1)
        )
        is not None
    )
