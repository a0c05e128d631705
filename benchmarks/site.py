"""A throw-away site for benchmarks: its own SQLite database, generated courses, one enrolled learner."""

from __future__ import annotations

import http.client
import re
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.accounts.services.credentials import hash_password
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.runtime.keys import CourseKey, usage_key_for

PASSWORD = "benchmark-password"


@dataclass
class Site:
    """What the benchmarks need to reach the site."""

    env: dict[str, str]
    email: str
    app: object


def write_course(folder: Path, number: str, units: dict[str, str]) -> str:
    """An OLX course folder with one chapter, one sequence and ``units`` (url_name -> inner OLX)."""
    (folder / "course").mkdir(parents=True, exist_ok=True)
    (folder / "course.xml").write_text(f'<course url_name="2026" org="Bench" course="{number}"/>\n')
    verticals = "".join(
        f'<vertical url_name="{name}" display_name="{name}">{inner}</vertical>'
        for name, inner in units.items()
    )
    (folder / "course" / "2026.xml").write_text(
        f'<course display_name="Bench {number}" cybermassif_open_enrolment="true">'
        f'<chapter url_name="ch" display_name="Chapitre"><sequential url_name="seq" display_name="Séquence">'
        f"{verticals}</sequential></chapter></course>\n"
    )
    return f"course-v1:Bench+{number}+2026"


def html_blocks(count: int, prefix: str) -> str:
    """``count`` of our simplest block: a paragraph of HTML."""
    text = "Les outils numériques aident les PME à vendre, produire et gérer. " * 3
    return "".join(
        f'<html url_name="{prefix}-h{i}" display_name="Texte {i}"><p>{text}</p></html>' for i in range(count)
    )


def unit_path(course_key: str, unit: str) -> str:
    """The path of a unit page."""
    usage = usage_key_for(CourseKey.from_string(course_key), "vertical", unit)
    return f"/formations/{urllib.parse.quote(course_key)}/unite/{urllib.parse.quote(str(usage))}"


def build(workdir: Path, courses: list[Path], asides: tuple[str, ...] = ()) -> Site:
    """Create the database, import ``courses``, and enrol a learner in each."""
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "CYBERMASSIF_SECRET_KEY": secrets.token_urlsafe(40),
    }
    config = {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["CYBERMASSIF_SECRET_KEY"]}
    if asides:
        config["XBLOCK_ASIDES"] = asides
    app = create_app(config)
    email = "apprenant@bench.example"
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        for folder in courses:
            result = runner.invoke(args=["courses", "import", str(folder)])
            if result.exit_code != 0:
                raise RuntimeError(result.output)
        site = Cybersite(name="Bench", town="Aurillac", departement="15")
        company = Company(legal_name="Bench SARL", siret="41295260181596", naf_code="62.01Z", headcount=5,
                          departement="15", cybersite=site)  # fmt: skip
        user = User(email=email, display_name="Apprenant", password_hash=hash_password(PASSWORD))
        db.session.add_all([site, company, user])
        db.session.flush()
        user.roles.append(RoleGrant(role=Role.LEARNER, company_id=company.id))
        for course in db.session.scalars(select(Course)):
            db.session.add(Enrolment(user_id=user.id, course_id=course.id))
        db.session.commit()
    return Site(env=env, email=email, app=app)


def sign_in(host: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in through the real form; the Cookie header of the session."""
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request("GET", "/compte/connexion")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    connection = http.client.HTTPConnection(host, timeout=30)
    connection.request(
        "POST", "/compte/connexion", body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )  # fmt: skip
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"sign-in answered {response.status}")
    return {"Cookie": response.getheader("Set-Cookie", "").split(";")[0]}
