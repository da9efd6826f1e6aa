from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def apply_retention() -> dict[str, int]:
    """Beat, nightly: purge or anonymise personal data past its retention period."""
    return services.retention_apply()
