"""The coordinator's agenda: events with their registration questions, and a read-only
view of registrations.

State changes go through ``events.services`` (publish, cancel) and copying into a series
through ``events.services.event_create_series``; the state field is read-only here.
Registrations are never edited in the admin: people register on the site and
organisers check them in on the organiser pages.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from impactportal.admin_actions import run_service_per_object
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline, ReadOnlyAdminMixin
from impactportal.audit.services import audit_diff, audit_log, audit_snapshot
from impactportal.uploads import ImagePolicy, check_image

from . import services
from .constants import EventTheme, RegistrationStatus
from .models import Event, Registration, RegistrationQuestion
from .services import MAX_SERIES, event_create_series

AUDITED_FIELDS = [
    "slug",
    "type",
    "title",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "online_link",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_cutoff",
    "reminder_hours",
]


class RegistrationQuestionInline(admin.StackedInline):  # a <label> per field
    model = RegistrationQuestion
    extra = 0
    fields = ["position", "label", "kind", "choices", "required"]


class SeriesForm(forms.Form):
    every = forms.ChoiceField(
        label=_("Repeat"),
        choices=[("week", _("every week")), ("month", _("every month"))],
        widget=forms.RadioSelect,
        initial="week",
    )
    count = forms.IntegerField(
        label=_("Number of copies"),
        min_value=1,
        max_value=MAX_SERIES,
        initial=4,
        help_text=_("At most %(n)d. The copies are drafts; publish them when ready.")
        % {"n": MAX_SERIES},
    )


IMAGE = ImagePolicy(max_bytes=5 * 1024 * 1024)


class EventAdminForm(forms.ModelForm):
    def clean_image(self):
        image = self.cleaned_data.get("image")
        if not isinstance(image, UploadedFile):  # none, or the image that is there
            return image
        return check_image(image, IMAGE)


def _organiser_links(event):
    try:
        urls = [
            (reverse(f"events:organiser_{name}", kwargs={"slug": event.slug}), label)
            for name, label in [
                ("attendees", gettext("attendees")),
                ("check_in", gettext("check-in")),
                ("export", gettext("CSV")),
                ("message", gettext("e-mail")),
            ]
        ]
    except NoReverseMatch:  # organiser pages not wired into events/urls.py
        return "-"
    return format_html_join(" · ", '<a href="{}">{}</a>', urls)


@admin.register(Event)
class EventAdmin(PortalModelAdmin):
    audited_by_service = True  # save_model calls a service, which audits
    form = EventAdminForm
    list_display = [
        "title",
        "type",
        "starts_at",
        "state",
        "capacity",
        "confirmed_display",
        "waiting_display",
        "organiser_links",
    ]
    list_filter = ["type", "state"]
    search_fields = ["title", "slug", "organiser"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "themes":  # checkboxes instead of comma-separated text
            return forms.MultipleChoiceField(
                label=db_field.verbose_name,
                choices=EventTheme.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and field is not None:
            # Django's split date/time widget writes "Datum:"/"Tijd:" as text, not labels.
            date_widget, time_widget = field.widget.widgets
            date_widget.attrs["aria-label"] = f"{db_field.verbose_name}: {gettext('date')}"
            time_widget.attrs["aria-label"] = f"{db_field.verbose_name}: {gettext('time')}"
        return field

    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["organisers"]  # a labelled input, unlike the select2 search box
    readonly_fields = ["state", "reminder_sent_at", "organiser_links"]
    actions = ["publish", "cancel", "create_series"]
    inlines = [RegistrationQuestionInline, AuditLogInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "type",
                    "state",
                    "description",
                    "image",
                    "image_description",
                ]
            },
        ),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "venue", "address"]}),
        (_("Online"), {"fields": ["online_link"]}),
        (
            _("Registration"),
            {
                "fields": [
                    "capacity",
                    "registration_opens_at",
                    "registration_closes_at",
                    "cancellation_cutoff",
                    "reminder_hours",
                    "reminder_sent_at",
                ]
            },
        ),
        (
            _("Organisation"),
            {"fields": ["organiser", "themes", "audience", "organisers", "organiser_links"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_total=Count(
                    "registrations",
                    filter=Q(
                        registrations__status__in=[
                            RegistrationStatus.CONFIRMED,
                            RegistrationStatus.ATTENDED,
                            RegistrationStatus.NO_SHOW,
                        ]
                    ),
                ),
                waiting_total=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
                ),
            )
        )

    def has_delete_permission(self, request, obj=None):
        return False  # registrations and history hang on events; cancel instead

    @admin.display(description=_("confirmed"), ordering="confirmed_total")
    def confirmed_display(self, event):
        return event.confirmed_total

    @admin.display(description=_("waiting list"), ordering="waiting_total")
    def waiting_display(self, event):
        return event.waiting_total

    @admin.display(description=_("organiser pages"))
    def organiser_links(self, event):
        if event.pk is None:
            return "-"
        return _organiser_links(event)

    def save_model(self, request, obj, form, change):
        # No event_save service exists yet: audit the configuration change here, inside
        # the admin's transaction (changeform_view is atomic).
        before = (
            audit_snapshot(Event.objects.get(pk=obj.pk), AUDITED_FIELDS)
            if change
            else dict.fromkeys(AUDITED_FIELDS)
        )
        super().save_model(request, obj, form, change)
        changes = audit_diff(before, audit_snapshot(obj, AUDITED_FIELDS))
        audit_log(
            actor=request.user,
            action="event.changed" if change else "event.created",
            obj=obj,
            changes=changes,
        )

    # Actions --------------------------------------------------------------------------

    def _run(self, request, queryset, service, success):
        run_service_per_object(self, request, queryset, service, success)

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda e: services.event_publish(event=e, actor=request.user),
            lambda n: ngettext("%(n)d event published.", "%(n)d events published.", n) % {"n": n},
        )

    @admin.action(description=_("Cancel (tells everyone registered)..."), permissions=["change"])
    def cancel(self, request, queryset):
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "events/organiser/admin_cancel.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Cancel events"),
                    "events": queryset,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        self._run(
            request,
            queryset,
            lambda e: services.event_cancel(event=e, actor=request.user),
            lambda n: ngettext("%(n)d event cancelled.", "%(n)d events cancelled.", n) % {"n": n},
        )
        return None

    @admin.action(description=_("Create a series..."), permissions=["add"])
    def create_series(self, request, queryset):
        events = list(queryset[:2])
        if len(events) != 1:
            self.message_user(
                request, gettext("Choose exactly one event to repeat."), messages.ERROR
            )
            return None
        event = events[0]
        form = SeriesForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                copies = event_create_series(
                    event=event,
                    every=form.cleaned_data["every"],
                    count=form.cleaned_data["count"],
                    actor=request.user,
                )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d draft copy created.", "%(n)d draft copies created.", len(copies)
                    )
                    % {"n": len(copies)},
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "events/organiser/admin_series.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Create a series"),
                "event": event,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["user", "event", "status", "created_at", "promoted_at", "checked_in_at"]
    list_filter = ["status", "event__type", "event"]
    search_fields = ["user__name", "user__email", "event__title"]
    list_select_related = ["user", "event"]
    date_hierarchy = "created_at"
    fields = [
        "event",
        "user",
        "status",
        "answers_display",
        "created_at",
        "waiting_since",
        "promoted_at",
        "cancelled_at",
        "checked_in_at",
    ]
    readonly_fields = fields
    inlines = [AuditLogInline]

    @admin.display(description=_("answers"))
    def answers_display(self, registration):
        labels = dict(registration.event.questions.values_list("pk", "label"))
        answers = registration.answers or {}
        if not answers:
            return "-"
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                ((labels.get(int(k), k) if k.isdigit() else k, v) for k, v in answers.items()),
            ),
        )
