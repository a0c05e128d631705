"""The block types page: installed XBlock types, and enabling or disabling them (network administrators).

A disabled type shows as a notice in units, never as an error; its learners' data is kept.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.accounts.policy import Action
from app.admin.routes.base import act, actor, blueprint, require
from app.core.extensions import db
from app.courses import services
from app.runtime.bridge import setup_for
from app.runtime.models import BlockTypeSetting


@blueprint.route("/composants")
def block_types() -> str:
    """Every installed block type with where it comes from, whether it loads, and whether it is enabled."""
    require(Action.ADMINISTER_NETWORK)
    registry = setup_for().registry
    disabled = set(
        db.session.scalars(select(BlockTypeSetting.block_type).where(BlockTypeSetting.enabled.is_(False)))
    )
    rows = []
    for block_type in registry.block_types():
        registry.load_block_class(block_type.name)  # import now, so that a failure shows here
        rows.append(
            {
                "type": block_type,
                "enabled": block_type.name not in disabled,
                "failure": registry.load_failure(block_type.name),
            }
        )
    return render_template("admin/block_types.html", rows=rows)


@blueprint.route("/composants/<block_type>/<any(activer, desactiver):change>", methods=["POST"])
def change_block_type(block_type: str, change: str) -> Response:
    """Enable or disable an installed block type, then let this worker see it at once."""
    require(Action.ADMINISTER_NETWORK)
    setup = setup_for()
    if not setup.registry.is_installed(block_type):
        abort(404)
    enabled = change == "activer"
    message = (
        _("%(type)s is enabled.", type=block_type) if enabled else _("%(type)s is disabled.", type=block_type)
    )
    if act(lambda: services.set_block_type_enabled(actor(), block_type, enabled), message):
        setup.refresh_disabled()
    return redirect(url_for("admin.block_types"))
