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

from b12tracker.wsgi import application
from tests.helpers import prescribe

EXAMPLES = 25  # per operation and generation mode; the whole file runs in about a minute

# Schemathesis calls the app as http://localhost/, which DEBUG=false settings do not allow.
HOSTS = ["localhost"]

with override_settings(ALLOWED_HOSTS=HOSTS):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
schema.config.generation.update(max_examples=EXAMPLES, allow_extra_parameters=False)

# The current test's tokens, by the kind of user they open the API for.
TOKENS: dict[str, str] = {}


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
    """Write tokens for a patient with a prescription, and for their linked clinician."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, *HOSTS]
    prescribe(alice, regimen="bnf-neuro", start=date(2026, 1, 5))
    TOKENS.update(patient=token_for(alice, "write"), clinician=token_for(bob, "write"))
    yield
    TOKENS.clear()


@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_api_holds_to_its_schema(case, tokens):
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
