"""Account URLs: sign-up, log-in and passwords (Django's views with our forms), the profile
and the patient's care team."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import urls_mfa, urls_sessions, urls_sharing, views
from .forms import LoginForm, QueuedPasswordResetForm

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=QueuedPasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="emails/password_reset.body.txt",
            subject_template_name="emails/password_reset.subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("care-team/", views.care_team, name="care_team"),
    path("care-team/<int:link_id>/accept/", views.carelink_accept, name="carelink_accept"),
    path("care-team/<int:link_id>/decline/", views.carelink_decline, name="carelink_decline"),
    path("care-team/<int:link_id>/revoke/", views.carelink_revoke, name="carelink_revoke"),
]
# Two-factor sign-in; sessions and email changes; patient-initiated sharing.
urlpatterns += urls_mfa.urlpatterns + urls_sessions.urlpatterns + urls_sharing.urlpatterns
