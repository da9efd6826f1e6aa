import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from impactportal import privacy

from . import services
from .forms import DeleteAccountForm, ProfileForm
from .models import User
from .roles import role_label
from .selectors import memberships_of


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    # The form validates a copy, so the service still sees the old values to audit.
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=User.objects.get(pk=user.pk)
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            user=user, actor=user, **{field: form.cleaned_data[field] for field in form.fields}
        )
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        # The saved language applies at once, also over an earlier switch.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite="Lax",
            httponly=True,
        )
        return response
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships_of(user),
            "roles": [role_label(name) for name in user.groups.values_list("name", flat=True)],
        },
    )


@login_required
@require_GET
def data_export(request):
    """Everything the portal holds on the logged-in user, as a JSON download (AVG art. 15/20)."""
    payload = privacy.export_user(request.user)
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"impactportaal-gegevens-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def delete_account(request):
    """Delete the account. The POST needs a recent reauthentication through allauth
    (``ACCOUNT_REAUTHENTICATION_TIMEOUT``, rate-limited per user): with a stolen session
    alone nobody can delete, nor guess the password here without limit. allauth keeps
    the POST while the user confirms who they are, then carries it out."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.user_delete_account(user=request.user, actor=request.user)
        logout(request)
        messages.success(request, _("Your account and personal data have been removed."))
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})
