from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext


def run_service_per_object(model_admin, request, objects, service, success) -> None:
    """An admin action's body: call ``service`` for each object, then report how many
    worked (``success(count)``) and, per object, what the service refused and why."""
    done, failed = 0, []
    for obj in objects:
        try:
            service(obj)
            done += 1
        except ValidationError as error:
            failed.append(f"{obj}: {' '.join(error.messages)}")
        except PermissionDenied:
            failed.append(f"{obj}: {gettext('You may not do this.')}")
    if done:
        model_admin.message_user(request, success(done), messages.SUCCESS)
    for failure in failed:
        model_admin.message_user(request, failure, messages.ERROR)
