"""The ICT fresco: what digital tools do for SMEs, sector by sector (rows) and function by function (columns).

Each cell holds a short text, example tools and links to units of the course or to web pages (OLX format
in :mod:`plugins.ict_fresco.olx`). The fresco opens on the row of the learner's own company sector, found
from the NAF code the platform's ``user`` service gives as ``cybermassif.company_naf`` (mapping in
:mod:`plugins.ict_fresco.naf`); without one it opens on the first row and the choice of sector stays in
view. The page shows one sector at a time as a list of function cards (tabs with arrow keys once
``public/fresco.js`` runs, ``<details>`` without it) and, when the block is wide enough, the whole grid
as a table. The block completes on view: the host marks it, as Open edX does for blocks that neither
report their own completion nor are scored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import List, Scope, String

from plugins.ict_fresco.cleaning import cached_cleaner
from plugins.ict_fresco.grid import FUNCTIONS, SECTORS, Cell, FrescoErrors, check_title, read_submission
from plugins.ict_fresco.naf import sector_for_naf
from plugins.ict_fresco.olx import read_cells, write_cells
from plugins.ict_fresco.rendering import render

#: The ``user`` service attribute with the learner's company NAF code (the platform's own).
NAF_ATTRIBUTE = "cybermassif.company_naf"
#: At most this many problems are listed in one answer of the editor's handler.
MAX_REPORTED = 12


def _unchanged(html: str) -> str:
    return html


@XBlock.needs("i18n")
@XBlock.needs("sanitizer")
@XBlock.wants("replace_urls")
@XBlock.wants("user")
class IctFrescoBlock(XBlock):
    """A sector × business-function matrix of ICT uses."""

    display_name = String(display_name="Display name", scope=Scope.settings, default="Fresque des TIC")
    cells = List(
        display_name="Cells",
        help="One object per filled cell: sector, function, text (clean HTML), tools, links.",
        scope=Scope.settings,
        default=[],
    )

    # Complete on view (stated, though these are XBlock's defaults: the whole point of the block).
    completion_mode = XBlockCompletionMode.COMPLETABLE
    has_custom_completion = False

    # OLX -------------------------------------------------------------------------------------------------

    @classmethod
    def parse_xml(cls, node: Any, runtime: Any, keys: Any) -> XBlock:
        """Read ``<ict_fresco display_name><cell …>…</cell></ict_fresco>``; a problem raises ValueError."""
        block = runtime.construct_xblock_from_class(cls, keys)
        if node.get("display_name") is not None:
            block.display_name = check_title(node.get("display_name"))
        clean = runtime.service(block, "sanitizer").clean_html
        block.cells = [cell.to_json() for cell in read_cells(node, clean)]
        return block

    def add_xml_to_node(self, node: Any) -> None:
        """Write the fresco as read by :meth:`parse_xml` (cells in the order stored)."""
        node.tag = "ict_fresco"
        if self.fields["display_name"].is_set_on(self):
            node.set("display_name", self.display_name)
        write_cells(node, self._stored_cells(_unchanged))

    # Learner view ------------------------------------------------------------------------------------------

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The fresco, opened on the learner's sector (or the first), with links resolved."""
        i18n = self.runtime.service(self, "i18n")
        gettext = i18n.gettext
        learner_sector = sector_for_naf(self._company_naf())
        open_sector = learner_sector or next(iter(SECTORS))
        sanitizer = self.runtime.service(self, "sanitizer")
        grid = {(c.sector, c.function): c for c in self._stored_cells(cached_cleaner(sanitizer))}
        sectors = [
            {
                "key": sector,
                "label": gettext(label),
                "mine": sector == learner_sector,
                "open": sector == open_sector,
                "cells": [
                    {
                        "label": gettext(f_label),
                        "cell": grid.get((sector, function)) or Cell(sector, function),
                    }
                    for function, f_label in FUNCTIONS.items()
                ],
            }
            for sector, label in SECTORS.items()
        ]
        html = render(
            "student.html",
            i18n,
            uid=self._uid(),
            title=self.display_name,
            sectors=sectors,
            functions=[gettext(label) for label in FUNCTIONS.values()],
            learner_sector=gettext(SECTORS[learner_sector]) if learner_sector else None,
        )
        replace = self.runtime.service(self, "replace_urls")
        if replace is not None:
            html = replace.replace_urls(html)
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/fresco.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/fresco.js"))
        fragment.initialize_js("IctFrescoBlock")
        return fragment

    # Editor ----------------------------------------------------------------------------------------------

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """A form with the title and, per sector, each function's text, tools and links."""
        i18n = self.runtime.service(self, "i18n")
        gettext = i18n.gettext
        stored = {(c.sector, c.function): c for c in self._stored_cells(_unchanged)}
        sectors = []
        for sector, label in SECTORS.items():
            cells = []
            for function, f_label in FUNCTIONS.items():
                cell = stored.get((sector, function)) or Cell(sector, function)
                links = "\n".join(f"{link.label} | {link.href}" for link in cell.links)
                cells.append({"key": function, "label": gettext(f_label), "cell": cell, "links": links})
            filled = sum(not c["cell"].empty for c in cells)
            sectors.append({"key": sector, "label": gettext(label), "cells": cells, "filled": filled})
        html = render("studio.html", i18n, uid=self._uid(), title=self.display_name, sectors=sectors)
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/fresco.css"))
        fragment.add_javascript_url(self.runtime.local_resource_url(self, "public/fresco-studio.js"))
        fragment.initialize_js(
            "IctFrescoEditor",
            {
                "saving": gettext("Saving…"),
                "saved": gettext("Saved."),
                "unreachable": gettext(
                    "The fresco could not be saved: the server did not answer. Try again."
                ),
            },
        )
        return fragment

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, str]:
        """Check and store the editor's title and cells; every problem is listed and nothing changes."""
        gettext = self.runtime.service(self, "i18n").gettext
        try:
            title, cells = read_submission(data, self._sanitizer())
        except FrescoErrors as problems:
            listed = [error.text(gettext) for error in problems.errors[:MAX_REPORTED]]
            raise JsonHandlerError(400, "\n".join(listed)) from problems
        self.display_name = title
        self.cells = [cell.to_json() for cell in cells]
        return {"result": "success"}

    # Helpers ---------------------------------------------------------------------------------------------

    def _sanitizer(self) -> Callable[[str], str]:
        return self.runtime.service(self, "sanitizer").clean_html  # type: ignore[no-any-return]

    def _stored_cells(self, clean_html: Callable[[str], str]) -> list[Cell]:
        """The stored cells that can be shown (see :meth:`Cell.from_json`)."""
        cells = (Cell.from_json(value, clean_html) for value in self.cells or [])
        return [cell for cell in cells if cell is not None]

    def _company_naf(self) -> str | None:
        """The learner's company NAF code, when the host tells it."""
        service = self.runtime.service(self, "user")
        if service is None:
            return None
        value = getattr(service.get_current_user(), "opt_attrs", {}).get(NAF_ATTRIBUTE)
        return value if isinstance(value, str) else None

    def _uid(self) -> str:
        """A prefix for the HTML ids of this block's elements, unique on a page."""
        return "ictf-" + hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:12]
