"""The floors of the house, as import-linter checks them in `make test`: the kernel and
accounts import no app, the apps do not import each other, and no product module imports
the development tooling. These tests keep the contracts themselves complete: a new app
that is not in them would not be held to them."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
GROUND = {"impactportal", "accounts"}


def _our_apps() -> set[str]:
    """The top-level packages of our own apps in INSTALLED_APPS (not the kernel's)."""
    return {
        name.split(".")[0]
        for name in settings.INSTALLED_APPS
        if (ROOT / name.split(".")[0]).is_dir() and name.split(".")[0] not in GROUND
    } - {"devtools"}


def _contract(kind: str) -> list[dict]:
    return [c for c in CONTRACTS["contracts"] if c["type"] == kind]


def test_every_app_is_held_to_independence():
    [independence] = _contract("independence")
    assert set(independence["modules"]) == _our_apps()


def test_the_kernel_and_accounts_are_forbidden_every_app_and_the_tooling():
    forbidden = {
        frozenset(c["source_modules"]): set(c["forbidden_modules"]) for c in _contract("forbidden")
    }
    assert forbidden[frozenset({"impactportal"})] == _our_apps() | {"accounts", "devtools"}
    assert forbidden[frozenset({"accounts"})] == _our_apps() | {"devtools"}
    assert forbidden[frozenset(GROUND | _our_apps())] == {"devtools"}
    assert set(CONTRACTS["root_packages"]) == GROUND | _our_apps() | {"devtools"}


def test_the_contracts_hold_and_a_broken_one_is_reported(tmp_path):
    lint = Path(sys.executable).with_name("lint-imports")
    kept = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    assert kept.returncode == 0, kept.stdout
    # A contract this tree breaks (accounts stand on the kernel): proof the run reads
    # the code rather than passing whatever it is given.
    broken = tmp_path / "contracts.toml"
    broken.write_text(
        '[tool.importlinter]\nroot_packages = ["accounts", "impactportal"]\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "accounts may not use the kernel"\ntype = "forbidden"\n'
        'source_modules = ["accounts"]\nforbidden_modules = ["impactportal"]\n'
    )
    result = subprocess.run(  # noqa: S603
        [lint, "--config", str(broken)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 1 and "BROKEN" in result.stdout
