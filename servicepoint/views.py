from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from impactportal.ratelimit import rate_limit

from . import guest_links, selectors, services
from .forms import ArticleSearchForm, AskQuestionForm, FollowUpForm, ReplyForm
from .models import Attachment, KnowledgeArticle, Question, Topic


def _check_token(token: str) -> None:
    # The secret links' tokens are URL-safe base64 (models._token); anything else is no
    # token at all, and a NUL byte in it would not even reach the database.
    if not guest_links.CONFIRMATION_TOKEN.fullmatch(token):
        raise Http404


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@require_GET
def index(request):
    return render(
        request,
        "servicepoint/index.html",
        {
            "search_form": ArticleSearchForm(),
            "topics": Topic.objects.filter(is_active=True),
        },
    )


def _is_submission(request) -> bool:
    # "Search the knowledge base for my question" posts the form back but sends nothing.
    return "suggest" not in request.POST


@require_http_methods(["GET", "POST"])
@rate_limit("servicepoint_question", when=_is_submission)
def ask(request):
    """Ask a question, logged in or as a guest. Suggests articles for the text (no JS:
    the 'search the knowledge base first' button posts back and lists them)."""
    user = request.user if request.user.is_authenticated else None
    form = AskQuestionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        user=user,
    )
    suggestions = []
    if request.method == "POST" and "suggest" in request.POST:
        suggestions = list(selectors.suggest_articles(request.POST.get("text", "")[:2000]))
        form = AskQuestionForm(initial=request.POST.dict(), user=user)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.get("organisation")
        try:
            submission = services.question_submit(
                topic=data["topic"],
                subject=data["subject"],
                text=data["text"],
                name=user.get_full_name() if user else data["name"],
                email=user.email if user else data["email"],
                requester=user,
                organisation=organisation,
                company_name=organisation.name if organisation else data.get("company_name", ""),
                kvk_number=organisation.kvk_number if organisation else data.get("kvk_number", ""),
                preferred_contact=data["preferred_contact"],
                phone=data["phone"],
                files=data["files"],
                language=get_language(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            request.session["servicepoint_submitted"] = str(submission.question.uuid)
            return redirect("servicepoint:submitted")
    return render(request, "servicepoint/ask.html", {"form": form, "suggestions": suggestions})


@require_GET
def submitted(request):
    uuid = request.session.get("servicepoint_submitted")
    question = Question.objects.filter(uuid=uuid).first() if uuid else None
    if question is None:
        return redirect("servicepoint:ask")
    return render(request, "servicepoint/submitted.html", {"question": question})


@require_GET
def article_suggestions(request):
    """Partial list of matching articles, fetched while typing (progressive enhancement)."""
    text = request.GET.get("q", "")[:2000]
    return render(
        request, "servicepoint/_suggestions.html", {"suggestions": selectors.suggest_articles(text)}
    )


def _confirmation_used(request):
    # A used link and one that never existed look the same: the hash is gone. Most who
    # get here clicked twice or opened the e-mail again, so say so kindly (still a 404).
    return render(request, "servicepoint/confirm_used.html", status=404)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The one-time link in a guest's confirmation e-mail. GET shows a button (mail
    scanners open links); POST confirms, after which the question enters the queue and
    this browser may see it (a grant in the session, see guest_links)."""
    _check_token(token)
    question = selectors.question_awaiting_confirmation(token)
    if question is None:
        return _confirmation_used(request)
    if request.method == "POST":
        question = services.question_confirm(token=token)
        if question is None:  # confirmed by another request in the meantime
            return _confirmation_used(request)
        guest_links.grant(request, question)
        messages.success(
            request,
            _("Thank you. Your question %(reference)s is now with the service point.")
            % {"reference": question.reference},
        )
        return redirect("servicepoint:guest_question_page", uuid=question.uuid)
    return render(request, "servicepoint/confirm.html", {"question": question})


@login_required
@require_GET
def my_questions(request):
    page = Paginator(selectors.questions_of_entrepreneur(request.user), 20).get_page(
        request.GET.get("pagina")
    )
    return render(request, "servicepoint/my_questions.html", {"page": page})


def _question_page(request, question: Question, *, reply_url: str):
    question = selectors.question_public_detail(question.pk)
    form = ReplyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_entrepreneur_reply(
                question=question,
                author=request.user if request.user.is_authenticated else None,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your reply has been sent to the service point."))
            return redirect(reply_url)
    return render(
        request,
        "servicepoint/question_detail.html",
        {"question": question, "form": form, "reply_url": reply_url},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_question(request, uuid):
    question = get_object_or_404(Question, uuid=uuid, requester=request.user)
    return _question_page(request, question, reply_url=request.path)


def _is_asker(request, question: Question) -> bool:
    return request.user.is_authenticated and question.requester_id == request.user.pk


@require_http_methods(["GET", "POST"])
@rate_limit("servicepoint_guest_link")
def guest_question(request, uuid, token):
    """The link in the e-mails to the asker (guests too). A valid one is exchanged for a
    grant in the session and the visitor sent on to the question's clean address, so the
    token is used once and then stays out of the address bar, history and Referer.

    A genuine link that has expired (or is from before links expired) shows a page that
    offers a new one; its button posts back here and mails a fresh link to the address
    the question was asked with, answering the same whatever happened. Anything else is
    a 404, whether the question exists or not.
    """
    if not guest_links.is_well_formed(token):
        raise Http404
    question = selectors.confirmed_question(uuid)
    link = guest_links.check_access_token(question, token) if question else None
    if link is None or not link.is_genuine:
        raise Http404
    if _is_asker(request, question):
        return redirect("servicepoint:my_question", uuid=question.uuid)
    if link.state is guest_links.Link.VALID:
        guest_links.grant(request, question, until=link.expires_at)
        return redirect("servicepoint:guest_question_page", uuid=question.uuid)
    if request.method == "POST":
        services.question_link_send(question=question)
        return render(request, "servicepoint/link_sent.html")
    return render(request, "servicepoint/link_expired.html", {"days": guest_links.max_age().days})


@require_http_methods(["GET", "POST"])
@rate_limit("servicepoint_guest_reply")
def guest_question_page(request, uuid):
    """The question page for whoever opened a valid link in this browser session (see
    guest_question); 404 for anyone else, as if it did not exist."""
    question = selectors.confirmed_question(uuid)
    if question is None:
        raise Http404
    if not guest_links.has_grant(request, question):
        if _is_asker(request, question):
            return redirect("servicepoint:my_question", uuid=question.uuid)
        raise Http404
    return _question_page(request, question, reply_url=request.path)


def _may_download(request, attachment: Attachment) -> bool:
    question = attachment.question
    user = request.user
    if attachment.message_id and attachment.message.kind == "note":
        return (
            user.is_authenticated
            and user.is_staff
            and selectors.questions_for_staff(user).filter(pk=question.pk).exists()
        )
    if user.is_authenticated:
        if question.requester_id == user.pk:
            return True
        if user.is_staff and selectors.questions_for_staff(user).filter(pk=question.pk).exists():
            return True
    # A guest who opened a valid link in this browser session; never a token in the URL.
    return question.is_confirmed and guest_links.has_grant(request, question)


@require_GET
def attachment_download(request, uuid):
    """Serve an attachment only to the asker, staff who may see the question, or a guest
    whose session holds a grant for it (guest_links). Others get 404, as if it did not
    exist."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("question", "message"), uuid=uuid
    )
    if not _may_download(request, attachment):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def follow_up(request, token, answer):
    """'Bent u goed geholpen?' The e-mail's link opens this page with the answer chosen;
    the button records it (a GET never changes anything: mail scanners open links)."""
    if answer not in ("ja", "nee"):
        raise Http404
    _check_token(token)
    from .models import FollowUp

    record = get_object_or_404(FollowUp.objects.select_related("question"), token=token)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if record.answered_at is None and request.method == "POST" and form.is_valid():
        services.follow_up_answer(
            token=token, helped=answer == "ja", comment=form.cleaned_data["comment"]
        )
        record.refresh_from_db()
    return render(
        request,
        "servicepoint/follow_up.html",
        {"follow_up": record, "answer": answer, "form": form},
    )


@require_GET
def knowledge_base(request):
    form = ArticleSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if query:
        articles = selectors.search_articles(query, limit=20)
    else:
        articles = KnowledgeArticle.objects.filter(is_published=True).select_related("topic")
    return render(
        request,
        "servicepoint/knowledge_base.html",
        {"form": form, "query": query, "articles": articles},
    )


@require_GET
def article(request, slug):
    article = get_object_or_404(
        KnowledgeArticle.objects.select_related("topic"), slug=slug, is_published=True
    )
    return render(
        request,
        "servicepoint/article.html",
        {"article": article, "ask_url": reverse("servicepoint:ask")},
    )
