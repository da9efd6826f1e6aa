from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import demo
from impactportal import demo as portal_demo


class Command(BaseCommand):
    help = (
        "Load the demo data of every app (idempotent, in the order the apps declare) and "
        "print the demo logins, one per role."
    )

    def handle(self, *args, **options):
        loaded = portal_demo.load_all()
        logins = loaded[demo.LOADER_NAME]
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
