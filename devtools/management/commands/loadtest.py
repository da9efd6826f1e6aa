"""``manage.py loadtest``: many people of every role using the portal at once.

Starts gunicorn with production settings (DEBUG off, ``impactportal.settings.benchmark``)
on the demo data, then N virtual users walk mixed journeys for a fixed time: visitors
read the service point and ask a question as a guest, browse Omarm, the supplier
directory and the agenda; entrepreneurs (a few through the login form) ask a question,
read it back and register for an event; a social organisation drafts a help request; a
procurement officer searches, shortlists and exports; staff work in the admin and the
coordinator reads the monitor. See ``devtools.loadtest.journeys``; the virtual users are
Locust's (``devtools.loadtest.locustfile``), run headless in a process of their own.

It prints per page: requests, req/s, p50/p95/p99 latency as the client measured it, 5xx
answers, requests without an answer, other unexpected answers (4xx, a wrong redirect),
SQL queries per request and the p95 of the time Django spent (both reported by the
server). It exits non-zero after any 5xx or unanswered request, and with
``--p95-target`` also when a page's p95 is above it.

``--data-dir`` (``make load``) runs on an embedded PostgreSQL and Redis kept in that
directory (PostgreSQL's data stays between runs; ``DATABASE_URL``/``REDIS_URL`` are used
instead when set). Without it the command uses the database it is configured with.
``--url`` drives a server that is already running on that same database.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.loadtest import journeys, report
from devtools.loadtest.run import LocustFailed, run
from devtools.loadtest.setup import prepare
from devtools.server import Gunicorn, ServerError, database_url


class Command(BaseCommand):
    help = (
        "Load test: N virtual users of every role walk the portal against gunicorn "
        "(DEBUG off) for a fixed time; prints req/s and p50/p95/p99 per page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50, help="Virtual users (default 50).")
        parser.add_argument(
            "--duration", type=float, default=60, help="Seconds to measure (default 60)."
        )
        parser.add_argument(
            "--think",
            type=float,
            default=3.0,
            help="Mean seconds a virtual user waits between requests (0.5-1.5 times this; "
            "default 3: 1.5-4.5 s, about Locust's examples' between(1, 5)).",
        )
        parser.add_argument(
            "--warmup",
            type=int,
            default=3,
            help="Unmeasured first: every journey this many times per gunicorn worker, "
            "without think time (default 3; 0: none).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=4,
            help="gunicorn workers (default 4: two per CPU measured best on two CPUs).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="Threads per worker (default 1: sync workers; more: gthread).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the journeys.")
        parser.add_argument(
            "--p95-target",
            type=float,
            help="Fail when a page's p95 is above this many milliseconds.",
        )
        parser.add_argument("--markdown", action="store_true", help="Also print a Markdown table.")
        parser.add_argument(
            "--url", help="Drive this running server (on the same database) instead."
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            help="Run on an embedded PostgreSQL and Redis kept in this directory (make load).",
        )

    def handle(self, *args, **options):
        if options["users"] < 1 or options["duration"] <= 0 or options["think"] < 0:
            raise CommandError("--users must be at least 1, --duration positive, --think >= 0.")
        if options["workers"] < 1 or options["threads"] < 1 or options["warmup"] < 0:
            raise CommandError("--workers and --threads must be at least 1, --warmup >= 0.")
        if options["data_dir"]:
            return self._with_embedded_servers(options)
        return self._load_test(options)

    # --- embedded servers: the same command again, pointed at them ------------------------

    def _with_embedded_servers(self, options) -> None:
        from devtools.devstack import EmbeddedPostgres, EmbeddedRedis

        data_dir = options["data_dir"].resolve()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "impactportal.settings.local",
            "DJANGO_DEBUG": "0",
        }
        postgres = redis = None
        try:
            if not os.environ.get("DATABASE_URL"):
                self.stdout.write(f"Starting PostgreSQL in {data_dir / 'postgres'} ...")
                postgres = EmbeddedPostgres(data_dir / "postgres")
                env["DATABASE_URL"] = postgres.start()
            if not os.environ.get("REDIS_URL"):
                redis = EmbeddedRedis(data_dir / "redis", persistent=False)
                env["REDIS_URL"] = redis.start()
            command = [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "loadtest",
                *_arguments(options),
            ]
            child = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603 (our own manage.py)
            try:
                code = child.wait()
            except KeyboardInterrupt:
                # Ctrl-C reached the child too: let it stop its gunicorn first.
                child.wait(60)
                raise CommandError("Interrupted.") from None
        finally:
            if redis is not None:
                redis.stop()
            if postgres is not None:
                self.stdout.write("Stopping PostgreSQL ...")
                postgres.stop()
        if code:
            raise CommandError("The load test failed; see above.")

    # --- the load test on the configured database -----------------------------------------

    def _load_test(self, options) -> None:
        users = options["users"]
        self.stdout.write("Migrating and loading the demo data ...")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo_data", stdout=StringIO())
        try:
            plan = prepare(users)
        except LookupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_dataset())

        server, url = None, options["url"]
        if not url:
            server = Gunicorn(
                workers=options["workers"], threads=options["threads"], env=_server_env()
            )
            self.stdout.write(f"Starting {server.description} ...")
            try:
                url = server.start()
            except ServerError as error:
                server.close()
                raise CommandError(str(error)) from error
        seconds = math.ceil(options["duration"])
        try:
            warmup_errors = self._warm_up(url, plan, options)
            self.stdout.write(
                f"Measuring: {users} virtual users for {seconds} s, think time "
                f"{options['think']:.1f} s (0.5-1.5x), against {url} ..."
            )
            results = run(
                url,
                plan,
                users=users,
                seconds=seconds,
                think=options["think"],
                seed=options["seed"],
            )
            log = server.tail() if server is not None else ""
        except LocustFailed as error:
            raise CommandError(str(error)) from None
        except KeyboardInterrupt:
            raise CommandError("Interrupted; nothing measured.") from None
        finally:
            if server is not None:
                server.close()
        self._report(results, options, warmup_errors, log)

    def _warm_up(self, url, plan, options) -> int:
        """Unmeasured traffic first, so the table shows the steady state: every server
        process has loaded its code, templates, translations and database connections
        (the first request of a kind in a process takes up to a second)."""
        if not options["warmup"]:
            return 0
        users = min(options["users"], options["workers"] * options["threads"])
        rounds = options["warmup"] * options["workers"]
        self.stdout.write(
            f"Warming up: every journey {rounds} times, {users} virtual users without pauses ..."
        )
        results = run(url, plan, users=users, seconds=300, think=0, seed=99, rounds=rounds)
        if results.errors:
            raise CommandError("Errors in the load test itself:\n" + "\n".join(results.errors))
        errors = sum(1 for s in results.samples if s.status >= 500 or s.status == 0)
        self.stdout.write(f"  {len(results.samples)} requests, {errors} 5xx or unanswered.")
        return errors

    def _report(self, results, options, warmup_errors, log) -> None:
        rows = report.summarise(results.samples, results.seconds, journeys.PAGES)
        if not rows:
            raise CommandError("Nothing was measured:\n" + results.log[-4000:])
        self.stdout.write("")
        self.stdout.write(report.table(rows))
        if options["markdown"]:
            self.stdout.write("")
            self.stdout.write(report.table(rows, markdown=True))
        self.stdout.write(
            f"\n{results.completed} journeys completed, {results.broken} cut short. Latency "
            "is measured by the client (Locust), end to end; queries and Django time are "
            "what the server reports for each response. The client (Locust, on the same "
            f"machine) used {results.cpu_seconds:.1f} CPU seconds in the "
            f"{results.seconds:.0f} s."
        )
        if results.unexpected:
            self.stdout.write(self.style.WARNING("Unexpected answers (first ones):"))
            for line in results.unexpected:
                self.stdout.write(f"  {line}")
        total = next(row for row in rows if row.page == report.ALL)
        failures = []
        if results.errors:
            self.stderr.write("Errors in the load test itself:\n" + "\n".join(results.errors))
            failures.append(f"{len(results.errors)} errors in the load test itself")
        if total.server_errors or total.no_answer or warmup_errors:
            if log:
                self.stderr.write("End of the gunicorn log:\n" + log)
            failures.append(
                f"{total.server_errors} server errors (5xx) and {total.no_answer} requests "
                f"without an answer"
                + (f", {warmup_errors} during the warm-up" if warmup_errors else "")
            )
        target = options["p95_target"]
        if target:
            slow = [row.page for row in rows if row.page != report.ALL and row.p95 > target]
            if slow:
                failures.append(f"p95 above {target:.0f} ms on: {', '.join(slow)}")
        if failures:
            raise CommandError("; ".join(failures) + ".")
        self.stdout.write(self.style.SUCCESS("No server errors."))


def _arguments(options) -> list[str]:
    """The options again, for the same command on the embedded servers."""
    args = []
    for name in ("users", "duration", "think", "warmup", "workers", "threads", "seed"):
        args += [f"--{name}", str(options[name])]
    if options["p95_target"]:
        args += ["--p95-target", str(options["p95_target"])]
    if options["url"]:
        args += ["--url", options["url"]]
    if options["markdown"]:
        args.append("--markdown")
    return args


def _server_env() -> dict[str, str]:
    """gunicorn on the same database and with the same secret key as this process: the
    sessions made here must be valid there."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=database_url(connection.settings_dict),
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        REDIS_URL=settings.REDIS_URL,
    )
    return env


def _dataset() -> str:
    from events.models import Event
    from omarm.models import HelpRequest
    from procurement.models import Supplier
    from servicepoint.models import Question

    return (
        f"Data: {Supplier.objects.count()} suppliers, {Question.objects.count()} questions, "
        f"{HelpRequest.objects.count()} help requests, {Event.objects.count()} events."
    )
