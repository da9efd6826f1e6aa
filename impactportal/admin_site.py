from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, url_params_from_lookup_dict
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from impactportal.audit.services import audit_log


class PortalAdminSite(admin.AdminSite):
    site_header = _("Impactportaal Groningen management")
    site_title = _("Impactportaal management")
    index_title = _("Management")

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin, also those of allauth, axes and Django itself, filters only by
        what it declares, never shows a secret column, writes its edits to the audit log and
        refuses selections that name no object (``DeclaredLookupsOnlyMixin``,
        ``SecretFieldsHiddenMixin``, ``AuditedAdminMixin``, ``CheckedSelectionsMixin``):
        the guard is on the site, so no admin can forget it."""
        admin_class = admin_class or admin.ModelAdmin
        missing = tuple(
            mixin
            for mixin in (
                DeclaredLookupsOnlyMixin,
                SecretFieldsHiddenMixin,
                AuditedAdminMixin,
                CheckedSelectionsMixin,
            )
            if not issubclass(admin_class, mixin)
        )
        if missing:
            admin_class = type(
                admin_class.__name__,
                (*missing, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def login(self, request, extra_context=None):
        """Send every admin login through allauth, so axes and two-factor apply.

        Someone already logged in without admin access gets 403 rather than a login
        page that would send them straight back here.
        """
        if request.user.is_authenticated:
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


def _valid_keys(field, values) -> list:
    """The values that ``field`` (a primary key or the target of a relation) can hold."""
    valid = []
    for value in values:
        try:
            field.to_python(value)
        except ValidationError:
            continue
        valid.append(value)
    return valid


class CheckedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that shows a form with a wrong value again instead of crashing:
    Django's looks the posted value up as it is (an id of "x" is a server error)."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field
        field = target.model._meta.get_field(target.field_name)
        return super().optgroups(name, _valid_keys(field, value), attr)


class CheckedSelectionsMixin:
    """Selections that name no object are refused with a message: the objects ticked for
    an action, and the value of an autocomplete field shown again with form errors.
    (Django looks both up as they are, and a value that is no id is a server error.)"""

    def changelist_view(self, request, extra_context=None):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if selected and len(_valid_keys(self.model._meta.pk, selected)) != len(selected):
            self.message_user(
                request, gettext("The selection is not valid. Nothing was changed."), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ActionCheckboxMixin:
    """The admin list's checkbox column, written out rather than rendered through the
    checkbox widget's template: the same markup at a tenth of the cost, which is a fifth
    of a list page of 50 rows."""

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )


# The lookups Django's own list filters put in a changelist's address: choices, booleans
# and relations (``exact``, ``isnull``, ``in``), dates (``gte``/``lt``) and empty fields.
LIST_FILTER_LOOKUPS = frozenset({"exact", "isnull", "isempty", "in", "gte", "gt", "lt", "lte"})
DATE_HIERARCHY_LOOKUPS = ("year", "month", "day")


class DeclaredLookupsOnlyMixin:
    """A changelist filters only by what the admin declares: its ``list_filter``,
    ``date_hierarchy`` and search box.

    Django's admin accepts a lookup on any field of the model in the list's address
    (``?body_text__regex=^a``) and shows how many rows match: a yes/no oracle that reads
    any column, tokens and keys included, one character at a time. Here every other
    parameter is refused the way Django refuses a lookup it does not allow (400, nothing
    filtered). ``lookup_allowed`` is the admin's documented hook for this decision.
    """

    def lookup_allowed(self, lookup, value, request):
        return (
            lookup in self.declared_lookups(request)
            or self._declared_filter_lookup(lookup, request)
            or self._raw_id_popup_lookup(lookup, value)
        )

    def declared_lookups(self, request) -> set[str]:
        """The exact parameter names the declared filters and date hierarchy use."""
        names = set()
        for list_filter in self.get_list_filter(request):
            parameter = getattr(list_filter, "parameter_name", None)
            if parameter:  # a SimpleListFilter
                names.add(parameter)
        if self.date_hierarchy:
            names.update(
                f"{self.date_hierarchy}{LOOKUP_SEP}{part}" for part in DATE_HIERARCHY_LOOKUPS
            )
        return names

    def _declared_filter_lookup(self, lookup: str, request) -> bool:
        for list_filter in self.get_list_filter(request):
            field_path = list_filter[0] if isinstance(list_filter, (tuple, list)) else list_filter
            if not isinstance(field_path, str):
                continue
            if lookup == field_path:
                return True
            prefix = field_path + LOOKUP_SEP
            if not lookup.startswith(prefix):
                continue
            rest = lookup[len(prefix) :].split(LOOKUP_SEP)
            if len(rest) == 1 and rest[0] in LIST_FILTER_LOOKUPS:
                return True
            # A relation's filter names its target: ``topic__id__exact``.
            target = self._target_field_name(field_path)
            if target and len(rest) == 2 and rest[0] == target and rest[1] in ("exact", "in"):
                return True
        return False

    def _target_field_name(self, field_path: str) -> str | None:
        model, field = self.model, None
        for part in field_path.split(LOOKUP_SEP):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
            model = field.related_model
            if model is None:
                break
        target = getattr(field, "target_field", None)
        return target.name if target is not None else None

    def _raw_id_popup_lookup(self, lookup: str, value) -> bool:
        """The ``limit_choices_to`` of a raw-id popup, as Django's own check allows it."""
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False


# Columns of other packages' models that hold a credential. The portal's own models
# name theirs in a ``SECRET_FIELDS`` class attribute next to the fields.
THIRD_PARTY_SECRET_FIELDS = {
    "mfa.authenticator": ("data",),  # the TOTP secret and the recovery codes' seed
    "account.emailconfirmation": ("key",),
    "sessions.session": ("session_key", "session_data"),
}


def secret_fields(model) -> frozenset[str]:
    """The columns of ``model`` that hold a token, key or secret: never shown in the admin,
    never searched, never filtered."""
    return frozenset(getattr(model, "SECRET_FIELDS", ())) | frozenset(
        THIRD_PARTY_SECRET_FIELDS.get(model._meta.label_lower, ())
    )


class SecretFieldsHiddenMixin:
    """Leaves the model's secret columns out of every admin form and page.

    ``impactportal.checks`` refuses an admin that lists one for display, search or
    filtering; this takes them out of the forms and fieldsets, also of admins that show
    every field by default.
    """

    def get_fields(self, request, obj=None):
        secrets = secret_fields(self.model)
        return [name for name in super().get_fields(request, obj) if name not in secrets]

    def get_fieldsets(self, request, obj=None):
        secrets = secret_fields(self.model)
        return [
            (name, {**options, "fields": _without(options.get("fields", ()), secrets)})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        secrets = secret_fields(self.model)
        return [name for name in super().get_readonly_fields(request, obj) if name not in secrets]


def _without(fields, secrets):
    kept = []
    for field in fields:
        if isinstance(field, (tuple, list)):  # fields on one line
            field = tuple(name for name in field if name not in secrets)
            if field:
                kept.append(field)
        elif field not in secrets:
            kept.append(field)
    return kept


class AuditedAdminMixin:
    """Additions, changes and deletions made in the admin go to the portal's audit log
    (who, which object, old and new values of the fields changed), through the admin's
    documented ``log_addition``/``log_change``/``log_deletions`` hooks; Django's own
    LogEntry table stays empty, so the audit log is the one history.

    An admin whose ``save_model`` calls a service, which writes its own entry with the
    domain's action name, sets ``audited_by_service = True`` so the edit is not logged
    twice; deletions are always logged here.
    """

    audited_by_service = False

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if not add:
            # The form still holds the values it was opened with: keep old and new of the
            # changed fields on the instance, which log_change receives.
            hidden = secret_fields(form.instance) | {"password"}
            form.instance._admin_changes = {
                name: [_loggable(form.initial.get(name)), _loggable(form.cleaned_data.get(name))]
                for name in form.changed_data
                if name not in hidden
            }
        return message

    def log_addition(self, request, obj, message):
        if not self.audited_by_service:
            audit_log(actor=request.user, action=f"{_action_prefix(obj)}.added", obj=obj)

    def log_change(self, request, obj, message):
        if not self.audited_by_service:
            audit_log(
                actor=request.user,
                action=f"{_action_prefix(obj)}.changed",
                obj=obj,
                changes=getattr(obj, "_admin_changes", None),
            )

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_log(actor=request.user, action=f"{_action_prefix(obj)}.deleted", obj=obj)


def _action_prefix(obj) -> str:
    return f"admin.{obj._meta.label_lower}"


def _loggable(value):
    """A form value as the audit log can hold it: files by name, objects by their text."""
    if hasattr(value, "all") and callable(value.all):  # a queryset of chosen objects
        return sorted(str(item) for item in value.all())
    if isinstance(value, (list, tuple)):
        return [_loggable(item) for item in value]
    if hasattr(value, "name") and hasattr(value, "read"):  # an uploaded or stored file
        return value.name
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class PortalModelAdmin(
    DeclaredLookupsOnlyMixin,
    SecretFieldsHiddenMixin,
    AuditedAdminMixin,
    CheckedSelectionsMixin,
    ActionCheckboxMixin,
    admin.ModelAdmin,
):
    """The base of the portal's model admins."""


def secret_fields_check(app_configs=None, **kwargs):
    """System check: no admin displays, searches, sorts or filters by a secret column.

    Registered by ``PortalAdminConfig.ready``; a new admin that lists a token in
    ``list_display`` or ``search_fields`` stops ``manage.py check`` and the test suite.
    """
    from django.apps import apps
    from django.contrib.admin import site
    from django.core.checks import Error

    problems = []
    for model in apps.get_models():
        secrets = secret_fields(model)
        if not secrets or not site.is_registered(model):
            continue
        model_admin = site.get_model_admin(model)
        declared = {
            "list_display": model_admin.list_display,
            "list_display_links": model_admin.list_display_links or (),
            "list_filter": [
                item[0] if isinstance(item, (tuple, list)) else item
                for item in model_admin.list_filter
            ],
            "search_fields": [name.lstrip("^=@") for name in model_admin.search_fields],
            "ordering": [name.lstrip("-") for name in model_admin.ordering or ()],
            "date_hierarchy": [model_admin.date_hierarchy] if model_admin.date_hierarchy else [],
        }
        for option, names in declared.items():
            for name in names:
                if isinstance(name, str) and name.split(LOOKUP_SEP)[0] in secrets:
                    problems.append(
                        Error(
                            f"{type(model_admin).__name__}.{option} names the secret "
                            f"field {name!r} of {model._meta.label}.",
                            hint="Secrets are never shown, searched, sorted or filtered "
                            "in the admin (impactportal.admin_site.secret_fields).",
                            obj=type(model_admin),
                            id="portal.E001",
                        )
                    )
    return problems
