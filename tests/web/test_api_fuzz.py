"""Schema-driven fuzzing of the open data API with Schemathesis: every operation of
``/api/v1/openapi.json``, with valid and invalid parameters, against a database holding public
and private data. No answer may be a server error, and every answer must match the document
exactly (status, content type, headers, body). Bounded and derandomized: a fixed, small set of
examples per operation, the same on every run."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from tests.web.test_api import seed

EXAMPLES = 10  # per operation and kind of input
# Inputs are filtered through the documented patterns and generation may be slow on a busy
# machine: neither is a problem of the API.
HEALTH_CHECKS_OFF = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                     HealthCheck.large_base_example]

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def test_fuzzing_every_operation_finds_no_error_and_no_schema_violation(app, session) -> None:  # type: ignore[no-untyped-def]
    w = seed()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 17  # every operation but the document itself, which Schemathesis leaves out
    # Random codes, slugs and ids rarely name a real object: each operation is also fuzzed on
    # the seeded public objects (path) and place (filters), so real rows meet the schema too.
    real: dict[str, dict[str, Any]] = {
        "/territories/{istat_code}": {"istat_code": w.comune.istat_code},
        "/organizations/{slug}": {"slug": w.org.slug},
        "/forums/{slug}/threads": {"slug": w.forum.slug},
        "/threads/{id}": {"id": w.thread.id},
        "/labs/{slug}": {"slug": w.lab.slug},
        "/proposals/{id}": {"id": w.proposal.id},
        "/events/{id}": {"id": w.event.id},
        "/initiatives/{id}": {"id": w.initiative.id},
        "/good-practices/{id}": {"id": w.practice.id},
    }
    for operation in operations:
        variants: list[tuple[str, Any]] = [
            ("valid", operation.as_strategy(generation_mode=GenerationMode.POSITIVE)),
            ("invalid", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)),
        ]
        if operation.path in real:
            variants.append(("seeded", operation.as_strategy(path_parameters=real[operation.path])))
        elif any(p.name == "territory" for p in operation.query):
            variants.append(("seeded", operation.as_strategy(query={"territory": w.region.istat_code})))
        for name, strategy in variants:

            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=False,
                      suppress_health_check=HEALTH_CHECKS_OFF)
            @given(case=strategy)
            def run(case):  # type: ignore[no-untyped-def]
                case.call_and_validate(checks=CHECKS)

            try:
                run()
            except Exception as exc:
                pytest.fail(f"{operation.label} ({name} input): {exc}")
