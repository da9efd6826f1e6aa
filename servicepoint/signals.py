from django.db import transaction

from impactportal.audit.services import audit_log

from .models import Question


def claim_guest_questions(sender, user, email, **kwargs):
    """``accounts.signals.email_address_proved``: questions asked as a guest with this
    address appear in the account's 'Mijn vragen'.

    Only a proof through the mailbox counts (the link or code mailed to the address), so
    nobody gets at a guest's conversation by adding its address to their own account.
    """
    with transaction.atomic():
        questions = list(Question.objects.filter(requester__isnull=True, email__iexact=email))
        for question in questions:
            question.requester = user
            question.save(update_fields=["requester"])
            audit_log(actor=user, action="question.claimed", obj=question)
