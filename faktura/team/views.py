"""Settings → Users (super admins: invite, change roles, deactivate, reactivate) and the page
where an invited person chooses their password."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from faktura.accounts.models import Role, User
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.locales import people_locale
from faktura.core.web import actor_for, forbid_unless, redirect_after_post, render_dialog
from faktura.team import invitations, queries, rules, services
from faktura.team.forms import ChoosePasswordForm, InviteForm


def _base_url(request: HttpRequest) -> str:
    """The address Faktura is served at, as the browser reached it: invitation links use it."""
    return request.build_absolute_uri("/")


def _managed_user(request: HttpRequest, pk: int) -> tuple[Actor, User]:
    """The acting super admin (403 with the reason for anyone else) and the user they act on."""
    actor = actor_for(request)
    forbid_unless(rules.can_manage_users(actor))
    return actor, get_object_or_404(User, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def users_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    forbid_unless(rules.can_manage_users(actor))
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_user(
                actor=actor, base_url=_base_url(request), **form.cleaned_data
            )
        except RuleViolation as refusal:
            form.add_error(None, refusal.reason)
        else:
            days = invitations.INVITATION_VALID_FOR.days
            messages.success(
                request,
                ngettext(
                    "Invited %(email)s: the invitation email is on its way. Its link works for "
                    "%(days)d day.",
                    "Invited %(email)s: the invitation email is on its way. Its link works for "
                    "%(days)d days.",
                    days,
                )
                % {"email": user.email, "days": days},
            )
            return redirect("team:users")
    context = {
        "rows": queries.user_rows(User.objects.all(), people_locale()),
        "changes": queries.recent_changes(),
        "form": form,
        "valid_days": invitations.INVITATION_VALID_FOR.days,
    }
    return render(request, "team/users.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    actor, user = _managed_user(request, pk)
    chosen = request.POST.get("role", "")
    error = ""
    if request.method == "POST":
        try:
            user = services.change_role(user, chosen, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            label = Role(user.role).label
            if user.pk == request.user.pk and user.role != Role.SUPER_ADMIN:
                # They can no longer manage users: the Users page would answer 403.
                messages.success(request, _("You are now: %(role)s.") % {"role": label})
                return redirect_after_post(request, "/")
            messages.success(
                request, _("%(name)s is now: %(role)s.") % {"name": user.full_name, "role": label}
            )
            return redirect_after_post(request, reverse("team:users"))
    super_admins = rules.active_super_admins().count()
    demote = rules.can_change_role(user, Role.VIEWER, super_admins=super_admins)
    return render_dialog(
        request,
        _("Change the role of %(name)s") % {"name": user.full_name},
        "team/role_dialog.html",
        {
            "subject": user,
            "roles": Role.choices,
            "current": chosen or rules.role_of_user(user),
            "demote": demote,
            "error": error,
            "action": reverse("team:change_role", args=[user.pk]),
        },
        status=400 if error and not request.htmx else 200,  # type: ignore[attr-defined]
    )


@login_required
@require_http_methods(["GET", "POST"])
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor, user = _managed_user(request, pk)
    error = ""
    if request.method == "POST":
        try:
            user = services.deactivate_user(user, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            if user.pk == request.user.pk:
                logout(request)  # their own session ends now, not at the next request
                return redirect_after_post(request, reverse("accounts:login"))
            messages.success(
                request,
                _("%(name)s is deactivated: they can no longer sign in.")
                % {"name": user.full_name},
            )
            return redirect_after_post(request, reverse("team:users"))
    super_admins = rules.active_super_admins().count()
    decision = rules.can_deactivate(user, super_admins=super_admins)
    return render_dialog(
        request,
        _("Deactivate %(name)s") % {"name": user.full_name},
        "team/deactivate_dialog.html",
        {
            "subject": user,
            "allowed": decision.ok,
            "error": error or decision.reason,
            "action": reverse("team:deactivate", args=[user.pk]),
        },
        status=400 if error and not request.htmx else 200,  # type: ignore[attr-defined]
    )


@login_required
@require_POST
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor, user = _managed_user(request, pk)
    try:
        user = services.reactivate_user(user, actor=actor)
    except RuleViolation as refusal:
        messages.error(request, refusal.reason)
    else:
        messages.success(
            request, _("%(name)s is active again and can sign in.") % {"name": user.full_name}
        )
    return redirect("team:users")


@login_required
@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    actor, user = _managed_user(request, pk)
    user = services.unlock_user(user, actor=actor)
    messages.success(
        request,
        _("%(name)s may sign in again: their failed sign-ins are forgotten.")
        % {"name": user.full_name},
    )
    return redirect("team:users")


@login_required
@require_POST
def resend_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    actor, user = _managed_user(request, pk)
    try:
        user = services.resend_invitation(user, actor=actor, base_url=_base_url(request))
    except RuleViolation as refusal:
        messages.error(request, refusal.reason)
    else:
        messages.success(
            request,
            _("A new invitation is on its way to %(email)s; earlier links no longer work.")
            % {"email": user.email},
        )
    return redirect("team:users")


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public: the invited person chooses a password and is signed in."""
    user = invitations.invited_user(uidb64)
    decision = invitations.check(user, token)
    form = ChoosePasswordForm(request.POST or None)
    if user is not None and decision and request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                user, token=token, password=form.cleaned_data["password"]
            )
        except RuleViolation as refusal:
            form.add_error("password" if refusal.code == "weak_password" else None, refusal.reason)
        else:
            # Axes' backend only watches sign-ins; the password was just chosen, not guessed.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to Faktura, %(name)s. Sign in next time with the username %(username)s.")
                % {"name": user.full_name, "username": user.username},
            )
            return redirect("/")
    context = {"invited": user if decision else None, "refusal": decision.reason, "form": form}
    status = 200 if decision and not form.errors else 400
    response = render(request, "team/accept_invitation.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is a secret
    return response
