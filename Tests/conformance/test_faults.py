"""Faults as real clients see them: the control API sets rules on the running mock."""
import json

import httpx
import ollama
import openai
import pytest


@pytest.fixture()
def faults(mock):
    """Installs rules for one test and clears rules and journal afterwards."""
    def install(rules):
        r = httpx.put(mock.url + "/__lab/faults", content=json.dumps(rules))
        assert r.status_code == 200, r.text
    yield install
    httpx.delete(mock.url + "/__lab/faults")
    httpx.delete(mock.url + "/__lab/journal")


CHAT = {"model": "llama3", "messages": [{"role": "user", "content": "hi"}]}


def test_first_three_fail_then_success(mock, faults):
    faults([{"match": {"path": "/api/chat"}, "when": {"first": 3}, "fault": {"status": 503}}])
    client = ollama.Client(host=mock.url)
    codes = []
    for _ in range(4):
        try:
            client.chat(**CHAT)
            codes.append(200)
        except ollama.ResponseError as e:
            codes.append(e.status_code)
    assert codes == [503, 503, 503, 200]


def test_reset_is_a_connection_error(mock, faults):
    faults([{"fault": {"reset": "before_headers"}}])
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError, ConnectionError)) as e:
        ollama.Client(host=mock.url).chat(**CHAT)
    assert "reset" in str(e.value).lower() or "104" in str(e.value)


def test_malformed_line_is_a_parse_error_in_ollama_python(mock, faults):
    faults([{"fault": {"stream": {"malformed_chunk": 2}}}])
    with pytest.raises(json.JSONDecodeError):
        list(ollama.Client(host=mock.url).chat(**CHAT, stream=True))


def test_mid_stream_error_line_raises_in_ollama_python(mock, faults):
    faults([{"fault": {"stream": {"error_after_chunks": 2, "message": "runner crashed"}}}])
    with pytest.raises(ollama.ResponseError) as e:
        list(ollama.Client(host=mock.url).chat(**CHAT, stream=True))
    assert e.value.error == "runner crashed"


def test_cut_stream_is_an_incomplete_body(mock, faults):
    faults([{"fault": {"stream": {"cut_after_chunks": 2, "then": "close"}}}])
    with pytest.raises(httpx.RemoteProtocolError):
        list(ollama.Client(host=mock.url).chat(**CHAT, stream=True))
    journal = httpx.get(mock.url + "/__lab/journal").json()
    assert journal[-1]["status"] == 200 and journal[-1]["truncated"] is True


def test_hang_is_the_clients_own_timeout(mock, faults):
    faults([{"fault": {"hang": True}}])
    with pytest.raises(httpx.ReadTimeout):
        ollama.Client(host=mock.url, timeout=0.3).chat(**CHAT)


def test_retry_after_reaches_openai(mock, faults):
    faults([{"match": {"path": "/v1/*"}, "fault": {"status": 429, "retry_after": 7}}])
    client = openai.OpenAI(base_url=mock.url + "/v1", api_key="ollama", max_retries=0)
    with pytest.raises(openai.RateLimitError) as e:
        client.chat.completions.create(**CHAT)
    assert e.value.response.headers["retry-after"] == "7"
    assert e.value.status_code == 429


def test_openai_retries_5xx_and_the_journal_counts_it(mock, faults):
    faults([{"match": {"path": "/v1/*"}, "when": {"first": 2}, "fault": {"status": 503}}])
    client = openai.OpenAI(base_url=mock.url + "/v1", api_key="ollama", max_retries=2)
    r = client.chat.completions.create(**CHAT)
    assert r.choices[0].message.content
    journal = httpx.get(mock.url + "/__lab/journal").json()
    assert [e["status"] for e in journal] == [503, 503, 200]
    assert journal[0]["rule"]["number"] == 1 and journal[2]["rule"] is None


def test_bad_rules_are_refused_with_rule_and_field(mock):
    r = httpx.put(mock.url + "/__lab/faults", content='[{"fault":{"status":"x"}}]')
    assert r.status_code == 400
    assert "rule 1: fault.status" in r.json()["error"]
