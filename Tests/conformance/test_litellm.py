"""LiteLLM against `lab mock`: tool calls through its ollama_chat (native /api/chat) and
openai-compatible routes, as an agent framework built on LiteLLM makes them."""
import json
import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch of the price list at import

import litellm  # noqa: E402
import pytest  # noqa: E402

from conftest import LabProcess  # noqa: E402

TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Get the current weather for a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture(scope="module")
def mock():
    lab = LabProcess("mock", "--port", "0", "--model", "llama3", "--model", "qwen3")
    yield lab
    assert lab.stop() == 0


@pytest.mark.parametrize("route", ["ollama_chat/qwen3", "openai/qwen3"])
def test_tool_calls(mock, route):
    base = mock.url if route.startswith("ollama") else mock.url + "/v1"
    r = litellm.completion(model=route, api_base=base, api_key="ollama", messages=ASK, tools=TOOLS)
    call = r.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}


def test_a_model_without_tools_is_a_bad_request(mock):
    with pytest.raises(Exception) as e:
        litellm.completion(model="ollama_chat/llama3", api_base=mock.url, messages=ASK, tools=TOOLS)
    assert "does not support tools" in str(e.value)
