"""The ``openai`` Python package, a client nobody here wrote, reading ``streamwright serve``'s ``/v1/chat/completions``.

The served endpoint relays a model: an *AI chat completion* whose upstream is
the OpenAI stand-in (``tests/support/openai_upstream.py``), which answers
with the prompt's words; so the text the SDK assembles proves the prompt went
in from the conversation and every token came back out.
"""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from app.core.project import EndpointInput
from tests.conftest import action, endpoint, formula, project_of
from tests.support.openai_upstream import OpenAIUpstream, serve_upstream

PROMPT = "Why stream responses at all"


@pytest.fixture(scope="module")
def upstream() -> Iterator[OpenAIUpstream]:
    with serve_upstream() as running:
        yield running


@pytest.fixture(scope="module")
def served(serve, upstream):  # type: ignore[no-untyped-def]
    relay = action("ask", "ai.chat", baseUrl=upstream.base(delay=1), model="stand-in", prompt=formula("inputs.prompt"), eachDelta="send", slots={"body": []})
    broken = action("ask", "ai.chat", baseUrl=upstream.base(mode="error"), model="stand-in", prompt=formula("inputs.prompt"), eachDelta="send", slots={"body": []})
    prompt = [EndpointInput(name="prompt", type="string", required=True)]
    return serve(project_of(endpoint([relay], prompt, name="relay"), endpoint([broken], prompt, name="broken")))


def client(server) -> openai.OpenAI:  # type: ignore[no-untyped-def]
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=server.token, max_retries=0, timeout=60)


def test_the_openai_sdk_streams_a_relayed_answer(served):
    stream = client(served).chat.completions.create(
        model="relay", messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": PROMPT}], stream=True
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == PROMPT
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert {c.model for c in chunks} == {"relay"}


def test_the_openai_sdk_reads_one_completion_when_not_streaming(served):
    completion = client(served).chat.completions.create(model="relay", messages=[{"role": "user", "content": PROMPT}])
    assert completion.choices[0].message.content == PROMPT
    assert completion.choices[0].finish_reason == "stop" and completion.object == "chat.completion"


def test_the_openai_sdk_lists_endpoints_as_models_and_raises_our_errors(served):
    sdk = client(served)
    assert [model.id for model in sdk.models.list()] == ["relay", "broken"]
    with pytest.raises(openai.NotFoundError, match="no endpoint has that name"):
        sdk.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.APIError, match="the server streamed an error"):
        list(sdk.chat.completions.create(model="broken", messages=[{"role": "user", "content": PROMPT}], stream=True))
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{served.url}/v1", api_key="wrong", max_retries=0).models.list()
