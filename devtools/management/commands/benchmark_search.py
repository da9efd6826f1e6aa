"""Drive the Platform Goed Inkopen search page over HTTP and report its speed.

``manage.py benchmark_search`` starts gunicorn with production settings (DEBUG off; see
``impactportal.settings.benchmark``) against the current database, warms it up, then
for a fixed time sends requests from N threads, each with its own keep-alive
connection, mixing these kinds of search:

- ``one word``: a single search word, from very common ("groningen", in two thirds of
  the profiles) to rare (a family name);
- ``two words, typo``: two words of which one is misspelt ("cirkulaire meubels");
- ``word + facets``: a word with a theme, a label and a region (a buyer narrowing down);
- ``three facets``: no words, three facets (theme, label, region, category, size, ...);
- ``no filters``: the page as it opens, counting facets over every public profile.

Every value comes from the vocabulary of ``manage.py seed_suppliers``. It prints a
table per kind (requests, req/s, p50/p95/p99 latency, errors, SQL queries per request
as reported by the server) and exits non-zero if any response was a server error.

``--url`` benchmarks a server that is already running instead. ``--data-dir`` runs
everything on its own embedded PostgreSQL kept in that directory (``make benchmark``):
migrate, seed the suppliers if they are not there yet, benchmark, stop.
"""

from __future__ import annotations

import http.client
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.server import Gunicorn, ServerError, wait_until_up
from devtools.tables import percentile, table, value_range
from procurement.constants import LabelKind, MvoiTheme, Region, SizeClass

SEARCH_PATH = "/goed-inkopen/"
SEEDED_DEFAULT = 100_000

T, L, R, S = MvoiTheme, LabelKind, Region, SizeClass

ONE_WORD = (
    "groningen",  # two thirds of the profiles
    "circulair",
    "arbeidsmarkt",
    "leerwerkplekken",
    "catering",
    "schoonmaak",
    "recycling",
    "zonnepanelen",
    "koffie",
    "drukwerk",
    "bedrijfskleding",
    "laptops",
    "jobcoaching",
    "upcycling",
    "groenonderhoud",
    "meubels",
    "koffiebranderij",
    "wasserij",
    "pieterburen",
    "dijkstra",  # a few hundred
)
# One word of each pair is misspelt; the search corrects it from the word list.
TWO_WORDS_TYPO = (
    "cirkulaire meubels",
    "schoonmak groningen",
    "koffie biologich",
    "catering statushuoders",
    "refurbisched laptops",
    "groenonderhout drenthe",
    "bedrijfskleeding duurzame",
    "drukwerk gerecyceld",
    "zonnepanelen isolattie",
    "jobcoching werkgevers",
    "wasserij zorginstelingen",
    "fietsenwerkplaats stadskanal",
)
WORD_AND_FACETS = (
    ("catering", T.SOCIAL_RETURN, L.PSO, R.CITY),
    ("schoonmaak", T.ENVIRONMENT, L.CODE_SOCIAL, R.PROVINCE),
    ("koffie", T.SUPPLY_CHAIN, L.BCORP, R.CITY),
    ("fiets", T.SOCIAL_RETURN, L.PSO, R.CITY),
    ("meubels", T.CIRCULAR, L.BCORP, R.DRENTHE),
    ("drukwerk", T.ENVIRONMENT, L.PSO, R.FRYSLAN),
    ("groenonderhoud", T.CLIMATE, L.PSO, R.CITY),
    ("laptops", T.CIRCULAR, L.CODE_SOCIAL, R.CITY),
    ("jobcoaching", T.DIVERSITY, L.PSO, R.PROVINCE),
    ("zonnepanelen", T.CLIMATE, L.OTHER, R.CITY),
)
THREE_FACETS = (
    {"thema": T.CIRCULAR, "label": L.PSO, "regio": R.CITY},
    {"thema": T.SOCIAL_RETURN, "omvang": S.SMALL, "impact": "first"},
    {"categorie": "90900000", "regio": R.DRENTHE, "bevestigd": "recent"},
    {"thema": T.CLIMATE, "categorie": "60000000", "omvang": S.MICRO},
    {"label": L.BCORP, "impact": "first", "regio": R.FRYSLAN},
    {"sdg": "12", "thema": T.CIRCULAR, "categorie": "39000000"},
    {"label": L.CODE_SOCIAL, "omvang": S.MEDIUM, "regio": R.PROVINCE},
    {"thema": T.DIVERSITY, "label": L.PSO, "bevestigd": "niet-recent"},
    {"categorie": "55000000", "impact": "first", "sdg": "8"},
    {"thema": T.ENVIRONMENT, "categorie": "77000000", "regio": R.CITY},
)


def _query(**params) -> str:
    return f"{SEARCH_PATH}?{urlencode({k: str(v) for k, v in params.items()})}"


WORKLOAD: dict[str, list[str]] = {
    "one word": [_query(q=word) for word in ONE_WORD],
    "two words, typo": [_query(q=words) for words in TWO_WORDS_TYPO],
    "word + facets": [
        _query(q=word, thema=theme, label=label, regio=region)
        for word, theme, label, region in WORD_AND_FACETS
    ],
    "three facets": [_query(**facets) for facets in THREE_FACETS],
    "no filters": [SEARCH_PATH],
}


# --- client side ------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection error or timeout)
    seconds: float
    queries: int | None = None
    query_ms: float | None = None
    server_ms: float | None = None


@dataclass
class Load:
    """What the client threads recorded."""

    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0

    def by_kind(self) -> dict[str, list[Sample]]:
        kinds: dict[str, list[Sample]] = defaultdict(list)
        for sample in self.samples:
            kinds[sample.kind].append(sample)
        return kinds

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500)


def _header_number(response, name: str, kind=float):
    value = response.getheader(name)
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


class _Client:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closes it."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str, kind: str) -> Sample:
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request("GET", path, headers={"Host": self.host})
            response = self.conn.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            return Sample(kind, 0, time.perf_counter() - started)
        return Sample(
            kind,
            response.status,
            time.perf_counter() - started,
            _header_number(response, "X-Query-Count", int),
            _header_number(response, "X-Query-Time"),
            _header_number(response, "X-Server-Time"),
        )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_load(
    base_url: str,
    workload: dict[str, list[str]],
    *,
    seconds: float,
    concurrency: int,
    seed: int = 1,
    timeout: float = 30.0,
) -> Load:
    """``concurrency`` threads send requests for ``seconds``; each picks a kind in turn
    (so every kind gets the same share) and a random value of it."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    prefix = parts.path.rstrip("/")
    kinds = [kind for kind, paths in workload.items() if paths]
    load, lock = Load(), threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(number: int) -> None:
        rng = random.Random(seed * 1000 + number)  # noqa: S311 (choosing test requests)
        client, mine = _Client(host, port, timeout), []
        turn = number
        while time.monotonic() < deadline:
            kind = kinds[turn % len(kinds)]
            turn += 1
            mine.append(client.get(prefix + rng.choice(workload[kind]), kind))
        client.close()
        with lock:
            load.samples.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.monotonic() - started
    return load


def warm_up(base_url: str, workload: dict[str, list[str]], *, rounds: int, concurrency: int):
    """Ask for every page ``rounds`` times (spread over the server's processes) before
    measuring: what is measured is the steady state, not the first visit."""
    paths = [(kind, path) for kind, values in workload.items() for path in values] * rounds
    random.Random(0).shuffle(paths)  # noqa: S311 (request order)
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    prefix = parts.path.rstrip("/")
    statuses: dict[int, int] = defaultdict(int)
    lock = threading.Lock()

    def worker(share):
        client = _Client(host, port, 120.0)
        for kind, path in share:
            sample = client.get(prefix + path, kind)
            with lock:
                statuses[sample.status] += 1
        client.close()

    threads = [
        threading.Thread(target=worker, args=(paths[n::concurrency],)) for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return dict(statuses)


@dataclass
class Row:
    kind: str
    requests: int
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int
    queries: str
    query_ms: str
    server_ms: str


def _median(values) -> str:
    values = [v for v in values if v is not None]
    return f"{percentile(values, 50):.1f}" if values else "-"


def summarise(load: Load) -> list[Row]:
    rows = []
    groups = list(load.by_kind().items()) + [("all", load.samples)]
    for kind, samples in groups:
        if not samples:
            continue
        ms = [s.seconds * 1000 for s in samples]
        rows.append(
            Row(
                kind=kind,
                requests=len(samples),
                rate=len(samples) / load.seconds if load.seconds else 0.0,
                p50=percentile(ms, 50),
                p95=percentile(ms, 95),
                p99=percentile(ms, 99),
                errors=sum(1 for s in samples if s.status != 200),
                queries=value_range(s.queries for s in samples if s.status == 200),
                query_ms=_median(s.query_ms for s in samples if s.status == 200),
                server_ms=_median(s.server_ms for s in samples if s.status == 200),
            )
        )
    return rows


HEADER = (
    "kind",
    "requests",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "queries",
    "SQL ms p50",
    "Django ms p50",
)


def report(rows: list[Row], *, markdown: bool = False) -> str:
    """The table, as plain text or as a Markdown table (for docs/benchmarks.md)."""
    cells = [
        (
            r.kind,
            str(r.requests),
            f"{r.rate:.1f}",
            f"{r.p50:.0f}",
            f"{r.p95:.0f}",
            f"{r.p99:.0f}",
            str(r.errors),
            r.queries,
            r.query_ms,
            r.server_ms,
        )
        for r in rows
    ]
    return table(HEADER, cells, markdown=markdown)


# --- orchestration ----------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Benchmark the supplier search over HTTP against gunicorn (DEBUG off) at a given "
        "concurrency; prints req/s, p50/p95/p99 and SQL queries per request for each kind."
    )

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=30, help="Seconds to measure.")
        parser.add_argument("--concurrency", type=int, default=8, help="Client threads.")
        parser.add_argument("--url", help="Benchmark this running server instead.")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers.")
        parser.add_argument("--threads", type=int, default=1, help="Threads per worker.")
        parser.add_argument(
            "--warmup-rounds",
            type=int,
            default=4,
            help="Times every page is asked for per server process before measuring.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the client.")
        parser.add_argument(
            "--no-cache",
            action="store_true",
            help="Run the server without the search cache (every page computed afresh).",
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            help="Run on an embedded PostgreSQL kept in this directory: migrate, seed "
            "--suppliers if missing, benchmark, stop (make benchmark).",
        )
        parser.add_argument("--suppliers", type=int, default=SEEDED_DEFAULT)
        parser.add_argument("--markdown", action="store_true", help="Also print a Markdown table.")

    def handle(self, *args, **options):
        if options["concurrency"] < 1 or options["duration"] <= 0:
            raise CommandError("--concurrency must be at least 1 and --duration positive.")
        if options["data_dir"]:
            return self._on_embedded_database(options)
        env = dict(os.environ)
        if not options["url"]:
            self._check_dataset(options["suppliers"])
        return self._benchmark(options, env)

    # An embedded server of our own, so `make benchmark` needs nothing installed.
    def _on_embedded_database(self, options) -> None:
        from devtools.devstack import EmbeddedPostgres

        postgres = EmbeddedPostgres(options["data_dir"].resolve() / "postgres")
        self.stdout.write(f"Starting PostgreSQL in {options['data_dir']} ...")
        env = {
            **os.environ,
            "DATABASE_URL": postgres.start(),
            "DJANGO_SETTINGS_MODULE": "impactportal.settings.local",
        }
        try:
            manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
            subprocess.run(  # noqa: S603 (our own manage.py)
                [*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True
            )
            subprocess.run(  # noqa: S603 (our own manage.py)
                [*manage, "seed_suppliers", "--count", str(options["suppliers"]), "--if-missing"],
                env=env,
                check=True,
            )
            self._benchmark(options, env)
        finally:
            self.stdout.write("Stopping PostgreSQL ...")
            postgres.stop()

    def _check_dataset(self, wanted: int) -> None:
        from procurement.models import Supplier

        have = Supplier.objects.filter(state="verified").count()
        self.stdout.write(f"{have:,} public suppliers in the database.")
        if have < wanted * 0.8:
            self.stdout.write(
                self.style.WARNING(
                    f"Fewer than the {wanted:,} the target is about: run "
                    f"`manage.py seed_suppliers --count {wanted}` first."
                )
            )

    def _benchmark(self, options, env) -> None:
        server, url = None, options["url"]
        try:
            if url:
                wait_until_up(url)
            else:
                server = Gunicorn(
                    workers=options["workers"],
                    threads=options["threads"],
                    env={**env, "PROCUREMENT_SEARCH_CACHE": "0" if options["no_cache"] else "1"},
                )
                cache = ", search cache off" if options["no_cache"] else ""
                self.stdout.write(f"Starting {server.description}{cache} ...")
                url = server.start()
        except ServerError as error:
            if server is not None:
                server.close()
            raise CommandError(str(error)) from None
        try:
            workers = max(1, options["workers"]) if server else 3
            pages = sum(len(v) for v in WORKLOAD.values())
            rounds = options["warmup_rounds"] * workers
            self.stdout.write(f"Warming up: {pages} pages, {rounds} times each ...")
            started = time.monotonic()
            statuses = warm_up(url, WORKLOAD, rounds=rounds, concurrency=options["concurrency"])
            self.stdout.write(f"  done in {time.monotonic() - started:.0f} s: {statuses}")
            self.stdout.write(
                f"Measuring for {options['duration']:.0f} s at concurrency "
                f"{options['concurrency']} against {url} ..."
            )
            load = run_load(
                url,
                WORKLOAD,
                seconds=options["duration"],
                concurrency=options["concurrency"],
                seed=options["seed"],
            )
        finally:
            if server is not None:
                server.close()
        rows = summarise(load)
        self.stdout.write("")
        self.stdout.write(report(rows))
        if options["markdown"]:
            self.stdout.write("")
            self.stdout.write(report(rows, markdown=True))
        self.stdout.write(
            "\nLatency is measured by the client, end to end. Queries: SQL statements per "
            "request (lowest-highest) and their time, as the server reports them."
        )
        if load.server_errors:
            raise CommandError(f"{load.server_errors} responses were server errors (5xx).")
