"""How the VISTA report page writes its figures (one decimal, a signed change, a progress bar): plain
functions rather than template macros, since a report writes some 150 figures and a macro call costs
several times a function call."""

from __future__ import annotations

from markupsafe import Markup, escape

DASH = "–"


def num(value: float | None) -> str:
    """A score or figure with one decimal, or a dash when there is none."""
    return DASH if value is None else f"{value:.1f}"


def delta(value: float | None) -> str:
    """A change with its sign and one decimal, or a dash when there is none."""
    return DASH if value is None else f"{value:+.1f}"


def bar(value: float | None, label: str) -> Markup:
    """A 0–100 progress bar labelled for screen readers, followed by the figure."""
    # Built by hand: Markup.format costs ten times as much, and only the label needs escaping.
    shown = round(value or 0)
    text = f'<progress max="100" value="{shown}" aria-label="{escape(label)}"></progress> {num(value)}'
    return Markup(text)  # noqa: S704 (the label is escaped, the rest are numbers)


HELPERS = {"num": num, "delta": delta, "bar": bar}
