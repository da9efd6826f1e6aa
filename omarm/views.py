"""Public pages of Omarm Groningen: the board, requests, offers, matches, challenges.

Reads go through omarm.selectors, writes through omarm.services. What is not public
(drafts, postings waiting for approval, sent back, closed or hidden after reports) is
404 for everyone but members of the owning organisation and the coordinator.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from impactportal.storage import serve_private_image

from . import selectors, services
from .constants import EDITABLE_STATES, MatchState, PostingState
from .filters import OfferFilter, RequestFilter
from .forms import (
    CompleteForm,
    ExtendForm,
    InterestForm,
    MatchTransitionForm,
    MessageForm,
    OfferForm,
    OfferHelpForm,
    ReportForm,
    RequestForm,
)
from .models import HelpRequest, Offer
from .suggestions import suggestions_for

BOARD_PAGE_SIZE = 20
MINE_PAGE_SIZE = 20
MINE_PAGES = (("requests", "hulpvragen"), ("offers", "aanbod"), ("matches", "matches"))
STORIES_ON_BOARD = 3
KINDS = {"hulpvraag": HelpRequest, "aanbod": Offer}


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


# The board -------------------------------------------------------------------------------


@require_GET
def index(request):
    data = request.GET if any(k != "pagina" for k in request.GET) else None
    request_filter = RequestFilter(data, queryset=selectors.public_requests())
    offer_filter = OfferFilter(data, queryset=selectors.public_offers())
    valid = data is None or (request_filter.is_valid() and offer_filter.is_valid())
    keys = selectors.board_page_items(request_filter.qs, offer_filter.qs) if valid else []
    page = Paginator(keys, BOARD_PAGE_SIZE).get_page(request.GET.get("pagina"))
    page.object_list = selectors.load_board_items(list(page.object_list))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "omarm/index.html",
        {
            "filter_form": request_filter.form,
            "filtered": data is not None,
            "page": page,
            "query_string": query.urlencode(),
            "stories": selectors.published_stories()[:STORIES_ON_BOARD] if not data else [],
        },
    )


# Requests --------------------------------------------------------------------------------


def _visible_request(request, uuid):
    """The request and who is looking; 404 unless the viewer may see it."""
    help_request = selectors.request_detail(uuid)
    viewer = selectors.viewer_for(request.user)
    if help_request is None or not viewer.may_see(help_request):
        raise Http404
    return help_request, viewer


def _request_page(
    request, help_request, viewer, *, offer_help_form=None, report_form=None, status=200
):
    user = request.user
    businesses = selectors.organisations_of(user, OrganisationKind.COMPANY)
    if offer_help_form is None and help_request.is_public and user.is_authenticated:
        offer_help_form = OfferHelpForm(businesses=businesses)
    if report_form is None and help_request.is_public and user.is_authenticated:
        report_form = ReportForm()
    suggestions = []
    if viewer.may_manage(help_request):
        suggestions = suggestions_for(help_request)
    return render(
        request,
        "omarm/request_detail.html",
        {
            "posting": help_request,
            "may_manage": viewer.may_manage(help_request),
            "offer_help_form": offer_help_form
            if offer_help_form and offer_help_form.fields["business"].queryset.exists()
            else None,
            "report_form": report_form,
            "suggestions": suggestions,
        },
        status=status,
    )


@require_GET
def request_detail(request, uuid):
    help_request, viewer = _visible_request(request, uuid)
    return _request_page(request, help_request, viewer)


@require_GET
def photo(request, uuid):
    """The request's photo, only for those who may see the request (404 otherwise)."""
    help_request, _viewer = _visible_request(request, uuid)
    return serve_private_image(help_request.photo)


@login_required
@require_POST
def offer_help(request, uuid):
    """'Ik wil helpen': a business starts a match on a request."""
    help_request, viewer = _visible_request(request, uuid)
    businesses = selectors.organisations_of(request.user, OrganisationKind.COMPANY)
    if not businesses.exists():
        raise PermissionDenied  # the page offers the form to members of a company only
    form = OfferHelpForm(request.POST, businesses=businesses)
    if form.is_valid():
        try:
            match = services.match_offer_help(
                request=help_request,
                business=form.cleaned_data["business"],
                user=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you! %(organisation)s has been told you want to help.")
                % {"organisation": help_request.organisation},
            )
            return redirect(f"{match.get_absolute_url()}#bericht")
    return _request_page(request, help_request, viewer, offer_help_form=form, status=400)


@login_required
@require_POST
def report(request, uuid):
    help_request, viewer = _visible_request(request, uuid)
    if not help_request.is_public:
        raise Http404
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.request_report(
                request=help_request, reporter=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Thank you. The coordinator will look at your report."))
            help_request.refresh_from_db(fields=["hidden_at"])
            if viewer.may_see(help_request):
                return redirect(help_request)
            return redirect("omarm:index")
    return _request_page(request, help_request, viewer, report_form=form, status=400)


# Offers ------------------------------------------------------------------------------------


def _visible_offer(request, uuid):
    offer = selectors.offer_detail(uuid)
    viewer = selectors.viewer_for(request.user)
    if offer is None or not viewer.may_see(offer):
        raise Http404
    return offer, viewer


def _interest_form(request, data=None):
    organisations = selectors.organisations_of(request.user, OrganisationKind.SOCIAL)
    return InterestForm(
        data, organisations=organisations, requests=selectors.open_requests_of(request.user)
    )


def _offer_page(request, offer, viewer, *, interest_form=None, status=200):
    if interest_form is None and offer.is_public and request.user.is_authenticated:
        interest_form = _interest_form(request)
    if (
        interest_form is not None
        and not interest_form.fields["social_organisation"].queryset.exists()
    ):
        interest_form = None
    return render(
        request,
        "omarm/offer_detail.html",
        {"posting": offer, "may_manage": viewer.may_manage(offer), "interest_form": interest_form},
        status=status,
    )


@require_GET
def offer_detail(request, uuid):
    offer, viewer = _visible_offer(request, uuid)
    return _offer_page(request, offer, viewer)


@login_required
@require_POST
def show_interest(request, uuid):
    offer, viewer = _visible_offer(request, uuid)
    form = _interest_form(request, request.POST)
    if not form.fields["social_organisation"].queryset.exists():
        raise PermissionDenied  # the page offers the form to social organisations only
    if form.is_valid():
        try:
            match = services.match_show_interest(
                offer=offer,
                social_organisation=form.cleaned_data["social_organisation"],
                user=request.user,
                message=form.cleaned_data["message"],
                request=form.cleaned_data["request"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(organisation)s has been told you are interested.")
                % {"organisation": offer.organisation},
            )
            return redirect(f"{match.get_absolute_url()}#bericht")
    return _offer_page(request, offer, viewer, interest_form=form, status=400)


# Organisations and challenges ---------------------------------------------------------------


@require_GET
def organisation(request, uuid):
    organisation = get_object_or_404(Organisation, uuid=uuid)
    return render(
        request,
        "omarm/organisation.html",
        {"organisation": organisation, **selectors.organisation_page(organisation)},
    )


@require_GET
def challenge(request, slug):
    challenge = selectors.challenge_detail(slug)
    if challenge is None:
        raise Http404
    return render(request, "omarm/challenge.html", {"challenge": challenge})


# Owners --------------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """Each of the three lists a page at a time, with a page parameter of its own."""
    context = selectors.mine(request.user)
    for key, param in MINE_PAGES:
        context[key] = Paginator(context[key], MINE_PAGE_SIZE).get_page(request.GET.get(param))
        others = request.GET.copy()
        others.pop(param, None)
        context[f"{key}_query"] = others.urlencode()
    return render(request, "omarm/mine.html", context)


def _posting_form_page(request, form, *, posting=None, kind):
    return render(
        request,
        "omarm/posting_form.html",
        {"form": form, "posting": posting, "kind": kind},
        status=400 if form.is_bound and form.errors else 200,
    )


def _save_posting(request, form, *, create, posting=None):
    """Create or update from a valid form; 'submit' also asks for approval."""
    try:
        if posting is None:
            posting = create(
                user=request.user, organisation=form.cleaned_data["organisation"], **form.values()
            )
        else:
            posting = services.posting_update(posting=posting, user=request.user, **form.values())
        if "submit" in request.POST:
            services.posting_submit(posting=posting, user=request.user)
    except ValidationError as error:
        _add_errors(form, error)
        return None
    if "submit" in request.POST:
        messages.success(request, _("Sent to the coordinator for approval."))
    else:
        messages.success(request, _("Saved as a draft. It is not public yet."))
    return redirect("omarm:mine")


def _new_posting(request, *, form_class, organisation_kind, create, kind):
    organisations = selectors.organisations_of(request.user, organisation_kind)
    if not organisations.exists():
        raise PermissionDenied(
            _("Help requests are posted by social organisations and offers by businesses.")
        )
    form = form_class(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        response = _save_posting(request, form, create=create)
        if response is not None:
            return response
    return _posting_form_page(request, form, kind=kind)


def _owned_posting(request, model, uuid):
    """A posting the user's organisation owns; others get 404 (not public) or 403."""
    posting = get_object_or_404(model.objects.select_related("organisation", "area"), uuid=uuid)
    viewer = selectors.viewer_for(request.user)
    if not viewer.is_member(posting.organisation_id):
        if not viewer.may_see(posting):
            raise Http404
        raise PermissionDenied
    return posting


def _edit_posting(request, *, model, form_class, uuid, kind, initial):
    posting = _owned_posting(request, model, uuid)
    if posting.state not in EDITABLE_STATES:
        messages.error(request, _("Only drafts and sent-back postings can be edited."))
        return redirect("omarm:mine")
    extra = {"has_photo": bool(posting.photo)} if model is HelpRequest else {}
    form = form_class(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial(posting),
        **extra,
    )
    if request.method == "POST" and form.is_valid():
        response = _save_posting(request, form, create=None, posting=posting)
        if response is not None:
            return response
    return _posting_form_page(request, form, posting=posting, kind=kind)


def _request_initial(posting):
    return {
        field: getattr(posting, field)
        for field in (
            "title",
            "story",
            "theme",
            "help_kinds",
            "area",
            "wanted_by",
            "photo_description",
        )
    }


def _offer_initial(posting):
    return {
        field: getattr(posting, field)
        for field in ("title", "description", "help_kinds", "capacity", "area", "valid_until")
    }


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    return _new_posting(
        request,
        form_class=RequestForm,
        organisation_kind=OrganisationKind.SOCIAL,
        create=services.request_create,
        kind="hulpvraag",
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, uuid):
    return _edit_posting(
        request,
        model=HelpRequest,
        form_class=RequestForm,
        uuid=uuid,
        kind="hulpvraag",
        initial=_request_initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request):
    return _new_posting(
        request,
        form_class=OfferForm,
        organisation_kind=OrganisationKind.COMPANY,
        create=services.offer_create,
        kind="aanbod",
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request, uuid):
    return _edit_posting(
        request, model=Offer, form_class=OfferForm, uuid=uuid, kind="aanbod", initial=_offer_initial
    )


@login_required
@require_POST
def posting_action(request, kind, uuid, action):
    """indienen / intrekken / vervuld / verlengen: one button each on 'Mijn Omarm'."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    posting = get_object_or_404(model.objects.select_related("organisation"), uuid=uuid)
    viewer = selectors.viewer_for(request.user)
    if not viewer.may_see(posting):
        raise Http404
    try:
        if action == "submit":
            services.posting_submit(posting=posting, user=request.user)
            messages.success(request, _("Sent to the coordinator for approval."))
        elif action == "withdraw":
            services.posting_withdraw(posting=posting, user=request.user)
            messages.success(request, _("Withdrawn. It is no longer on the board."))
        elif action == "fulfil":
            services.posting_fulfil(posting=posting, user=request.user)
            messages.success(request, _("Marked as fulfilled. Thank you for letting us know."))
        elif action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.posting_extend(
                posting=posting, user=request.user, until=form.cleaned_data["until"]
            )
            messages.success(request, _("The end date has been moved."))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("omarm:mine")


# Matches --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def match(request, uuid):
    """The match thread: both sides and the coordinator (others 404)."""
    match = selectors.match_detail(uuid)
    if match is None or not services.can_take_part(request.user, match):
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST
    message_form = MessageForm(data if action == "message" else None)
    transition_form = MatchTransitionForm(
        data if action == "transition" else None, match=match, user=request.user
    )
    complete_form = CompleteForm(data if action == "complete" else None)
    form = {"message": message_form, "transition": transition_form, "complete": complete_form}.get(
        action
    )
    if request.method == "POST" and form is None:
        raise Http404
    if form is not None and form.is_valid():
        values = form.cleaned_data
        try:
            if action == "message":
                services.match_message_add(match=match, author=request.user, body=values["body"])
                messages.success(request, _("Your message has been sent."))
            elif action == "transition":
                services.match_transition(
                    match=match, to=values["to"], actor=request.user, reason=values["reason"]
                )
                messages.success(
                    request,
                    _("The match is now %(state)s.") % {"state": MatchState(values["to"]).label},
                )
            else:
                services.match_complete(match=match, actor=request.user, **values)
                messages.success(request, _("The match is completed. Thank you for the story!"))
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:  # e.g. accepting one's own proposal
            form.add_error(None, str(error) or _("You cannot do that."))
        else:
            return redirect(match)
    return render(
        request,
        "omarm/match.html",
        {
            "match": match,
            "message_form": message_form,
            "transition_form": transition_form,
            "complete_form": complete_form,
            "is_open": match.state not in (MatchState.COMPLETED, MatchState.BROKEN_OFF),
            "can_complete": match.state == MatchState.MATCHED,
            "posting_states": PostingState,
        },
        status=400 if form is not None else 200,
    )
