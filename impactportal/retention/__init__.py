"""Retention (bewaartermijnen): personal data is purged or anonymised once its period is over.

Each app declares its kinds of personal data with a default period and a purge function
(``registry.register`` in its ``AppConfig.ready``); ``settings.RETENTION_DAYS`` only
overrides periods; ``services.retention_apply`` runs them all (nightly from beat, or
``manage.py apply_retention``). docs/privacy.md is the processing register that explains
each kind.
"""
