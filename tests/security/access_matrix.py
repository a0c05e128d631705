"""The access matrix: for every endpoint of the URL map, how to reach it with B's own ids and with A's
(foreign) ids, and what each role must get.

The acting people are B's (learner, company manager, trainer, Cybersite manager), a visitor and the network
administrator. ``own`` probes name B's objects (or objects of nobody's in particular: the shared course),
``foreign`` probes name A's. An expectation is a set of statuses; ``LOGIN`` is a redirection to the sign-in
page; ``None`` means the probe is not sent for that role (a write the role is allowed to make, which would
change the shared world: the package tests cover those writes).

Writes (POST, PUT, DELETE) are only sent with foreign ids or by roles that must be refused, carry a valid
CSRF token and an empty form, and must change no row. A new endpoint must get an entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.security.access_world import ROLES, World

LOGIN = -302  # a redirection to the sign-in page
OK = frozenset({200})
Statuses = frozenset[int] | None


@dataclass(frozen=True)
class Probe:
    """One request: its method, address, and a JSON body (handlers) or a form (the CSRF token only)."""

    method: str
    url: str
    json: Any = None
    form: dict[str, Any] | None = None  # form fields of a write, beside the CSRF token
    # This probe's own statuses per role, where they differ from its entry's (one endpoint, two handlers).
    expect: dict[str, Statuses] | None = None
    # Sent as an API client: no cookie, the role's personal access token (the visitor has none).
    bearer: bool = False


@dataclass(frozen=True)
class Entry:
    """How to reach one endpoint, and the statuses each role gets with own and foreign ids."""

    own: Callable[[World], list[Probe]] | None
    foreign: Callable[[World], list[Probe]] | None
    expect_own: dict[str, Statuses]
    expect_foreign: dict[str, Statuses] = field(default_factory=dict)
    # Sentinels of A's a page shows to anyone by design, each with the reason (none by default).
    public: dict[str, str] = field(default_factory=dict)


def _roles(default: Statuses, **by_role: Statuses) -> dict[str, Statuses]:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, unknown
    return {role: by_role.get(role, default) for role in ROLES}


def s(*codes: int) -> frozenset[int]:
    """A set of accepted statuses."""
    return frozenset(codes)


def get(*urls: str) -> list[Probe]:
    """GET probes."""
    return [Probe("GET", url) for url in urls]


def post(*urls: str) -> list[Probe]:
    """POST probes (an empty form with the session's CSRF token)."""
    return [Probe("POST", url) for url in urls]


def api_get(*paths: str) -> list[Probe]:
    """GET probes of /api/v1 with the role's bearer token."""
    return [Probe("GET", "/api/v1" + path, bearer=True) for path in paths]


def api_post(path: str, body: Any) -> list[Probe]:
    """A POST probe of /api/v1 with a JSON body and the role's bearer token."""
    return [Probe("POST", "/api/v1" + path, json=body, bearer=True)]


VERIFY_REASON = "the public verification page of a certificate: whoever holds its code reads whose it is"

# Common expectations.
EVERYONE = _roles(OK)
SIGNED_IN = _roles(OK, visitor=s(LOGIN))
REFUSED = s(403, 404)
ADMIN_ONLY = _roles(REFUSED, visitor=s(LOGIN), admin=OK)


def _entries() -> dict[str, Entry]:
    key = "course-v1:Cybermassif+MATRIX+2026"
    entries: dict[str, Entry] = {}

    # --- Public pages and the account pages of the signed-in person themselves.
    entries["healthz"] = Entry(lambda w: get("/healthz"), None, EVERYONE)
    entries["learn.home"] = Entry(lambda w: get("/"), None, EVERYONE)
    entries["learn.catalogue"] = Entry(lambda w: get("/formations"), None, EVERYONE)
    # The platform's public LTI keys: tools fetch them without a session (public keys only).
    entries["lti.jwks"] = Entry(lambda w: get("/lti/jwks.json"), None, EVERYONE)
    # The presentation lists the cohorts that follow the course, with their Cybersite, so that a visitor
    # knows whom to ask for a seat: cohort and Cybersite names are public there, nobody's people or work.
    entries["learn.about"] = Entry(
        lambda w: get(f"/formations/{key}/presentation"),
        None,
        _roles(OK, learner=s(302), admin=s(302), trainer=s(302)),
        public={"Alphaville": "the presentation page names the cohorts (and Cybersites) offering the course"},
    )
    entries["learn.course_image"] = Entry(
        # The course sets no image: a 404 for everyone (a course with one is tested in tests/learn).
        lambda w: get(f"/formations/{key}/image"),
        None,
        _roles(s(404)),
    )
    entries["learn.course_asset"] = Entry(
        lambda w: get(f"/formations/{key}/static/vidal-boutique.svg"),
        None,
        _roles(OK, visitor=s(401), company_manager=s(403), cybersite_manager=s(403)),
    )
    entries["learn.xblock_resource"] = Entry(
        lambda w: get("/xblock/resource/discussion/public/discussion.js"), None, EVERYONE
    )
    entries["accounts.sign_in"] = Entry(lambda w: get("/compte/connexion"), None, _roles(s(302), visitor=OK))
    entries["accounts.reset_request"] = Entry(lambda w: get("/compte/mot-de-passe/oubli"), None, EVERYONE)
    entries["accounts.reset_password"] = Entry(
        lambda w: get("/compte/mot-de-passe/nouveau/not-a-token"), None, _roles(s(404))
    )
    entries["accounts.accept_invitation"] = Entry(
        lambda w: get("/compte/invitation/not-a-token"), None, _roles(s(404))
    )
    entries["accounts.profile"] = Entry(lambda w: get("/compte/profil"), None, SIGNED_IN)
    entries["accounts.change_password"] = Entry(lambda w: get("/compte/mot-de-passe"), None, SIGNED_IN)
    # Signing out is the person's own; sent by a fresh client (see the test), never foreign.
    entries["accounts.sign_out"] = Entry(lambda w: post("/compte/deconnexion"), None, _roles(s(302)))

    # --- The shared course: nobody's in particular; every enrolled learner and every trainer opens it.
    unit = "/formations/{key}/unite/{usage}"
    learner_view = _roles(s(403, 404), visitor=s(LOGIN), learner=OK, trainer=OK, admin=OK)
    entries["learn.course"] = Entry(
        # Who may not open it is sent to its presentation page.
        lambda w: get(f"/formations/{key}"),
        None,
        _roles(OK, visitor=s(LOGIN), company_manager=s(302), cybersite_manager=s(302)),
    )
    # Enrolling oneself in an open course: sent only by the visitor and the already enrolled learner (the
    # others would enrol, changing the shared world).
    entries["learn.enrol"] = Entry(
        lambda w: post(f"/formations/{key}/inscription"),
        None,
        _roles(None, visitor=s(LOGIN), learner=s(302)),
    )
    entries["learn.unit"] = Entry(
        lambda w: get(unit.format(key=key, usage=w.usage("vertical", "u1"))), None, learner_view
    )
    entries["learn.xblock_handler"] = Entry(
        lambda w: [
            Probe("POST", w.handler("discussion", "f1", "list_threads"), {"page": 1}),
            Probe(
                "POST",
                w.handler("case_study", "cas", "staff_works"),
                {"offset": 0},
                expect=_roles(REFUSED, visitor=s(401), trainer=OK, admin=OK),
            ),
        ],
        lambda w: [
            Probe("POST", w.handler("discussion", "f1", "open_thread"), {"thread_id": w.a.thread_id}),
            Probe("POST", w.handler("discussion", "f1", "reply"), {"thread_id": w.a.thread_id, "body": "x"}),
            Probe("POST", w.handler("discussion", "f1", "pin"), {"thread_id": w.a.thread_id, "value": True}),
            Probe(
                "POST",
                w.handler("discussion", "f1", "hide"),
                {"kind": "post", "id": w.a.post_id, "value": True},
            ),
            Probe(
                "POST", w.handler("discussion", "f1", "mark_answer"), {"post_id": w.a.post_id, "value": True}
            ),
            Probe(
                "POST", w.handler("discussion", "f1", "close"), {"thread_id": w.a.thread_id, "value": True}
            ),
            Probe(
                "POST",
                w.handler("discussion", "f1", "hide"),
                {"kind": "thread", "id": w.a.thread_id, "value": True},
            ),
            Probe(
                "POST",
                w.handler("discussion", "f1", "flag"),
                {"kind": "thread", "id": w.a.thread_id, "thread_id": w.a.thread_id, "reason": "x"},
            ),
            Probe(
                "POST",
                w.handler("discussion", "f1", "edit"),
                {"kind": "thread", "id": w.a.thread_id, "title": "Changé", "body": "Changé"},
            ),
            Probe(
                "POST",
                w.handler("discussion", "f1", "edit"),
                {"kind": "post", "id": w.a.post_id, "body": "x"},
            ),
            # The endpoint also takes PUT and DELETE: the handler's own rule applies whatever the method.
            *(
                Probe(
                    method,
                    w.handler("discussion", "f1", "pin"),
                    {"thread_id": w.a.thread_id, "value": True},
                    expect=_roles(s(403, 404, 405), visitor=s(401), admin=None),
                )
                for method in ("PUT", "DELETE")
            ),
            Probe(
                "POST",
                w.handler("case_study", "cas", "grade_learner"),
                {"learner_id": w.a.learner_id, "comment": "x", "grade": 1},
            ),
        ],
        _roles(REFUSED, visitor=s(401), learner=OK, trainer=OK, admin=OK),
        _roles(REFUSED, visitor=s(401), admin=None),
    )
    entries["learn.xblock_handler_noauth"] = Entry(
        lambda w: [Probe("POST", f"/xblock/{w.usage('discussion', 'f1')}/handler_noauth/list_threads", {})],
        None,
        _roles(s(404)),  # only handlers a block names in ``noauth_handlers`` run there
    )

    # --- Studio: course content, authored by every trainer (STAFF_COURSES), nobody's learners' work.
    staff = _roles(REFUSED, visitor=s(LOGIN), trainer=OK, admin=OK)
    entries["studio.courses"] = Entry(lambda w: get("/studio/formations"), None, staff)
    entries["studio.course"] = Entry(lambda w: get(f"/studio/formations/{key}"), None, staff)
    entries["studio.history_page"] = Entry(lambda w: get(f"/studio/formations/{key}/historique"), None, staff)
    entries["studio.unit"] = Entry(
        lambda w: get(f"/studio/formations/{key}/unite/{w.usage('vertical', 'u1')}"), None, staff
    )

    # The studio's handlers reach blocks as authors; what they read of learners' work follows the same rule.
    def studio(w: World, block: str, url_name: str, handler: str) -> str:
        return f"/studio/xblock/{w.usage(block, url_name)}/handler/{handler}"

    entries["studio.xblock_handler"] = Entry(
        lambda w: [
            Probe("POST", studio(w, "case_study", "cas", "staff_works"), {"offset": 0}),
            Probe("POST", studio(w, "discussion", "f1", "list_threads"), {"page": 1}),
        ],
        lambda w: [
            Probe("POST", studio(w, "discussion", "f1", "open_thread"), {"thread_id": w.a.thread_id}),
            Probe("POST", studio(w, "discussion", "f1", "pin"), {"thread_id": w.a.thread_id, "value": True}),
            Probe(
                "POST",
                studio(w, "case_study", "cas", "grade_learner"),
                {"learner_id": w.a.learner_id, "comment": "x", "grade": 1},
            ),
        ],
        _roles(REFUSED, visitor=s(401), trainer=OK, admin=OK),
        _roles(REFUSED, visitor=s(401), admin=None),
    )

    # --- Forum moderation.
    entries["forum.moderation"] = Entry(
        lambda w: get("/forum/moderation", "/forum/moderation?vue=reported", "/forum/moderation?vue=hidden"),
        None,
        _roles(REFUSED, visitor=s(LOGIN), trainer=OK, admin=OK),
    )
    entries["forum.moderate"] = Entry(
        None,
        lambda w: post(
            f"/forum/moderation/sujet/{w.a.thread_id}/masquer",
            f"/forum/moderation/reponse/{w.a.post_id}/masquer",
            f"/forum/moderation/sujet/{w.a.thread_id}/classer",
        ),
        {},
        _roles(REFUSED, visitor=s(LOGIN), admin=None),
    )

    # --- Progress.
    entries["progress.index"] = Entry(lambda w: get("/progression/"), None, SIGNED_IN)
    entries["progress.courses"] = Entry(
        lambda w: get("/progression/formations"),
        None,
        _roles(OK, visitor=s(LOGIN), learner=s(403), company_manager=s(403)),
    )
    entries["progress.learner"] = Entry(
        lambda w: get(f"/progression/apprenants/{w.b.learner_id}"),
        lambda w: get(
            f"/progression/apprenants/{w.a.learner_id}", f"/progression/apprenants/{w.a.manager_id}"
        ),
        _roles(REFUSED, visitor=s(LOGIN), learner=OK, company_manager=OK, cybersite_manager=OK, admin=OK),
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
    )
    entries["progress.company"] = Entry(
        lambda w: get(f"/progression/entreprises/{w.b.company_id}"),
        lambda w: get(f"/progression/entreprises/{w.a.company_id}"),
        _roles(REFUSED, visitor=s(LOGIN), company_manager=OK, cybersite_manager=OK, admin=OK),
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
    )
    entries["progress.company_export"] = Entry(
        lambda w: get(f"/progression/entreprises/{w.b.company_id}/export/personnel.csv"),
        lambda w: get(f"/progression/entreprises/{w.a.company_id}/export/personnel.csv"),
        _roles(REFUSED, visitor=s(LOGIN), company_manager=OK, cybersite_manager=OK, admin=OK),
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
    )
    # VISTA: a company's report is for its managers, its Cybersite's managers and administrators.
    vista_readers = _roles(REFUSED, visitor=s(LOGIN), company_manager=OK, cybersite_manager=OK, admin=OK)
    entries["vista_report.report"] = Entry(
        lambda w: get(f"/vista/entreprises/{w.b.company_id}/rapport"),
        lambda w: get(f"/vista/entreprises/{w.a.company_id}/rapport"),
        vista_readers,
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
    )
    entries["vista_report.report_json"] = Entry(
        lambda w: get(f"/api/vista/companies/{w.b.company_id}/report"),
        lambda w: get(f"/api/vista/companies/{w.a.company_id}/report"),
        _roles(REFUSED, visitor=s(401, 403, 404, LOGIN), company_manager=OK, cybersite_manager=OK, admin=OK),
        _roles(REFUSED, visitor=s(401, 403, 404, LOGIN), admin=OK),
    )
    # Answering VISTA: the company's managers only (the world loads no questionnaire: 409 says so).
    # The world's companies have submitted no wave: the PDF is 404 even to the report's readers (the PDF's
    # own tests, in tests/vista, submit one and check who may download it).
    entries["vista_report.report_pdf_download"] = Entry(
        lambda w: get(f"/vista/entreprises/{w.b.company_id}/rapport.pdf"),
        lambda w: get(f"/vista/entreprises/{w.a.company_id}/rapport.pdf"),
        _roles(REFUSED, visitor=s(LOGIN)),
        _roles(REFUSED, visitor=s(LOGIN)),
    )
    # A training request: only the company's managers may ask (an empty form names no dimension: 400; the
    # world's course has no VISTA tag: 404); no request exists to be marked handled.
    entries["vista_training.request_training"] = Entry(
        lambda w: post(f"/vista/entreprises/{w.b.company_id}/formations/{w.course_id}/demande"),
        lambda w: post(f"/vista/entreprises/{w.a.company_id}/formations/{w.course_id}/demande"),
        _roles(REFUSED, visitor=s(LOGIN), company_manager=s(400, 404)),
        _roles(REFUSED, visitor=s(LOGIN)),
    )
    entries["vista_training.handle"] = Entry(
        lambda w: post("/vista/demandes/2000000000/traitee"),
        lambda w: post("/vista/demandes/1/traitee"),
        _roles(REFUSED, visitor=s(LOGIN)),
        _roles(REFUSED, visitor=s(LOGIN)),
    )
    entries["vista.index"] = Entry(lambda w: get("/vista/"), None, SIGNED_IN, {})
    vista_answerers = _roles(REFUSED, visitor=s(LOGIN), company_manager=s(409))
    vista_foreign = _roles(REFUSED, visitor=s(LOGIN))
    entries["vista.start"] = Entry(
        lambda w: get(f"/vista/entreprises/{w.b.company_id}/questionnaire"),
        lambda w: get(f"/vista/entreprises/{w.a.company_id}/questionnaire"),
        vista_answerers,
        vista_foreign,
    )
    entries["vista.page"] = Entry(
        lambda w: get(f"/vista/entreprises/{w.b.company_id}/questionnaire/0"),
        lambda w: get(f"/vista/entreprises/{w.a.company_id}/questionnaire/0"),
        _roles(REFUSED, visitor=s(LOGIN), company_manager=s(302)),
        vista_foreign,
    )
    entries["vista.review"] = Entry(
        lambda w: get(f"/vista/entreprises/{w.b.company_id}/questionnaire/relecture"),
        lambda w: get(f"/vista/entreprises/{w.a.company_id}/questionnaire/relecture"),
        _roles(REFUSED, visitor=s(LOGIN), company_manager=s(302)),
        vista_foreign,
    )
    for endpoint, tail in (("vista.submit", "remise"), ("vista.move", "mise-a-jour")):
        entries[endpoint] = Entry(
            lambda w, tail=tail: post(f"/vista/entreprises/{w.b.company_id}/questionnaire/{tail}"),
            lambda w, tail=tail: post(f"/vista/entreprises/{w.a.company_id}/questionnaire/{tail}"),
            _roles(REFUSED, visitor=s(LOGIN), company_manager=s(404)),  # no draft open
            vista_foreign,
        )
    entries["vista.delegations"] = Entry(
        lambda w: get(f"/vista/entreprises/{w.b.company_id}/delegations"),
        lambda w: get(f"/vista/entreprises/{w.a.company_id}/delegations"),
        _roles(REFUSED, visitor=s(LOGIN), company_manager=OK),
        vista_foreign,
    )
    vista_site = _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=OK, admin=OK)
    entries["vista_network.cybersite"] = Entry(
        lambda w: get(f"/vista/cybersites/{w.b.site_id}"),
        lambda w: get(f"/vista/cybersites/{w.a.site_id}"),
        vista_site,
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
    )
    entries["vista_network.cybersite_export"] = Entry(
        lambda w: get(f"/vista/cybersites/{w.b.site_id}/export/entreprises.csv"),
        lambda w: get(f"/vista/cybersites/{w.a.site_id}/export/entreprises.csv"),
        vista_site,
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
    )
    entries["vista_network.observatory"] = Entry(
        lambda w: get("/vista/observatoire"), None, _roles(REFUSED, visitor=s(LOGIN), admin=OK), {}
    )
    entries["vista_network.observatory_export"] = Entry(
        lambda w: get(
            *(
                f"/vista/observatoire/export/{n}.csv"
                for n in ("secteurs", "tailles", "departements", "ecarts")
            )
        ),
        None,
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
        {},
    )
    site_pages = _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=OK, admin=OK)
    foreign_admin = _roles(REFUSED, visitor=s(LOGIN), admin=OK)
    entries["progress.cybersite"] = Entry(
        lambda w: get(f"/progression/cybersites/{w.b.site_id}"),
        lambda w: get(f"/progression/cybersites/{w.a.site_id}"),
        site_pages,
        foreign_admin,
    )
    entries["progress.cybersite_export"] = Entry(
        lambda w: get(
            *(
                f"/progression/cybersites/{w.b.site_id}/export/{n}.csv"
                for n in ("promotions", "semaines", "apprenants")
            )
        ),
        lambda w: get(
            *(
                f"/progression/cybersites/{w.a.site_id}/export/{n}.csv"
                for n in ("promotions", "semaines", "apprenants")
            )
        ),
        site_pages,
        foreign_admin,
    )
    # Asking for the export job with an empty form: 400 (no format) where the cohort may be seen.
    entries["progress.cohort_export_job"] = Entry(
        lambda w: post(f"/progression/promotions/{w.b.cohort_id}/export-apprenants"),
        lambda w: post(f"/progression/promotions/{w.a.cohort_id}/export-apprenants"),
        _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=s(400), admin=s(400)),
        _roles(REFUSED, visitor=s(LOGIN), admin=s(400)),
    )
    entries["progress.cohort"] = Entry(
        lambda w: get(f"/progression/promotions/{w.b.cohort_id}"),
        lambda w: get(f"/progression/promotions/{w.a.cohort_id}"),
        site_pages,
        foreign_admin,
    )
    entries["progress.cohort_export"] = Entry(
        lambda w: get(
            *(
                f"/progression/promotions/{w.b.cohort_id}/export/{n}.csv"
                for n in ("entreprises", "semaines", "apprenants")
            )
        ),
        lambda w: get(
            *(
                f"/progression/promotions/{w.a.cohort_id}/export/{n}.csv"
                for n in ("entreprises", "semaines", "apprenants")
            )
        ),
        site_pages,
        foreign_admin,
    )
    entries["progress.cohort_company"] = Entry(
        lambda w: get(f"/progression/promotions/{w.b.cohort_id}/entreprises/{w.b.company_id}"),
        lambda w: get(
            f"/progression/promotions/{w.a.cohort_id}/entreprises/{w.a.company_id}",
            f"/progression/promotions/{w.b.cohort_id}/entreprises/{w.a.company_id}",
        ),
        site_pages,
        _roles(REFUSED, visitor=s(LOGIN), admin=s(200, 404)),
    )
    entries["progress.cohort_company_export"] = Entry(
        lambda w: get(
            f"/progression/promotions/{w.b.cohort_id}/entreprises/{w.b.company_id}/export/apprenants.csv"
        ),
        lambda w: get(
            f"/progression/promotions/{w.a.cohort_id}/entreprises/{w.a.company_id}/export/apprenants.csv",
            f"/progression/promotions/{w.b.cohort_id}/entreprises/{w.a.company_id}/export/apprenants.csv",
        ),
        site_pages,
        _roles(REFUSED, visitor=s(LOGIN), admin=s(200, 404)),
    )
    course_staff = _roles(REFUSED, visitor=s(LOGIN), trainer=OK, cybersite_manager=OK, admin=OK)
    entries["progress.course"] = Entry(lambda w: get(f"/progression/formations/{key}"), None, course_staff)
    entries["progress.course_export"] = Entry(
        lambda w: get(*(f"/progression/formations/{key}/export/{n}.csv" for n in ("entonnoir", "exercices"))),
        None,
        course_staff,
    )
    # The signed-in learner's own certificate (B's learner passed the course by submitting the case study);
    # nobody else has one for this course.
    entries["progress.certificate"] = Entry(
        lambda w: get(f"/progression/formations/{key}/certificat"),
        None,
        _roles(s(404), visitor=s(LOGIN), learner=OK),
    )
    entries["progress.certificate_pdf"] = Entry(
        lambda w: get(f"/progression/formations/{key}/certificat.pdf"),
        None,
        _roles(s(404), visitor=s(LOGIN), learner=OK),
    )
    entries["progress.verify"] = Entry(
        None,
        lambda w: get(f"/progression/certificat/{w.certificate_code}"),
        {},
        EVERYONE,
        public=dict.fromkeys(("Aline Alphalearner", "Alphaville"), VERIFY_REASON),
    )

    # --- Cohorts.
    cohort_site = _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=OK, admin=OK)
    entries["cohorts.index"] = Entry(lambda w: get("/cohortes"), None, SIGNED_IN)
    entries["cohorts.create"] = Entry(lambda w: get("/cohortes/nouvelle"), None, cohort_site)
    entries["cohorts.show"] = Entry(
        lambda w: get(f"/cohortes/{w.b.cohort_id}"),
        lambda w: get(f"/cohortes/{w.a.cohort_id}"),
        _roles(REFUSED, visitor=s(LOGIN), learner=OK, company_manager=OK, cybersite_manager=OK, admin=OK),
        foreign_admin,
    )
    entries["cohorts.edit"] = Entry(
        lambda w: get(f"/cohortes/{w.b.cohort_id}/modifier"),
        lambda w: get(f"/cohortes/{w.a.cohort_id}/modifier"),
        cohort_site,
        foreign_admin,
    )
    entries["cohorts.export"] = Entry(
        lambda w: get(f"/cohortes/{w.b.cohort_id}/membres.csv"),
        lambda w: get(f"/cohortes/{w.a.cohort_id}/membres.csv"),
        _roles(REFUSED, visitor=s(LOGIN), company_manager=OK, cybersite_manager=OK, admin=OK),
        foreign_admin,
    )
    entries["cohorts.import_form"] = Entry(
        lambda w: get(f"/cohortes/{w.b.cohort_id}/import"),
        lambda w: get(f"/cohortes/{w.a.cohort_id}/import"),
        cohort_site,
        foreign_admin,
    )
    foreign_write = _roles(REFUSED, visitor=s(LOGIN), admin=None)
    for endpoint, path in (
        ("cohorts.add_person", "/cohortes/{c}/personnes"),
        ("cohorts.enrol_staff", "/cohortes/{c}/personnel"),
        ("cohorts.content_groups", "/cohortes/{c}/groupes"),
        ("cohorts.upload", "/cohortes/{c}/import"),
        ("cohorts.confirm", "/cohortes/{c}/import/not-a-token"),
        ("cohorts.remove_company", "/cohortes/{c}/entreprises/{co}/retirer"),
        ("cohorts.unenrol", "/cohortes/{c}/membres/{m}/desinscrire"),
        ("cohorts.move", "/cohortes/{c}/membres/{m}/deplacer"),
        ("cohorts.cancel_invitation", "/cohortes/{c}/invitations/{i}/annuler"),
    ):
        entries[endpoint] = Entry(
            None,
            lambda w, path=path: [
                Probe(
                    "POST", path.format(c=w.a.cohort_id, co=w.a.company_id, m=w.a.member_id, i=w.a.seat_id)
                ),
                # B's own cohort naming A's member, company or seat: refused as well.
                *(
                    [
                        Probe(
                            "POST",
                            path.format(c=w.b.cohort_id, co=w.a.company_id, m=w.a.member_id, i=w.a.seat_id),
                        )
                    ]
                    if "{co}" in path or "{m}" in path or "{i}" in path
                    else []
                ),
            ],
            {},
            foreign_write,
        )
    # B's own cohort, asked to accept A's company: refused (a form error), nothing stored.
    entries["cohorts.accept_company"] = Entry(
        None,
        lambda w: [
            Probe("POST", f"/cohortes/{w.a.cohort_id}/entreprises", form={"company_id": w.b.company_id}),
            Probe("POST", f"/cohortes/{w.b.cohort_id}/entreprises", form={"company_id": w.a.company_id}),
        ],
        {},
        _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=s(400, 403, 404), admin=None),
    )

    # --- Administration.
    admin_pages = _roles(REFUSED, visitor=s(LOGIN), company_manager=OK, cybersite_manager=OK, admin=OK)
    entries["admin.index"] = Entry(lambda w: get("/admin/"), None, admin_pages)
    entries["admin.companies"] = Entry(lambda w: get("/admin/entreprises"), None, admin_pages)
    entries["admin.users"] = Entry(lambda w: get("/admin/utilisateurs"), None, admin_pages)
    entries["admin.invitations_page"] = Entry(lambda w: get("/admin/invitations"), None, admin_pages)
    entries["admin.cybersites"] = Entry(lambda w: get("/admin/cybersites"), None, admin_pages)
    entries["admin.courses"] = Entry(lambda w: get("/admin/formations"), None, ADMIN_ONLY)
    entries["admin.block_types"] = Entry(lambda w: get("/admin/composants"), None, ADMIN_ONLY)
    entries["admin.outbox"] = Entry(lambda w: get("/admin/courriels"), None, ADMIN_ONLY)
    entries["admin.jobs"] = Entry(lambda w: get("/admin/taches"), None, ADMIN_ONLY)
    # The shared world has no job: an unknown id is not found for everyone signed in. Jobs' owners,
    # others and administrators are walked in tests/progress/test_export_jobs.py.
    unknown_job = "0" * 32
    entries["jobs.status"] = Entry(
        lambda w: get(f"/taches/{unknown_job}"), None, _roles(s(404), visitor=s(LOGIN))
    )
    entries["jobs.status_json"] = Entry(
        lambda w: get(f"/taches/{unknown_job}.json"), None, _roles(s(404), visitor=s(LOGIN))
    )
    entries["jobs.download"] = Entry(
        lambda w: get(f"/taches/{unknown_job}/fichier"), None, _roles(s(404), visitor=s(LOGIN))
    )
    entries["admin.export_archive"] = Entry(
        lambda w: get(f"/admin/formations/{key}/exporter"), None, ADMIN_ONLY
    )
    entries["admin.create_cybersite"] = Entry(lambda w: get("/admin/cybersites/nouveau"), None, ADMIN_ONLY)
    entries["admin.create_user"] = Entry(lambda w: get("/admin/utilisateurs/nouveau"), None, ADMIN_ONLY)
    entries["admin.create_company"] = Entry(
        lambda w: get("/admin/entreprises/nouvelle"),
        None,
        _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=OK, admin=OK),
    )
    entries["admin.import_archive"] = Entry(
        None, lambda w: post("/admin/formations/importer"), {}, _roles(REFUSED, visitor=s(LOGIN), admin=None)
    )
    entries["admin.change_block_type"] = Entry(
        None,
        lambda w: post("/admin/composants/video/desactiver"),
        {},
        _roles(REFUSED, visitor=s(LOGIN), admin=None),
    )
    entries["admin.edit_cybersite"] = Entry(
        lambda w: get(f"/admin/cybersites/{w.b.site_id}/modifier"),
        lambda w: get(f"/admin/cybersites/{w.a.site_id}/modifier"),
        _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=OK, admin=OK),
        foreign_admin,
    )
    entries["admin.edit_company"] = Entry(
        lambda w: get(f"/admin/entreprises/{w.b.company_id}/modifier"),
        lambda w: get(f"/admin/entreprises/{w.a.company_id}/modifier"),
        _roles(REFUSED, visitor=s(LOGIN), cybersite_manager=OK, admin=OK),
        foreign_admin,
    )
    entries["admin.user"] = Entry(
        lambda w: get(f"/admin/utilisateurs/{w.b.learner_id}"),
        lambda w: get(f"/admin/utilisateurs/{w.a.learner_id}", f"/admin/utilisateurs/{w.a.trainer_id}"),
        admin_pages,
        foreign_admin,
    )
    entries["admin.edit_user"] = Entry(
        lambda w: get(f"/admin/utilisateurs/{w.b.learner_id}/modifier"),
        lambda w: get(f"/admin/utilisateurs/{w.a.learner_id}/modifier"),
        _roles(REFUSED, visitor=s(LOGIN), admin=OK),
        foreign_admin,
    )
    for endpoint, path in (
        ("admin.deactivate_company", "/admin/entreprises/{company}/desactiver"),
        ("admin.reactivate_company", "/admin/entreprises/{company}/reactiver"),
        ("admin.deactivate_cybersite", "/admin/cybersites/{site}/desactiver"),
        ("admin.reactivate_cybersite", "/admin/cybersites/{site}/reactiver"),
        ("admin.deactivate_user", "/admin/utilisateurs/{user}/desactiver"),
        ("admin.reactivate_user", "/admin/utilisateurs/{user}/reactiver"),
        ("admin.grant_role", "/admin/utilisateurs/{user}/roles"),
        ("admin.revoke_role", "/admin/utilisateurs/{user}/roles/{grant}/retirer"),
        ("admin.revoke_invitation", "/admin/invitations/{invitation}/retirer"),
    ):
        entries[endpoint] = Entry(
            None,
            lambda w, path=path: post(
                path.format(
                    company=w.a.company_id,
                    site=w.a.site_id,
                    user=w.a.learner_id,
                    grant=w.a.learner_grant_id,
                    invitation=w.a.invitation_id,
                )
            ),
            {},
            foreign_write,
        )
    _smuggled(entries, key)
    _api_entries(entries)
    return entries


# A write to B's own objects (or a creation) whose form names one of A's: the people who may make the
# write with B's ids get a form error or a refusal, never a success; nothing is stored.
SMUGGLED = _roles(s(400, 403, 404), visitor=s(LOGIN), admin=None)


def _smuggled(entries: dict[str, Entry], key: str) -> None:
    """Add the writes whose form smuggles A's ids to the entries (as their foreign side)."""

    def foreign(endpoint: str, probes: Callable[[World], list[Probe]]) -> None:
        entry = entries[endpoint]
        assert entry.foreign is None, endpoint
        entries[endpoint] = Entry(entry.own, probes, entry.expect_own, SMUGGLED, entry.public)

    def extra(endpoint: str, probes: Callable[[World], list[Probe]]) -> None:
        entry = entries[endpoint]
        assert entry.foreign is not None, endpoint
        old = entry.foreign

        def both(w: World) -> list[Probe]:
            added = [Probe(p.method, p.url, p.json, p.form, SMUGGLED) for p in probes(w)]
            return old(w) + added

        entries[endpoint] = Entry(entry.own, both, entry.expect_own, entry.expect_foreign, entry.public)

    foreign(
        "admin.invitations_page",
        lambda w: [
            Probe(
                "POST",
                "/admin/invitations",
                form={"email": f"new{n}@beta.example", "language": "fr", **scope},
            )
            for n, scope in enumerate(
                (
                    {"role": "learner", "company_id": w.a.company_id},
                    {"role": "company_manager", "company_id": w.a.company_id},
                    {"role": "trainer", "cybersite_id": w.a.site_id},
                )
            )
        ],
    )
    foreign(
        "admin.create_company",
        lambda w: [
            Probe(
                "POST",
                "/admin/entreprises/nouvelle",
                form={
                    "legal_name": "Intruse SARL",
                    "siret": "73282932000074",
                    "naf_code": "62.01Z",
                    "headcount": 5,
                    "departement": "63",
                    "cybersite_id": w.a.site_id,
                },
            )
        ],
    )
    foreign(
        "cohorts.create",
        lambda w: [
            Probe(
                "POST",
                "/cohortes/nouvelle",
                form={
                    "cybersite_id": w.a.site_id,
                    "name": "Promo intruse",
                    "starts_on": "2026-02-02",
                    "ends_on": "2026-06-30",
                    "capacity": 10,
                    "course_ids": w.course_id,
                },
            )
        ],
    )
    extra(
        "admin.grant_role",
        lambda w: [
            Probe("POST", f"/admin/utilisateurs/{w.b.other_learner_id}/roles", form=scope)
            for scope in (
                {"role": "learner", "company_id": w.a.company_id},
                {"role": "company_manager", "company_id": w.a.company_id},
                {"role": "trainer", "cybersite_id": w.a.site_id},
                {"role": "cybersite_manager", "cybersite_id": w.a.site_id},
            )
        ],
    )
    extra(
        "cohorts.add_person",
        lambda w: [
            Probe(
                "POST",
                f"/cohortes/{w.b.cohort_id}/personnes",
                form={"email": email, "company_id": w.a.company_id, "role": "learner"},
            )
            for email in ("nouvelle@beta.example", "albert@alpha.example")
        ],
    )
    extra(
        "cohorts.enrol_staff",
        lambda w: [
            Probe("POST", f"/cohortes/{w.b.cohort_id}/personnel", form={"person": person})
            for person in (f"{w.a.manager_id}:{w.a.company_id}", f"{w.a.manager_id}:{w.b.company_id}")
        ],
    )
    extra(
        "cohorts.move",
        lambda w: [
            Probe(
                "POST",
                f"/cohortes/{w.b.cohort_id}/membres/{w.b.member_id}/deplacer",
                form={"target_id": w.a.cohort_id},
            )
        ],
    )


def _api_entries(entries: dict[str, Entry]) -> None:
    """The REST API (``/api/v1``, bearer tokens) and the account page of one's tokens."""
    entries["api_tokens.index"] = Entry(lambda w: get("/compte/jetons"), None, SIGNED_IN)
    # A token is its maker's alone: nobody, not even an administrator, revokes A's manager's token.
    entries["api_tokens.revoke"] = Entry(
        None,
        lambda w: post(f"/compte/jetons/{w.a_token_id}/revoquer"),
        {},
        _roles(s(404), visitor=s(LOGIN)),
    )
    entries["api.openapi"] = Entry(lambda w: get("/api/v1/openapi.json"), None, EVERYONE)
    entries["api.reference"] = Entry(lambda w: get("/api/v1/docs"), None, EVERYONE)
    unauthenticated = s(401)
    token_holders = _roles(OK, visitor=unauthenticated)
    for name, path in (
        ("list_people", "/people"),
        ("list_companies", "/companies"),
        ("list_cybersites", "/cybersites"),
        ("list_cohorts", "/cohorts"),
        ("list_enrolments", "/enrolments"),
        ("list_courses", "/courses"),
    ):
        entries[f"api.{name}"] = Entry(lambda w, p=path: api_get(p), None, token_holders)
    nobody_but_admin = _roles(s(404), visitor=unauthenticated, admin=OK)
    people_own = _roles(OK, visitor=unauthenticated, trainer=s(404))
    entries["api.get_person"] = Entry(
        lambda w: api_get(f"/people/{w.b.learner_id}"),
        lambda w: api_get(f"/people/{w.a.learner_id}"),
        people_own,
        nobody_but_admin,
    )
    entries["api.learner_progress"] = Entry(
        lambda w: api_get(f"/progress/learners/{w.b.learner_id}"),
        lambda w: api_get(f"/progress/learners/{w.a.learner_id}"),
        people_own,
        nobody_but_admin,
    )
    entries["api.get_company"] = Entry(
        lambda w: api_get(f"/companies/{w.b.company_id}"),
        lambda w: api_get(f"/companies/{w.a.company_id}"),
        token_holders,
        nobody_but_admin,
    )
    entries["api.get_cybersite"] = Entry(
        lambda w: api_get(f"/cybersites/{w.b.site_id}"),
        lambda w: api_get(f"/cybersites/{w.a.site_id}"),
        _roles(s(404), visitor=unauthenticated, trainer=OK, cybersite_manager=OK, admin=OK),
        nobody_but_admin,
    )
    cohort_readers = _roles(
        s(404), visitor=unauthenticated, company_manager=OK, cybersite_manager=OK, admin=OK
    )
    entries["api.get_cohort"] = Entry(
        lambda w: api_get(f"/cohorts/{w.b.cohort_id}"),
        lambda w: api_get(f"/cohorts/{w.a.cohort_id}"),
        cohort_readers,
        nobody_but_admin,
    )
    entries["api.list_members"] = Entry(
        lambda w: api_get(f"/cohorts/{w.b.cohort_id}/members"),
        lambda w: api_get(f"/cohorts/{w.a.cohort_id}/members"),
        cohort_readers,
        nobody_but_admin,
    )
    entries["api.get_course"] = Entry(lambda w: api_get(f"/courses/{w.course_id}"), None, token_holders)
    entries["api.company_progress"] = Entry(
        lambda w: api_get(f"/progress/companies/{w.b.company_id}"),
        lambda w: api_get(f"/progress/companies/{w.a.company_id}"),
        _roles(OK, visitor=unauthenticated, learner=s(403), trainer=s(403)),
        nobody_but_admin,
    )
    entries["api.cohort_progress"] = Entry(
        lambda w: api_get(f"/progress/cohorts/{w.b.cohort_id}"),
        lambda w: api_get(f"/progress/cohorts/{w.a.cohort_id}"),
        _roles(s(404), visitor=unauthenticated, cybersite_manager=OK, admin=OK),
        nobody_but_admin,
    )
    # The shared course: its funnel counts only the viewer's Cybersites' learners (tests/api checks it).
    entries["api.course_progress"] = Entry(
        lambda w: api_get(f"/progress/courses/{w.course_id}"),
        None,
        _roles(OK, visitor=unauthenticated, learner=s(404), company_manager=s(404)),
    )
    entries["api.vista_report"] = Entry(
        lambda w: api_get(f"/vista/companies/{w.b.company_id}/report"),
        lambda w: api_get(f"/vista/companies/{w.a.company_id}/report"),
        _roles(OK, visitor=unauthenticated, learner=s(404), trainer=s(404)),
        nobody_but_admin,
    )

    # Writes the allowed roles would make are sent so that the service refuses them after the policy
    # (a cohort ending before it starts, a person already a member): every probe changes nothing.
    def cohort(site_id: int) -> dict[str, Any]:
        return {
            "cybersite_id": site_id, "name": "Matrice", "starts_on": "2027-06-01",
            "ends_on": "2027-01-01", "capacity": 5,
        }  # fmt: skip

    entries["api.create_cohort"] = Entry(
        lambda w: api_post("/cohorts", cohort(w.b.site_id)),
        lambda w: api_post("/cohorts", cohort(w.a.site_id)),
        _roles(s(404), visitor=unauthenticated, trainer=s(403), cybersite_manager=s(422), admin=s(422)),
        _roles(s(404), visitor=unauthenticated, admin=s(422)),
    )
    entries["api.enrol_member"] = Entry(
        lambda w: api_post(
            f"/cohorts/{w.b.cohort_id}/members",
            {"user_id": w.b.other_learner_id, "company_id": w.b.company_id},
        ),
        lambda w: api_post(
            f"/cohorts/{w.a.cohort_id}/members",
            {"user_id": w.a.other_learner_id, "company_id": w.a.company_id},
        ),
        _roles(
            s(404), visitor=unauthenticated, company_manager=s(422), cybersite_manager=s(422), admin=s(422)
        ),
        _roles(s(404), visitor=unauthenticated, admin=s(422)),
    )


MATRIX: dict[str, Entry] = _entries()
