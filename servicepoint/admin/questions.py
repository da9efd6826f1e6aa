"""The question queue and the question page: the list with its filters and bulk actions,
and the forms on the page (reply or note, route, state, topic, a directorate's part) with
the views they post to, each calling a service. The reports page hangs off it too.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.models import Directorate, User
from accounts.roles import Role
from impactportal.admin_actions import run_service_per_object
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline

from .. import reports, selectors, services
from ..constants import TRANSITIONS, AssignmentState, Deadline, QuestionState
from ..forms import MAX_TEXT, MultipleFileField
from ..models import Assignment, CannedReply, KnowledgeArticle, Message, Question, Topic
from .filters import AccountManagerFilter, AssigneeFilter, DeadlineFilter, DirectorateFilter

# The forms on the question page ---------------------------------------------------------


class RouteForm(forms.Form):
    directorates = forms.ModelMultipleChoiceField(
        label=_("Directorates"),
        queryset=Directorate.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    assignee = forms.ModelChoiceField(
        label=_("Person (optional)"),
        required=False,
        queryset=User.objects.filter(groups__name=Role.DIRECTORATE_CONTACT, is_active=True),
        help_text=_("Without a person, every contact of the directorate is told."),
    )


class MessageForm(forms.Form):
    KIND_CHOICES = [
        ("reply", _("Reply to the entrepreneur (sent by e-mail)")),
        ("note", _("Internal note (staff only)")),
    ]
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial="reply"
    )
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        required=False,
        queryset=CannedReply.objects.none(),
        help_text=_("Used as the message when the message field is left empty."),
    )
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )
    assignment = forms.ModelChoiceField(
        label=_("On behalf of"), required=False, queryset=Assignment.objects.none()
    )
    articles = forms.ModelMultipleChoiceField(
        label=_("Link knowledge-base articles (replies only)"),
        required=False,
        queryset=KnowledgeArticle.objects.filter(is_published=True),
    )
    files = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, question, user, **kwargs):
        super().__init__(*args, **kwargs)
        assignments = question.assignments.exclude(state=AssignmentState.WITHDRAWN)
        if not selectors.staff_can_see_all(user):
            assignments = assignments.filter(directorate=user.directorate_id)
            self.fields["assignment"].required = True
        self.fields["assignment"].queryset = assignments.select_related("directorate")
        self.fields["canned"].queryset = CannedReply.objects.filter(
            Q(topic=question.topic_id) | Q(topic__isnull=True)
        )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("body") or "").strip():
            if cleaned.get("canned"):
                cleaned["body"] = cleaned["canned"].body
            else:
                self.add_error("body", _("Write a message or choose a canned reply."))
        return cleaned


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"))
    reason = forms.CharField(
        label=_("Explanation for the entrepreneur (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
    )

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[QuestionState(question.state)]
        self.fields["state"].choices = [(s.value, s.label) for s in QuestionState if s in allowed]


class TopicForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.filter(is_active=True))


# The queue and the question page --------------------------------------------------------


@admin.register(Question)
class QuestionAdmin(PortalModelAdmin):
    change_form_template = "admin/servicepoint/question/change_form.html"
    change_list_template = "admin/servicepoint/question/change_list.html"
    list_display = [
        "reference",
        "subject",
        "topic",
        "state_display",
        "deadline_display",
        "account_manager",
        "directorates_display",
        "submitted_at",
    ]
    list_filter = [
        "state",
        "topic",
        DirectorateFilter,
        AccountManagerFilter,
        AssigneeFilter,
        DeadlineFilter,
    ]
    search_fields = ["reference", "subject", "text", "email", "name", "company_name", "kvk_number"]
    list_per_page = 50
    date_hierarchy = "submitted_at"
    actions = ["assign_to_me", "bulk_assign", "mark_in_progress", "mark_answered", "close"]
    fields = [
        "reference",
        "state",
        "topic",
        "subject",
        "text_display",
        "name",
        "email",
        "phone",
        "preferred_contact",
        "company_label",
        "kvk_number",
        "account_manager",
        "submitted_at",
        "first_response_due",
        "resolution_due",
        "first_response_at",
        "answered_at",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [AuditLogInline]

    # Access ---------------------------------------------------------------------------

    def get_queryset(self, request):
        return (
            selectors.questions_for_staff(request.user)
            .select_related("topic", "account_manager", "organisation")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.exclude(
                        state=AssignmentState.WITHDRAWN
                    ).select_related("directorate"),
                )
            )
        )

    def has_add_permission(self, request):
        return False  # questions come in through the site

    def has_delete_permission(self, request, obj=None):
        return False  # history must stay complete; retention is a separate process

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not selectors.staff_can_see_all(request.user):
            return {}
        return actions

    # Columns --------------------------------------------------------------------------

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, question):
        return question.get_state_display()

    @admin.display(description=_("service level"), ordering="resolution_due")
    def deadline_display(self, question):
        status = selectors.deadline_status(question, timezone.localdate())
        if status is None:
            return "-"
        css = {
            Deadline.ON_TIME: "sla-ok",
            Deadline.OVERDUE: "sla-late",
            Deadline.OVERDUE_3X: "sla-very-late",
        }[status]
        return format_html(
            '<span class="{}">{} ({})</span>',
            css,
            status.label,
            question.resolution_due.strftime("%d-%m-%Y"),
        )

    @admin.display(description=_("directorates"))
    def directorates_display(self, question):
        return ", ".join(a.directorate.name for a in question.assignments.all()) or "-"

    @admin.display(description=_("question"))
    def text_display(self, question):
        return format_html(
            "<div class='question-text'>{}</div>",
            format_html_join(
                "", "<p>{}</p>", ((p,) for p in question.text.split("\n") if p.strip())
            ),
        )

    @admin.display(description=_("company"))
    def company_label(self, question):
        return question.company_label or "-"

    # Actions --------------------------------------------------------------------------

    def _run(self, request, queryset, service, success):
        run_service_per_object(self, request, queryset, service, success)

    @admin.action(description=_("Assign to me"))
    def assign_to_me(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda q: services.question_assign(
                question=q, account_manager=request.user, actor=request.user
            ),
            lambda n: (
                ngettext("%(n)d question assigned to you.", "%(n)d questions assigned to you.", n)
                % {"n": n}
            ),
        )

    @admin.action(description=_("Assign to an account manager..."))
    def bulk_assign(self, request, queryset):
        managers = User.objects.filter(groups__name=Role.ACCOUNT_MANAGER, is_active=True)
        if "apply" in request.POST:
            manager = managers.filter(pk=request.POST.get("account_manager")).first()
            if manager is None:
                self.message_user(request, gettext("Choose an account manager."), messages.ERROR)
                return None
            self._run(
                request,
                queryset,
                lambda q: services.question_assign(
                    question=q, account_manager=manager, actor=request.user
                ),
                lambda n: (
                    ngettext("%(n)d question assigned.", "%(n)d questions assigned.", n) % {"n": n}
                ),
            )
            return None
        return TemplateResponse(
            request,
            "admin/servicepoint/question/bulk_assign.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Assign questions"),
                "questions": queryset,
                "managers": managers,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def _transition_action(self, request, queryset, to, success):
        self._run(
            request,
            queryset,
            lambda q: services.question_transition(question=q, to=to, actor=request.user),
            success,
        )

    @admin.action(description=_("Mark as in progress"))
    def mark_in_progress(self, request, queryset):
        self._transition_action(
            request,
            queryset,
            QuestionState.IN_PROGRESS,
            lambda n: (
                ngettext("%(n)d question in progress.", "%(n)d questions in progress.", n)
                % {"n": n}
            ),
        )

    @admin.action(description=_("Mark as answered"))
    def mark_answered(self, request, queryset):
        self._transition_action(
            request,
            queryset,
            QuestionState.ANSWERED,
            lambda n: (
                ngettext("%(n)d question answered.", "%(n)d questions answered.", n) % {"n": n}
            ),
        )

    @admin.action(description=_("Close"))
    def close(self, request, queryset):
        self._transition_action(
            request,
            queryset,
            QuestionState.CLOSED,
            lambda n: ngettext("%(n)d question closed.", "%(n)d questions closed.", n) % {"n": n},
        )

    # The question page: conversation and the forms that call the services ----------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/bericht/", view(self.message_view), name="servicepoint_question_message"
            ),
            path("<int:pk>/doorzetten/", view(self.route_view), name="servicepoint_question_route"),
            path("<int:pk>/status/", view(self.state_view), name="servicepoint_question_state"),
            path("<int:pk>/onderwerp/", view(self.topic_view), name="servicepoint_question_topic"),
            path(
                "<int:pk>/toewijzing/<int:assignment_pk>/",
                view(self.assignment_view),
                name="servicepoint_question_assignment",
            ),
            path(
                "rapportage/",
                view(require_safe(self.report_view)),
                name="servicepoint_question_report",
            ),
        ] + super().get_urls()

    def _question(self, request, pk) -> Question:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return get_object_or_404(self.get_queryset(request), pk=pk)
        except (ValueError, ValidationError) as error:  # e.g. /question/abc/change/
            raise Http404 from error

    def _forms(self, request, question, bound=None):
        user = request.user
        return {
            "message_form": bound
            if isinstance(bound, MessageForm)
            else MessageForm(question=question, user=user),
            "route_form": bound if isinstance(bound, RouteForm) else RouteForm(),
            "state_form": bound if isinstance(bound, StateForm) else StateForm(question=question),
            "topic_form": bound
            if isinstance(bound, TopicForm)
            else TopicForm(initial={"topic": question.topic_id}),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        question = self._question(request, object_id)
        context = {
            **self._question_context(request, question),
            **(extra_context or {}),
            # Nothing is saved through the admin's own form: the forms below call services.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def _question_context(self, request, question, bound=None):
        can_manage = selectors.staff_can_see_all(request.user)
        conversation = (
            Message.objects.filter(question=question)
            .select_related("assignment__directorate")
            .prefetch_related("attachments")
        )
        return {
            "question": question,
            "conversation": conversation,
            "question_attachments": question.attachments.filter(message__isnull=True),
            "assignments": question.assignments.select_related("directorate", "assignee"),
            "can_manage": can_manage,
            "canned_replies": CannedReply.objects.filter(
                Q(topic=question.topic_id) | Q(topic__isnull=True)
            ),
            **self._forms(request, question, bound),
        }

    def _rerender(self, request, question, bound):
        messages.error(request, gettext("Please correct the errors below."))
        # Render the question page as a GET: a POST would run the admin's own save path.
        request.method = "GET"
        return self.change_view(
            request,
            str(question.pk),
            extra_context=self._question_context(request, question, bound),
        )

    def _back(self, question):
        return HttpResponseRedirect(
            reverse("admin:servicepoint_question_change", args=[question.pk])
        )

    def message_view(self, request, pk):
        question = self._question(request, pk)
        if request.method != "POST":
            return self._back(question)
        form = MessageForm(request.POST, request.FILES, question=question, user=request.user)
        if not form.is_valid():
            return self._rerender(request, question, form)
        data = form.cleaned_data
        if data["kind"] == "note":
            services.question_add_note(
                question=question, author=request.user, body=data["body"], files=data["files"]
            )
            self.message_user(request, gettext("Internal note saved."), messages.SUCCESS)
        else:
            try:
                services.question_reply(
                    question=question,
                    author=request.user,
                    body=data["body"],
                    assignment=data["assignment"],
                    files=data["files"],
                    articles=data["articles"],
                )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
                return self._rerender(request, question, form)
            self.message_user(request, gettext("Reply sent to the entrepreneur."), messages.SUCCESS)
        return self._back(question)

    def route_view(self, request, pk):
        question = self._question(request, pk)
        if not selectors.staff_can_see_all(request.user):
            raise PermissionDenied
        form = RouteForm(request.POST if request.method == "POST" else None)
        if request.method != "POST":
            return self._back(question)
        if not form.is_valid():
            return self._rerender(request, question, form)
        try:
            created = services.question_route(
                question=question,
                directorates=form.cleaned_data["directorates"],
                assignee=form.cleaned_data["assignee"],
                actor=request.user,
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
            return self._rerender(request, question, form)
        self.message_user(
            request,
            ngettext("Routed to %(n)d directorate.", "Routed to %(n)d directorates.", len(created))
            % {"n": len(created)},
            messages.SUCCESS,
        )
        return self._back(question)

    def state_view(self, request, pk):
        question = self._question(request, pk)
        if not selectors.staff_can_see_all(request.user):
            raise PermissionDenied
        if request.method != "POST":
            return self._back(question)
        form = StateForm(request.POST, question=question)
        if not form.is_valid():
            return self._rerender(request, question, form)
        try:
            services.question_transition(
                question=question,
                to=form.cleaned_data["state"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
            return self._rerender(request, question, form)
        self.message_user(request, gettext("State changed."), messages.SUCCESS)
        return self._back(question)

    def topic_view(self, request, pk):
        question = self._question(request, pk)
        if not selectors.staff_can_see_all(request.user):
            raise PermissionDenied
        if request.method != "POST":
            return self._back(question)
        form = TopicForm(request.POST)
        if not form.is_valid():
            return self._rerender(request, question, form)
        services.question_change_topic(
            question=question, topic=form.cleaned_data["topic"], actor=request.user
        )
        self.message_user(
            request,
            gettext("Topic changed; the routing rules were applied again."),
            messages.SUCCESS,
        )
        return self._back(question)

    def assignment_view(self, request, pk, assignment_pk):
        """A directorate contact takes up or withdraws their directorate's part."""
        question = self._question(request, pk)
        assignment = get_object_or_404(question.assignments, pk=assignment_pk)
        if not selectors.staff_can_see_all(request.user) and (
            assignment.directorate_id != request.user.directorate_id
        ):
            raise PermissionDenied
        if request.method == "POST":
            try:
                services.assignment_transition(
                    assignment=assignment, to=request.POST.get("state", ""), actor=request.user
                )
            except (ValidationError, ValueError):
                self.message_user(request, gettext("That change is not possible."), messages.ERROR)
        return self._back(question)

    def report_view(self, request):
        if not selectors.staff_can_see_all(request.user):
            raise PermissionDenied
        return reports.report_response(request, self)
