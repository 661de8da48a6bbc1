"""Tools, structured output and thinking as agents and RAG apps use them, through the
official ollama and openai clients (pydantic models and `parse()` included), against a
`lab mock` with a model that has tools and thinking (qwen3) and one that has not (llama3)."""
import json

import ollama
import openai
import pydantic
import pytest

from conftest import LabProcess


@pytest.fixture(scope="module")
def mock():
    lab = LabProcess("mock", "--port", "0", "--model", "llama3", "--model", "qwen3", "--model", "nomic-embed-text")
    yield lab
    assert lab.stop() == 0


@pytest.fixture()
def native(mock):
    return ollama.Client(host=mock.url)


@pytest.fixture()
def v1(mock):
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="ollama", max_retries=0)


def get_weather(city: str, unit: str = "celsius") -> str:
    """Get the current weather for a city.

    Args:
      city: The city to look up
      unit: celsius or fahrenheit
    """
    return f"18 degrees {unit} in {city}"


TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather for a city",
                                            "parameters": {"type": "object", "required": ["city"],
                                                           "properties": {"city": {"type": "string"},
                                                                          "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}}]
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


class Person(pydantic.BaseModel):
    name: str
    age: int = pydantic.Field(ge=18, le=99)
    tags: list[str]
    nickname: str | None


def test_native_tool_call_round_trip(native):
    r = native.chat(model="qwen3", messages=ASK, tools=[get_weather])
    call = r.message.tool_calls[0]
    assert call.function.name == "get_weather" and isinstance(call.function.arguments, dict)
    assert call.function.arguments["city"] == "Paris"
    result = get_weather(**call.function.arguments)
    final = native.chat(model="qwen3", tools=[get_weather],
                        messages=ASK + [r.message, {"role": "tool", "content": result, "tool_name": "get_weather"}])
    assert final.message.content and not final.message.tool_calls


def test_native_tool_call_streamed(native):
    chunks = list(native.chat(model="qwen3", messages=ASK, tools=TOOLS, stream=True))
    calls = [c for chunk in chunks for c in (chunk.message.tool_calls or [])]
    assert [c.function.name for c in calls] == ["get_weather"] and chunks[-1].done


def test_a_model_without_tools_is_refused_as_ollama_refuses_it(native, v1):
    with pytest.raises(ollama.ResponseError) as e:
        native.chat(model="llama3", messages=ASK, tools=TOOLS)
    assert e.value.status_code == 400 and e.value.error == "registry.ollama.ai/library/llama3:latest does not support tools"
    with pytest.raises(openai.BadRequestError) as e2:
        v1.chat.completions.create(model="llama3", messages=ASK, tools=TOOLS)
    assert "does not support tools" in str(e2.value)
    with pytest.raises(ollama.ResponseError) as e3:
        native.chat(model="llama3", messages=ASK, think=True)
    assert e3.value.status_code == 400 and e3.value.error == '"llama3" does not support thinking'


def test_native_structured_output_with_a_pydantic_schema(native):
    r = native.chat(model="llama3", messages=[{"role": "user", "content": "Tell me about Ada"}], format=Person.model_json_schema())
    person = Person.model_validate_json(r.message.content)
    assert person.name == "Ada" and 18 <= person.age <= 99
    plain = native.generate(model="llama3", prompt="hi", format="json")
    assert isinstance(json.loads(plain.response), dict)


def test_native_thinking(native):
    r = native.chat(model="qwen3", messages=ASK, think=True)
    assert r.message.thinking and r.message.content
    chunks = list(native.chat(model="qwen3", messages=ASK, think=True, stream=True))
    first_content = next(i for i, c in enumerate(chunks) if c.message.content)
    assert all(not c.message.thinking for c in chunks[first_content:])
    assert "".join(c.message.thinking or "" for c in chunks) == r.message.thinking


def test_openai_tools(v1):
    r = v1.chat.completions.create(model="qwen3", messages=ASK, tools=TOOLS)
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert json.loads(choice.message.tool_calls[0].function.arguments)["city"] == "Paris"
    chunks = list(v1.chat.completions.create(model="qwen3", messages=ASK, tools=TOOLS, stream=True))
    names = [t.function.name for c in chunks if c.choices for t in (c.choices[0].delta.tool_calls or [])]
    assert names == ["get_weather"] and chunks[-1].choices[0].finish_reason == "tool_calls"


def test_openai_parse_with_a_pydantic_model(v1):
    r = v1.chat.completions.parse(model="llama3", messages=[{"role": "user", "content": "Tell me about Ada"}], response_format=Person)
    person = r.choices[0].message.parsed
    assert isinstance(person, Person) and person.name == "Ada"
    obj = v1.chat.completions.create(model="llama3", messages=ASK, response_format={"type": "json_object"})
    assert isinstance(json.loads(obj.choices[0].message.content), dict)


def test_bad_input_is_400_not_a_quiet_success(native, mock):
    import httpx
    r = httpx.post(mock.url + "/api/embeddings", json={"model": "nomic-embed-text", "prompt": ["a", "b"]})
    assert r.status_code == 400 and "cannot unmarshal array" in r.json()["error"]
    r = httpx.post(mock.url + "/api/chat", json={"model": "llama3", "messages": "hi"})
    assert r.status_code == 400 and "ChatRequest.messages" in r.json()["error"]


def test_keep_alive_zero_unloads(native):
    native.chat(model="llama3", messages=ASK)
    assert any(m.model == "llama3:latest" for m in native.ps().models)
    native.chat(model="llama3", messages=[], keep_alive=0)
    assert not any(m.model == "llama3:latest" for m in native.ps().models)


def test_responses_api(v1):
    r = v1.responses.create(model="llama3", input="What is the capital of France?", instructions="Be brief.")
    assert r.status == "completed" and r.output_text
    assert r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    events = list(v1.responses.create(model="llama3", input="What is the capital of France?", instructions="Be brief.", stream=True))
    kinds = [e.type for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"] and kinds[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == r.output_text
    assert events[-1].response.output_text == r.output_text


def test_responses_api_tools_and_parse(v1):
    tools = [{"type": "function", "name": "get_weather", "description": "Get the current weather for a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
    r = v1.responses.create(model="qwen3", input="What is the weather in Paris?", tools=tools)
    call = next(item for item in r.output if item.type == "function_call")
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "Paris"}
    parsed = v1.responses.parse(model="llama3", input="Tell me about Ada", text_format=Person)
    assert isinstance(parsed.output_parsed, Person) and parsed.output_parsed.name == "Ada"
