"""A learner's score and results: what the steps they took add up to, with ORA's rules.

The score is the peers' median when the assessment has a peer step, otherwise the self-assessment's
points; none is given while a required step is missing, and none once a trainer graded (the staff grade
was published and overrides). The results show, per criterion, the trainer's option, the peers' median
and the learner's own option, with the comments that came with them (peers stay anonymous).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugins.openassessment.rubric import median_by_criterion, median_points, points


def _step(definition: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((step for step in definition.get("steps", []) if step["name"] == name), None)


def final_score(
    definition: Mapping[str, Any],
    *,
    self_choices: Mapping[str, str] | None,
    staff_grade: float | None,
    done: int,
    received: Sequence[Mapping[str, Any]],
) -> float | None:
    """The points a learner earns once every required step is done, or None. ``done``: the peer
    responses they assessed; ``received``: the peer assessments of their response (``choices``…)."""
    peer, own, staff = (
        _step(definition, n) for n in ("peer-assessment", "self-assessment", "staff-assessment")
    )
    # A trainer's grade was published and overrides; a required staff step ends only with one.
    waiting = staff_grade is not None or (staff is not None and staff.get("required"))
    if waiting or (own is not None and not self_choices):
        return None
    if peer is not None:
        if done < peer["must_grade"] or len(received) < peer["must_be_graded_by"]:
            return None
        return float(median_points(definition, [a["choices"] for a in received]))
    return float(points(definition, self_choices)) if own is not None and self_choices else None


def _chosen(assessment: Mapping[str, Any], criterion: Mapping[str, Any]) -> dict[str, Any] | None:
    name = (assessment.get("choices") or {}).get(criterion["name"])
    return next((o for o in criterion["options"] if o["name"] == name), None)


def results(
    definition: Mapping[str, Any],
    *,
    staff: Mapping[str, Any],
    own: Mapping[str, Any],
    received: Sequence[Mapping[str, Any]],
) -> dict[str, Any] | None:
    """What the learner was given per criterion and the comments that came with it (``rows``, and which
    columns there are), or None while there is nothing to show. The peers' part shows once the response
    received every assessment the peer step asks for."""
    peer = _step(definition, "peer-assessment")
    peers = list(received) if peer is not None and len(received) >= peer["must_be_graded_by"] else []
    if not (peers or staff or own):
        return None
    medians = median_by_criterion(definition, [a["choices"] for a in peers])
    rows = [
        {
            "label": criterion["label"],
            "staff": _chosen(staff, criterion),
            "peer": medians.get(criterion["name"]),
            "self": _chosen(own, criterion),
            "notes": [
                note
                for assessment in (staff, *peers)
                if (note := (assessment.get("criterion_feedback") or {}).get(criterion["name"]))
            ],
        }
        for criterion in definition.get("criteria", [])
    ]
    return {
        "rows": rows,
        "staff": bool(staff),
        "peers": bool(peers),
        "own": bool(own),
        "comments": [a["feedback"] for a in peers if a.get("feedback")],
    }
