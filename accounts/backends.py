"""The log-in backend: Django's model backend, loading a patient's profile with the user.

Every patient page needs the profile (the home time zone fixes the patient's today), so one
join on each request saves a query on each of them.
"""

from django.contrib.auth.backends import ModelBackend

from .models import User

PATH = "accounts.backends.ProfileBackend"


class ProfileBackend(ModelBackend):
    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("patient_profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
