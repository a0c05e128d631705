"""Command line: ``flask --app wsgi …`` and the ``cybermassif`` console entry offer the same commands."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.demo import DEMO_PASSWORD, load_demo
from app.accounts.models import Role, RoleGrant, User
from app.accounts.services.credentials import hash_password
from app.accounts.validators import MIN_PASSWORD_LENGTH, normalise_email
from app.cohorts.demo import load_demo_cohort
from app.core.extensions import db
from app.courses.cli import courses, load_demo_courses, xblocks
from app.demo.history import load_history
from app.demo.network import MAX_SIZE, load_network
from app.jobs.cli import jobs
from app.lti.cli import lti
from app.vista.cli import vista
from app.vista.demo import load_demo_vista

users = AppGroup("users", help="Manage accounts.")
demo = AppGroup("demo", help="Demo data for trying the platform.")


@users.command("create-admin")
@click.option("--email", prompt=True, help="E-mail address of the administrator.")
@click.option("--name", "display_name", prompt="Name", help="Display name.")
@click.password_option(help="Password (asked twice when not given).")
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create a network administrator (or make an existing account one)."""
    try:
        email = normalise_email(email)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--email") from error
    if len(password) < MIN_PASSWORD_LENGTH or password.isdigit():
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters, not only digits", param_hint="--password"
        )
    display_name = display_name.strip()
    if not display_name or len(display_name) > 120:
        raise click.BadParameter("give a name of 1 to 120 characters", param_hint="--name")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=display_name)
        db.session.add(user)
    user.password_hash = hash_password(password)
    user.active = True
    if not any(g.role == Role.NETWORK_ADMIN for g in user.roles):
        user.roles.append(RoleGrant(role=Role.NETWORK_ADMIN))
    db.session.commit()
    click.echo(f"Network administrator {email} is ready.")


@demo.command("load")
@click.option(
    "--size",
    type=click.IntRange(1, MAX_SIZE),
    default=1,
    show_default=True,
    help=f"How many times the demo network of Cybersites, companies and learners to build (1 to {MAX_SIZE}).",
)
def demo_load(size: int) -> None:
    """Load the demo Cybersites, companies, accounts and the courses of ``courses/`` (idempotent: unchanged
    courses are not imported again), months of activity in them, and print the demo sign-ins."""
    started = time.perf_counter()
    with force_locale("fr"):
        accounts = load_demo()
    db.session.commit()
    lines, accepted = load_demo_courses()
    click.echo("Demo courses:")
    for line in lines:
        click.echo(line)
    with force_locale("fr"):
        cohort = load_demo_cohort()
    db.session.commit()
    if cohort is not None:
        click.echo(f"Demo cohort: {cohort.name} ({len(cohort.courses)} courses)")
    vista = load_demo_vista()
    db.session.commit()
    click.echo(
        f"Demo VISTA: questionnaire {vista.questionnaire.code} {vista.questionnaire.version}, "
        f"{vista.assessments_created} assessment(s) and {vista.peers_created} peer company(ies) added"
    )
    with force_locale("fr"):
        network = load_network(size)
        history = load_history(network)
    db.session.commit()
    learners = sum(len(people) for people in network.learners.values())
    click.echo(
        f"Demo network (size {size}): {len(network.sites)} Cybersite(s), {learners} learner(s); "
        f"{network.created_sites} Cybersite(s), {network.created_companies} company(ies) and "
        f"{len(network.new_learners)} account(s) added"
    )
    click.echo(
        f"Demo history: {history.cohorts_created} cohort(s), {history.members_added} enrolment(s), "
        f"{history.learners_with_history} learner(s) with {history.events} progress event(s), "
        f"{history.cases_submitted} case answer(s) ({history.cases_graded} graded), "
        f"{history.threads} forum thread(s) with {history.replies} reply(ies), "
        f"{history.assessments} VISTA assessment(s) added"
    )
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        click.echo(f"  {account.role.value:<18} {account.email}")
    click.echo(f"Demo loaded in {time.perf_counter() - started:.1f} s")
    if not accepted:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(courses)
    app.cli.add_command(xblocks)
    app.cli.add_command(vista)
    app.cli.add_command(lti)
    app.cli.add_command(jobs)


def main() -> None:
    """The ``cybermassif`` console entry: the Flask CLI bound to this application."""
    from app import create_app

    FlaskGroup(create_app=create_app, help="Cybermassif command line.")(prog_name="cybermassif")


if __name__ == "__main__":
    main()
