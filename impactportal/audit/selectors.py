from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import AuditLogEntry


def audit_history_for(obj: Model) -> QuerySet[AuditLogEntry]:
    """The audit entries of one object, newest first, with their actors."""
    return AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
