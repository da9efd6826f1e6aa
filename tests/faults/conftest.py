"""Fault tests: real servers stopped, frozen and killed while the portal works.

Every test here uses servers of its own (a second Redis, a second PostgreSQL) or only
kills processes it started itself, so the rest of the suite keeps its servers.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from devtools.devstack import EmbeddedRedis


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "faults: stops, freezes or kills a real service (tests/faults, docs/faults.md)"
    )


def _drop_publisher_pools(app) -> None:
    # The publishing side keeps a connection pool per broker URL; after these two are
    # dropped the next publish opens a connection to whatever broker_url says now.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def celery_broker(url: str):
    """Publish tasks from this process to the Redis at ``url`` for a while."""
    from impactportal.celery import app

    previous = app.conf.broker_url
    _drop_publisher_pools(app)
    app.conf.broker_url = url
    try:
        yield app
    finally:
        _drop_publisher_pools(app)
        app.conf.broker_url = previous


@pytest.fixture
def real_celery(settings):
    """Tasks are published to a broker for real instead of running inline."""
    from impactportal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def own_redis(tmp_path, monkeypatch, real_celery):
    """A Redis of this test's own, which it may stop and freeze; Celery publishes to it
    and workers started by ``start_worker`` consume from it."""
    redis = EmbeddedRedis(tmp_path / "redis", persistent=False)
    url = redis.start()
    monkeypatch.setenv("REDIS_URL", url)  # read by the worker processes
    try:
        with celery_broker(url):
            yield redis
    finally:
        redis.stop()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Starts real Celery worker processes (on the broker REDIS_URL names at that moment)."""
    from devtools.testing.worker import WorkerProcess

    workers = []

    def start(name: str = "worker") -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"{name}-{len(workers)}.log").start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


class Stopwatch:
    """Durations of the requests a test makes, for its assertions and docs/faults.md."""

    def __init__(self):
        self.durations: list[float] = []

    @contextmanager
    def time(self):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.durations.append(time.perf_counter() - started)

    @property
    def max_ms(self) -> int:
        return round(max(self.durations) * 1000)

    @property
    def median_ms(self) -> int:
        ordered = sorted(self.durations)
        return round(ordered[len(ordered) // 2] * 1000)


_measured: list[str] = []


def report(line: str) -> None:
    """One measured outcome; the run's summary lists them (docs/faults.md quotes them)."""
    _measured.append(line)


def pytest_terminal_summary(terminalreporter):
    if _measured:
        terminalreporter.section("fault scenarios: measured outcomes")
        for line in _measured:
            terminalreporter.write_line(line)
