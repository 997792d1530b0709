"""The patient's lab pages under /me/labs/: the latest of each test, one test's trend (chart and
table), and the forms that add and correct a result."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import AuthedRequest, patient_required
from core.clock import local_today
from core.forms import submitted
from monitoring.lab_forms import LabResultForm, initial_from, units_by_test
from monitoring.labs.catalogue import canonical_unit, unit_label
from monitoring.labs.chart import trend_chart
from monitoring.labs.selectors import lab_row, latest_rows, trend_rows
from monitoring.labs.services import lab_result_record, lab_result_update
from monitoring.models import LabResult, LabTest


@patient_required
def labs(request: AuthedRequest) -> HttpResponse:
    rows = latest_rows(request.user)
    return render(request, "monitoring/labs.html", {"rows": rows, "tests": LabTest.choices})


@patient_required
def lab_trend(request: AuthedRequest, test: str) -> HttpResponse:
    if test not in LabTest.values:
        raise Http404
    rows = trend_rows(request.user, test)
    context = {
        "rows": rows,
        "test": test,
        "test_name": LabTest(test).label,
        "chart": trend_chart([row.result for row in rows]),
        "unit": unit_label(canonical_unit(test)),
    }
    return render(request, "monitoring/labs_trend.html", context)


def _saved(request: AuthedRequest, result: LabResult, verb: str) -> HttpResponse:
    row = lab_row(result)
    converted = f" ({row.canonical})" if row.converted else ""
    messages.success(request, f"{verb}: {result.get_test_display()} {row.printed}{converted}.")
    return redirect("monitoring:lab_trend", test=result.test)


@patient_required
def lab_add(request: AuthedRequest) -> HttpResponse:
    wanted = request.GET.get("test")
    initial = {"test": wanted if wanted in LabTest.values else "", "taken_on": None}
    form = LabResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        result = submitted(
            form,
            lambda: lab_result_record(
                patient=request.user,
                actor=request.user,
                entry=form.entry(),
                today=local_today(request.user),
                request=request,
            ),
        )
        if result is not None:
            return _saved(request, result, "Saved")
    context = {"form": form, "units": units_by_test(), "result": None}
    return render(request, "monitoring/labs_form.html", context)


@patient_required
def lab_edit(request: AuthedRequest, result_id: int) -> HttpResponse:
    result = get_object_or_404(LabResult, pk=result_id, patient=request.user)
    form = LabResultForm(request.POST or None, initial=initial_from(result))
    if request.method == "POST" and form.is_valid():
        saved = submitted(
            form,
            lambda: lab_result_update(
                result=result,
                actor=request.user,
                entry=form.entry(),
                today=local_today(request.user),
                request=request,
            ),
        )
        if saved is not None:
            return _saved(request, saved, "Corrected")
    context = {"form": form, "units": units_by_test(), "result": result}
    return render(request, "monitoring/labs_form.html", context)
