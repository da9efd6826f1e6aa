from django.db import transaction

from impactportal.audit.services import audit_log

from .models import Question


def claim_guest_questions(sender, request, email_address, **kwargs):
    """allauth's email_confirmed: questions asked as a guest with this (now verified)
    address appear in the new account's 'Mijn vragen'."""
    with transaction.atomic():
        questions = list(
            Question.objects.filter(requester__isnull=True, email__iexact=email_address.email)
        )
        for question in questions:
            question.requester = email_address.user
            question.save(update_fields=["requester"])
            audit_log(actor=email_address.user, action="question.claimed", obj=question)
