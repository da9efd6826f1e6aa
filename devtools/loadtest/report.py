"""The load test's table: per page, how many requests, how fast, and what went wrong."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from devtools import tables

ALL = "all pages"


@dataclass
class Sample:
    """One request, as the Locust process recorded it."""

    page: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    ms: float
    expected: bool = True  # the status was the one the journey expects
    queries: int | None = None
    server_ms: float | None = None


@dataclass
class Row:
    page: str
    requests: int
    rate: float
    p50: float
    p95: float
    p99: float
    server_errors: int  # 5xx
    no_answer: int  # connection refused or reset, timeout
    other: int  # any other status than the journey expects (4xx, a wrong redirect)
    queries: str
    django_p95: str

    @property
    def failed(self) -> bool:
        return bool(self.server_errors or self.no_answer)


def _django_p95(samples: list[Sample]) -> str:
    times = [s.server_ms for s in samples if s.server_ms is not None]
    return f"{tables.percentile(times, 95):.0f}" if times else "-"


def summarise(samples: list[Sample], seconds: float, order: list[str]) -> list[Row]:
    """One row per page (in ``order``, then any others) and one for all pages."""
    pages: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        pages[sample.page].append(sample)
    names = [page for page in order if page in pages] + sorted(set(pages) - set(order))
    rows = []
    for page, group in [(page, pages[page]) for page in names] + [(ALL, samples)]:
        if not group:
            continue
        ms = [s.ms for s in group]
        rows.append(
            Row(
                page=page,
                requests=len(group),
                rate=len(group) / seconds if seconds else 0.0,
                p50=tables.percentile(ms, 50),
                p95=tables.percentile(ms, 95),
                p99=tables.percentile(ms, 99),
                server_errors=sum(1 for s in group if s.status >= 500),
                no_answer=sum(1 for s in group if s.status == 0),
                other=sum(1 for s in group if not s.expected and 0 < s.status < 500),
                queries=tables.value_range(s.queries for s in group if s.expected),
                django_p95=_django_p95(group),
            )
        )
    return rows


HEADER = (
    "page",
    "requests",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "5xx",
    "no answer",
    "other",
    "queries",
    "Django p95 ms",
)


def table(rows: list[Row], *, markdown: bool = False) -> str:
    """Plain text for the terminal, or Markdown for docs/benchmarks.md."""
    cells = [
        (
            r.page,
            str(r.requests),
            f"{r.rate:.1f}",
            f"{r.p50:.0f}",
            f"{r.p95:.0f}",
            f"{r.p99:.0f}",
            str(r.server_errors),
            str(r.no_answer),
            str(r.other),
            r.queries,
            r.django_p95,
        )
        for r in rows
    ]
    return tables.table(HEADER, cells, markdown=markdown)
