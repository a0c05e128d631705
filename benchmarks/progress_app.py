"""What gunicorn serves for the progress-write benchmark: the application, with the bench-only block type
of :mod:`benchmarks.bench_blocks` registered in its processes."""

from __future__ import annotations

from app import create_app
from benchmarks.bench_blocks import register

register()
app = create_app()
