"""Every operation of the served OpenAPI schema, fuzzed in-process over WSGI with all of
schemathesis's default checks (no server error, documented status codes and content types,
bodies matching their schema, bad input rejected, good input accepted, auth enforced, …),
signed in as a patient for /me/ and as their clinician for /clinic/.

Unknown query parameters are not generated: like most HTTP APIs, ours ignores them."""

import copy
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.openapi.checks import JsonSchemaError, UndefinedStatusCode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from b12tracker.wsgi import application
from monitoring.models import Flag
from tests.clinic.helpers import log
from tests.helpers import prescribe

EXAMPLES = 50  # per operation and generation mode; the whole file runs in under a minute

# Schemathesis calls the app as http://localhost/, which DEBUG=false settings do not allow.
HOSTS = ["localhost"]

with override_settings(ALLOWED_HOSTS=HOSTS):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
schema.config.generation.update(max_examples=EXAMPLES, allow_extra_parameters=False)

# The current test's tokens, by the kind of user they open the API for, and the ids of real
# rows that schema-valid cases name in their path (invalid ones keep their generated ids).
TOKENS: dict[str, str] = {}
IDS: dict[str, int] = {}


@schema.auth(refresh_interval=None)
class Bearer:
    """The patient's token for /me/, the clinician's for /clinic/. Through schemathesis's
    auth hooks, so that the cases which leave the header out on purpose still do."""

    def get(self, case: Any, context: Any) -> dict[str, str]:
        return dict(TOKENS)

    def set(self, case: Any, data: dict[str, str], context: Any) -> None:
        who = "clinician" if case.path.startswith("/api/v1/clinic/") else "patient"
        token = data.get(who, "b12_not-made-yet")  # cases built while collecting have none
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request, as a server
    should; Django's test client skips that, and so must these calls, which run inside the
    test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(keep_connection, alice, bob, token_for, settings):
    """Write tokens for a patient with a prescription, an injection and an open flag, and
    for their linked clinician."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, *HOSTS]
    rx = prescribe(alice, regimen="bnf-neuro", start=date(2026, 1, 5))
    injection = log(rx, date(2026, 1, 5))
    flag = Flag.objects.create(
        patient=alice, prescription=rx, kind=Flag.Kind.THREE_MONTH_REVIEW, key="fuzz"
    )
    TOKENS.update(patient=token_for(alice, "write"), clinician=token_for(bob, "write"))
    IDS.update(patient_id=alice.pk, flag_id=flag.pk, injection_id=injection.pk)
    yield
    TOKENS.clear()
    IDS.clear()


def name_real_rows(case: Any) -> None:
    """A schema-valid case names the fixture's rows, so that it reaches past the 404."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for name in case.path_parameters or {}:
        if name in IDS:
            case.path_parameters[name] = IDS[name]


# Rules that depend on the record, on today or on another field, which no schema can state:
# a schema-valid request to these operations may be refused, but only with a 400 naming these
# fields. Everything else a schema-valid request gets refused for is a failure.
RECORD_RULES: dict[str, set[str]] = {
    # before the prescription started, or in the future; an expiry over 10 years after it;
    # a site the prescription's route (intramuscular or under the skin) does not use; a dose
    # that is more than 3 mL at the prescription's strength, or so small (10 mcg or less)
    # that it must be milligrams typed as micrograms
    "POST /api/v1/me/injections/": {"given_on", "expiry", "site", "dose_mcg"},
    "POST /api/v1/me/injections/{injection_id}/correct/": {
        "given_on",
        "expiry",
        "site",
        "dose_mcg",
    },
    # a unit that is not one of the chosen test's, a value implausible for the test in that
    # unit (the schema cannot tie either to the test chosen) or zero; a sample date in the
    # future or long past; a reference range whose ends are the wrong way round
    "POST /api/v1/me/labs/": {"value", "unit", "taken_on", "ref_low", "ref_high"},
    # a use-by date already passed; a strength other than the prescription's
    "POST /api/v1/me/stock/batches/": {"expiry", "strength_mcg_per_ml"},
    # more than 90 days back, or in the future
    "POST /api/v1/me/checkins/": {"on"},
}


def refused_only_by_a_record_rule(ctx: Any, response: Any, case: Any) -> None:
    """positive_data_acceptance for RECORD_RULES operations: a 400 to a schema-valid request
    must name only the fields whose rules depend on the record or the date."""
    if response.status_code != 400 or case.meta is None:
        return
    if not case.meta.generation.mode.is_positive:
        return
    fields = set(response.json().get("errors", {}))
    allowed = RECORD_RULES[case.operation.label]
    assert fields and fields <= allowed, f"Valid data refused for {fields - allowed or 'nothing'}"


@schema.parametrize()
@settings(
    deadline=None,
    # The same examples on every run: a failure in CI is one a developer can repeat.
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_api_holds_to_its_schema(case, tokens):
    name_real_rows(case)
    if case.operation.label in RECORD_RULES:
        case.call_and_validate(
            excluded_checks=[positive_data_acceptance],
            additional_checks=[refused_only_by_a_record_rule],
        )
    else:
        case.call_and_validate()


# --- the same checks can fail ------------------------------------------------------------------


def _served_schema() -> dict[str, Any]:
    """A copy of the schema the app served, as loaded above."""
    return copy.deepcopy(schema.raw_schema)


def _failures(wrong: dict[str, Any], path: str, method: str) -> list[Failure]:
    """Fuzzes one operation of a wrong schema against the real app; the failures reported."""
    loaded = schemathesis.openapi.from_dict(wrong)
    loaded.app = application  # as from_wsgi does: calls go to the app in-process
    operation = loaded[path][method]
    found: list[Failure] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=5, deadline=None, database=None, derandomize=True)
    def run(case: Any) -> None:
        who = "clinician" if path.startswith("/api/v1/clinic/") else "patient"
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKENS[who]}"})
        except FailureGroup as group:
            found.extend(group.exceptions)
        except Failure as failure:
            found.append(failure)

    run()
    return found


@pytest.mark.django_db
def test_a_wrong_response_schema_is_reported(tokens):
    assert _failures(_served_schema(), "/api/v1/clinic/patients/", "GET") == []
    wrong = _served_schema()
    listed = wrong["components"]["schemas"]["PaginatedPatientSummaryOutList"]
    listed["properties"]["count"] = {"type": "string"}
    failures = _failures(wrong, "/api/v1/clinic/patients/", "GET")
    assert any(isinstance(failure, JsonSchemaError) for failure in failures)


@pytest.mark.django_db
def test_an_undocumented_status_code_is_reported(tokens):
    wrong = _served_schema()
    del wrong["paths"]["/api/v1/clinic/patients/{patient_id}/"]["get"]["responses"]["404"]
    failures = _failures(wrong, "/api/v1/clinic/patients/{patient_id}/", "GET")
    assert any(isinstance(failure, UndefinedStatusCode) for failure in failures)
