"""The virtual users of the load test, for Locust.

``manage.py loadtest`` prepares the accounts, sessions and pages to visit (the plan, see
``setup.py``), starts gunicorn and runs this file headless: first a warm-up without
pauses (``--rounds``), then the measured run. Every request goes to the ``--results``
file with what the server said about it (status, and from the benchmark settings'
response headers the SQL queries and Django's own time); the command makes its report
from that file.

A virtual user is one person after another at the same keyboard. It walks every journey
of ``journeys.py`` once first (the users start at different places in the list, so that
all are walked early in a run), then journeys chosen by their weight. Each journey
starts in a fresh browser, with no cookie but the session of the role it is walked as.
Between two requests the user waits 0.5-1.5 times ``--think`` seconds, like a person
reading the page.
"""

from __future__ import annotations

import itertools
import json
import random
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import django
import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser

django.setup()  # the journeys use the portal's own constants and form rules
# Setting Django up takes seconds without giving gevent's loop a turn, so the loop's
# clock stands still; --run-time, measured from it, would end the run that much early.
gevent.sleep(0)

from devtools.loadtest.journeys import JOURNEYS, JourneyBroken  # noqa: E402
from devtools.loadtest.setup import Plan  # noqa: E402

TIMEOUT = 30  # seconds; a request that takes longer counts as not answered
FIRST_NOTES = 20  # unexpected answers kept word for word for the report


@dataclass
class Tally:
    """What this process measured; written to ``--results`` when the test stops."""

    started: float = 0.0  # time.monotonic() at the start of the test
    seconds: float = 0.0  # from the start of the test to its end
    samples: list[dict] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    completed: int = 0  # journeys walked to the end
    broken: int = 0  # journeys cut short by an unexpected answer
    errors: list[str] = field(default_factory=list)  # exceptions in this file's own code

    def note(self, line: str) -> None:
        if len(self.unexpected) < FIRST_NOTES:
            self.unexpected.append(line)


@dataclass
class WarmUp:
    """With ``--rounds``: how many more times each journey is to be walked, shared by all
    users, and how many users are walking one right now."""

    left: dict[str, int] = field(default_factory=dict)
    walking: int = 0


TALLY = Tally()
WARM_UP = WarmUp()
NUMBERS = itertools.count()


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument("--plan", type=Path, required=True, help="Written by manage.py loadtest.")
    parser.add_argument("--results", type=Path, required=True, help="Where to write samples.")
    parser.add_argument("--think", type=float, default=3.0, help="Mean seconds between requests.")
    parser.add_argument("--seed", type=int, default=1, help="Random seed of the journeys.")
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="Warm-up: walk every journey this many times in all, without pauses, then stop.",
    )


@events.init.add_listener
def _init(environment, **kwargs):
    options = environment.parsed_options
    PortalUser.plan = Plan.load(options.plan)
    if options.rounds:
        WARM_UP.left = {journey.name: options.rounds for journey in JOURNEYS}


@events.request.add_listener
def _record(name, response_time, response, exception, **kwargs):
    TALLY.samples.append(
        {
            "page": name,
            "status": response.status_code,
            "ms": response_time,
            "expected": exception is None,
            "queries": _number(response.headers.get("X-Query-Count"), int),
            "server_ms": _number(response.headers.get("X-Server-Time"), float),
        }
    )
    if exception is not None:
        TALLY.note(str(exception))


@events.user_error.add_listener
def _error(user_instance, exception, tb, **kwargs):
    TALLY.errors.append("".join(traceback.format_exception(exception)[-3:]))


@events.test_start.add_listener
def _start(**kwargs):
    TALLY.started = time.monotonic()


@events.test_stop.add_listener
def _write(environment, **kwargs):
    TALLY.seconds = time.monotonic() - TALLY.started
    environment.parsed_options.results.write_text(json.dumps(asdict(TALLY)))


def _number(value: str | None, kind):
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


class PortalUser(HttpUser):
    """One person after another, each walking one journey (see the module docstring)."""

    plan: Plan

    def on_start(self):
        options = self.environment.parsed_options
        self.think = options.think
        self.number = next(NUMBERS) % options.num_users
        self.rng = random.Random(options.seed * 1000 + self.number)  # noqa: S311 (not secrets)
        first = self.number * len(JOURNEYS) // options.num_users
        self.queue = JOURNEYS[first:] + JOURNEYS[:first]

    def wait_time(self) -> float:
        return self.think * self.rng.uniform(0.5, 1.5)

    @task
    def visit(self):
        journey = self._next_journey()
        if journey is None:
            # The warm-up's journeys are all walked or being walked: the last user to
            # finish ends the run.
            if not WARM_UP.walking:
                self.environment.runner.quit()
            raise StopUser
        self.client.cookies.clear()
        if journey.role is not None:
            session = self.plan.member(journey.role, self.number).session
            self.client.cookies.set(self.plan.session_cookie, session)
        WARM_UP.walking += 1
        try:
            journey.walk(self)
        except JourneyBroken as broken:
            TALLY.broken += 1
            if str(broken):
                TALLY.note(str(broken))
        else:
            TALLY.completed += 1
        finally:
            WARM_UP.walking -= 1

    def _next_journey(self):
        """Every journey once, from this user's place in the list; then by weight. In the
        warm-up, the next journey in the list that is still to be walked, or None."""
        if WARM_UP.left:
            journey = next((j for j in self.queue + JOURNEYS if WARM_UP.left[j.name]), None)
            if journey is not None:
                WARM_UP.left[journey.name] -= 1
                self.queue = self.queue[1:] + self.queue[:1]
            return journey
        if self.queue:
            return self.queue.pop(0)
        return self.rng.choices(JOURNEYS, [journey.weight for journey in JOURNEYS])[0]

    # --- what the journeys call -------------------------------------------------------

    def pick(self, values):
        return self.rng.choice(values)

    def pause(self) -> None:
        self.wait()

    def get(self, page: str, path: str, *, expect=(200,)):
        return self._request(page, "GET", path, expect=expect)

    def submit(self, page, path, form, *, values=None, button=None, expect=(302,)):
        """Submit ``form`` (read from the page at ``path``) as a browser would."""
        action = urljoin(path, form.action) if form.action else path
        data = form.data(values, button=button)
        return self._request(page, "POST", action, data=data, expect=expect)

    def _request(self, page, method, path, *, expect, data=None):
        """One request, counted under ``page``; the journey ends unless the status is one
        of ``expect`` (redirects are not followed: where they lead is part of the answer)."""
        with self.client.request(
            method,
            path,
            name=page,
            data=data,
            allow_redirects=False,
            timeout=TIMEOUT,
            catch_response=True,
        ) as response:
            if response.status_code in expect:
                response.success()
            elif response.status_code == 0:
                response.failure(f"{page}: {method} {path}: no answer ({response.error!r})")
            else:
                location = response.headers.get("Location")
                response.failure(
                    f"{page}: {method} {path} answered {response.status_code}"
                    + (f" -> {location}" if location else "")
                )
        if response.status_code not in expect:
            raise JourneyBroken
        return response
