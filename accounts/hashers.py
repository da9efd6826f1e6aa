"""How passwords are stored: Argon2id with the parameters of the OWASP Password Storage
Cheat Sheet (19 MiB of memory, 2 passes, 1 lane).

Django's own Argon2 hasher asks 100 MiB and 8 lanes: about 140 ms of CPU per login on a
two-core server, which queues every other request behind a login. These parameters cost
about 27 ms and are what OWASP lists as the first of its equivalent minimum settings, as
strong against a GPU attacker as PBKDF2-SHA256 with 600,000 iterations. A password stored
with other parameters (or with PBKDF2, as before) is re-hashed with these at its next
login, which Django does by itself.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
