"""What a client without an SDK sees: content types, plain-text errors, HEAD, legacy `name`."""
import httpx
import pytest


@pytest.fixture()
def http(mock):
    with httpx.Client(base_url=mock.url) as c:
        yield c


def test_root_and_head(http):
    r = http.get("/")
    assert r.status_code == 200 and r.text == "Ollama is running"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    h = http.head("/")
    assert h.status_code == 200 and h.content == b""


@pytest.mark.parametrize("path,body,content_type", [
    ("/api/chat", {"model": "llama3", "messages": [{"role": "user", "content": "x"}], "stream": False}, "application/json; charset=utf-8"),
    ("/api/chat", {"model": "llama3", "messages": [{"role": "user", "content": "x"}]}, "application/x-ndjson"),
    ("/v1/chat/completions", {"model": "llama3", "messages": [{"role": "user", "content": "x"}]}, "application/json"),
    ("/v1/chat/completions", {"model": "llama3", "messages": [{"role": "user", "content": "x"}], "stream": True}, "text/event-stream"),
])
def test_content_types(http, path, body, content_type):
    r = http.post(path, json=body)
    assert r.status_code == 200 and r.headers["content-type"] == content_type


def test_version(http):
    assert http.get("/api/version").json()["version"]


def test_show_with_legacy_name(http):
    r = http.post("/api/show", json={"name": "llama3"})
    assert r.status_code == 200 and "model_info" in r.json()


def test_unknown_route_and_wrong_method(http):
    r = http.get("/nope")
    assert r.status_code == 404 and r.text == "404 page not found"
    r = http.get("/api/chat")
    assert r.status_code == 405 and r.text == "405 method not allowed"


def test_bad_json_and_missing_body(http):
    r = http.post("/api/chat", content=b"{bad")
    assert r.status_code == 400 and r.json()["error"].startswith("invalid character")
    r = http.post("/api/chat")
    assert r.status_code == 400 and r.json() == {"error": "missing request body"}


def test_model_required(http):
    # ollama-python refuses an empty model itself, so this is sent raw.
    r = http.post("/api/chat", json={"messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 400 and r.json() == {"error": "model is required"}


def test_journal_limit_keeps_the_latest_requests():
    # A long-running mock's journal is bounded: past the limit the oldest tenth goes,
    # /__lab/health counts what went, and the latest requests are all there.
    from conftest import LabProcess
    lab = LabProcess("mock", "--port", "0", "--quiet", "--journal-limit", "100")
    try:
        with httpx.Client(base_url=lab.url) as c:
            for i in range(150):
                assert c.post("/api/chat", json={"model": "llama3", "stream": False,
                                                 "messages": [{"role": "user", "content": f"n{i}"}]}).status_code == 200
            journal = c.get("/__lab/journal").json()
            health = c.get("/__lab/health").json()
        assert len(journal) <= 100
        assert health["requests"] == 150 and health["journal_dropped"] == 150 - len(journal)
        assert [e["seq"] for e in journal] == list(range(150 - len(journal) + 1, 151))
    finally:
        lab.stop()
