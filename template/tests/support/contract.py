"""Contract tests: schemathesis' generated requests, sent to the app the suite runs.

Schemathesis' own ASGI client runs the app in a thread and event loop of its own,
with a lifespan of its own. Here each case goes through the suite's httpx client
instead, in the event loop the `app` fixture (and its database engine) lives in,
so the requests see the suite's database, inside the test's rolled-back transaction.
"""

import asyncio
import os
from typing import Any

import schemathesis
from httpx import AsyncClient, Response
from hypothesis import HealthCheck, settings
from schemathesis import Case

from tests.support.practices import adopted

# Generated cases per operation. The default keeps the normal run fast; the extended
# run (see the README) raises it: CONTRACT_EXAMPLES=500 uv run pytest tests/api/test_contract.py
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "20"))

CONTRACT_SETTINGS = settings(
    max_examples=EXAMPLES,
    # The same cases on every run and machine: a failure always reproduces.
    derandomize=True,
    # Speed is the benchmarks' business; a slow first request must not fail a contract.
    deadline=None,
    # Nothing written to .hypothesis/: derandomized runs replay the same cases anyway.
    database=None,
    # Every case of an operation shares the test's client and rolled-back transaction,
    # on purpose; and a generated body can take a while to build.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What every response must satisfy. Left out: the checks that resend requests through
# schemathesis' own client, which runs the app apart from the suite's (ignored_auth,
# use_after_free, ensure_resource_availability, object_level_authorization; with
# auth=jwt, test_contract.py sends requests without a token itself), and
# max_response_time (speed is measured by the benchmarks, not asserted here).
CHECKS = [
    # No 5xx, whatever the input.
    schemathesis.checks.not_a_server_error,
    # The status code, content type, body and headers are the documented ones.
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.missing_required_header,
    # A method the path does not have is a 405 that lists the ones it has.
    schemathesis.checks.unsupported_method,
    schemathesis.checks.allow_header_conformance,
]

# Input the schema forbids is refused (4xx); input it allows is not refused as invalid.
# These judge every request schema of the service, yours included, so they are on only
# where tests/adopted_practices.py says so (a service updated into them starts without).
if adopted("CONTRACT_CHECKS_INPUT"):
    CHECKS += [
        schemathesis.checks.negative_data_rejection,
        schemathesis.checks.positive_data_acceptance,
    ]


def send(loop: asyncio.AbstractEventLoop, client: AsyncClient, case: Case[Any]) -> Response:
    """Send `case` through `client` (and its headers) and wait for the response.

    The test itself is synchronous (Hypothesis drives it), so it runs the request on
    the loop the app lives in, which is idle between tests.
    """
    kwargs = case.as_transport_kwargs()
    headers = dict(kwargs["headers"])
    cookies = kwargs.get("cookies") or {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    if "data" in kwargs:
        # requests' `data` is a form (a dict) or raw bytes; httpx names the latter `content`.
        data = kwargs["data"]
        body["data" if isinstance(data, dict) else "content"] = data
    if "files" in kwargs:
        body["files"] = kwargs["files"]
    request = client.build_request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=headers, **body
    )
    return loop.run_until_complete(client.send(request))
