"""Scripted problems as Open edX runs them: ``<script type="loncapa/python">``, ``$variables`` and
``<customresponse>`` check functions, all executed in the sandbox (:mod:`plugins.problem.sandbox`).

Open edX's rules (``xmodule/capa``: ``LoncapaProblem._extract_context``, ``CustomResponse``), kept here:

- every ``<script>`` that is not JavaScript or Perl is Python; their code, joined in document order, runs
  once with ``random`` seeded by the learner's seed; the JSON-safe globals it leaves, with ``seed`` and
  ``anonymous_student_id``, are the problem's *context*;
- ``$name`` anywhere in the problem's text and attributes is replaced by ``str(context[name])``, longest
  names first (so ``$ab`` is not read as ``$a`` followed by ``b``);
- a ``<customresponse>`` is checked either by the ``<answer type="loncapa/python">`` code inside it, run
  with the context and ``submission``, ``expect``, ``correct``, ``messages``… (it writes its verdict into
  ``correct``, ``messages``, ``overall_message``, ``grade_decimals``), or by the function its ``cfn``
  names, called as ``cfn(expect, ans)`` after the script is run again (``ans`` is the answer text for
  one input, the list of them for several). The function returns a truth value, ``{"ok", "msg",
  "grade_decimal"}`` or ``{"overall_message", "input_list": [{"ok", "msg", "grade_decimal"}…]}``; an
  ``ok`` that is a string containing "partial" is partly right (half the points unless
  ``grade_decimal`` says otherwise), a false value or "false" is wrong.

Several check functions of one submission run in one sandboxed process: a process costs a few tens of
milliseconds, the checks themselves usually far less.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plugins.problem import sandbox
from plugins.problem.cache import BoundedCache
from plugins.problem.messages import Message, _

CORRECT = "correct"
PARTIAL = "partially-correct"
INCORRECT = "incorrect"
#: Open edX's share of the points for a partly right answer when the check gives no grade_decimal.
DEFAULT_PARTIAL = 0.5
#: Open edX draws seeds below this bound (``MAX_RANDOMIZATION_BINS``).
SEED_BINS = 1000
_XML_ESCAPES = {"&apos;": "'", "&quot;": '"'}
_contexts: BoundedCache[dict[str, Any]] = BoundedCache(max_chars=8 * 1024 * 1024)


class ScriptError(Message):
    """A problem script that fails: its error as the author should read it."""


@dataclass(frozen=True)
class CustomCheck:
    """How one ``<customresponse>`` is checked, its ``$variables`` already replaced."""

    input_ids: tuple[str, ...]
    expect: str | None
    cfn: str | None
    answer_code: str | None
    cfn_extra_args: tuple[str, ...] = ()
    options: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The check function's verdict on one input."""

    correctness: str
    fraction: float
    message: str = ""


@dataclass(frozen=True)
class CheckResult:
    """A check's verdicts, per input id, and the message that applies to the whole question."""

    verdicts: dict[str, Verdict]
    overall_message: str = ""


def is_python(element: Any) -> bool:
    """Whether a ``<script>`` element is Python for Open edX (any type but JavaScript and Perl)."""
    kind = (element.get("type") or "").lower()
    return "javascript" not in kind and "perl" not in kind


def script_code(root: Any) -> str:
    """The problem's Python, every script in document order, as Open edX joins it."""
    code = ""
    for element in root.iter("script"):
        if is_python(element):
            text = element.text or ""
            for escaped, plain in _XML_ESCAPES.items():
                text = text.replace(escaped, plain)
            code += text
    return code


def context_for(code: str, seed: int, anonymous_id: str) -> dict[str, Any]:
    """The context of a script for a seed (remembered: the same code and seed always give the same);
    ScriptError when it fails or breaks a sandbox limit."""
    key = f"{seed}\x00{anonymous_id if 'anonymous_student_id' in code else ''}\x00{code}"
    return _contexts.get(key, lambda: _run_script(code, seed, anonymous_id))


def _run_script(code: str, seed: int, anonymous_id: str) -> dict[str, Any]:
    start = {"seed": seed, "anonymous_student_id": anonymous_id}
    if not code.strip():
        return start  # only answer scripts: nothing to run before grading
    try:
        (result,) = sandbox.run([(code, start)], seed)
    except sandbox.SandboxError as error:
        raise ScriptError(error.message, None, **error.params) from None
    if result.error is not None:
        raise _script_error(result.error)
    return {**start, **result.globals}


def _script_error(error: Mapping[str, Any]) -> ScriptError:
    described = f"{error.get('type', 'Error')}: {error.get('message', '')}".rstrip(": ")
    if error.get("line"):
        return ScriptError(
            _("The problem's script fails at line {script_line}: {error}"),
            None,
            script_line=error["line"],
            error=described,
        )
    return ScriptError(_("The problem's script fails: {error}"), None, error=described)


def substitute(text: str | None, context: Mapping[str, Any]) -> str | None:
    """``text`` with each ``$name`` of the context replaced by its value, longest names first."""
    if not text or "$" not in text:
        return text
    for name in sorted(context, key=len, reverse=True):
        marker = "$" + name
        if marker in text:
            text = text.replace(marker, str(context[name]))
    return text


def substitute_tree(root: Any, context: Mapping[str, Any]) -> None:
    """Replace the ``$variables`` of a problem tree in place: texts, tails and attributes, not code."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        code = element.tag == "script" or (
            element.tag == "answer" and "python" in (element.get("type") or "")
        )
        if not code:
            element.text = substitute(element.text, context)
            for name, value in element.items():
                if "$" in value:
                    element.set(name, substitute(value, context) or "")
        element.tail = substitute(element.tail, context)


def check_all(
    checks: Iterable[CustomCheck],
    answers: Mapping[str, str],
    code: str,
    context: Mapping[str, Any],
    seed: int,
) -> list[CheckResult]:
    """The verdicts of every check on a submission, run together in one sandboxed process. An empty
    single answer is wrong without running anything (as Open edX). ScriptError when a check fails."""
    checks = list(checks)
    jobs: list[tuple[str, dict[str, Any]]] = []
    runs: list[CustomCheck | None] = []
    for check in checks:
        submission = [answers.get(input_id, "") for input_id in check.input_ids]
        if len(submission) == 1 and not submission[0]:
            runs.append(None)
            continue
        jobs.append(_job(check, submission, answers, code, context))
        runs.append(check)
    outcomes = iter(_run_checks(jobs, seed) if jobs else [])
    results = []
    for check, run in zip(checks, runs, strict=True):
        if run is None:
            results.append(CheckResult({check.input_ids[0]: Verdict(INCORRECT, 0.0)}))
            continue
        outcome = next(outcomes)
        if outcome.error is not None:
            raise _script_error(outcome.error)
        results.append(_verdicts(check, outcome.globals))
    return results


def _job(
    check: CustomCheck,
    submission: list[str],
    answers: Mapping[str, str],
    code: str,
    context: Mapping[str, Any],
) -> tuple[str, dict[str, Any]]:
    if check.answer_code is not None:
        values = dict(context)
        values.update(
            {
                "expect": check.expect,
                "submission": submission,
                "idset": list(check.input_ids),
                "answers": dict(answers),
                "correct": ["unknown"] * len(submission),
                "messages": [""] * len(submission),
                "overall_message": "",
                "options": check.options,
                "dynamath": [None] * len(submission),
                "debug": False,
            }
        )
        return check.answer_code, values
    extra = "".join(f", {name}={name}" for name in check.cfn_extra_args)
    values = {"expect": check.expect, "ans": submission[0] if len(submission) == 1 else submission}
    values.update({name: context.get(name) for name in check.cfn_extra_args})
    return f"{code}\ncfn_return = {check.cfn}(expect, ans{extra})\n", values


def _run_checks(jobs: list[tuple[str, dict[str, Any]]], seed: int) -> list[sandbox.JobResult]:
    try:
        return sandbox.run(jobs, seed)
    except sandbox.SandboxError as error:
        raise ScriptError(error.message, None, **error.params) from None


def _verdicts(check: CustomCheck, left: Mapping[str, Any]) -> CheckResult:
    ids = check.input_ids
    if check.answer_code is not None:
        return _from_lists(ids, left)
    returned = left.get("cfn_return")
    if isinstance(returned, dict) and "input_list" in returned:
        items = returned["input_list"]
        if (
            not isinstance(items, list)
            or len(items) != len(ids)
            or not all(isinstance(i, dict) for i in items)
        ):
            raise ScriptError(
                _("The check function gave one verdict per input, not {count}."), None, count=len(ids)
            )
        verdicts = {
            input_id: _verdict(item.get("ok"), item.get("grade_decimal"), item.get("msg"))
            for input_id, item in zip(ids, items, strict=True)
        }
        return CheckResult(verdicts, _text(returned.get("overall_message")))
    if isinstance(returned, dict):
        if "ok" not in returned:
            raise ScriptError(_("The check function returned a dictionary Open edX does not read."), None)
        verdict = _verdict(returned["ok"], returned.get("grade_decimal"), None)
        message = _text(returned.get("msg"))
        if len(ids) == 1:
            return CheckResult({ids[0]: Verdict(verdict.correctness, verdict.fraction, message)})
        return CheckResult(dict.fromkeys(ids, verdict), message)
    verdict = _verdict(returned, None, None)
    return CheckResult(dict.fromkeys(ids, verdict))


def _from_lists(ids: tuple[str, ...], left: Mapping[str, Any]) -> CheckResult:
    """The verdict an ``<answer>`` script wrote into ``correct``, ``messages`` and ``grade_decimals``."""
    correct = left.get("correct")
    messages = left.get("messages")
    decimals = left.get("grade_decimals")
    if not isinstance(correct, list) or len(correct) != len(ids):
        raise ScriptError(_("The answer script must leave one entry of correct per input."), None)
    verdicts = {}
    for index, input_id in enumerate(ids):
        mark = str(correct[index]).strip().lower()
        correctness = CORRECT if mark == CORRECT else PARTIAL if mark == PARTIAL else INCORRECT
        if isinstance(decimals, list) and index < len(decimals):
            fraction = _fraction(decimals[index])
        else:
            fraction = {CORRECT: 1.0, PARTIAL: DEFAULT_PARTIAL}.get(correctness, 0.0)
        message = messages[index] if isinstance(messages, list) and index < len(messages) else ""
        verdicts[input_id] = Verdict(correctness, fraction, _text(message))
    return CheckResult(verdicts, _text(left.get("overall_message")))


def _verdict(ok: Any, grade_decimal: Any, message: Any) -> Verdict:
    mark = str(ok).lower().strip() if ok else "false"
    if mark == "false":
        correctness = INCORRECT
    elif "partial" in mark:
        correctness = PARTIAL
    else:
        correctness = CORRECT
    if grade_decimal is not None:
        fraction = _fraction(grade_decimal)
    else:
        fraction = {CORRECT: 1.0, PARTIAL: DEFAULT_PARTIAL}.get(correctness, 0.0)
    return Verdict(correctness, fraction, _text(message))


def _fraction(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ScriptError(_("grade_decimal must be a number between 0 and 1."), None) from None
    if not math.isfinite(number):
        raise ScriptError(_("grade_decimal must be a number between 0 and 1."), None)
    return min(max(number, 0.0), 1.0)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
