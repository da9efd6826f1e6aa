from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from . import demo, privacy, retention, roles
        from .middleware import start_session_clocks

        privacy.register_sections()
        retention.register_kinds()
        demo.register_demo()
        # After every migrate: make sure each role's group has exactly its permissions.
        post_migrate.connect(
            roles.sync_role_groups_after_migrate,
            sender=self,
            dispatch_uid="accounts.sync_role_groups",
        )
        # The session timeouts count from the login.
        user_logged_in.connect(start_session_clocks, dispatch_uid="accounts.session_started")
        # A warned account that is used again is kept (accounts.retention).
        user_logged_in.connect(retention.keep_on_login, dispatch_uid="accounts.keep_on_login")
