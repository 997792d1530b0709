"""The API under /api/v1/ (patient endpoints under me/, clinician ones under clinic/), its
schema and docs page, and the token page under /accounts/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from .problems import not_found
from .views import pages

app_name = "api"

urlpatterns = [
    path("accounts/api-tokens/", pages.tokens_page, name="tokens"),
    path("accounts/api-tokens/new/", pages.token_create, name="token_create"),
    path("accounts/api-tokens/<int:token_id>/revoke/", pages.token_revoke, name="token_revoke"),
    path("api/docs/", pages.docs_page, name="docs"),
    path("api/v1/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("api/v1/me/", include("api.urls_patient")),
    path("api/v1/clinic/", include("api.urls_clinic")),
    # Anything else under /api/ is a problem, not a page.
    re_path(r"^api/", not_found, name="not_found"),
]
