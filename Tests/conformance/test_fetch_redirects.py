"""The embedded gateway follows redirects as Node's fetch does (Portkey calls fetch with no
`redirect` option). Node itself is the reference: the same request through Node's fetch
and through the gateway must leave the same trail in the mock's journal."""
import json
import shutil
import subprocess

import httpx
import pytest

from conftest import LabProcess

NODE = shutil.which("node")

FETCH = """
const [url] = process.argv.slice(2);
const r = await fetch(url, {method: "POST", headers: {"content-type": "application/json"},
                            body: JSON.stringify({model: "llama3", messages: [{role: "user", content: "hi"}]})});
console.log(JSON.stringify({status: r.status, text: await r.text()}));
"""


def trail(mock):
    journal = httpx.get(mock.url + "/__lab/journal").json()
    httpx.delete(mock.url + "/__lab/journal")
    return [(e["method"], e["path"], e["status"]) for e in journal]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_trailing_slash_leaves_the_same_trail_through_node_and_the_gateway(tmp_path):
    mock = LabProcess("mock", "--port", "0", "--quiet")
    port = mock.url.rsplit(":", 1)[1]
    gateway = LabProcess("gateway", "--port", "0", "--map", f"ollama=http://127.0.0.1:{port}")
    try:
        script = tmp_path / "fetch.mjs"
        script.write_text(FETCH)
        run = subprocess.run([NODE, str(script), mock.url + "//v1/chat/completions"], capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr
        node = json.loads(run.stdout)
        assert node == {"status": 405, "text": "405 method not allowed"}
        by_node = trail(mock)
        assert by_node == [("POST", "//v1/chat/completions", 301), ("GET", "/v1/chat/completions", 405)]

        r = httpx.post(gateway.url + "/v1/chat/completions", json={"model": "llama3", "messages": [{"role": "user", "content": "hi"}]},
                       headers={"x-portkey-config": json.dumps({"provider": "ollama", "custom_host": "http://ollama:11434/"})})
        assert r.status_code == 405
        assert r.json()["error"]["message"] == 'Invalid response received from ollama: {"html-message":"405 method not allowed"}'
        assert trail(mock) == by_node
    finally:
        assert gateway.stop() == 0 and mock.stop() == 0
