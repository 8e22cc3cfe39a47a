"""The account settings page (super admins only) and each person's own profile page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from faktura.accounts import services
from faktura.accounts.forms import AccountSettingsForm, ProfileForm
from faktura.accounts.logo import logo_data_url
from faktura.accounts.models import User
from faktura.accounts.permissions import can_manage_settings
from faktura.core.errors import RuleViolation
from faktura.core.web import actor_for, forbid_unless


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    forbid_unless(can_manage_settings(actor))
    current = services.get_account_settings()
    posted = request.method == "POST"
    form = AccountSettingsForm(
        request.POST if posted else None, request.FILES if posted else None, instance=current
    )
    if posted and form.is_valid():
        try:
            services.update_account_settings(actor=actor, **form.changes())
        except RuleViolation as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, "Settings saved.")
            return redirect("accounts:settings")
    logo = logo_data_url(current)
    return render(request, "accounts/settings.html", {"form": form, "logo": logo})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Your name, email address and number and date format (DOC-4)."""
    user = request.user
    assert isinstance(user, User)  # signed in
    account_locale = services.get_account_settings().invoice_locale
    posted = request.method == "POST"
    form = ProfileForm(request.POST if posted else None, user=user, account_locale=account_locale)
    if posted and form.is_valid():
        try:
            services.update_profile(
                user,
                actor=actor_for(request),
                **{name: form.cleaned_data[name] for name in form.changed_data},
            )
        except RuleViolation as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, gettext("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
