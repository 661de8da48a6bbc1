"""The real portkey-ai SDK against `lab gateway` with two `lab mock` providers.

The SDK retries on its own (once, on 408/409/429/5xx), so a failing call reaches the
gateway twice: the hit counts below say so."""
import json

import httpx
import pytest
from portkey_ai import Portkey

from conftest import LabProcess


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    rules = tmp_path_factory.mktemp("rules") / "primary.yaml"
    rules.write_text("- match: { path: /v1/chat/completions }\n  fault: { status: 503 }\n")
    primary = LabProcess("mock", "--port", "0", "--quiet", "--faults", str(rules))
    backup = LabProcess("mock", "--port", "0", "--quiet", "--answer", "capital of France=Paris.")
    gateway = LabProcess("gateway", "--port", "0")
    yield {"primary": primary.url, "backup": backup.url, "gateway": gateway.url}
    for p in (gateway, primary, backup):
        assert p.stop() == 0


def hits(url):
    return len(httpx.get(url + "/__lab/journal").json())


def reset(*urls):
    for url in urls:
        httpx.delete(url + "/__lab/journal")


def target(host):
    return {"provider": "ollama", "api_key": "dummy-key-not-needed", "custom_host": host, "override_params": {"model": "llama3"}}


def test_fallback_serves_from_the_backup(lab):
    reset(lab["primary"], lab["backup"])
    config = {"strategy": {"mode": "fallback"}, "targets": [target(lab["primary"]), target(lab["backup"])]}
    client = Portkey(base_url=lab["gateway"] + "/v1", config=config, api_key="dummy")
    r = client.chat.completions.create(
        messages=[{"role": "user", "content": "What is the capital of France?"}], model="llama3", max_tokens=100)
    # The SDK strips the x-portkey- prefix.
    assert r.get_headers()["last-used-option-index"] == "config.targets[1]"
    assert r.get_headers()["provider"] == "ollama"
    assert r.choices[0].message.content == "Paris."
    assert hits(lab["primary"]) == 1 and hits(lab["backup"]) == 1


def test_all_failing_raises_and_the_sdk_retried(lab):
    reset(lab["primary"], lab["backup"])
    config = {"strategy": {"mode": "fallback"}, "targets": [target(lab["primary"]), target(lab["primary"])]}
    client = Portkey(base_url=lab["gateway"] + "/v1", config=config, api_key="dummy")
    with pytest.raises(Exception) as e:
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], model="llama3")
    assert getattr(e.value, "status_code", None) == 503
    # Two targets, and the SDK sent the request twice.
    assert hits(lab["primary"]) == 4


def test_invalid_custom_host_is_refused_like_the_real_gateway(lab):
    r = httpx.post(lab["gateway"] + "/v1/chat/completions",
                   headers={"x-portkey-config": json.dumps({"provider": "ollama", "custom_host": "http://10.1.2.3:11434"})},
                   json={"messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 400
    assert r.json() == {"status": "failure", "message": "Invalid config passed", "errors": ["path: , message: Invalid custom host"]}


def test_embeddings_of_a_list_through_the_gateway_are_refused_not_emptied(lab):
    """The gateway sends Ollama `{model, prompt: input}`; a list is not a prompt, and real
    Ollama says so with a 400, which reaches the client instead of one empty vector."""
    client = Portkey(base_url=lab["gateway"] + "/v1", api_key="x", max_retries=0,
                     config={"provider": "ollama", "custom_host": lab["backup"], "override_params": {"model": "nomic-embed-text"}})
    with pytest.raises(Exception) as e:
        client.embeddings.create(model="nomic-embed-text", input=["a", "b"])
    assert getattr(e.value, "status_code", None) == 400
    assert "cannot unmarshal array into Go struct field EmbeddingRequest.prompt of type string" in str(e.value)
