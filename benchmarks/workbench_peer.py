"""The peer: the acid and acid_parent scenarios (acid aside on) in our runtime and in xblock-sdk's workbench.

The workbench, the reference host, is installed from PyPI into a separate virtual environment (kept in
``instance/bench/``); both sides render the same blocks with their framework's in-process test client,
interleaved batch by batch. Goal: ours at least 3 times faster.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import site
from benchmarks.common import ROOT, report

VENV = ROOT / "instance" / "bench" / "workbench-venv"
REQUIREMENTS = ("xblock-sdk==0.14.0", "acid-xblock==0.4.1", "django-pyfs>=3.2", "Django>=4.2,<5")
SCENARIOS = {"acid": ("acid.0", "<acid url_name='test'/>"),
             "acid_parent": ("acid_parent.0",
                             "<acid_parent url_name='parent'><acid url_name='left-child'/>"
                             "<acid url_name='right-child'/></acid_parent>")}  # fmt: skip
BATCH = 20
ROUNDS = 7


def _workbench_python() -> Path:
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
        marker.write_text("\n".join(REQUIREMENTS))
    return python


def _ours_ms(client: object, path: str) -> float:
    samples = []
    for _ in range(BATCH):
        started = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return statistics.median(samples)


def run() -> None:
    """Measure both hosts on both scenarios and report the speed-up."""
    python = _workbench_python()
    driver = subprocess.Popen(
        [str(python), str(Path(__file__).with_name("workbench_driver.py"))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    assert driver.stdout and driver.stdin
    if driver.stdout.readline().strip() != "ready":
        raise RuntimeError("the workbench did not start")
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as tmp:
        work = Path(tmp)
        key = site.write_course(work / "acid", "ACID", {name: xml for name, (_, xml) in SCENARIOS.items()})
        built = site.build(work, [work / "acid"], asides=("acid_aside",))
        client = built.app.test_client()  # type: ignore[attr-defined]
        _sign_in(client, built.email)
        results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in SCENARIOS}
        for _ in range(ROUNDS):
            for name, (scenario, _) in SCENARIOS.items():
                driver.stdin.write(f"{BATCH} {scenario}\n")
                driver.stdin.flush()
                answer = driver.stdout.readline().strip()
                if answer.startswith("error"):
                    raise RuntimeError(f"workbench {scenario}: {answer}")
                results[name][0].append(float(answer))
                results[name][1].append(_ours_ms(client, site.unit_path(key, name)))
    driver.stdin.close()
    driver.wait(timeout=30)
    for name, (theirs, ours) in results.items():
        wb, mine = statistics.median(theirs), statistics.median(ours)
        print(
            f"# {name}: workbench {wb:.1f} ms, Cybermassif {mine:.1f} ms a page ({ROUNDS} rounds of {BATCH})"
        )
        report(f"{name}_speedup_vs_workbench", wb / mine, ">=", 3.0)


def _sign_in(client: object, email: str) -> None:
    import re

    page = client.get("/compte/connexion").get_data(as_text=True)  # type: ignore[attr-defined]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(  # type: ignore[attr-defined]
        "/compte/connexion", data={"email": email, "password": site.PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError("sign-in failed")
