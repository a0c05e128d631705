"""Command line for VISTA: ``flask vista load-questionnaire FILE`` and ``flask vista recompute-scores``.

Output is English (an operator's tool). A malformed file, or a version already loaded with other content,
prints every problem on standard error and exits with status 2, having written nothing.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.extensions import db
from app.vista import questionnaire_file, scores
from app.vista.questionnaire_file import QuestionnaireFileError

vista = AppGroup(
    "vista", help="VISTA, the companies' self-assessment: questionnaire versions and stored scores."
)


@vista.command("load-questionnaire")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def load_questionnaire(file: Path) -> None:
    """Validate FILE (a questionnaire JSON file) and load it as a new questionnaire version."""
    try:
        spec = questionnaire_file.read(file)
        already = questionnaire_file.find_loaded(db.session, spec)
        version = questionnaire_file.load(db.session, spec)
    except QuestionnaireFileError as error:
        db.session.rollback()
        click.echo(f"Questionnaire refused ({len(error.problems)} problem(s)); nothing was loaded:", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(2) from None
    db.session.commit()
    pages, items = len(spec.pages), len(spec.items)
    if already is not None:
        click.echo(f"Questionnaire {version.code} {version.version} is already loaded with this content.")
        return
    click.echo(f"Loaded questionnaire {version.code} {version.version}: {pages} pages, {items} items.")


@vista.command("recompute-scores")
def recompute_scores() -> None:
    """Recompute every assessed company's stored scores (what peers and the network's views read) from its
    latest submitted assessment and its staff's training today, in one transaction."""
    started = time.monotonic()
    count = scores.recompute_all(db.session)
    db.session.commit()
    click.echo(f"Recomputed the scores of {count} companies in {time.monotonic() - started:.1f} s.")
