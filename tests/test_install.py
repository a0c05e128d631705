"""What ``make run`` installs, and that installing is quiet: the product and its runtime extras only (no
test-only XBlocks in the demo's components), and a package layout setuptools builds without warnings."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(target: str) -> str:
    # -n prints the commands without running them; -B prints every step as on a fresh machine.
    done = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def _installs(commands: str) -> list[str]:
    return re.findall(r"pip install --quiet -e \"\.\[([^\]]*)\]\"", commands)


def test_make_run_installs_the_runtime_extras_only():
    extras = _installs(_dry_run("run"))
    assert extras == ["postgres,redis,xblocks"]
    assert "pytest" not in _dry_run("run")


def test_make_test_installs_the_test_tools_in_an_environment_of_their_own():
    commands = _dry_run("test")
    assert _installs(commands) == ["dev,test,postgres,redis,xblocks"]
    assert ".venv-test/bin/pytest" in commands and ".venv/bin" not in commands


@pytest.mark.slow
def test_the_package_builds_without_warnings_and_ships_its_templates(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "is absent from the `packages` configuration" not in done.stderr, done.stderr[:3000]
    (wheel,) = tmp_path.glob("cybermassif-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/templates/base.html" in names
    assert "app/progress/fonts/DejaVuSans.ttf" in names or any(
        n.startswith("app/progress/fonts/") for n in names
    )
    assert any(n.startswith("plugins/html/") and n.endswith(".py") for n in names)
    assert any(n.startswith("app/translations/fr/LC_MESSAGES/") for n in names)
