"""The official openai and anthropic SDKs against `lab mock --api openai|anthropic`,
LiteLLM's openai/ and anthropic/ providers, and the portkey-ai SDK through `lab gateway`
with an OpenAI → Anthropic fallback."""
import json
import time

import anthropic
import httpx
import litellm
import openai
import pytest
from portkey_ai import Portkey

from conftest import LabProcess

ASK = [{"role": "user", "content": "What is the capital of France?"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "weather in a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]


@pytest.fixture(scope="module")
def fakes():
    oai = LabProcess("mock", "--api", "openai", "--port", "0", "--quiet", "--answer", "capital of France=Paris (OpenAI).")
    ant = LabProcess("mock", "--api", "anthropic", "--port", "0", "--quiet", "--answer", "capital of France=Paris (Anthropic).")
    yield {"openai": oai.url, "anthropic": ant.url}
    for p in (oai, ant):
        assert p.stop() == 0


def faults(url, rules):
    httpx.delete(url + "/__lab/journal")
    assert httpx.put(url + "/__lab/faults", json=rules).status_code == 200


def journal(url):
    return httpx.get(url + "/__lab/journal").json()


def oai_client(fakes, **kw):
    return openai.OpenAI(base_url=fakes["openai"] + "/v1", api_key="sk-lab", **kw)


def ant_client(fakes, **kw):
    return anthropic.Anthropic(base_url=fakes["anthropic"], api_key="sk-ant-lab", **kw)


def test_openai_sdk_parses_every_endpoint(fakes):
    faults(fakes["openai"], [])
    c = oai_client(fakes)
    r = c.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert r.choices[0].message.content == "Paris (OpenAI)." and r.usage.total_tokens > 0
    chunks = list(c.chat.completions.create(model="gpt-4o-mini", messages=ASK, stream=True, stream_options={"include_usage": True}))
    assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == "Paris (OpenAI)."
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    tool = c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "What is the weather in Paris?"}], tools=TOOLS)
    call = tool.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and "city" in json.loads(call.function.arguments)
    structured = c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "a city"}],
                                           response_format={"type": "json_schema", "json_schema": {"name": "c", "schema": {
                                               "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}})
    assert isinstance(json.loads(structured.choices[0].message.content)["city"], str)
    e = c.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    assert len(e.data) == 2 and len(e.data[0].embedding) > 0
    assert {m.id for m in c.models.list()} == {"gpt-4o-mini", "text-embedding-3-small"}
    resp = c.responses.create(model="gpt-4o-mini", input="What is the capital of France?")
    assert resp.output_text == "Paris (OpenAI)."
    events = [ev.type for ev in c.responses.create(model="gpt-4o-mini", input="What is the capital of France?", stream=True)]
    assert events[0] == "response.created" and events[-1] == "response.completed"


@pytest.mark.parametrize("status,error", [(429, openai.RateLimitError), (500, openai.InternalServerError),
                                          (503, openai.InternalServerError), (401, openai.AuthenticationError)])
def test_openai_sdk_raises_its_typed_errors(fakes, status, error):
    faults(fakes["openai"], [{"fault": {"status": status}}])
    with pytest.raises(error) as e:
        oai_client(fakes, max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert e.value.status_code == status and e.value.response.headers["x-request-id"]
    faults(fakes["openai"], [])


def test_openai_sdk_retry_honours_retry_after_ms(fakes):
    faults(fakes["openai"], [{"when": {"first": 1}, "fault": {"status": 429, "retry_after_ms": 700}}])
    started = time.monotonic()
    r = oai_client(fakes, max_retries=1).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert r.choices[0].message.content == "Paris (OpenAI)."
    assert time.monotonic() - started >= 0.65, "the SDK waited what retry-after-ms said"
    assert [e["status"] for e in journal(fakes["openai"])] == [429, 200]
    faults(fakes["openai"], [])


def test_anthropic_sdk_parses_every_endpoint(fakes):
    faults(fakes["anthropic"], [])
    c = ant_client(fakes)
    m = c.messages.create(model="claude-sonnet-4-6", max_tokens=100, system="Be brief.", messages=ASK)
    assert m.content[0].text == "Paris (Anthropic)." and m.stop_reason == "end_turn" and m.usage.input_tokens > 0
    with c.messages.stream(model="claude-sonnet-4-6", max_tokens=100, messages=ASK) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "Paris (Anthropic)." and final.stop_reason == "end_turn"
    tools = [{"name": "get_weather", "description": "weather in a city", "input_schema": TOOLS[0]["function"]["parameters"]}]
    t = c.messages.create(model="claude-sonnet-4-6", max_tokens=100, tools=tools, messages=[{"role": "user", "content": "What is the weather in Paris?"}])
    use = next(b for b in t.content if b.type == "tool_use")
    assert use.name == "get_weather" and "city" in use.input and t.stop_reason == "tool_use"
    with c.messages.stream(model="claude-sonnet-4-6", max_tokens=100, tools=tools, messages=[{"role": "user", "content": "What is the weather in Paris?"}]) as s:
        streamed = s.get_final_message()
    assert next(b for b in streamed.content if b.type == "tool_use").input == use.input
    assert c.messages.count_tokens(model="claude-sonnet-4-6", messages=ASK).input_tokens > 0
    assert {m.id for m in c.models.list()} == {"claude-sonnet-4-6", "claude-haiku-4-5"}


@pytest.mark.parametrize("status,name", [(429, "RateLimitError"), (529, "OverloadedError"), (500, "InternalServerError"), (400, "BadRequestError")])
def test_anthropic_sdk_raises_its_typed_errors(fakes, status, name):
    faults(fakes["anthropic"], [{"fault": {"status": status}}])
    # Older SDKs have no OverloadedError: a 529 is then an InternalServerError.
    error = getattr(anthropic, name, anthropic.InternalServerError)
    with pytest.raises(error) as e:
        ant_client(fakes, max_retries=0).messages.create(model="claude-sonnet-4-6", max_tokens=10, messages=ASK)
    assert e.value.status_code == status and e.value.body["error"]["type"]
    faults(fakes["anthropic"], [])


def test_a_retired_model_is_the_sdks_not_found_error(fakes):
    # claude-sonnet-4-5 reached end of life on 2026-11-30 (the SDK's own list): not served.
    with pytest.raises(anthropic.NotFoundError) as e:
        ant_client(fakes, max_retries=0).messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=ASK)
    assert e.value.body["error"] == {"type": "not_found_error", "message": "model: claude-sonnet-4-5"}


def test_anthropic_sdk_reads_the_refusal_of_an_empty_turn(fakes):
    # What the OpenAI SDK sends without complaint, the Anthropic SDK gets refused, typed.
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": []}, {"role": "user", "content": "Again"}]
    with pytest.raises(anthropic.BadRequestError) as e:
        ant_client(fakes, max_retries=0).messages.create(model="claude-haiku-4-5", max_tokens=10, messages=history)
    assert e.value.body["error"]["message"] == "messages.1: all messages must have non-empty content except for the optional final assistant message"
    openai_history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}, {"role": "user", "content": "Again"}]
    assert oai_client(fakes).chat.completions.create(model="gpt-4o-mini", messages=openai_history).choices[0].message.content


def test_openai_sdk_reads_the_refusal_of_an_interrupted_tool_call(fakes):
    # An agent's history with a tool call and no result: the SDK's typed 400, with OpenAI's param.
    history = [{"role": "user", "content": "Weather?"},
               {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]},
               {"role": "user", "content": "Never mind."}]
    with pytest.raises(openai.BadRequestError) as e:
        oai_client(fakes, max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=history)
    assert e.value.param == "messages.[2].role" and e.value.code is None
    assert e.value.message.endswith("The following tool_call_ids did not have response messages: call_1")


def test_sdks_read_the_refusal_of_a_dotted_tool_name(fakes):
    # An MCP-style tool name: both SDKs send it, both vendors refuse it, each SDK raises its typed 400.
    tool = {"type": "function", "function": {"name": "github.create_issue", "parameters": {"type": "object", "properties": {}}}}
    with pytest.raises(openai.BadRequestError) as e:
        oai_client(fakes, max_retries=0).chat.completions.create(model="gpt-4o-mini", messages=ASK, tools=[tool])
    assert e.value.param == "tools[0].function.name" and e.value.code == "invalid_value"
    with pytest.raises(anthropic.BadRequestError) as a:
        ant_client(fakes, max_retries=0).messages.create(model="claude-sonnet-4-6", max_tokens=10, messages=ASK,
                                                         tools=[{"name": "github.create_issue", "input_schema": {"type": "object"}}])
    assert a.value.body["error"]["message"] == "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'"


def test_anthropic_sdk_retries_an_overloaded_answer(fakes):
    faults(fakes["anthropic"], [{"when": {"first": 1}, "fault": {"status": 529}}])
    m = ant_client(fakes, max_retries=1).messages.create(model="claude-sonnet-4-6", max_tokens=50, messages=ASK)
    assert m.content[0].text == "Paris (Anthropic)."
    assert [e["status"] for e in journal(fakes["anthropic"])] == [529, 200]
    faults(fakes["anthropic"], [])


def test_anthropic_stream_error_event_raises(fakes):
    faults(fakes["anthropic"], [{"fault": {"stream": {"error_after_chunks": 2, "message": "Overloaded"}}}])
    with pytest.raises(anthropic.APIStatusError):
        with ant_client(fakes, max_retries=0).messages.stream(model="claude-sonnet-4-6", max_tokens=50,
                                                             messages=[{"role": "user", "content": "Tell me a story"}]) as s:
            for _ in s.text_stream:
                pass
    faults(fakes["anthropic"], [])


def test_litellm_speaks_to_both_fakes(fakes):
    faults(fakes["openai"], [])
    faults(fakes["anthropic"], [])
    r = litellm.completion(model="openai/gpt-4o-mini", api_base=fakes["openai"] + "/v1", api_key="sk-lab", messages=ASK)
    assert r.choices[0].message.content == "Paris (OpenAI)."
    a = litellm.completion(model="anthropic/claude-sonnet-4-6", api_base=fakes["anthropic"], api_key="sk-ant-lab", messages=ASK, max_tokens=50)
    assert a.choices[0].message.content == "Paris (Anthropic)."
    faults(fakes["openai"], [{"fault": {"status": 429}}])
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(model="openai/gpt-4o-mini", api_base=fakes["openai"] + "/v1", api_key="sk-lab", messages=ASK, num_retries=0, max_retries=0)
    faults(fakes["openai"], [])


@pytest.fixture(scope="module")
def gateway():
    g = LabProcess("gateway", "--port", "0")
    yield g.url
    assert g.stop() == 0


def fallback_config(fakes):
    return {"strategy": {"mode": "fallback"}, "targets": [
        {"provider": "openai", "api_key": "sk-lab", "custom_host": fakes["openai"] + "/v1", "override_params": {"model": "gpt-4o-mini"}},
        {"provider": "anthropic", "api_key": "sk-ant-lab", "custom_host": fakes["anthropic"] + "/v1",
         "override_params": {"model": "claude-sonnet-4-6", "max_tokens": 100}}]}


@pytest.mark.parametrize("stream", [False, True])
def test_portkey_sdk_falls_back_from_openai_to_anthropic(fakes, gateway, stream):
    faults(fakes["openai"], [{"fault": {"status": 429}}])
    faults(fakes["anthropic"], [])
    client = Portkey(base_url=gateway + "/v1", config=fallback_config(fakes), api_key="dummy", max_retries=0)
    if stream:
        text = "".join(ch.choices[0].delta.content or "" for ch in client.chat.completions.create(messages=ASK, model="gpt-4o-mini", stream=True)
                       if ch.choices)
        assert len(journal(fakes["openai"])) == 1 and len(journal(fakes["anthropic"])) == 1
        # The SDK's stream hides the headers: the same request sent as the SDK sends it shows them.
        faults(fakes["openai"], [{"fault": {"status": 429}}])
        faults(fakes["anthropic"], [])
        with httpx.stream("POST", gateway + "/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": ASK, "stream": True},
                          headers={"x-portkey-config": json.dumps(fallback_config(fakes)), "Authorization": "Bearer dummy"}) as r:
            headers = r.headers
            body = "".join(r.iter_text())
        assert body.endswith("data: [DONE]\n\n") and '"provider":"anthropic"' in body
    else:
        r = client.chat.completions.create(messages=ASK, model="gpt-4o-mini")
        headers = {"x-portkey-" + k: v for k, v in r.get_headers().items()}
        text = r.choices[0].message.content
    assert text == "Paris (Anthropic)."
    assert headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    assert headers["x-portkey-provider"] == "anthropic"
    assert len(journal(fakes["openai"])) == 1 and len(journal(fakes["anthropic"])) == 1
    faults(fakes["openai"], [])
