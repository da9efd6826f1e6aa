"""Demo data, as each app declares it: ``make run`` loads it for the demo logins.

An app registers its loader in ``AppConfig.ready()`` with an order: accounts (the demo
people and organisations) first, then the apps that use them. Every loader is
idempotent, so loading twice changes nothing; ``manage.py load_demo_data`` runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Callable[[], Any]
    order: int


_LOADERS: dict[str, DemoLoader] = {}


def register(name: str, load: Callable[[], Any], *, order: int) -> None:
    if name in _LOADERS:
        raise ValueError(f"demo loader {name!r} is registered twice")
    _LOADERS[name] = DemoLoader(name=name, load=load, order=order)


def loaders() -> list[DemoLoader]:
    return sorted(_LOADERS.values(), key=lambda loader: (loader.order, loader.name))


def load_all() -> dict[str, Any]:
    """Run every loader in order; ``{name: what it returned}``."""
    return {loader.name: loader.load() for loader in loaders()}
