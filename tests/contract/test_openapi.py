"""Schemathesis against the in-process app (memory backend): the OpenAPI document tells
the truth about every operation, for valid and for invalid input (every check).

The app and its document are built when this module is collected (no I/O: the lifespan
starts on the first call), the way Schemathesis' pytest integration expects: its lazy
`from_fixture` form does not run on pytest 9.
"""

from decimal import Decimal
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case as AnyCase
from schemathesis.config import SchemathesisConfig

from tests.e2e.api import PASSWORD, build_app, settings_for
from tests.unit.fakes import unique_email

EXAMPLES = 25
STATEFUL_EXAMPLES, STATEFUL_STEPS = 15, 8
FORM = "application/x-www-form-urlencoded"
# A request may fail its precondition (`If-Match` is not the current ETag: 412) whatever
# its body: preconditions are evaluated first (RFC 9110 §13.2.2). That is not the data
# being accepted or refused, so 412 is expected of valid and invalid requests alike.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
            "negative_data_rejection": {"expected-statuses": REFUSED},
        }
    }
)

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
    (a made-up one is refused, 422, as documented), and `min_price` may not exceed
    `max_price` (422, as documented)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or not case.query:
        return case
    case.query.pop("cursor", None)
    low, high = case.query.get("min_price"), case.query.get("max_price")
    if low is not None and high is not None and Decimal(str(low)) > Decimal(str(high)):
        case.query["min_price"], case.query["max_price"] = high, low
    return case


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_documented_contract(case: Case) -> None:
    case.call_and_validate()


Workflow = schema.as_state_machine()


class TestWorkflows(Workflow.TestCase):  # type: ignore[name-defined,misc]
    """The stateful phase: sequences of calls, linked through the responses (an id from
    a 201 used by a GET, a PATCH, a DELETE), every check after every step."""

    settings = settings(
        max_examples=STATEFUL_EXAMPLES,
        stateful_step_count=STATEFUL_STEPS,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        # Generate only: the app keeps its rows between sequences, so a replay (to reuse
        # or shrink an example) would not see the same responses and Hypothesis would
        # call the strategy flaky.
        phases=[Phase.generate],
    )
