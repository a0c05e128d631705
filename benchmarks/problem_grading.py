"""Problems graded per second: a formula problem and a scripted problem against a plain numerical one.

Each kind is read once (as the block's cache keeps it), then its right answer is checked and graded
again and again for a fixed time, the kinds interleaved over several rounds. The formula problem is
compared at its sample points with Open edX's evaluator; the scripted problem's check function runs in
the script sandbox, one confined process per submission, which is what its time is made of. Every
submission's answer is a new text (as learners' are), so the formula problem reads each one afresh.
Goals: each of the two graded in under 50 ms (the plain numerical problem, graded in microseconds, is
the reference printed beside them).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks import common
from plugins.problem import sandbox
from plugins.problem.grading import clean_answers, grade
from plugins.problem.model import read_problem

NUMERICAL = '<problem><numericalresponse answer="42"><textline/></numericalresponse></problem>'
FORMULA = (
    '<problem><formularesponse answer="x^2 + 2*x*y + y^2" samples="x,y@1,1:5,5#10">'
    '<responseparam type="tolerance" default="0.01%"/><textline/></formularesponse></problem>'
)
SCRIPTED = """<problem><script type="loncapa/python">
a = random.randint(10, 99)
b = random.randint(10, 99)
def check(expect, ans):
    return int(ans) == a + b
</script><p>$a + $b</p><customresponse cfn="check"><textline/></customresponse></problem>"""


def _rate(data: str, answer: Callable[[dict, int], str], seconds: float) -> Callable[[], float]:
    problem = read_problem(data, "p", seed=3)
    context = problem.script.context if problem.script else {}
    submissions = iter(range(10**9))

    def measure() -> float:
        done = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            given = answer(context, next(submissions))
            result = grade(problem, clean_answers(problem, {"p_2_1": given}, "seed"), "seed")
            assert result.is_correct
            done += 1
        return done / seconds

    return measure


def run(seconds: float = 1.0, rounds: int = 5) -> None:
    """Measure and report the rates and the scripted problem's time."""
    measures = {
        "numerical": _rate(NUMERICAL, lambda _c, n: f"{42 + n * 0}", seconds),
        "formula": _rate(FORMULA, lambda _c, n: f"(x+y)^2+{n}*0", seconds),
    }
    if sandbox.available():
        measures["scripted"] = _rate(SCRIPTED, lambda c, n: f"{c['a'] + c['b']}" + " " * (n % 2), seconds)
    rates = common.interleaved(measures, rounds)
    for name, rate in rates.items():
        print(f"# problem_grading {name}: {rate:.1f} graded/s", flush=True)
    common.report("problem_formula_ms", 1000 / rates["formula"], "<=", 50.0)
    if "scripted" in rates:
        common.report("problem_scripted_ms", 1000 / rates["scripted"], "<=", 50.0)
    else:
        print("# problem_grading scripted: skipped, the script sandbox is off on this machine", flush=True)


if __name__ == "__main__":
    run()
