"""``make run`` end to end: servers, migrate, demo data, web, worker, beat, and Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from devtools.testing.worker import wait_for

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.worker


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
            return response.status
    except OSError:
        return None


def test_make_run_serves_the_portal_and_ctrl_c_stops_everything(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PORTAL_DATA_DIR=str(tmp_path / "data"), PORT=str(port), PYTHONUNBUFFERED="1")
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devtools.devstack", "run"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        wait_for(
            lambda: _get(f"http://127.0.0.1:{port}/") == 200,
            timeout=120,
            message=f"portal not serving:\n{log_path.read_text()[-4000:]}",
        )
        assert time.monotonic() - started < 120
        output = log_path.read_text()
        assert "coordinator@demo.impactportaal.nl" in output
        assert "Two-factor for staff is OFF" in output
        # The demo data queued membership e-mails; the worker consumes and delivers them.
        wait_for(
            lambda: (
                "deliver_message" in log_path.read_text() and "succeeded" in log_path.read_text()
            ),
            timeout=60,
            message=f"worker consumed nothing:\n{log_path.read_text()[-4000:]}",
        )
        assert "beat: Starting" in log_path.read_text()
        children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 3
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        process.wait(60)
    assert process.returncode == 0, log_path.read_text()[-3000:]
    time.sleep(0.5)
    leftovers = [
        proc.info
        for proc in psutil.process_iter(["pid", "cmdline"])
        if proc.info["cmdline"] and any(str(tmp_path) in part for part in proc.info["cmdline"])
    ]
    assert leftovers == []
    assert all(
        not child.is_running() or child.status() == psutil.STATUS_ZOMBIE for child in children
    )
