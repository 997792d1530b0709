"""The flags inbox, and acknowledging, resolving or noting a flag from it or from the
patient's page; a refused action re-renders the patient's page with the refused form."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import AuthedRequest, clinician_required
from accounts.models import User
from clinic.forms import (
    FlagAcknowledgeForm,
    FlagFilterForm,
    FlagResolveForm,
    NoteForm,
    flag_items,
)
from clinic.selectors import flags as flag_reads
from core.forms import submitted
from monitoring import actions
from monitoring.models import Flag

from .common import detail_url, form_message, patient_of
from .patient import render_patient

FlagAction = Callable[..., Flag]


@clinician_required
def flags(request: AuthedRequest) -> HttpResponse:
    form = FlagFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = flag_reads.flags_page(
        clinician=request.user,
        status=data.get("status", ""),
        kind=data.get("kind", ""),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {
        "page": page,
        "items": flag_items(page.items),
        "filter_form": form,
        "query": {name: value for name, value in data.items() if value},
        "here": request.get_full_path(),
    }
    return render(request, "clinic/flags.html", context)


@require_POST
@clinician_required
def flag_acknowledge(request: AuthedRequest, patient_id: int, flag_id: int) -> HttpResponse:
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
def flag_resolve(request: AuthedRequest, patient_id: int, flag_id: int) -> HttpResponse:
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
def flag_note(request: AuthedRequest, patient_id: int, flag_id: int) -> HttpResponse:
    return _flag_action(
        request,
        patient_id,
        flag_id,
        form_class=NoteForm,
        form_name="note",
        action=actions.flag_note_add,
        done="Note added to the flag.",
    )


def _flag_action(
    request: AuthedRequest,
    patient_id: int,
    flag_id: int,
    *,
    form_class: type[Form],
    form_name: str,
    action: FlagAction,
    done: str,
) -> HttpResponse:
    patient = patient_of(request, patient_id)
    flag = flag_reads.flag_for_patient(patient=patient, flag_id=flag_id)
    if flag is None:
        raise Http404
    form = form_class(request.POST, auto_id=f"flag{flag.pk}_{form_name}_%s")
    if form.is_valid():
        changed = submitted(
            form,
            lambda: action(
                flag=flag, actor=request.user, note=form.cleaned_data["note"], request=request
            ),
        )
        if changed is not None:
            messages.success(request, done)
            return redirect(_next_url(request, patient))
    return render_patient(
        request, patient, status=400, error=form_message(form), failed_flag=(flag, form_name, form)
    )


def _next_url(request: AuthedRequest, patient: User) -> str:
    """Back to the inbox when the action came from there; otherwise the patient's page."""
    target = request.POST.get("next", "")
    inbox = reverse("clinic:flags")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    if safe and target.startswith(inbox):
        return target
    return detail_url(patient)
