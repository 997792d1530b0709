"""The stock page (/me/stock/): batches, the forecast, the settings and the ledger, and the
page of one batch to correct its count or throw it away. Patients only, their own batches."""

from django.contrib import messages
from django.forms import Form
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthedRequest, patient_required
from core.forms import submitted

from . import services
from .forms import AdjustForm, BatchForm, DiscardForm, StockSettingsForm
from .selectors import batch_for_patient, stock_page


def _page(request: AuthedRequest, *, status: int = 200, **forms: Form) -> HttpResponse:
    page = stock_page(patient=request.user)
    prescription = page.forecast.prescription
    # The strength is prefilled from the prescription: a box of another strength is the
    # exception to notice, not a number to type each time.
    strength = {"strength_mcg_per_ml": prescription.strength_mcg_per_ml} if prescription else {}
    context = {
        "page": page,
        "forecast": page.forecast,
        "form": forms.get("form") or BatchForm(initial=strength),
        "settings_form": forms.get("settings_form")
        or StockSettingsForm(initial=model_to_dict(page.pref, fields=services.STOCK_SETTINGS)),
    }
    return render(request, "reminders/stock.html", context, status=status)


@require_http_methods(["GET", "POST"])
@patient_required
def stock(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = BatchForm(request.POST)
    if form.is_valid():
        batch = submitted(
            form,
            lambda: services.batch_add(patient=request.user, request=request, **form.cleaned_data),
        )
        if batch is not None:
            messages.success(
                request,
                f"Added {batch.received} ampoules, use by {batch.expiry:%-d %b %Y}.",
            )
            return redirect("reminders:stock")
    return _page(request, form=form, status=400)


@require_POST
@patient_required
def stock_settings(request: AuthedRequest) -> HttpResponse:
    form = StockSettingsForm(request.POST)
    if form.is_valid():
        saved = submitted(
            form,
            lambda: services.stock_settings_update(
                patient=request.user, values=form.cleaned_data, request=request
            ),
        )
        if saved is not None:
            messages.success(request, "Your stock settings are saved.")
            return redirect(reverse("reminders:stock") + "#settings")
    return _page(request, settings_form=form, status=400)


def _batch_page(
    request: AuthedRequest, batch_id: int, *, status: int = 200, **forms: Form
) -> HttpResponse:
    batch = batch_for_patient(patient=request.user, batch_id=batch_id)
    if batch is None:
        raise Http404
    context = {
        "batch": batch,
        "adjust_form": forms.get("adjust_form") or AdjustForm(initial={"count": batch.on_hand}),
        "discard_form": forms.get("discard_form") or DiscardForm(),
    }
    return render(request, "reminders/stock_batch.html", context, status=status)


@require_GET
@patient_required
def stock_batch(request: AuthedRequest, batch_id: int) -> HttpResponse:
    return _batch_page(request, batch_id)


@require_POST
@patient_required
def stock_adjust(request: AuthedRequest, batch_id: int) -> HttpResponse:
    if batch_for_patient(patient=request.user, batch_id=batch_id) is None:
        raise Http404
    form = AdjustForm(request.POST)
    if form.is_valid():
        batch = submitted(
            form,
            lambda: services.batch_adjust(
                patient=request.user, batch_id=batch_id, request=request, **form.cleaned_data
            ),
        )
        if batch is not None:
            messages.success(request, f"The batch now has {batch.on_hand} ampoules left.")
            return redirect("reminders:stock")
    return _batch_page(request, batch_id, adjust_form=form, status=400)


@require_POST
@patient_required
def stock_discard(request: AuthedRequest, batch_id: int) -> HttpResponse:
    if batch_for_patient(patient=request.user, batch_id=batch_id) is None:
        raise Http404
    form = DiscardForm(request.POST)
    if form.is_valid():
        batch = submitted(
            form,
            lambda: services.batch_discard(
                patient=request.user, batch_id=batch_id, request=request, **form.cleaned_data
            ),
        )
        if batch is not None:
            messages.success(request, "The batch is marked as thrown away.")
            return redirect("reminders:stock")
    return _batch_page(request, batch_id, discard_form=form, status=400)
