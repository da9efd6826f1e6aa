from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from . import privacy, roles

        privacy.register_builtin_sections()
        # After every migrate: make sure each role's group has exactly its permissions.
        post_migrate.connect(
            roles.sync_role_groups_after_migrate,
            sender=self,
            dispatch_uid="accounts.sync_role_groups",
        )
