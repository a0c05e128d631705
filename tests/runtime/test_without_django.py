"""Django is an optional extra: without it the platform starts, imports courses and renders its own blocks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import sys

class NoDjango:
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError("Django is not installed here")

sys.meta_path.insert(0, NoDjango())

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.core.extensions import db
from app.courses.models import Course
from app.runtime.bridge import make_runtime
from app.runtime.host import Learner
from app.runtime.tree import LoadedTree

app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    upgrade()
    result = app.test_cli_runner().invoke(args=["courses", "import", sys.argv[2]])
    assert result.exit_code == 0, result.output
    course = db.session.scalar(select(Course))
    with app.test_request_context("/"):
        tree = LoadedTree.load_structure(db.session, course.published_tree_id)
        units = [r.usage_id for r in tree.walk() if r.block_type == "vertical"]
        runtime = make_runtime(course_key=course.course_key, tree=tree, learner=Learner(user_id=None))
        runtime.preload(tree.subtree(units[0]))
        html = runtime.render(runtime.get_block(units[0]), "student_view", {}).body_html()
    assert 'data-block-type="html"' in html, html[:500]
assert not any(name == "django" or name.startswith("django.") for name in sys.modules)
print("rendered", len(units), "units")
"""


@pytest.mark.slow
def test_the_platform_runs_without_django(tmp_path):
    course = next(p for p in sorted((ROOT / "courses").iterdir()) if (p / "course.xml").exists())
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'db.sqlite3'}", str(course)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rendered" in result.stdout
