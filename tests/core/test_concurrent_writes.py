"""Two processes writing at once both succeed: SQLite waits (BEGIN IMMEDIATE) instead of failing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import Cybersite
from app.core.extensions import db

WRITER = r"""
import json, sys, time
from sqlalchemy import func, select
from app import create_app
from app.accounts.models import Cybersite
from app.core.extensions import db

settings = json.loads(sys.argv[1])
name, rounds, start_at = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, **settings})
with app.app_context():
    time.sleep(max(0.0, start_at - time.time()))
    for i in range(rounds):
        # Read, then write, in one transaction: the pattern that fails under a plain deferred BEGIN.
        seen = db.session.scalar(select(func.count()).select_from(Cybersite))
        db.session.add(Cybersite(name=f"{name}-{i}-{seen}", town="Aurillac", departement="15"))
        db.session.commit()
print("ok")
"""


@pytest.mark.slow
def test_two_processes_write_at_once(app, database, tmp_path: Path):
    settings = {k: v for k, v in database.items() if k != "TEST_SCHEMA"}
    start_at = time.time() + 2.0
    rounds = 60
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, json.dumps(settings), name, str(rounds), str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for name in ("a", "b")
    ]
    results = [writer.communicate(timeout=120) for writer in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err[-2000:]
        assert out.strip().endswith("ok")
    with app.app_context():
        names = db.session.scalars(sa.select(Cybersite.name)).all()
    assert len(names) == 2 * rounds
    assert {n.split("-")[0] for n in names} == {"a", "b"}
