"""Certificates: the learner's printable page and PDF, and the public verification page of a code."""

from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask_babel import gettext as _

from app.accounts.labels import cybersite_place
from app.accounts.policy import Action
from app.progress import certificates
from app.progress.routes.base import actor, blueprint, require
from app.progress.routes.formatting import moment, period, training_time


def _own(course_key: str) -> certificates.CertificateView:
    user = actor()
    require(Action.VIEW_LEARNER_PROGRESS, user)
    found = certificates.of_learner(user.id, course_key)
    if found is None:
        abort(404)
    return found


def training(found: certificates.CertificateView) -> str:
    """What the certificate attests of the training: its time, when declared, and its dates."""
    days = period(found.started_on, found.issued_at)
    if found.training_minutes:
        return _("Training of %(time)s, %(period)s", time=training_time(found.training_minutes), period=days)
    return _("Training %(period)s", period=days)


def _verify_url(code: str) -> str:
    return url_for("progress.verify", code=code, _external=True)


@blueprint.route("/formations/<course_key>/certificat")
def certificate(course_key: str) -> str:
    """The learner's certificate of a course, to print."""
    found = _own(course_key)
    return render_template(
        "progress/certificate.html",
        certificate=found,
        training=training(found),
        verify_url=_verify_url(found.code),
    )


@blueprint.route("/formations/<course_key>/certificat.pdf")
def certificate_pdf(course_key: str) -> Response:
    """The learner's certificate as PDF."""
    found = _own(course_key)
    details = _("Completed on %(date)s", date=moment(found.issued_at, "long"))
    if found.cybersite:
        details = _("Completed on %(date)s with the Cybersite %(site)s", date=moment(found.issued_at, "long"),
                    site=cybersite_place(found.cybersite))  # fmt: skip
    if found.grade is not None:
        details += " · " + _("Grade: %(grade)d %%", grade=round(found.grade * 100))
    texts = certificates.PdfTexts(
        heading=_("Certificate of completion"),
        awarded_to=_("This certifies that"),
        for_course=_("has completed and passed the course"),
        training=training(found),
        details=details,
        verify=_("Check this certificate at the address below (code %(code)s):", code=found.code),
        verify_url=_verify_url(found.code),
        footer=_("Cybermassif — the learning platform of the Cybersites of the Massif Central"),
    )
    data = certificates.pdf(found, texts)
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="certificat-{found.code}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@blueprint.route("/certificat/<code>")
def verify(code: str) -> tuple[str, int] | str:
    """Public: who earned the certificate with this code, for which course, when, at which Cybersite."""
    found = certificates.by_code(code[:64])
    if found is None:
        return render_template("progress/verify.html", certificate=None, code=code[:64]), 404
    return render_template(
        "progress/verify.html",
        certificate=found,
        code=found.code,
        time=training_time(found.training_minutes) if found.training_minutes else None,
        period=period(found.started_on, found.issued_at),
    )
