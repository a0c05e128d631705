"""Open edX's Open Response Assessment OLX (``<openassessment>``), read into one checked definition.

The element is kept as imported (export writes it back unchanged); :func:`read_definition` reads what
the block needs from it, and raises :class:`DefinitionError` listing every problem found (an incomplete
or inconsistent rubric, an unknown step, a date that is not one), so that the import keeps the component
as a placeholder with the reason. The format, as ORA writes it::

    <openassessment submission_start="2026-01-01T00:00" submission_due="2026-06-30T23:59"
                    text_response="required" prompts_type="text" allow_latex="False">
      <title>…</title>
      <prompts><prompt><description>…</description></prompt>…</prompts>
      <rubric>
        <criterion feedback="optional"><name>ideas</name><label>Ideas</label><prompt>…</prompt>
          <option points="3"><name>good</name><label>Good</label><explanation>…</explanation></option>…
        </criterion>…
        <feedbackprompt>…</feedbackprompt><feedback_default_text>…</feedback_default_text>
      </rubric>
      <assessments>
        <assessment name="peer-assessment" must_grade="5" must_be_graded_by="3" start="…" due="…"/>
        <assessment name="self-assessment"/>
        <assessment name="staff-assessment" required="True"/>
      </assessments>
    </openassessment>

Older courses put one ``<prompt>`` directly under ``<openassessment>`` (or under ``<rubric>``): it is
read as the single prompt, as ORA does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lxml import etree

#: The steps ORA knows, by their OLX names; ``student-training`` (practice on the author's examples) is
#: kept in the OLX but not run here.
STEPS = ("student-training", "peer-assessment", "self-assessment", "staff-assessment")
RUN_STEPS = ("peer-assessment", "self-assessment", "staff-assessment")
FEEDBACK_MODES = ("disabled", "optional", "required")
MAX_PROMPTS = 20
MAX_CRITERIA = 30
MAX_OPTIONS = 20
MAX_POINTS = 1_000
MAX_PEERS = 20


class DefinitionError(ValueError):
    """The assessment cannot be run as written; ``problems`` names each reason (English, for imports)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _inner(element: Any) -> str:
    """An element's content as written: its text and its child elements."""
    return (element.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in element)


def _text(parent: Any, tag: str) -> str:
    """The trimmed content of ``parent``'s first ``<tag>`` child (empty when it has none)."""
    child = parent.find(tag)
    return _inner(child).strip() if child is not None else ""


def parse_date(value: str | None) -> datetime | None:
    """An ORA date (ISO 8601, without a zone meaning UTC), or None when not given; ValueError otherwise."""
    if value is None or not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _date(node: Any, name: str, where: str, problems: list[str]) -> str | None:
    try:
        moment = parse_date(node.get(name))
    except ValueError:
        problems.append(f"{where}: {name}={node.get(name)!r} is not a date (write 2026-06-30T23:59)")
        return None
    return moment.isoformat() if moment is not None else None


def _prompts(node: Any) -> list[str]:
    prompts = node.find("prompts")
    if prompts is not None:
        return [_text(prompt, "description") for prompt in prompts.findall("prompt")]
    legacy = node.find("prompt")
    if legacy is None and node.find("rubric") is not None:
        legacy = node.find("rubric").find("prompt")
    return [_inner(legacy).strip()] if legacy is not None else []


def _whole_number(text: str | None) -> int | None:
    if text is None or not text.strip().isdigit():
        return None
    return int(text.strip())


def _criteria(rubric: Any, problems: list[str]) -> list[dict[str, Any]]:
    criteria: list[dict[str, Any]] = []
    elements = rubric.findall("criterion")
    if not elements:
        problems.append("the <rubric> has no <criterion>")
    if len(elements) > MAX_CRITERIA:
        problems.append(f"the <rubric> has more than {MAX_CRITERIA} criteria")
    for number, element in enumerate(elements[:MAX_CRITERIA], start=1):
        name = _text(element, "name")
        where = f"criterion {number} (line {element.sourceline})"
        feedback = (element.get("feedback") or "disabled").strip()
        if not name:
            problems.append(f"{where} has no <name>")
        elif any(c["name"] == name for c in criteria):
            problems.append(f"{where}: the name {name!r} is given to two criteria")
        if feedback not in FEEDBACK_MODES:
            problems.append(f"{where}: feedback={feedback!r} is not one of {', '.join(FEEDBACK_MODES)}")
        options = _options(element, where, problems)
        # ORA allows a criterion without options only as a place for written feedback.
        if not options and feedback == "disabled":
            problems.append(f"{where} has no <option> (and no written feedback in their place)")
        criteria.append(
            {
                "name": name,
                "label": _text(element, "label") or name,
                "prompt": _text(element, "prompt"),
                "feedback": feedback,
                "options": options,
            }
        )
    return criteria


def _options(criterion: Any, where: str, problems: list[str]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    elements = criterion.findall("option")
    if len(elements) > MAX_OPTIONS:
        problems.append(f"{where} has more than {MAX_OPTIONS} options")
    for element in elements[:MAX_OPTIONS]:
        name = _text(element, "name")
        points = _whole_number(element.get("points"))
        if not name:
            problems.append(f"{where}: an <option> (line {element.sourceline}) has no <name>")
        elif any(o["name"] == name for o in options):
            problems.append(f"{where}: the option name {name!r} is given twice")
        if points is None or points > MAX_POINTS:
            problems.append(
                f"{where}: option {name!r} has points={element.get('points')!r}, "
                f"not a whole number from 0 to {MAX_POINTS}"
            )
            points = 0
        options.append(
            {
                "name": name,
                "label": _text(element, "label") or name,
                "points": points,
                "explanation": _text(element, "explanation"),
            }
        )
    return options


def _steps(node: Any, problems: list[str]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    holder = node.find("assessments")
    elements = holder.findall("assessment") if holder is not None else []
    if not elements:
        problems.append("<assessments> names no <assessment> step")
    for element in elements:
        name = (element.get("name") or "").strip()
        where = f"the step {name!r} (line {element.sourceline})"
        if name not in STEPS:
            problems.append(f"{where} is not one of {', '.join(STEPS)}")
            continue
        if any(step["name"] == name for step in steps):
            problems.append(f"{where} is given twice")
            continue
        step: dict[str, Any] = {
            "name": name,
            "start": _date(element, "start", where, problems),
            "due": _date(element, "due", where, problems),
        }
        if name == "peer-assessment":
            must_grade = _whole_number(element.get("must_grade"))
            graded_by = _whole_number(element.get("must_be_graded_by"))
            if must_grade is None or not 1 <= must_grade <= MAX_PEERS:
                problems.append(f"{where}: must_grade must be a whole number from 1 to {MAX_PEERS}")
            elif graded_by is None or not 1 <= graded_by <= must_grade:
                problems.append(
                    f"{where}: must_be_graded_by must be a whole number from 1 to must_grade ({must_grade})"
                )
            step.update(must_grade=must_grade or 1, must_be_graded_by=graded_by or 1)
        if name == "staff-assessment":
            step["required"] = (element.get("required") or "False").strip().lower() == "true"
        steps.append(step)
    return steps


def read_definition(node: Any) -> dict[str, Any]:
    """What the block runs from an ``<openassessment>`` element, or DefinitionError with every problem."""
    problems: list[str] = []
    prompts = _prompts(node)
    if len(prompts) > MAX_PROMPTS:
        problems.append(f"more than {MAX_PROMPTS} prompts")
    rubric = node.find("rubric")
    if rubric is None:
        problems.append("there is no <rubric>")
        criteria: list[dict[str, Any]] = []
        feedback_prompt = feedback_default = ""
    else:
        criteria = _criteria(rubric, problems)
        feedback_prompt = _text(rubric, "feedbackprompt")
        feedback_default = _text(rubric, "feedback_default_text")
    steps = _steps(node, problems)
    # Without the attribute, ORA takes a written response; an empty one means files only.
    text_response = (
        node.get("text_response") if node.get("text_response") is not None else "required"
    ).strip()
    if text_response not in ("required", "optional"):
        problems.append(
            f"<openassessment>: text_response={text_response!r}: only written responses are taken here "
            '(text_response="required" or "optional")'
        )
    if (node.get("file_upload_response") or "").strip() == "required":
        problems.append('<openassessment>: file_upload_response="required": files cannot be uploaded here')
    start = _date(node, "submission_start", "<openassessment>", problems)
    due = _date(node, "submission_due", "<openassessment>", problems)
    if start and due and due < start:
        problems.append("<openassessment>: submission_due comes before submission_start")
    if problems:
        raise DefinitionError(problems)
    return {
        "title": _text(node, "title"),
        "prompts": prompts or [""],
        "prompts_type": (node.get("prompts_type") or "text").strip(),
        "criteria": criteria,
        "feedback_prompt": feedback_prompt,
        "feedback_default_text": feedback_default,
        "steps": [step for step in steps if step["name"] in RUN_STEPS],
        "submission_start": start,
        "submission_due": due,
        "text_response": text_response,
    }


def points_possible(definition: dict[str, Any]) -> int:
    """The most a learner can score: the best option of each criterion, added up (ORA's rule)."""
    return sum(max((o["points"] for o in c["options"]), default=0) for c in definition["criteria"])
