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


@pytest.mark.parametrize("surface", ["ollama", "openai"])
def test_bind_tools_gets_the_call(mock, surface):
    if surface == "ollama":
        llm = ChatOllama(model="qwen3", base_url=mock.url)
    else:
        llm = ChatOpenAI(model="qwen3", base_url=mock.url + "/v1", api_key="ollama", max_retries=0)
    message = llm.bind_tools([get_weather]).invoke("What is the weather in Paris?")
    assert [c["name"] for c in message.tool_calls] == ["get_weather"]
    assert message.tool_calls[0]["args"] == {"city": "Paris"}


@pytest.mark.parametrize("surface", ["ollama", "openai"])
def test_with_structured_output_parses(mock, surface):
    if surface == "ollama":
        llm = ChatOllama(model="llama3", base_url=mock.url)
    else:
        llm = ChatOpenAI(model="llama3", base_url=mock.url + "/v1", api_key="ollama", max_retries=0)
    person = llm.with_structured_output(Person).invoke("Tell me about Ada")
    assert isinstance(person, Person) and person.name == "Ada" and 18 <= person.age <= 99
