"""Clinician pages: the patients list (and its CSV), invitations, the flags inbox, one patient's
page and printable report, and the actions taken from them.

Every patient URL goes through `patient_for_clinician`, which answers 404 without an active
link; flags and phases are then looked up within that patient, so an id from elsewhere is 404.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.access import clinician_required
from accounts.audit import log_action
from accounts.forms import InviteForm
from accounts.models import User
from accounts.selectors import patient_for_clinician
from monitoring import actions
from monitoring.models import Flag
from schedules import services as schedule_services
from schedules.models import Phase, Prescription

from . import patient as patient_reads
from . import selectors
from .forms import (
    FlagAcknowledgeForm,
    FlagFilterForm,
    FlagResolveForm,
    IntervalForm,
    NoteForm,
    PatientFilterForm,
    PhaseCloseForm,
    PrescriptionAmendForm,
)

# --- the patients list ------------------------------------------------------------------------


def _patients_context(request: HttpRequest, invite_form: InviteForm) -> dict:
    filter_form = PatientFilterForm(request.GET or None)
    filters = filter_form.filters()
    listing = selectors.patients_page(
        clinician=request.user,
        filters=filters,
        page_number=request.GET.get("page"),
        now=timezone.now(),
    )
    query = filters.as_dict()
    export = reverse("clinic:patients_csv")
    return {
        "listing": listing,
        "filter_form": filter_form,
        "filtered": bool(query),
        "export_url": f"{export}?{urlencode(query)}" if query else export,
        "form": invite_form,
        "pending": selectors.pending_invitations(clinician=request.user),
        "window_days": selectors.WINDOW.days,
    }


@clinician_required
def patients(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/patients.html", _patients_context(request, InviteForm()))


@require_POST
@clinician_required
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            account_services.carelink_invite(
                clinician=request.user, email=form.cleaned_data["email"], request=request
            )
        except ValidationError as error:
            for message in error.message_dict.get("email", error.messages):
                form.add_error("email", message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("clinic:patients")
    return render(request, "clinic/patients.html", _patients_context(request, form), status=400)


CSV_HEADER = (
    "Patient",
    "Email",
    "Regimen",
    "Current phase",
    "Next due",
    "Days overdue",
    "Last injection",
    "On time (90 days)",
    "Late (90 days)",
    "Missed (90 days)",
    "Adherence band (90 days)",
    "On time (since start)",
    "Late (since start)",
    "Missed (since start)",
    "Median maintenance interval (days)",
    "Prescribed maintenance interval",
    "Open flags",
    "Open flag kinds",
)


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _csv_line(row: selectors.PatientRow) -> list[object]:
    return [
        _cell(value)
        for value in (
            row.name,
            row.patient.email,
            row.regimen,
            patient_reads.phase_label(row.phase) if row.phase else "",
            row.next_due.isoformat() if row.next_due else "",
            row.days_overdue,
            row.last_injection.isoformat() if row.last_injection else "",
            row.recent.on_time,
            row.recent.late,
            row.recent.missed,
            selectors.Band(row.band).label,
            row.overall.on_time,
            row.overall.late,
            row.overall.missed,
            row.median_interval,
            row.prescribed.cadence().describe() if row.prescribed else "",
            row.open_flags,
            "; ".join(row.flag_labels),
        )
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@clinician_required
def patients_csv(request: HttpRequest) -> HttpResponse:
    filters = PatientFilterForm(request.GET or None).filters()
    now = timezone.now()
    rows = list(selectors.export_rows(clinician=request.user, filters=filters, now=now))
    log_action(
        actor=request.user,
        action="patients.exported",
        request=request,
        detail={"filters": filters.as_dict(), "rows": len(rows)},
    )
    writer = csv.writer(_Echo())
    lines: Iterable[str] = [
        writer.writerow(CSV_HEADER),
        *(writer.writerow(_csv_line(r)) for r in rows),
    ]
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patients-{now:%Y-%m-%d}.csv"'
    return response


# --- the flags inbox --------------------------------------------------------------------------


@clinician_required
def flags(request: HttpRequest) -> HttpResponse:
    form = FlagFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.flags_for_clinician(
        clinician=request.user, status=data.get("status", ""), kind=data.get("kind", "")
    )
    page = Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = {name: value for name, value in data.items() if value}
    return render(
        request,
        "clinic/flags.html",
        {
            "page": page,
            "items": flag_items(page.object_list),
            "filter_form": form,
            "query": query,
            "here": request.get_full_path(),
        },
    )


# --- one patient ------------------------------------------------------------------------------


def _patient(request: HttpRequest, patient_id: int) -> User:
    return patient_for_clinician(clinician=request.user, patient_id=patient_id)


def _detail_url(patient: User) -> str:
    return reverse("clinic:patient_detail", args=[patient.pk])


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _apply(form: Form, error: ValidationError) -> None:
    """A service's refusal shown on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@dataclass
class FlagItem:
    """A flag with its three small forms, their ids prefixed so that many fit on one page."""

    flag: Flag
    acknowledge: Form
    resolve: Form
    note: Form


def flag_items(flags: Iterable[Flag], failed: tuple[Flag, str, Form] | None = None) -> list:
    items = []
    for flag in flags:
        forms = {
            "acknowledge": FlagAcknowledgeForm(auto_id=f"flag{flag.pk}_ack_%s"),
            "resolve": FlagResolveForm(auto_id=f"flag{flag.pk}_resolve_%s"),
            "note": NoteForm(auto_id=f"flag{flag.pk}_note_%s"),
        }
        if failed is not None and failed[0].pk == flag.pk:
            forms[failed[1]] = failed[2]
        items.append(FlagItem(flag, **forms))
    return items


def _render_patient(
    request: HttpRequest,
    patient: User,
    *,
    status: int = 200,
    error: str = "",
    failed_flag: tuple[Flag, str, Form] | None = None,
    **forms: Form,
) -> HttpResponse:
    overview = patient_reads.patient_overview(
        patient=patient, now=timezone.now(), whole_history=request.GET.get("history") == "all"
    )
    maintenance = overview.maintenance_phase
    interval_initial = None
    if maintenance and maintenance.unit != "weekday":
        interval_initial = {
            "every": maintenance.every,
            "every_max": maintenance.every_max,
            "unit": maintenance.unit,
        }
    context = {
        "o": overview,
        "patient": patient,
        "error": error,
        "note_form": NoteForm(auto_id="note_%s"),
        "close_form": PhaseCloseForm(initial={"closed_on": overview.today}, auto_id="close_%s"),
        "interval_form": IntervalForm(initial=interval_initial, auto_id="interval_%s"),
        "flag_items": flag_items(overview.unresolved_flags, failed_flag),
        "chart_data": _chart_data(overview),
        **forms,
    }
    return render(request, "clinic/patient_detail.html", context, status=status)


def _chart_data(overview: patient_reads.PatientOverview) -> dict:
    return {
        "adherence": [
            {
                "label": row.label,
                "on_time": row.counts.on_time,
                "late": row.counts.late,
                "missed": row.counts.missed,
            }
            for row in overview.phases
        ],
        "intervals": [
            {
                "date": point.given_on.isoformat(),
                "actual": point.actual,
                "prescribed": point.prescribed,
            }
            for point in overview.intervals
        ],
    }


@clinician_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _render_patient(request, _patient(request, patient_id))


@clinician_required
def patient_report(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    overview = patient_reads.patient_overview(
        patient=patient, now=timezone.now(), whole_history=True
    )
    return render(
        request,
        "clinic/patient_report.html",
        {"o": overview, "patient": patient, "chart_data": _chart_data(overview)},
    )


def _active_prescription(patient: User) -> Prescription | None:
    return Prescription.objects.filter(patient=patient, status=Prescription.Status.ACTIVE).first()


NO_PRESCRIPTION = "This patient has no active prescription."


@require_POST
@clinician_required
def prescription_confirm(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    prescription = _active_prescription(patient)
    if prescription is None:
        return _render_patient(request, patient, status=400, error=NO_PRESCRIPTION)
    try:
        schedule_services.prescription_confirm(
            prescription=prescription, clinician=request.user, request=request
        )
    except ValidationError as error:
        return _render_patient(request, patient, status=400, error=_message(error))
    messages.success(request, "Prescription confirmed as checked by you.")
    return redirect(_detail_url(patient))


@clinician_required
def prescription_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    prescription = _active_prescription(patient)
    if prescription is None:
        raise Http404
    if request.method != "POST":
        form = PrescriptionAmendForm(initial=PrescriptionAmendForm.initial_for(prescription))
        return _render_edit(request, patient, prescription, form)
    form = PrescriptionAmendForm(request.POST)
    if not form.is_valid():
        return _render_edit(request, patient, prescription, form, status=400)
    try:
        summary = schedule_services.prescription_update(
            prescription=prescription,
            actor=request.user,
            changes=form.changes(),
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as error:
        _apply(form, error)
        return _render_edit(request, patient, prescription, form, status=400)
    if not summary.fields:
        messages.info(request, "Nothing was changed.")
    elif summary.dates_moved:
        messages.success(request, "Prescription amended; the doses still to come were re-planned.")
    else:
        messages.success(request, "Prescription amended; the dates of future doses stay the same.")
    return redirect(_detail_url(patient))


def _render_edit(
    request: HttpRequest,
    patient: User,
    prescription: Prescription,
    form: PrescriptionAmendForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "clinic/prescription_edit.html",
        {"patient": patient, "prescription": prescription, "form": form},
        status=status,
    )


@require_POST
@clinician_required
def phase_close(request: HttpRequest, patient_id: int, phase_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    phase = (
        Phase.objects.filter(pk=phase_id, prescription__patient=patient)
        .select_related("prescription__patient__patient_profile")
        .first()
    )
    if phase is None:
        raise Http404
    form = PhaseCloseForm(request.POST, auto_id="close_%s")
    if phase.prescription.status != Prescription.Status.ACTIVE:
        form.is_valid()
        form.add_error(None, "That prescription is no longer active.")
    elif form.is_valid():
        try:
            schedule_services.phase_close(
                phase=phase,
                actor=request.user,
                closed_on=form.cleaned_data["closed_on"],
                request=request,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                f"Loading ended on {form.cleaned_data['closed_on']:%-d %b %Y}; "
                "maintenance doses are now planned.",
            )
            return redirect(_detail_url(patient))
    return _render_patient(request, patient, status=400, error=_form_message(form), close_form=form)


@require_POST
@clinician_required
def interval_change(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    prescription = _active_prescription(patient)
    form = IntervalForm(request.POST, auto_id="interval_%s")
    if prescription is None:
        form.is_valid()
        form.add_error(None, NO_PRESCRIPTION)
    elif form.is_valid():
        data = form.cleaned_data
        try:
            phase = schedule_services.maintenance_interval_change(
                prescription=prescription,
                actor=request.user,
                unit=data["unit"],
                every=data["every"],
                every_max=data["every_max"],
                reason=data["reason"],
                request=request,
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request, f"Maintenance is now {phase.cadence().describe()}, from today on."
            )
            return redirect(_detail_url(patient))
    return _render_patient(
        request, patient, status=400, error=_form_message(form), interval_form=form
    )


@require_POST
@clinician_required
def note_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    form = NoteForm(request.POST, auto_id="note_%s")
    if form.is_valid():
        try:
            actions.patient_note_add(
                patient=patient, actor=request.user, note=form.cleaned_data["note"], request=request
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, "Note added to the record.")
            return redirect(_detail_url(patient))
    return _render_patient(request, patient, status=400, error=_form_message(form), note_form=form)


def _form_message(form: Form) -> str:
    problems = [str(message) for messages_ in form.errors.values() for message in messages_]
    return "Nothing was saved. " + " ".join(problems)


# --- flags --------------------------------------------------------------------------------------

FlagAction = Callable[..., Flag]


def _flag_action(
    request: HttpRequest,
    patient_id: int,
    flag_id: int,
    *,
    form_class: type[Form],
    form_name: str,
    action: FlagAction,
    done: str,
) -> HttpResponse:
    patient = _patient(request, patient_id)
    flag = selectors.flag_for_patient(patient=patient, flag_id=flag_id)
    if flag is None:
        raise Http404
    form = form_class(request.POST, auto_id=f"flag{flag.pk}_{form_name}_%s")
    if form.is_valid():
        try:
            action(flag=flag, actor=request.user, note=form.cleaned_data["note"], request=request)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, done)
            return redirect(_next_url(request, patient))
    return _render_patient(
        request, patient, status=400, error=_form_message(form), failed_flag=(flag, form_name, form)
    )


def _next_url(request: HttpRequest, patient: User) -> str:
    """Back to the inbox when the action came from there; otherwise the patient's page."""
    target = request.POST.get("next", "")
    inbox = reverse("clinic:flags")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    if safe and target.startswith(inbox):
        return target
    return _detail_url(patient)


@require_POST
@clinician_required
def flag_acknowledge(request: HttpRequest, patient_id: int, flag_id: int) -> HttpResponse:
    return _flag_action(
        request,
        patient_id,
        flag_id,
        form_class=FlagAcknowledgeForm,
        form_name="acknowledge",
        action=actions.flag_acknowledge,
        done="Flag acknowledged.",
    )


@require_POST
@clinician_required
def flag_resolve(request: HttpRequest, patient_id: int, flag_id: int) -> HttpResponse:
    return _flag_action(
        request,
        patient_id,
        flag_id,
        form_class=FlagResolveForm,
        form_name="resolve",
        action=actions.flag_resolve,
        done="Flag resolved.",
    )


@require_POST
@clinician_required
def flag_note(request: HttpRequest, patient_id: int, flag_id: int) -> HttpResponse:
    return _flag_action(
        request,
        patient_id,
        flag_id,
        form_class=NoteForm,
        form_name="note",
        action=actions.flag_note_add,
        done="Note added to the flag.",
    )
