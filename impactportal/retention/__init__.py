"""Retention (bewaartermijnen): personal data is purged or anonymised once its period is over.

``settings.RETENTION_DAYS`` holds the period of every kind of personal data,
``kinds.KINDS`` what happens to it afterwards, ``services.retention_apply`` runs them all
(nightly from beat, or ``manage.py apply_retention``). docs/privacy.md is the processing
register that explains each kind.
"""
