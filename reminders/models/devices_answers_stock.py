"""Rows of the reminders app beyond the outbox: phone notification devices, answers to
reminders, and the ampoule stock with its ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .outbox import Notification


class PushSubscription(models.Model):
    """One device's web push subscription (the browser's endpoint and keys). A push service
    answering 404 or 410 means the device unsubscribed: the row is deleted."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField("public key", max_length=200)
    auth = models.CharField("auth secret", max_length=100)
    label = models.CharField("device", max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # When a notification last failed on this device (None once one gets through again).
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient"], name="push_subscription_patient_idx")]

    def __str__(self) -> str:
        return f"Push subscription {self.pk} of {self.patient_id}"


class ReminderAnswer(models.Model):
    """A patient's answer to a reminder where it arrived: a one-tap link (email, text, phone
    notification) or a text reply. `nonce` makes each link and each reply count once."""

    class Action(models.TextChoices):
        TAKEN = "taken", "I've had it"
        LATER = "later", "Remind me later"
        BOOKED = "booked", "Appointment booked"

    class Via(models.TextChoices):
        LINK = "link", "Link in a reminder"
        SMS = "sms", "Text reply"
        PUSH = "push", "Phone notification"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_answers"
    )
    dose = models.ForeignKey(
        "schedules.Dose", on_delete=models.CASCADE, related_name="reminder_answers"
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    via = models.CharField(max_length=8, choices=Via.choices)
    nonce = models.CharField(max_length=64, unique=True)
    injection = models.ForeignKey(
        "schedules.Injection", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["dose", "action"], name="answer_dose_action_idx")]

    def __str__(self) -> str:
        return f"{self.action} for dose {self.dose_id} via {self.via}"


class StockBatch(models.Model):
    """Ampoules of one batch the patient keeps: how many are left and when they expire."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stock_batches"
    )
    strength_mcg_per_ml = models.PositiveIntegerField("strength (mcg per mL)")
    ampoule_ml = models.DecimalField(
        "ampoule size (mL)", max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    received = models.PositiveSmallIntegerField("ampoules received")
    on_hand = models.PositiveSmallIntegerField("ampoules left")
    expiry = models.DateField("use by")
    lot = models.CharField("lot / batch number", max_length=40, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(received__gte=1), name="stock_received_positive"),
            models.CheckConstraint(condition=Q(ampoule_ml__gt=0), name="stock_ampoule_positive"),
        ]
        indexes = [models.Index(fields=["patient", "expiry"], name="stock_patient_expiry_idx")]

    def __str__(self) -> str:
        return f"Stock batch {self.pk} of {self.patient_id}: {self.on_hand} left"


class StockMovement(models.Model):
    """The ledger behind `StockBatch.on_hand`: every ampoule in or out, and why."""

    class Reason(models.TextChoices):
        RECEIVED = "received", "Received"
        INJECTION = "injection", "Used for an injection"
        RETURNED = "returned", "Put back (injection corrected or removed)"
        ADJUSTED = "adjusted", "Count corrected"
        DISCARDED = "discarded", "Thrown away"

    batch = models.ForeignKey(StockBatch, on_delete=models.CASCADE, related_name="movements")
    change = models.SmallIntegerField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    injection = models.ForeignKey(
        "schedules.Injection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["injection", "reason"],
                condition=Q(injection__isnull=False),
                name="stock_once_per_injection_reason",
            ),
        ]
        indexes = [models.Index(fields=["batch", "created_at"], name="stock_movement_batch_idx")]

    def __str__(self) -> str:
        return f"{self.change:+d} {self.reason} on batch {self.batch_id}"
