"""``cybermassif lti``: the platform's LTI signing keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.extensions import db
from app.lti import keys

lti = AppGroup("lti", help="LTI: the platform's signing keys.")


@lti.command("rotate-key")
def rotate_key_command() -> None:
    """Make a new signing key; the old one stays published for a grace period, then leaves the JWKS."""
    kid = keys.rotate(db.session)
    db.session.commit()
    click.echo(f"New LTI signing key {kid}; the previous one stays in /lti/jwks.json for two days.")
