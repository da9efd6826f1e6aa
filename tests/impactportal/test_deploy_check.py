"""The production settings: Django's deployment checklist, and no start without secrets.

Each test runs a fresh process with DJANGO_SETTINGS_MODULE=impactportal.settings.production
and the environment a container gets, pointed at the test run's PostgreSQL and Redis.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
ALLOWED_HOST = "impactportaal.example"


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="impactportal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"{ALLOWED_HOST},www.{ALLOWED_HOST}",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{ALLOWED_HOST}",
        PORTAL_BASE_URL=f"https://{ALLOWED_HOST}",
        EMAIL_URL=f"smtp+tls://mail.{ALLOWED_HOST}:587",
        # The servers the test plugin started (or the ones the environment named).
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (fixed arguments)
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_deploy_checklist_has_no_warnings():
    result = run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--database",
            "default",
        ],
        production_env(),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Nothing silenced either (SILENCED_SYSTEM_CHECKS would hide a warning).
    assert "System check identified no issues (0 silenced)." in output, output


SETTINGS_LOAD = (
    "import django\n"
    "django.setup()\n"
    "from django.conf import settings\n"
    "print(len(settings.SECRET_KEY))\n"
)


def test_production_settings_load_with_the_required_environment():
    """The other half of the tests below: with everything set, the settings do load."""
    result = run([sys.executable, "-c", SETTINGS_LOAD], production_env())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_settings_refuse_to_load_without(variable):
    env = production_env()
    del env[variable]
    result = run([sys.executable, "-c", SETTINGS_LOAD], env)
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr, result.stderr
    assert variable in result.stderr


def test_production_settings_refuse_an_empty_secret_key():
    result = run([sys.executable, "-c", SETTINGS_LOAD], production_env(DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


# The web container, for real: its gunicorn command and its compose healthcheck ----------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _web_service() -> dict:
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    return compose["services"]["web"]


def _healthcheck_script(port: int) -> str:
    test = _web_service()["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], test
    script = test[3]
    assert "127.0.0.1:8000" in script
    return script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def test_web_command_serves_the_health_check_under_production_settings():
    """gunicorn as compose starts it (on a free loopback port), probed by compose's check."""
    command = list(_web_service()["command"])
    assert command[0] == "gunicorn"
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    # Not the shared default path in $HOME, which another gunicorn may be using.
    command.append("--no-control-socket")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    env = production_env()
    server = subprocess.Popen(  # noqa: S603 (gunicorn, fixed arguments)
        [gunicorn, *command[1:]],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not listen within 60 s"
                time.sleep(0.2)

        # Like compose, allow retries: the first request loads the whole application in
        # the worker, which can outlast one probe's timeout on a busy machine.
        for _attempt in range(_web_service()["healthcheck"].get("retries", 3)):
            healthy = run([sys.executable, "-c", _healthcheck_script(port)], env, timeout=30)
            if healthy.returncode == 0:
                break
        assert healthy.returncode == 0, healthy.stderr
    finally:
        server.terminate()
        try:
            log = server.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            log = server.communicate()[0]
    assert re.search(r'"GET /gezondheid/ HTTP/1\.[01]" 200 ', log), log


def test_web_healthcheck_fails_when_nothing_answers():
    result = run([sys.executable, "-c", _healthcheck_script(_free_port())], production_env())
    assert result.returncode != 0
