"""The OpenAPI schema at /openapi.json, served and fuzzed by schemathesis.

schemathesis reads the schema, generates requests for every operation (valid ones from
the schemas, and invalid ones: wrong types, missing fields, out-of-range values), sends
them to the running server and checks each answer: never a 5xx, a status and a body the
schema documents, the content type it declares.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from nlpjourney.serve.app import ServerSettings, create_app
from tests.serve.conftest import TINY_ID, Running, serve_tiny


@pytest.fixture(scope="module")
def fuzzed_server(smollm2_tokenizer) -> Iterator[Running]:  # noqa: ANN001
    # A short default answer keeps each generated request quick; the context is the tiny
    # model's whole 256 (with 96, over half the valid bodies were prompts too long for it).
    server = serve_tiny(smollm2_tokenizer, ServerSettings(default_max_tokens=4),
                        max_batch=8, context=256)  # fmt: skip
    yield server
    server.stop()


# The schema is the app's own: the same paths and models whatever it serves, so it is read
# here from an app with no model, at collection time, and fuzzed against the running one.
SCHEMA = schemathesis.openapi.from_dict(create_app(None).openapi())
OPERATIONS = [op.ok() for op in SCHEMA.get_all_operations()]
GENERATING = {"/v1/chat/completions", "/v1/completions"}
# Invalid requests need something to get wrong: a body.
CASES = [(op, GenerationMode.POSITIVE) for op in OPERATIONS] + [
    (op, GenerationMode.NEGATIVE) for op in OPERATIONS if len(op.body)
]


def test_schema_is_served_and_names_the_openai_paths(fuzzed_server: Running) -> None:
    document = httpx.get(f"{fuzzed_server.url}/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    assert {"/v1/models", "/v1/chat/completions", "/v1/completions", "/v1/embeddings",
            "/health", "/metrics"} <= paths  # fmt: skip
    chat = document["paths"]["/v1/chat/completions"]["post"]
    assert {"400", "401", "404", "413", "422", "429"} <= set(chat["responses"])
    assert httpx.get(f"{fuzzed_server.url}/docs").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize(
    ("operation", "mode"), CASES, ids=[f"{op.label} {mode}" for op, mode in CASES]
)
def test_schema_fuzzing_finds_no_server_error(
    operation: object, mode: GenerationMode, fuzzed_server: Running
) -> None:
    statuses = []

    # Three bodies in four name the served model, so valid requests reach the engine (a
    # random model id makes a 404). About half of those fit the context and answer 200:
    # with one body in four, a CI run once saw none in 30.
    @given(case=operation.as_strategy(generation_mode=mode), served=st.integers(0, 3))
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def answers_without_server_error(case: schemathesis.Case, served: int) -> None:
        if served > 0 and isinstance(case.body, dict) and "model" in case.body:
            case.body["model"] = TINY_ID
        response = case.call_and_validate(base_url=fuzzed_server.url, timeout=60,
                                          checks=[not_a_server_error])  # fmt: skip
        statuses.append(response.status_code)

    answers_without_server_error()
    # (the fuzzed server has no embedding model: every embeddings request is a 404)
    if mode == GenerationMode.POSITIVE and operation.path in GENERATING:
        assert 200 in statuses, f"no valid request went through: {sorted(set(statuses))}"
