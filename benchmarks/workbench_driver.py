"""Runs inside the xblock-sdk virtual environment: renders workbench scenarios with Django's test client.

Reads lines ``<count> <scenario id>`` on stdin and answers each with the median milliseconds per page.
It imports nothing from Cybermassif.
"""

import json
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
_work = tempfile.mkdtemp(prefix="cm-workbench-")
os.makedirs(os.path.join(_work, "var"))
os.chdir(_work)  # the workbench's settings write var/workbench.log relative to the working directory
_db = os.path.join(_work, "workbench.db")
os.environ["WORKBENCH_DATABASES"] = json.dumps(
    {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": _db}}
)

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
# Both hosts are measured without debug logging (the workbench logs every request at DEBUG to a file).
logging.disable(logging.INFO)

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", run_syncdb=True, verbosity=0)
client = Client()
print("ready", flush=True)
for line in sys.stdin:
    count, scenario = line.split()
    samples = []
    for _ in range(int(count)):
        started = time.perf_counter()
        response = client.get(f"/scenario/{scenario}/")
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            print(f"error {response.status_code}", flush=True)
            break
    else:
        print(f"{statistics.median(samples):.3f}", flush=True)
