"""LangChain as agents use it against `lab mock`: `bind_tools` and `with_structured_output`,
through langchain-ollama (native API) and langchain-openai (/v1)."""
import pydantic
import pytest
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI

from conftest import LabProcess


@pytest.fixture(scope="module")
def mock():
    lab = LabProcess("mock", "--port", "0", "--model", "llama3", "--model", "qwen3")
    yield lab
    assert lab.stop() == 0


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"18 degrees in {city}"


class Person(pydantic.BaseModel):
    """A person."""
    name: str
    age: int = pydantic.Field(ge=18, le=99)


def chat_model(mock, surface, model):
    if surface == "ollama":
        return ChatOllama(model=model, base_url=mock.url)
    return ChatOpenAI(model=model, base_url=mock.url + "/v1", api_key="ollama", max_retries=0)


@pytest.mark.parametrize("surface", ["ollama", "openai"])
def test_bind_tools_gets_the_call(mock, surface):
    message = chat_model(mock, surface, "qwen3").bind_tools([get_weather]).invoke("What is the weather in Paris?")
    assert [c["name"] for c in message.tool_calls] == ["get_weather"]
    assert message.tool_calls[0]["args"] == {"city": "Paris"}


@pytest.mark.parametrize("surface", ["ollama", "openai"])
def test_with_structured_output_parses(mock, surface):
    person = chat_model(mock, surface, "llama3").with_structured_output(Person).invoke("Tell me about Ada")
    assert isinstance(person, Person) and person.name == "Ada" and 18 <= person.age <= 99
