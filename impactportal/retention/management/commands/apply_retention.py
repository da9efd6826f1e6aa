from django.core.management.base import BaseCommand, CommandError

from impactportal.retention import registry
from impactportal.retention.services import RetentionFailed, retention_apply


class Command(BaseCommand):
    help = (
        "Purge or anonymise personal data past its retention period (each app declares "
        "its kinds; RETENTION_<KIND>_DAYS overrides a period) and print the count per kind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be purged or anonymised; change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            counts = retention_apply(dry_run=dry_run)
        except RetentionFailed as error:
            self._print(error.counts, dry_run=dry_run)
            raise CommandError(str(error)) from error
        self._print(counts, dry_run=dry_run)

    def _print(self, counts: dict[str, int], *, dry_run: bool) -> None:
        if dry_run:
            self.stdout.write("Dry run: nothing is changed.")
        width = max(len(kind.name) for kind in registry.kinds())
        for kind in registry.kinds():
            name = kind.name
            if name not in counts:
                continue
            outcome = f"would be {kind.outcome}" if dry_run else kind.outcome
            days = kind.period_days
            self.stdout.write(f"{name:<{width}}  {counts[name]:>7}  {outcome} (after {days} days)")
