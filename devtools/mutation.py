"""Mutation testing of the modules that hold the rules (``make mutation``).

mutmut copies the project to ``mutants/``, rewrites every function of the modules in
``[tool.mutmut] only_mutate`` (pyproject.toml) into the original plus its mutants, runs
the tests once to learn which tests call which function, then forks one process per
mutant that runs only those tests. A mutant no test notices *survived*.

``python -m devtools.mutation run [MUTANT ...]``
    Starts one throwaway PostgreSQL and Redis for the whole run (unless ``DATABASE_URL``
    / ``REDIS_URL`` point at servers of your own) and runs ``mutmut run`` with one worker.
    The test database is kept between mutants (``--reuse-db`` in the config), so no
    mutant pays for starting a server or migrating. Results stay in ``mutants/``; a
    second run only tests mutants of functions that changed.
``python -m devtools.mutation report [--markdown] [--survivors]``
    The score per module, from ``mutants/``; with ``--survivors`` the mutants that lived.

mutmut leaves decorated functions alone (a decorator may register or cache the function
it wraps), so the services written as ``@transaction.atomic`` functions are not mutated;
docs/testing.md says what that leaves out. mutmut is pinned in pyproject.toml because the
report reads its result files (``mutants/*.meta``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tomllib
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# mutmut's exit codes per mutant, grouped the way the report counts them. A timeout is
# a kill: the mutant made the tests hang or loop, which a user would notice.
KILLED = "killed"
SURVIVED = "survived"
NO_TESTS = "no tests"
OTHER = "other"
_STATUS_BY_EXIT_CODE = {
    1: KILLED,
    3: KILLED,
    -24: KILLED,
    24: KILLED,
    36: KILLED,
    152: KILLED,
    255: KILLED,
    0: SURVIVED,
    5: NO_TESTS,
    33: NO_TESTS,
}


# Left out of the run (not of `make test`): the transactional tests. Every mutant runs in
# a new pytest session on the same kept test database, and a transactional test empties
# that database at its end, taking the rows the migrations put there (areas, topics,
# categories) from every later mutant, whose tests would then fail for the wrong reason.
# Two of them are also the agenda's thread races (20 connections, up to 200 sign-ups),
# seconds per mutant for locking that no mutant takes away; the capacity and waiting-list
# rules are pinned by single-threaded tests as well. Passed through PYTEST_ADDOPTS, which
# does not change mutmut's cached results.
SKIPPED_TESTS = [
    "tests/events/test_registration.py::test_200_parallel_sign_ups_for_50_places_confirm_exactly_50",
    "tests/events/test_registration.py::test_a_cancellation_promotes_exactly_one_person_once",
    "tests/procurement/test_search_cache.py",
]


def _mutmut_config() -> dict:
    with open(BASE_DIR / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["mutmut"]


def modules() -> list[str]:
    """The files under mutation, as listed in pyproject.toml."""
    return list(_mutmut_config()["only_mutate"])


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(mutant_names: list[str]) -> int:
    from mutmut.__main__ import cli

    from devtools.devstack import LocalServices

    # Ctrl-C and SIGTERM (also when started in the background, where SIGINT is ignored)
    # stop mutmut cleanly: the results so far are kept and the servers are stopped.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    os.chdir(BASE_DIR)
    deselect = " ".join(f"--deselect {test}" for test in SKIPPED_TESTS)
    os.environ["PYTEST_ADDOPTS"] = f"{os.environ.get('PYTEST_ADDOPTS', '')} {deselect}".strip()
    services = LocalServices(throwaway=True)
    services.start()  # sets DATABASE_URL / REDIS_URL unless they are set already
    try:
        # One worker: the machine is shared, and the tests share one test database.
        cli.main(["run", "--max-children", "1", *mutant_names], standalone_mode=False)
    finally:
        services.stop()
    return 0


def results() -> dict[str, Counter]:
    """Per module, how many mutants were killed, survived, had no tests, other."""
    import json

    counts: dict[str, Counter] = {}
    for module in modules():
        meta = BASE_DIR / "mutants" / f"{module}.meta"
        counter: Counter = Counter()
        if meta.exists():
            exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
            for code in exit_codes.values():
                if code is None:
                    counter["not checked"] += 1
                else:
                    counter[_STATUS_BY_EXIT_CODE.get(code, OTHER)] += 1
        counts[module] = counter
    return counts


def survivors() -> list[str]:
    import json

    names = []
    for module in modules():
        meta = BASE_DIR / "mutants" / f"{module}.meta"
        if meta.exists():
            exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
            names += [name for name, code in exit_codes.items() if code in (0, 5, 33)]
    return sorted(names)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def report(*, markdown: bool, show_survivors: bool) -> int:
    """Per module: all mutants, those tested so far, and how those ended. The score is
    killed / tested; a run that was stopped early leaves mutants "not run"."""
    from tabulate import tabulate

    headers = ["module", "mutants", "not run", "tested", "killed", "survived", "no tests", "score"]
    rows = []
    totals: Counter = Counter()
    for module, counter in [*results().items(), ("all", None)]:
        if counter is None:
            counter = totals
        else:
            totals.update(counter)
        total = sum(counter.values())
        not_run = counter["not checked"]
        tested = total - not_run
        killed = counter[KILLED]
        rows.append(
            [
                module,
                total,
                not_run,
                tested,
                killed,
                counter[SURVIVED],
                counter[NO_TESTS],
                _percent(killed, tested),
            ]
        )
    print(tabulate(rows, headers, tablefmt="github" if markdown else "simple"))
    if show_survivors:
        print()
        for name in survivors():
            print(name)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.mutation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", required=True)
    run_parser = sub.add_parser("run", help="run mutmut with one worker and throwaway servers")
    run_parser.add_argument("mutants", nargs="*", help="only these mutants (mutmut's names)")
    report_parser = sub.add_parser("report", help="the score per module")
    report_parser.add_argument("--markdown", action="store_true")
    report_parser.add_argument("--survivors", action="store_true")
    args = parser.parse_args(argv)
    if args.action == "run":
        return run(args.mutants)
    return report(markdown=args.markdown, show_survivors=args.survivors)


if __name__ == "__main__":
    sys.exit(main())
