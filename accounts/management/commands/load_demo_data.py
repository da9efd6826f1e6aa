from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import demo
from events.demo import load_demo_events
from omarm.demo import load_demo_omarm
from procurement.demo import load_demo_suppliers
from servicepoint.demo import load_demo_questions


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins, one per role."

    def handle(self, *args, **options):
        logins = demo.load_demo_accounts()
        load_demo_questions()
        load_demo_omarm()
        load_demo_events()
        load_demo_suppliers()
        width = max(len(login.email) for login in logins)
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role.label}")
        if settings.PORTAL_REQUIRE_STAFF_MFA:
            self.stdout.write("Staff logins must set up an authenticator app before the admin.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Two-factor for staff is OFF in this local demo (PORTAL_REQUIRE_STAFF_MFA=0), "
                    "so the staff logins reach the admin at once. It is always on in production."
                )
            )
