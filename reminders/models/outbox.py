"""The outbox and what decides it: channels, kinds, each patient's reminder preferences,
the notification rows, and the notices of a clinician's changes."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.validators import validate_e164


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    PUSH = "push", "Phone notification"


class Kind(models.TextChoices):
    UPCOMING = "upcoming", "Day-before reminder"
    DUE = "due", "Day-of reminder"
    NUDGE = "nudge", "Evening nudge"
    SNOOZED = "snoozed", "Reminder the patient asked for later"
    MISSED = "missed", "Missed dose"
    BOOKING = "booking", "Booking reminder"
    FLAG_DIGEST = "flag_digest", "Flag digest"
    CHANGED = "changed", "Schedule changed by a clinician"
    # Account messages: they go whatever the reminder preferences say.
    INVITATION = "invitation", "Care team invitation"
    SIGNUP_LINK = "signup_link", "Sign-up confirmation link"
    SIGNUP_EXISTS = "signup_exists", "Sign-up attempt on an existing account"
    PASSWORD_RESET = "password_reset", "Password reset link"
    SMS_CODE = "sms_code", "Mobile number verification code"
    # Monitoring prompts: a symptom check-in, a blood test or review to book.
    CHECKIN = "checkin", "Symptom check-in prompt"
    LAB_DUE = "lab_due", "Blood test to book"
    REVIEW_DUE = "review_due", "Review to book"
    # Ampoule stock: running low (a set number of doses ahead), a batch expiring before its use.
    REFILL = "refill", "Ampoules running low"
    STOCK_EXPIRY = "stock_expiry", "Ampoules expiring before use"
    # Trust and shared care: a new address to confirm, a notice to the old one, a patient's
    # request to share with a clinician, a carer's invitation and alert, a security notice.
    EMAIL_CHANGE = "email_change", "Link to confirm a new email address"
    EMAIL_CHANGED = "email_changed", "Notice that the email address changed"
    SHARE_REQUEST = "share_request", "A patient asks to share their record"
    CARER_INVITE = "carer_invite", "Carer invitation"
    CARER_ALERT = "carer_alert", "Dose not yet logged (carer alert)"
    SECURITY = "security", "Sign-in security change"


# Kinds about one dose that stop mattering once the dose is taken, missed or cancelled.
DOSE_REMINDER_KINDS = (Kind.UPCOMING, Kind.DUE, Kind.NUDGE, Kind.SNOOZED, Kind.BOOKING)
# Kinds a person asked for or must have to use their account: never subject to preferences.
ACCOUNT_KINDS = (
    Kind.INVITATION,
    Kind.SIGNUP_LINK,
    Kind.SIGNUP_EXISTS,
    Kind.PASSWORD_RESET,
    Kind.SMS_CODE,
    Kind.EMAIL_CHANGE,
    Kind.EMAIL_CHANGED,
    Kind.SHARE_REQUEST,
    Kind.CARER_INVITE,
    Kind.SECURITY,
)


class ReminderPreference(models.Model):
    """How and when one patient wants reminders. Created on demand with the defaults."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    email_enabled = models.BooleanField("Send reminders by email", default=True)
    email_disabled_reason = models.CharField(max_length=200, blank=True)
    sms_enabled = models.BooleanField("Send reminders by text message", default=False)
    sms_number = models.CharField(
        "verified mobile number", max_length=16, blank=True, validators=[validate_e164]
    )
    sms_verified_at = models.DateTimeField(null=True, blank=True)
    sms_disabled_reason = models.CharField(max_length=200, blank=True)
    sms_pending_number = models.CharField(max_length=16, blank=True, validators=[validate_e164])
    sms_code_hash = models.CharField(max_length=128, blank=True)
    sms_code_sent_at = models.DateTimeField(null=True, blank=True)
    sms_code_expires_at = models.DateTimeField(null=True, blank=True)
    sms_code_attempts = models.PositiveSmallIntegerField(default=0)
    upcoming_enabled = models.BooleanField("Remind me the day before", default=True)
    upcoming_time = models.TimeField("Day-before reminder time", default=time(18, 0))
    # The day-of reminder time is the profile's `reminder_time`: one field, edited on both pages.
    due_enabled = models.BooleanField("Remind me on the day", default=True)
    nudge_enabled = models.BooleanField("Nudge me in the evening if not logged", default=True)
    nudge_time = models.TimeField("Evening nudge time", default=time(19, 0))
    missed_enabled = models.BooleanField("Tell me when a dose is missed", default=True)
    booking_enabled = models.BooleanField("Remind me to book nurse appointments", default=True)
    checkin_enabled = models.BooleanField("Prompt me to check in on my symptoms", default=True)
    lab_due_enabled = models.BooleanField("Remind me to book blood tests and reviews", default=True)
    booking_days_before = models.PositiveSmallIntegerField(
        "Days before a nurse-given dose", default=14
    )
    quiet_start = models.TimeField("No texts from", default=time(21, 0))
    quiet_end = models.TimeField("No texts until", default=time(8, 0))
    # Web push: on while at least one of the patient's devices holds a subscription.
    push_enabled = models.BooleanField("Send reminders as phone notifications", default=False)
    push_disabled_reason = models.CharField(max_length=200, blank=True)
    # Ampoule stock the patient keeps at home (batches are StockBatch rows).
    refill_enabled = models.BooleanField(
        "Tell me when my ampoules are running low or expiring", default=True
    )
    refill_doses_ahead = models.PositiveSmallIntegerField(
        "Remind me to get more when this many doses are left", default=3
    )
    nurse_uses_my_ampoules = models.BooleanField(
        "I bring my own ampoules when a nurse gives the injection", default=False
    )
    detailed_messages = models.BooleanField(
        "Detailed messages (name the medicine and dose)", default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(booking_days_before__gte=1) & Q(booking_days_before__lte=60),
                name="preference_booking_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(refill_doses_ahead__gte=1) & Q(refill_doses_ahead__lte=20),
                name="preference_refill_doses_in_range",
            ),
            models.CheckConstraint(
                condition=Q(sms_enabled=False) | ~Q(sms_number=""),
                name="preference_sms_needs_verified_number",
            ),
        ]
        indexes = [models.Index(fields=["sms_number"], name="preference_sms_number_idx")]

    def __str__(self) -> str:
        return f"Reminder preferences of {self.patient_id}"

    @classmethod
    def of(cls, patient: User) -> ReminderPreference:
        """The patient's saved preferences (free once select_related), or the unsaved defaults."""
        try:
            return patient.reminder_preference
        except cls.DoesNotExist:
            return cls(patient=patient)

    def kind_enabled(self, kind: str) -> bool:
        if kind == Kind.CHANGED or kind in ACCOUNT_KINDS:
            return True  # a change to the treatment always reaches the patient's channels
        if kind == Kind.REVIEW_DUE:
            return self.lab_due_enabled
        if kind == Kind.STOCK_EXPIRY:
            return self.refill_enabled
        if kind == Kind.SNOOZED:
            return True  # the patient asked for it a moment ago
        if kind == Kind.CARER_ALERT:
            return True  # the patient chose it for their carer, who can end it by leaving
        return bool(getattr(self, f"{kind}_enabled", False))

    @property
    def sms_ready(self) -> bool:
        return self.sms_enabled and bool(self.sms_number) and not self.sms_disabled_reason

    @property
    def email_ready(self) -> bool:
        return self.email_enabled and not self.email_disabled_reason

    @property
    def push_ready(self) -> bool:
        return self.push_enabled and not self.push_disabled_reason

    def channels(self) -> list[str]:
        """Channels a reminder goes out on right now, email first."""
        return [
            channel
            for channel, ready in (
                (Channel.EMAIL, self.email_ready),
                (Channel.SMS, self.sms_ready),
                (Channel.PUSH, self.push_ready),
            )
            if ready
        ]


class Notification(models.Model):
    """The outbox: one row per message to send. Planning twice is harmless (unique keys)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # None for a message to someone without an account yet (an invitation, a sign-up link).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Where it goes when that is not the recipient's own address or verified number: the
    # invited address, the number being verified.
    address = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    dose = models.ForeignKey(
        "schedules.Dose",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # Rows with no dose (the flag digest) are kept unique by this key instead.
    dedupe_key = models.CharField(max_length=120, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    scheduled_for = models.DateTimeField(help_text="The intended instant, from the home zone.")
    next_attempt_at = models.DateTimeField(help_text="Not sent before this instant.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Waiting out its provider's outage (no attempt used), as opposed to a retry's backoff.
    held = models.BooleanField(default=False)
    claim = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # When a send attempt last failed (a cancellation's reason is not an error and sets none).
    last_error_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dose", "kind", "channel"],
                condition=Q(dose__isnull=False),
                name="notification_once_per_dose_kind_channel",
            ),
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(dose__isnull=False) | ~Q(dedupe_key=""),
                name="notification_has_dose_or_key",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(address=""),
                name="notification_has_recipient_or_address",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "cancelled"]),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms", "push"]),
                name="notification_channel_valid",
            ),
        ]
        indexes = [
            # Partial indexes: the sweeps read the few live rows, never the sent history.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notification_pending_idx",
            ),
            models.Index(
                fields=["lease_until"],
                condition=Q(status="sending"),
                name="notification_sending_idx",
            ),
            models.Index(fields=["status", "sent_at"], name="notification_status_sent_idx"),
            models.Index(fields=["recipient", "status"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel} #{self.pk} ({self.status})"

    @property
    def account(self) -> User:
        """The account the row is for; only an account message to an address may have none."""
        if self.recipient is None:
            raise ValueError(f"Notification {self.pk} ({self.kind}) has no recipient account.")
        return self.recipient

    @property
    def message_key(self) -> str:
        """The idempotency key every message of this row carries (email Message-ID)."""
        return f"notification-{self.pk}"


class ChangeNotice(models.Model):
    """A clinician's change to a patient's regimen, as the home page tells the patient: shown
    until the patient dismisses it or a newer change takes its place."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_notices"
    )
    prescription = models.ForeignKey(
        "schedules.Prescription", on_delete=models.CASCADE, related_name="change_notices"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    description = models.CharField(max_length=200)
    reason = models.CharField(max_length=200, blank=True)
    before = models.DateField(null=True, blank=True, help_text="The next dose before the change.")
    after = models.DateField(null=True, blank=True, help_text="The next dose after it.")
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "-created_at"], name="notice_patient_idx")]

    def __str__(self) -> str:
        return f"Change notice {self.pk} for {self.patient_id}"

    @property
    def moved(self) -> bool:
        return self.before is not None and self.after is not None and self.before != self.after
