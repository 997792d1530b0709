"""Admin for accounts: staff create clinicians here; the audit log is read-only."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.validators import MaxLengthValidator

from core.admin import ReadOnlyAdmin

from .forms import PASSWORD_MAX_LENGTH
from .models import AuditEvent, CareLink, ClinicianProfile, PatientProfile, User


class UserCreationForm(AdminUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "role")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            field = self.fields[name]
            field.max_length = PASSWORD_MAX_LENGTH  # type: ignore[attr-defined]
            field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)


class UserEditForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "role", "is_active", "is_staff")


class PatientProfileInline(admin.StackedInline[PatientProfile, User]):
    model = PatientProfile
    can_delete = False
    extra = 0


class ClinicianProfileInline(admin.StackedInline[ClinicianProfile, User]):
    model = ClinicianProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ("email",)
    list_display = ("email", "role", "is_active", "is_staff", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("email",)
    inlines = [PatientProfileInline, ClinicianProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin[CareLink]):
    list_display = ("clinician", "invited_email", "patient", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("invited_email", "clinician__email")
    readonly_fields = ("token",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ("at", "action", "actor", "patient", "object_type", "object_id", "address")
    list_filter = ("action",)
    search_fields = ("action", "actor__email", "patient__email")
