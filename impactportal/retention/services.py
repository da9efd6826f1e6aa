"""Apply every retention period: the nightly beat task and ``manage.py apply_retention``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from impactportal.audit.services import audit_log

from . import registry

logger = logging.getLogger(__name__)


class RetentionFailed(Exception):
    """One or more kinds failed; the others were applied. ``counts`` has theirs."""

    def __init__(self, failed: list[str], counts: dict[str, int]):
        super().__init__(f"Retention failed for: {', '.join(failed)}")
        self.failed = failed
        self.counts = counts


def retention_cutoff(kind: str, now: datetime) -> datetime:
    """Data of ``kind`` whose period started before this moment is past its period.
    Days are 24 hours: in UTC, so a change to or from summer time moves nothing."""
    return now.astimezone(UTC) - timedelta(days=registry.get(kind).period_days)


def retention_apply(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Purge or anonymise, for every registered kind, what is past its period
    (``Kind.period_days``); returns ``{kind: rows handled}`` (on a dry run: rows
    that would be handled, and nothing changes).

    Each kind runs in its own transaction with one audit entry holding its count (never
    the data itself), so a kind that fails leaves the others done; the failure is logged
    and raised as ``RetentionFailed`` at the end. Running it again right away handles 0.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    failed: list[str] = []
    for kind in registry.kinds():
        name = kind.name
        cutoff = retention_cutoff(name, now)
        if dry_run:
            counts[name] = kind.purge(cutoff, dry_run=True)
            continue
        try:
            with transaction.atomic():
                counts[name] = kind.purge(cutoff, dry_run=False)
                audit_log(
                    actor=None,
                    action="retention.applied",
                    data={
                        "kind": name,
                        "count": counts[name],
                        "days": kind.period_days,
                        "cutoff": cutoff,
                    },
                )
        except Exception:
            logger.exception("Retention of %s failed; the other kinds go on.", name)
            failed.append(name)
    if failed:
        raise RetentionFailed(failed, counts)
    return counts
