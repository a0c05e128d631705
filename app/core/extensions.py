"""The Flask extensions, created unbound here and bound to the application in ``create_app``."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable, so migrations can alter them on every database."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Methods that only read: they never write to the database unless their route says so, and no rate
# limit counts them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _reading_is_never_limited() -> bool:
    """Every limit of the product guards a form submission (``methods=["POST"]``): reading a page never
    counts against one. Read by the limited routes' own checks (their GET shows the form)."""
    return request.method in SAFE_METHODS


def init_limiter(app: Flask) -> None:
    """Bind the limiter, whose check before each request runs for form submissions only.

    The product sets no application-wide limit, so that check only ever finds limits of POST routes; on
    a page read by GET, finding that out costs as much as a small page's template.
    """
    limiter.init_app(app)
    hooks = app.before_request_funcs[None]
    position = hooks.index(limiter._check_request_limit)
    check = hooks[position]

    def _check_submissions() -> None:
        if request.method not in SAFE_METHODS:
            check()

    hooks[position] = _check_submissions
