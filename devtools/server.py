"""gunicorn serving the portal for the load test and the search benchmark: production
settings on loopback (``impactportal.settings.benchmark``: DEBUG off, every response says
its query count)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from devtools.devstack import free_port

SERVER_SETTINGS = "impactportal.settings.benchmark"
BASE_DIR = Path(__file__).resolve().parent.parent


def database_url(settings_dict: dict) -> str:
    """The URL of the database Django is connected to (the test database in tests)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    name = quote(settings_dict["NAME"], safe="")
    if host.startswith("/"):
        # A Unix socket directory goes in the path, as devtools.devstack writes it.
        return f"postgres://{auth}/{quote(host, safe='')}/{name}"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host or '127.0.0.1'}:{port}/{name}"


class ServerError(Exception):
    pass


def wait_until_up(url: str, seconds: float = 60, alive: Callable[[], None] = lambda: None):
    """Until the health check of the server at ``url`` answers (below 500). ``alive`` is
    called between tries and raises when the server has stopped."""
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive()
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            conn.request("GET", "/gezondheid/")
            status = conn.getresponse().status
            conn.close()
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServerError(f"No answer from {url} within {seconds:.0f} s.")


class Gunicorn:
    """``workers`` processes, each with ``threads`` threads (gthread) or one (sync)."""

    def __init__(self, *, workers: int, threads: int, env: dict[str, str]):
        self.workers, self.threads = workers, threads
        self.env = {**env, "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile("w+", prefix="portal-gunicorn-", suffix=".log")

    @property
    def description(self) -> str:
        kind = f"gthread, {self.threads} threads each" if self.threads > 1 else "sync"
        return f"gunicorn, {self.workers} workers ({kind}), {SERVER_SETTINGS}"

    def start(self, timeout: float = 60) -> str:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "impactportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--no-control-socket",
        ]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        self.process = subprocess.Popen(  # noqa: S603 (gunicorn with fixed arguments)
            command,
            env=self.env,
            cwd=BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(self.url, timeout, alive=self._alive)
        except ServerError as error:
            self.stop()
            raise ServerError(f"{error}\n{self.tail()}") from None
        return self.url

    def _alive(self) -> None:
        if self.process.poll() is not None:
            raise ServerError(f"gunicorn stopped at start (exit code {self.process.returncode}):")

    def tail(self, chars: int = 4000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-chars:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        self.log.close()
