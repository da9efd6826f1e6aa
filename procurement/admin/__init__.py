"""The coordinator's tools for Platform Goed Inkopen: the verification queue, the label
expiry overview, the category tree, the inquiries sent and the import of a supplier list.

Profiles, labels and products change only through ``procurement.services`` (the change
form, its inlines and the actions call them), so the workflow table, the search index,
the audit log and the e-mails always apply. Suppliers are not added here: companies make
their own profile on the site, and existing lists come in through the import.
"""

from __future__ import annotations

# Django's autodiscover imports this package; importing the modules registers the admins.
from . import categories, inquiries, labels, suppliers  # noqa: F401
