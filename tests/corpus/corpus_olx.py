"""What the corpus's OLX says, read by the tests: its units, problems and the answers Open edX would
grade right and wrong, computed from the OLX itself (and, for scripted problems, from the numbers the
learner's page shows)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from calc import evaluator
from lxml import etree

from tests.corpus.conftest import CORPUS

#: Units a learner does not see: staff only, a content group each (the learner is in no cohort), and
#: a chapter that opens in 2099.
HIDDEN_FROM_LEARNERS = frozenset(
    {"u-pratique-formateurs", "u-parcours-commerces", "u-parcours-artisans", "u-rattrapage"}
)
#: Problem forms the platform does not run yet: they show a notice (none left in the corpus).
UNSUPPORTED_FORMS: frozenset[str] = frozenset()


def read(relative: str) -> Any:
    """The root element of a corpus file."""
    return etree.parse(str(CORPUS / relative)).getroot()


def units() -> list[str]:
    """The url_names of every unit of the course, in course order."""
    found = []
    for chapter in read("course/2026_T1.xml").iter("chapter"):
        for sequence in read(f"chapter/{chapter.get('url_name')}.xml").iter("sequential"):
            found += [u.get("url_name") for u in read(f"sequential/{sequence.get('url_name')}.xml")]
    return found


def unit_of(url_name: str) -> str:
    """The unit holding the component ``url_name``."""
    for unit in units():
        if any(child.get("url_name") == url_name for child in read(f"vertical/{unit}.xml")):
            return unit
    raise LookupError(url_name)


def problems() -> Iterator[tuple[str, Any]]:
    """(url_name, root) of every problem of the corpus: its files and the ones inside a library_content."""
    for path in sorted((CORPUS / "problem").glob("*.xml")):
        yield path.stem, etree.parse(str(path)).getroot()
    for path in sorted((CORPUS / "library_content").glob("*.xml")):
        for problem in etree.parse(str(path)).getroot().iter("problem"):
            yield problem.get("url_name"), problem


def problem_root(url_name: str) -> Any:
    """The root of one problem of the corpus."""
    return next(root for name, root in problems() if name == url_name)


def forms(root: Any) -> set[str]:
    """The response and input types of a problem (``multiplechoiceresponse``, ``jsinput``…)."""
    return {e.tag for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith(("response", "jsinput"))}


def max_points(root: Any) -> float:
    """What a problem is worth in Open edX: its weight, else one point per response."""
    weight = root.get("weight")
    if weight is not None:
        return float(weight)
    return float(sum(1 for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("response")))


@dataclass(frozen=True)
class Answers:
    """A right and a wrong answer to a problem's one question."""

    right: Any
    wrong: Any


def _choices(root: Any, group: str) -> tuple[list[int], list[int]]:
    choices = root.findall(f".//{group}/choice")
    right = [i for i, c in enumerate(choices) if c.get("correct", "").lower() == "true"]
    return right, [i for i in range(len(choices)) if i not in right]


def _option_answers(root: Any) -> Answers:
    select = root.find(".//optioninput")
    if select.get("options"):
        options = list(ast.literal_eval(select.get("options")))
        right = select.get("correct")
    else:
        options = [(o.text or "").strip() for o in select.findall("option")]
        right = next((o.text or "").strip() for o in select.findall("option") if o.get("correct") == "True")
    return Answers(right, next(o for o in options if o != right))


def _rectangle_centre(rectangle: str) -> tuple[int, int, tuple[int, ...]]:
    x1, y1, x2, y2 = (int(n) for n in re.findall(r"-?\d+", rectangle)[:4])
    return (x1 + x2) // 2, (y1 + y2) // 2, (x1, y1, x2, y2)


#: A VAT number for the SIREN 123 456 789 (key 40), and one without its prefix.
VAT_RIGHT, VAT_WRONG = "fr40 123456789", "123456789"


def answers(root: Any, page: str = "") -> Answers:
    """A right and a wrong answer to the problem's one question, computed from its OLX (and ``page``)."""
    kinds = forms(root)
    if "multiplechoiceresponse" in kinds:
        right, wrong = _choices(root, "choicegroup")
        return Answers(f"choice_{right[0]}", f"choice_{wrong[0]}")
    if "choiceresponse" in kinds:
        right, wrong = _choices(root, "checkboxgroup")
        return Answers([f"choice_{i}" for i in right], [f"choice_{wrong[0]}"])
    if "optionresponse" in kinds:
        return _option_answers(root)
    if "numericalresponse" in kinds:
        value = evaluator({}, {}, root.find(".//numericalresponse").get("answer"))
        return Answers(str(value), str(value * 2 + 7))
    if "formularesponse" in kinds:
        formula = root.find(".//formularesponse").get("answer")
        return Answers(formula, f"({formula})+1")
    if "stringresponse" in kinds:
        response = root.find(".//stringresponse")
        assert "regexp" in response.get("type", "")
        pattern = re.compile(response.get("answer"), re.IGNORECASE)
        assert pattern.fullmatch(VAT_RIGHT) and not pattern.fullmatch(VAT_WRONG)
        return Answers(VAT_RIGHT, VAT_WRONG)
    if "imageresponse" in kinds:
        x, y, (x1, y1, x2, y2) = _rectangle_centre(root.find(".//imageinput").get("rectangle"))
        assert not (x1 <= 0 <= x2 and y1 <= 0 <= y2)
        return Answers({"x": str(x), "y": str(y)}, {"x": "0", "y": "0"})
    if "choicetextresponse" in kinds:
        choices = root.findall(".//radiotextgroup/choice")
        index = next(i for i, c in enumerate(choices) if c.get("correct") == "true")
        values = {
            f"choice_{index}_{j}": n.get("answer")
            for j, n in enumerate(choices[index].iter("numtolerance_input"))
        }
        wrong = next(i for i, c in enumerate(choices) if c.get("correct") != "true")
        return Answers(
            {"choices": [f"choice_{index}"], "values": values}, {"choices": [f"choice_{wrong}"], "values": {}}
        )
    if "jsinput" in kinds:
        # What the frame sends with get_statefn (as Open edX's jsinput): its answer and its state.
        def sent(total: int) -> str:
            return json.dumps({"answer": json.dumps({"total": total}), "state": json.dumps({"total": total})})

        return Answers(sent(120), sent(100))
    if "customresponse" in kinds and root.find(".//customresponse").get("cfn"):
        # The numbers the learner was given: « … de 7 heures. Elle emploie 5 salariés, … 32 € de l’heure. »
        hours, staff, cost = (
            int(n)
            for n in re.search(
                r"journée de (\d+) heures\. Elle emploie (\d+) salariés, qui lui coûtent chacun (\d+) €", page
            ).groups()
        )
        return Answers(str(hours * staff * cost), str(staff * cost))
    if "customresponse" in kinds:
        minimum = int(re.search(r"d’au moins (\d+) caractères", page).group(1))
        return Answers("a" * (minimum - 1) + "7", "a" * (minimum - 1))
    raise AssertionError(f"no answers for {sorted(kinds)}")
