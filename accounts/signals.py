"""Signals accounts sends for the apps (connected in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent when a user proved they own an e-mail address by following the link (or typing the
# code) that was mailed to it; never for an address marked verified any other way.
# Arguments: ``user`` (the account the address belongs to), ``email`` (the address).
email_address_proved = Signal()
