"""The reference for page benchmarks: a trivial Flask route returning fixed bytes (read once at start)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
_BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()


@app.get("/")
def page() -> Response:
    """The same bytes as the page being measured."""
    return Response(_BODY, mimetype="text/html")
