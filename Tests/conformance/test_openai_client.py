"""The official openai-python client against `lab mock`'s /v1 API."""
import openai
import pytest


@pytest.fixture()
def client(mock):
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="ollama", max_retries=0)


MESSAGES = [{"role": "user", "content": "What is Python? One sentence."}]


def test_chat_completion(client):
    r = client.chat.completions.create(model="llama3", messages=MESSAGES)
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-")
    assert r.choices[0].message.role == "assistant" and r.choices[0].message.content
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_chat_streaming_with_usage(client):
    chunks = list(client.chat.completions.create(model="llama3", messages=MESSAGES, stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert chunks[-2].choices[0].finish_reason == "stop"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    single = client.chat.completions.create(model="llama3", messages=MESSAGES)
    assert streamed == single.choices[0].message.content
    assert len({c.id for c in chunks}) == 1


def test_max_tokens_gives_length(client):
    r = client.chat.completions.create(model="llama3", messages=MESSAGES, max_tokens=3)
    assert r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 3


def test_completions(client):
    r = client.completions.create(model="llama3", prompt="Say hi")
    assert r.object == "text_completion" and r.choices[0].text
    chunks = list(client.completions.create(model="llama3", prompt="Say hi", stream=True))
    assert "".join(c.choices[0].text for c in chunks) == r.choices[0].text


def test_embeddings_base64_default_and_float(client):
    b64 = client.embeddings.create(model="nomic-embed-text", input=["a", "b"])
    flt = client.embeddings.create(model="nomic-embed-text", input=["a", "b"], encoding_format="float")
    assert len(b64.data) == 2 and b64.data[1].index == 1
    assert b64.data[0].embedding == pytest.approx(flt.data[0].embedding, abs=1e-6)
    assert len(flt.data[0].embedding) == 768


def test_models(client):
    ids = {m.id for m in client.models.list()}
    assert "llama3:latest" in ids
    m = client.models.retrieve("llama3")
    assert m.id == "llama3" and m.owned_by == "library"


def test_errors_raise_the_sdk_types(client):
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="ghost", messages=MESSAGES)
    assert e.value.status_code == 404
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("ghost")
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="llama3", messages=[])
    assert "too short" in e.value.message
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model="nomic-embed-text", input="a", encoding_format="int8")


def test_content_ollama_refuses_raises_bad_request(client):
    """What openai-python users meet when they send Ollama what it cannot take: a linked
    image (Ollama takes data URIs only) or a message without content."""
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="llama3", messages=[{"role": "user", "content": [
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}])
    assert e.value.body["message"] == "invalid image input" and e.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="llama3", messages=[{"role": "user", "content": None}])
    assert e.value.body["message"] == "invalid message content type: <nil>"
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="llama3", messages=MESSAGES, reasoning_effort="max")
    assert e.value.body["message"].startswith("invalid reasoning value: 'max'")
    r = client.chat.completions.create(model="llama3", messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}])
    assert r.choices[0].message.content


def test_logprobs_in_the_choice(client):
    """logprobs=True, top_logprobs=2: `choices[0].logprobs.content` parsed by the SDK, one
    entry per token, with their bytes; streamed, each chunk carries its own."""
    r = client.chat.completions.create(model="llama3", messages=MESSAGES, logprobs=True, top_logprobs=2)
    content = r.choices[0].logprobs.content
    assert len(content) == r.usage.completion_tokens
    assert "".join(t.token for t in content) == r.choices[0].message.content
    assert all(bytes(t.bytes).decode() == t.token and len(t.top_logprobs) == 2 for t in content)
    chunks = list(client.chat.completions.create(model="llama3", messages=MESSAGES, stream=True, logprobs=True))
    with_text = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert all(c.choices[0].logprobs.content[0].token == c.choices[0].delta.content for c in with_text)
    assert client.chat.completions.create(model="llama3", messages=MESSAGES).choices[0].logprobs is None
    with pytest.raises(openai.BadRequestError, match="top_logprobs must be between 0 and 20"):
        client.chat.completions.create(model="llama3", messages=MESSAGES, logprobs=True, top_logprobs=21)
