"""Cybermassif: the composition root. ``create_app`` builds the Flask application and wires its parts."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request

from app.core import config as settings
from app.core import database, errors, fixed_urls, health, i18n, mail, navigation, security
from app.core.extensions import SAFE_METHODS, csrf, db, init_limiter, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides settings (tests); otherwise the environment decides."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(settings.load(Path(app.instance_path), config, os.environ))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    init_limiter(app)
    i18n.init_app(app)
    mail.init_app(app)
    security.init_app(app)
    fixed_urls.init_app(app)
    navigation.init_app(app)
    health.init_app(app)
    errors.init_app(app)
    _register_request_hooks(app)
    _register_parts(app)
    _register_api(app)
    _register_jobs(app)
    return app


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _declare_write_intent() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if database.view_reads_first(view):
            writes = False
        else:
            writes = request.method not in SAFE_METHODS or database.view_writes(view)
        request.environ["cybermassif.write_intent"] = database.set_write_intent(writes)

    @app.teardown_request
    def _forget_write_intent(_error: BaseException | None) -> None:
        token = request.environ.pop("cybermassif.write_intent", None)
        if token is not None:
            database.reset_write_intent(token)


def _register_parts(app: Flask) -> None:
    # Imported here so that models and blueprints load only once the extensions exist.
    from app import cli
    from app.accounts import auth
    from app.accounts import routes as account_routes
    from app.accounts.services import invitations
    from app.admin import routes as admin_routes
    from app.cohorts import acceptance as cohort_acceptance
    from app.cohorts import models as cohort_models  # noqa: F401 (tables)
    from app.cohorts import routes as cohort_routes
    from app.core.sanitize import SanitizerService
    from app.courses import models as course_models  # noqa: F401 (tables)
    from app.courses.learner_files import LearnerFilesService
    from app.courses.peer_review import PeerReviewService
    from app.courses.staff_grading import StaffGradingService
    from app.forum import models as forum_models  # noqa: F401 (tables)
    from app.forum import routes as forum_routes
    from app.forum.block_service import forum_service
    from app.learn import routes as learn_routes
    from app.lti import models as lti_models  # noqa: F401 (tables)
    from app.lti import routes as lti_routes
    from app.lti.service import LtiService
    from app.progress import rollups
    from app.progress import routes as progress_routes
    from app.runtime import bridge, events
    from app.studio import routes as studio_routes
    from app.vista import models as vista_models  # noqa: F401 (tables)
    from app.vista import network_routes as vista_network_routes
    from app.vista import report_routes as vista_report_routes
    from app.vista import routes as vista_routes
    from app.vista import scores as vista_scores
    from app.vista import training_request_routes as vista_training_routes
    from app.vista.pulse import pulse_service

    auth.init_app(app)
    bridge.init_app(
        app,
        services={
            "sanitizer": lambda runtime, block: SanitizerService(),
            "staff_grading": lambda runtime, block: StaffGradingService(runtime),
            "learner_files": lambda runtime, block: LearnerFilesService(runtime),
            "peer_review": lambda runtime, block: PeerReviewService(runtime),
            "lti": lambda runtime, block: LtiService(runtime),
            "forum": forum_service,
            "vista_pulse": pulse_service,
        },
    )
    # The runtime tells progress what learners did, in the same transaction.
    events.progress_recorded.connect(rollups.on_progress)
    # A course published anew has its learners' roll-ups rebuilt in the same transaction.
    rollups.init_app()
    # VISTA keeps companies' stored scores fresh when their staff's course progress moves (same transaction).
    rollups.course_progress_written.connect(vista_scores.on_progress_changed)
    app.register_blueprint(account_routes.blueprint)
    app.register_blueprint(admin_routes.blueprint)
    app.register_blueprint(learn_routes.blueprint)
    app.register_blueprint(lti_routes.blueprint)
    app.register_blueprint(cohort_routes.blueprint)
    app.register_blueprint(progress_routes.blueprint)
    app.register_blueprint(vista_report_routes.blueprint)
    app.register_blueprint(vista_network_routes.blueprint)
    app.register_blueprint(vista_training_routes.blueprint)
    vista_routes.init_app(app)
    # Invited people join the cohorts that kept them a seat when they accept (same transaction).
    invitations.invitation_accepted.connect(cohort_acceptance.on_invitation_accepted)
    studio_routes.init_app(app)
    forum_routes.init_app(app)
    cli.init_app(app)


def _register_api(app: Flask) -> None:
    # The REST API sits on top of every feature (docs/architecture.md): registered after them.
    from app.api import routes as api_routes

    api_routes.init_app(app)


def _register_jobs(app: Flask) -> None:
    """The task queue, last: every feature has registered its tasks by then (imported above)."""
    from app.accounts.policy import Action, can
    from app.courses import import_jobs  # noqa: F401 (registers its tasks)
    from app.jobs import enqueue, queue, registry
    from app.jobs import models as job_models  # noqa: F401 (tables)
    from app.jobs import routes as job_routes
    from app.progress import export_jobs  # noqa: F401 (registers its tasks)

    # Mail leaves through the queue after the commit, retried with growing delays while SMTP is down.
    registry.task(
        "mail.deliver", retries=app.config["MAIL_RETRIES"], retry_delay=app.config["MAIL_RETRY_DELAY"]
    )(mail.deliver)
    mail.set_dispatcher(lambda session, ids: enqueue.enqueue("mail.deliver", ids, session=session))
    enqueue.init_app()
    queue.init_app(app)
    job_routes.init_app(app, overseer=lambda user: can(user, Action.ADMINISTER_NETWORK))
