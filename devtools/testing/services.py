"""pytest plugin: throwaway PostgreSQL and Redis for the test run.

Loaded with ``-p devtools.testing.services`` (see pyproject.toml) so it runs before
pytest-django sets Django up and reads DATABASE_URL. With DATABASE_URL / REDIS_URL set
in the environment, those servers are used instead.
"""

import warnings

import pytest

from devtools.devstack import LocalServices

_services: LocalServices | None = None


def local_services() -> LocalServices:
    """The servers this run started (for fault tests that stop and start them)."""
    assert _services is not None
    return _services


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global _services
    if _services is None:
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        _services = LocalServices(throwaway=True)
        _services.start()
    return (yield)


def pytest_unconfigure(config):
    global _services
    if _services is not None:
        _services.stop()
        _services = None
