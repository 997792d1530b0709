"""Account pages: sign-up, log-in throttling response, profile and the patient's care team."""

from collections.abc import Callable
from typing import Protocol

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import submitted

from . import backends, selectors, services, throttle, views_sharing
from .access import AuthedRequest, patient_required
from .forms import ClinicianProfileForm, LoginForm, PatientProfileForm, SignupForm
from .models import CareLink, Role, User

LOCKED_OUT = (
    "Too many failed log-in attempts. For your safety, log-in is paused for 15 minutes. "
    "If you forgot your password, reset it by email."
)


def throttle_username(
    request: HttpRequest, credentials: dict[str, str] | None = None
) -> str | None:
    """The account key django-axes counts failures under: the email as the login form cleans it.

    Without this axes looks for an "email" credential, finds none, and never counts per account.
    """
    return throttle.account_key(request, credentials)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, str] | None = None,
) -> HttpResponse:
    """django-axes calls this when the failures of an account at an address, or of the address
    alone, reach their limit.

    The attempt that reaches a limit was checked like any other, so it keeps its normal
    answer; every attempt after it is refused before the password is looked at. The form is
    not bound: validating it again would count one more failure.
    """
    if original_response is not None and not throttle.refused_unchecked(request):
        return original_response
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out_message": LOCKED_OUT, "next": request.POST.get("next", "")},
        status=429,
    )


def signup(request: HttpRequest) -> HttpResponse:
    """The form answers the same whether or not the address has an account: check your email."""
    if request.user.is_authenticated:
        return redirect("home")
    invite = request.GET.get("invite", "")
    link = selectors.pending_invitation(token=invite)
    initial = {"invite": invite if link else "", "email": link.invited_email if link else ""}
    form = SignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.signup_request(
            email=data["email"],
            password=data["password1"],
            display_name=data["display_name"],
            time_zone=data["time_zone"],
            mobile=data["mobile"],
            invite_token=data["invite"] or None,
        )
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "link": link})


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the button (mail scanners open links; a GET makes nothing); POST makes the
    account and logs in."""
    if request.user.is_authenticated:
        return redirect("home")
    pending = selectors.signup_pending(token=token, now=timezone.now())
    if pending is None:
        return render(request, "accounts/signup_confirm.html", {"gone": True}, status=404)
    if request.method == "GET":
        return render(request, "accounts/signup_confirm.html", {"pending": pending})
    try:
        user = services.signup_confirm(token=token, request=request)
    except ValidationError:
        return render(request, "accounts/signup_confirm.html", {"gone": True}, status=404)
    login(request, user, backend=backends.PATH)
    messages.success(request, "Welcome! Your account is ready.")
    if CareLink.objects.filter(patient=user, status="pending").exists():
        return redirect("accounts:care_team")
    return redirect("home")


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form: PatientProfileForm | ClinicianProfileForm
    save: Callable[..., object]
    if user.role == Role.PATIENT:
        patient = user.patient_profile
        initial = {
            "display_name": patient.display_name,
            "time_zone": patient.time_zone,
            "mobile": patient.mobile,
            "reminder_time": patient.reminder_time,
            "date_of_birth": patient.date_of_birth,
        }
        form = PatientProfileForm(request.POST or None, initial=initial)
        save = services.patient_profile_update
    else:
        clinician = getattr(user, "clinician_profile", None)
        initial = {
            "display_name": getattr(clinician, "display_name", ""),
            "practice": getattr(clinician, "practice", ""),
        }
        form = ClinicianProfileForm(request.POST or None, initial=initial)
        save = services.clinician_profile_update
    if request.method == "POST" and form.is_valid():
        saved = submitted(form, lambda: save(user=user, request=request, **form.cleaned_data))
        if saved is not None:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@patient_required
def care_team(request: AuthedRequest) -> HttpResponse:
    """The patient's links, their requests to share, and who read their record lately."""
    context = views_sharing.care_team_context(request, views_sharing.ShareForm())
    return render(request, "accounts/care_team.html", context)


class LinkService(Protocol):
    """carelink_accept, carelink_decline and carelink_revoke, as the views call them."""

    def __call__(self, *, link_id: int, patient: User, request: HttpRequest | None) -> CareLink: ...


def _link_action(
    request: AuthedRequest, link_id: int, service: LinkService, done: str
) -> HttpResponse:
    try:
        service(link_id=link_id, patient=request.user, request=request)
    except ValidationError:
        if not CareLink.objects.filter(id=link_id, patient=request.user).exists():
            raise Http404 from None
        messages.error(request, "That invitation or link had already changed; nothing was done.")
    else:
        messages.success(request, done)
    return redirect(reverse("accounts:care_team"))


@require_POST
@patient_required
def carelink_accept(request: AuthedRequest, link_id: int) -> HttpResponse:
    return _link_action(
        request,
        link_id,
        services.carelink_accept,
        "Accepted. This clinician can now see your records.",
    )


@require_POST
@patient_required
def carelink_decline(request: AuthedRequest, link_id: int) -> HttpResponse:
    return _link_action(request, link_id, services.carelink_decline, "Invitation declined.")


@require_http_methods(["GET", "POST"])
@patient_required
def carelink_revoke(request: AuthedRequest, link_id: int) -> HttpResponse:
    """GET asks to confirm (one stray tap must not cut a clinician off); POST removes access."""
    if request.method == "GET":
        link = get_object_or_404(
            CareLink.objects.select_related("clinician__clinician_profile"),
            id=link_id,
            patient=request.user,
            status=CareLink.Status.ACTIVE,
        )
        return render(request, "accounts/carelink_revoke.html", {"link": link})
    return _link_action(
        request,
        link_id,
        services.carelink_revoke,
        "Access removed. This clinician can no longer see your records.",
    )
