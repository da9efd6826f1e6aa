"""Runs ``locustfile.py`` headless in a process of its own and reads back what it measured.

Importing Locust patches the standard library for gevent, so it never runs inside
``manage.py`` (nor inside the test suite): it is the ``locust`` command, started here.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .report import Sample
from .setup import Plan

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


@dataclass
class Results:
    seconds: float  # how long the users walked, as Locust ran it
    samples: list[Sample]
    unexpected: list[str]  # the first few, word for word
    completed: int  # journeys walked to the end
    broken: int  # journeys cut short by an unexpected answer
    errors: list[str]  # exceptions in the load test's own code
    cpu_seconds: float  # what the Locust process used
    log: str  # Locust's own output


class LocustFailed(Exception):
    pass


def run(
    url: str, plan: Plan, *, users: int, seconds: int, think: float, seed: int, rounds: int = 0
) -> Results:
    """``users`` virtual users walk the journeys against ``url`` for ``seconds``; with
    ``rounds``, every journey that many times in all without pauses, then they stop
    (``seconds`` is then only a limit)."""
    with tempfile.TemporaryDirectory(prefix="portal-loadtest-") as directory:
        directory = Path(directory)
        plan.dump(directory / "plan.json")
        results, log = directory / "results.json", directory / "locust.log"
        command = [
            sys.executable,
            "-m",
            "locust",
            "--locustfile",
            str(LOCUSTFILE),
            "--headless",
            "--only-summary",
            "--host",
            url,
            "--users",
            str(users),
            # People do not all arrive at once: all have come after one think time.
            "--spawn-rate",
            str(users / think if think else users),
            "--run-time",
            f"{seconds}s",
            # Unexpected answers are in the results; a non-zero exit is Locust failing.
            "--exit-code-on-error",
            "0",
            "--plan",
            str(directory / "plan.json"),
            "--results",
            str(results),
            "--think",
            str(think),
            "--seed",
            str(seed),
            "--rounds",
            str(rounds),
        ]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        cpu = _children_cpu_seconds()
        with log.open("w") as output:
            code = subprocess.run(  # noqa: S603 (our own locustfile, fixed arguments)
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            ).returncode
        cpu = _children_cpu_seconds() - cpu
        output = log.read_text(errors="replace")
        if code or not results.exists():
            raise LocustFailed(f"Locust stopped with exit code {code}:\n{output[-4000:]}")
        data = json.loads(results.read_text())
    return Results(
        seconds=data["seconds"],
        samples=[Sample(**sample) for sample in data["samples"]],
        unexpected=data["unexpected"],
        completed=data["completed"],
        broken=data["broken"],
        errors=data["errors"],
        cpu_seconds=cpu,
        log=output,
    )


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
