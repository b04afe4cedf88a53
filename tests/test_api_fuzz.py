"""The API fuzzed from its own OpenAPI document with schemathesis, in process (WSGI).

Every operation in ``/api/v1/openapi.json`` (features add theirs by registering their
blueprints, and are covered without touching this file) gets generated requests,
valid ones and invalid ones, signed in with a member's token: no answer may be a 5xx,
and every answer must match the document (status code, content type, headers, body
schema). ``MAX_EXAMPLES`` per operation and mode keeps the run short.

schemathesis's own pytest integration (``from_fixture``) does not run on pytest 9 (it
sets ``Function._nodeid``), so its plugin is off (``-p no:schemathesis`` in
pyproject.toml: it also slowed every pytest start) and the operations are walked here
with plain Hypothesis; schemathesis is imported by the test only.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.specs.openapi.checks import positive_data_acceptance

from community.auth import services as account_services
from models import db

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "20"))  # per operation and mode


def _validator_agrees_with_document(label: str, case, response) -> None:  # noqa: ANN001
    """Data the document calls valid never fails the request schema itself: no 400, and no
    422 naming fields (webargs' validation errors). A 422 from a business rule carries no
    ``fields`` and is allowed."""
    assert response.status_code != 400, (label, case.body, response.text)
    if response.status_code == 422:
        details = response.json()["error"].get("details", {})
        assert "fields" not in details, (label, case.body, case.query, details)


def test_api_matches_its_document(app, users):
    import schemathesis
    from schemathesis import GenerationMode

    _token, secret = account_services.create_token(users["member"], "fuzz")
    db.session.commit()
    # identity: schemathesis's WSGI client does not undo Content-Encoding (brotli, gzip).
    headers = {"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 2  # at least GET and PATCH /me
    tried = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case) -> None:  # noqa: ANN001
                # The bar: no 5xx and no response outside the document.
                # schemathesis's positive_data_acceptance expects data valid by the
                # document to succeed, but the API rightly refuses some of it by its
                # rules (a missing category: 404; a body below the minimum length after
                # rendering: 422): that check is replaced by the stricter half below.
                response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
                if case.meta.generation.mode.is_positive:
                    _validator_agrees_with_document(case.operation.label, case, response)

            try:
                fuzz()
            except Unsatisfiable:
                # An operation with no parameter and optional auth has no invalid
                # request to generate: only the negative mode may find nothing.
                assert mode == GenerationMode.NEGATIVE, operation.label
                continue
            tried.append(f"{mode.value} {operation.label}")
        db.session.rollback()
    assert tried
