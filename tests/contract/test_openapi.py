"""Schemathesis against the in-process app (memory backend): the OpenAPI document tells
the truth about every operation, for valid and for invalid input (every check).

The app and its document are built when this module is collected (no I/O: the lifespan
starts on the first call), the way Schemathesis' pytest integration expects: its lazy
`from_fixture` form does not run on pytest 9.
"""

import os
import uuid
from decimal import Decimal
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case as AnyCase
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.engine.recorder import CheckNode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.e2e.api import PASSWORD, build_app, settings_for
from tests.unit.fakes import unique_email

EXAMPLES = 25
STATEFUL_EXAMPLES, STATEFUL_STEPS = 40, 10
# Under CI the examples are the same every run (a red build names a real change); run it
# locally to explore new ones.
DERANDOMIZE = os.environ.get("CI", "").lower() == "true"
FORM = "application/x-www-form-urlencoded"
# A request may fail its precondition (`If-Match` is not the current ETag: 412) whatever
# its body: preconditions are evaluated first (RFC 9110 §13.2.2). That is not the data
# being accepted or refused, so 412 is expected of valid and invalid requests alike.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428", "429"]
CHECKS: dict[str, Any] = {
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        "negative_data_rejection": {"expected-statuses": REFUSED},
    }
}
CONFIG = SchemathesisConfig.from_dict(CHECKS)
SEED = 20261124

Case = AnyCase[Any]

app, _ = build_app(settings_for())
schema = schemathesis.openapi.from_dict(app.openapi(), config=CONFIG)
schema.app = app


@schema.auth()
class BearerToken:
    """A registered user's token, registered and logged in through the API itself."""

    def get(self, case: Case, ctx: object) -> str:
        email = unique_email("schemathesis")
        body: Any = {"name": "Schemathesis", "email": email, "password": PASSWORD}
        assert schema["/users"]["POST"].Case(body=body).call().status_code == 201
        form: Any = {"username": email, "password": PASSWORD}
        issued = schema["/auth/token"]["POST"].Case(body=form, media_type=FORM).call()
        return str(issued.json()["access_token"])

    def set(self, case: Case, data: str, ctx: object) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@schema.hook
def map_case(ctx: object, case: Case) -> Case:
    """Valid cases keep to what a schema cannot say: a cursor comes from a `Link` header
    (a made-up one is refused, 422, as documented), `min_price` may not exceed
    `max_price` (422, as documented), and a client makes a fresh `Idempotency-Key` for each
    new request (one reused with another body is refused, 422, as documented)."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    if "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    if not case.query:
        return case
    case.query.pop("cursor", None)
    low, high = case.query.get("min_price"), case.query.get("max_price")
    if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
        case.query["min_price"], case.query["max_price"] = high, low
    return case


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=DERANDOMIZE,
)
def test_every_operation_keeps_its_documented_contract(case: Case) -> None:
    case.call_and_validate()


def _stateful_schema() -> OpenApiSchema:
    """The same app and checks, in the stateful phase only: sequences of calls linked
    through their responses (links inferred from the document: the id of a 201 used by a
    GET, a PATCH, a PUT, a DELETE)."""
    phases = {"examples": False, "coverage": False, "fuzzing": False}
    config = {
        **CHECKS,
        "phases": {
            **{name: {"enabled": enabled} for name, enabled in phases.items()},
            "stateful": {"enabled": True, "max-steps": STATEFUL_STEPS},
        },
        "generation": {"max-examples": STATEFUL_EXAMPLES},
        **({"seed": SEED} if DERANDOMIZE else {}),
    }
    stateful = schemathesis.openapi.from_dict(
        app.openapi(), config=SchemathesisConfig.from_dict(config)
    )
    stateful.app = app
    stateful.auth()(BearerToken)
    stateful.hook(map_case)
    return stateful


def test_sequences_of_linked_calls_keep_the_documented_contract() -> None:
    """Run by Schemathesis' own engine, as its CLI does: Hypothesis' stateful runner calls
    these sequences flaky, since the app keeps its rows from one sequence to the next."""
    steps, failed = 0, []
    for event in schemathesis.engine.from_schema(_stateful_schema()).execute():
        if isinstance(event, events.ScenarioFinished):
            steps += len(event.recorder.cases)
            failed += [_describe(check) for check in _failed_checks(event)]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failed.append(repr(getattr(event, "value", None) or getattr(event, "exception", None)))
    assert steps >= STATEFUL_EXAMPLES  # the phase ran
    assert failed == []


def _failed_checks(event: events.ScenarioFinished) -> list[CheckNode]:
    checks = (check for nodes in event.recorder.checks.values() for check in nodes)
    return [check for check in checks if check.failure_info is not None]


def _describe(check: CheckNode) -> str:
    failure = getattr(check.failure_info, "failure", None)
    return f"{check.name}: {getattr(failure, 'title', '')} {getattr(failure, 'message', '')}"
