"""Access helpers for views: role checks that answer 404, never a hint that a page exists."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from .models import Role, User

View = Callable[..., HttpResponse]


class AuthedRequest(HttpRequest):
    """A request behind one of the decorators below: its user is a logged-in `User`.

    Views annotate `request: AuthedRequest` so the type checker knows what the decorator
    guarantees."""

    user: User


def role_required(role: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.user.role != role:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_required(view: View) -> View:
    """Staff pages: the login page for anonymous visitors, 404 for everyone else."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


patient_required = role_required(Role.PATIENT)
clinician_required = role_required(Role.CLINICIAN)
