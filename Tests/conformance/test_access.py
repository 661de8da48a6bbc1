"""Ollama's CORS and Host checks as real clients meet them: the 403 a browser page, an
extension or a Host-passing proxy gets, and the preflight a browser sends first."""
import subprocess

import httpx
import ollama
import openai
import pytest

from conftest import LAB, LabProcess


@pytest.fixture(scope="module")
def guarded():
    lab = LabProcess("mock", "--port", "0", "--quiet", "--host-check", "--origins", "https://chat.example.com,chrome-extension://*")
    yield lab
    assert lab.stop() == 0


def test_a_refused_origin_is_a_bare_403_to_every_client(guarded):
    r = httpx.get(guarded.url + "/api/tags", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.content == b"" and r.headers["content-length"] == "0"
    client = ollama.Client(host=guarded.url, headers={"Origin": "https://evil.example"})
    with pytest.raises(ollama.ResponseError) as e:
        client.chat(model="llama3", messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 403
    oai = openai.OpenAI(base_url=guarded.url + "/v1", api_key="ollama", max_retries=0,
                        default_headers={"Origin": "moz-extension://abc"})
    with pytest.raises(openai.PermissionDeniedError):
        oai.chat.completions.create(model="llama3", messages=[{"role": "user", "content": "hi"}])


def test_an_allowed_origin_gets_its_answer_and_the_cors_headers(guarded):
    client = ollama.Client(host=guarded.url, headers={"Origin": "chrome-extension://abcdef"})
    assert client.chat(model="llama3", messages=[{"role": "user", "content": "hi"}]).message.content
    r = httpx.post(guarded.url + "/api/chat", headers={"Origin": "https://chat.example.com"},
                   json={"model": "llama3", "messages": [{"role": "user", "content": "hi"}], "stream": False})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://chat.example.com"
    assert r.headers["vary"] == "Origin"


def test_a_browsers_preflight(guarded):
    r = httpx.options(guarded.url + "/v1/chat/completions", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-stainless-os"})
    assert r.status_code == 204 and r.content == b""
    assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "X-Stainless-Os" in r.headers["access-control-allow-headers"].split(",")
    assert r.headers["access-control-max-age"] == "43200"
    assert r.headers.get_list("vary") == ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]


def test_a_proxy_that_passes_its_public_host_on_is_refused(guarded):
    assert httpx.get(guarded.url + "/api/version", headers={"Host": "ollama.example.com"}).status_code == 403
    assert httpx.get(guarded.url + "/api/version", headers={"Host": "ollama.internal:11434"}).status_code == 200
    assert httpx.get(guarded.url + "/api/version").status_code == 200  # 127.0.0.1:port


def test_settings_the_mock_cannot_honour_stop_it():
    # Origins Ollama itself would not start with.
    run = subprocess.run([LAB, "mock", "--port", "0"], env={"OLLAMA_ORIGINS": "https://a.com, https://b.com", "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=20)
    assert run.returncode == 2
    assert "OLLAMA_ORIGINS: bad origin: origins must contain '*' or include http://,https://" in run.stderr
    # The checks are Ollama's: a fake vendor refuses them rather than ignore them.
    vendor = subprocess.run([LAB, "mock", "--api", "openai", "--port", "0", "--host-check"], capture_output=True, text=True, timeout=20)
    assert vendor.returncode == 2 and "--origins and --host-check are Ollama's checks; the fake OpenAI makes neither" in vendor.stderr
