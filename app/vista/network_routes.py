"""VISTA for the network: a Cybersite's companies and their movement between waves (its managers and the
network's administrators, ``Action.VIEW_CYBERSITE_PROGRESS`` as for its progress pages), and the network
observatory (administrators). Both pages and their CSV/XLSX exports; read-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.models import Cybersite
from app.accounts.policy import Action, can
from app.core.database import get_row
from app.core.extensions import db
from app.courses import vista_tags
from app.progress.routes.base import export
from app.progress.tables import Column, Kind, Table
from app.vista import network, training_requests
from app.vista.models import DIMENSIONS
from app.vista.report_routes import LEVEL_NAMES

blueprint = Blueprint(
    "vista_network", __name__, template_folder=str(Path(__file__).resolve().parent / "templates")
)


def _signed_in() -> Any:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def _site(site_id: int) -> Cybersite:
    found = get_row(db.session, Cybersite, site_id)
    if found is None or not can(current_user, Action.VIEW_CYBERSITE_PROGRESS, found):
        abort(404)
    return found


def _companies_table(view: network.SiteView) -> Table:
    return Table(
        _l("Companies and their VISTA scores"),
        [
            Column(_l("Company")),
            Column(_l("Waves submitted")),
            Column(_l("Latest overall score"), Kind.NUMBER),
            Column(_l("T0 score"), Kind.NUMBER),
            Column(_l("T1 score"), Kind.NUMBER),
            Column(_l("Change T0 → T1"), Kind.NUMBER),
        ],
        [
            (c.name, " ".join(c.waves), _round(c.overall), _round(c.t0), _round(c.t1), _round(c.change))
            for c in view.companies
        ],
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@blueprint.route("/vista/cybersites/<int:site_id>")
def cybersite(site_id: int) -> Any:
    """The Cybersite's companies with their scores and T0 → T1 movement, and anonymised aggregates."""
    if (redirect := _signed_in()) is not None:
        return redirect
    site = _site(site_id)
    view = network.site_view(db.session, site.id)
    return render_template(
        "vista/cybersite.html",
        site=site,
        view=view,
        dimensions=[(d, vista_tags.DIMENSIONS[d]) for d in DIMENSIONS],
        dimension_names=vista_tags.DIMENSIONS,
        level_names=LEVEL_NAMES,
        floor=network.K_FLOOR,
        requests=training_requests.open_requests(db.session, site.id),
    )


@blueprint.route("/vista/cybersites/<int:site_id>/export/<name>.<fmt>")
def cybersite_export(site_id: int, name: str, fmt: str) -> Any:
    """The Cybersite's companies table as CSV or XLSX."""
    if (redirect := _signed_in()) is not None:
        return redirect
    site = _site(site_id)
    tables = {"entreprises": lambda: _companies_table(network.site_view(db.session, site.id))}
    return export(tables, name, fmt, f"vista-{site.name}")


def _observatory() -> network.Observatory:
    if not can(current_user, Action.ADMINISTER_NETWORK, None):
        abort(404)
    return network.observatory(db.session, str(get_locale() or "fr"))


def _group_table(title: Any, heading: Any, lines: list[network.GroupLine]) -> Table:
    columns = [Column(heading), Column(_l("Companies"), Kind.COUNT)]
    for d in DIMENSIONS:
        columns += [Column(f"{d} A", Kind.NUMBER), Column(f"{d} U", Kind.NUMBER)]
    rows = []
    for line in lines:
        row: list[Any] = [line.key, line.companies]
        for d in DIMENSIONS:
            row += [_round(line.cells[d].adoption.value), _round(line.cells[d].use.value)]
        rows.append(row)
    return Table(title, columns, rows, caption=_l("Cells over fewer than 10 companies are left empty."))


def _gaps_table(found: network.Observatory) -> Table:
    return Table(
        _l("Most common gaps"),
        [
            Column(_l("Dimension")),
            Column(_l("Gap")),
            Column(_l("Share of companies"), Kind.PERCENT),
            Column(_l("Companies counted"), Kind.COUNT),
            Column(_l("Courses tagged for it"), Kind.COUNT),
        ],
        [(g.dimension, g.text, g.share.value, g.share.count, len(g.courses)) for g in found.gaps],
    )


@blueprint.route("/vista/observatoire")
def observatory() -> Any:
    """The network observatory (administrators)."""
    if (redirect := _signed_in()) is not None:
        return redirect
    found = _observatory()
    return render_template(
        "vista/observatory.html",
        found=found,
        dimensions=[(d, vista_tags.DIMENSIONS[d]) for d in DIMENSIONS],
        floor=network.K_FLOOR,
    )


@blueprint.route("/vista/observatoire/export/<name>.<fmt>")
def observatory_export(name: str, fmt: str) -> Response:
    """One of the observatory's tables as CSV or XLSX."""
    if (redirect := _signed_in()) is not None:
        return redirect  # type: ignore[no-any-return]
    found = _observatory()
    tables = {
        "secteurs": lambda: _group_table(_l("By NAF section"), _l("NAF section"), found.by_section),
        "tailles": lambda: _group_table(_l("By size class"), _l("Size class"), found.by_size),
        "departements": lambda: _group_table(_l("By département"), _l("Département"), found.by_departement),
        "ecarts": lambda: _gaps_table(found),
    }
    return export(tables, name, fmt, "vista-observatoire")
