"""The HTML pages of the API: the token page (make one, see it once, revoke) and the docs
page, which draws the served OpenAPI schema with the vendored Swagger UI."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.access import AuthedRequest, View
from accounts.models import Role
from accounts.reauth import recent_auth_required
from api import selectors, services
from api.forms import TokenForm
from api.models import ApiToken
from core.forms import submitted


def token_holder_required(view: View) -> View:
    """Patients and clinicians hold tokens; anyone else gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.role not in (Role.PATIENT, Role.CLINICIAN):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _page(
    request: AuthedRequest,
    *,
    form: TokenForm | None = None,
    made: tuple[ApiToken, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or TokenForm(),
        "tokens": list(selectors.tokens_of(user=request.user)),
        "made": made[0] if made else None,
        "secret": made[1] if made else None,
        "now": timezone.now(),
    }
    return render(request, "api/tokens.html", context, status=status)


@never_cache
@require_GET
@token_holder_required
def tokens_page(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@never_cache
@require_POST
@token_holder_required
@recent_auth_required
def token_create(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        made = submitted(
            form,
            lambda: services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                request=request,
            ),
        )
        if made is not None:
            messages.success(request, "Your token is made. Copy it now: we show it only once.")
            return _page(request, made=made)
    return _page(request, form=form, status=400)


@require_POST
@token_holder_required
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    try:
        row = services.token_revoke(user=request.user, token_id=token_id, request=request)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:  # pragma: no cover - token_revoke raises none today
        messages.error(request, " ".join(error.messages))
        return redirect("api:tokens")
    messages.success(request, f"The token “{row.name}” is revoked. Programs using it stop now.")
    return redirect("api:tokens")


@require_safe
def docs_page(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html")
