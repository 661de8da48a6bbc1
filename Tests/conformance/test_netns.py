"""The network path of a deployment, on one machine: a fake provider in another network
namespace (its own address, reached over a veth pair), driven by the runner in this
one with a control token, through the embedded gateway by a mapped name. Needs root and
iproute2; skipped, saying why, where they are missing. The namespace and links are
removed however the test ends."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import LAB

SUFFIX = str(os.getpid() % 10000)
NS = "labtest" + SUFFIX
HOST_IF, NS_IF = "vlab" + SUFFIX + "a", "vlab" + SUFFIX + "b"
SUBNET = 10 + int(SUFFIX) % 200
HOST_IP, NS_IP = f"10.213.{SUBNET}.1", f"10.213.{SUBNET}.2"


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=20, check=check)


@pytest.fixture
def namespace():
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2's ip to make a network namespace")
    made = sh("ip", "netns", "add", NS, check=False)
    if made.returncode != 0:
        pytest.skip(f"ip netns add failed here: {made.stderr.strip()}")
    try:
        sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF)
        sh("ip", "link", "set", NS_IF, "netns", NS)
        sh("ip", "addr", "add", HOST_IP + "/30", "dev", HOST_IF)
        sh("ip", "link", "set", HOST_IF, "up")
        sh("ip", "netns", "exec", NS, "ip", "addr", "add", NS_IP + "/30", "dev", NS_IF)
        sh("ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up")
        sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up")
        yield NS
    finally:
        sh("ip", "link", "del", HOST_IF, check=False)
        sh("ip", "netns", "del", NS, check=False)


def conf(tmp_path, token_env):
    path = tmp_path / "lab.conf"
    token = f", control_token_env: {token_env}" if token_env else ""
    path.write_text(f"""
clock: real
providers:
  primary: {{ url: "http://{NS_IP}:11434"{token} }}
  backup: {{ answers: {{ "capital of France": "Paris (backup)." }} }}
hosts:
  portkey-gateway-ollama: primary
  backup-endpoint: backup
scenarios:
  - name: primary-in-another-namespace
    portkey_config: {{"strategy": {{"mode": "fallback"}}, "targets": [{{"provider": "ollama", "custom_host": "http://portkey-gateway-ollama:11434", "override_params": {{"model": "llama3"}}}}, {{"provider": "ollama", "custom_host": "http://backup-endpoint:11434", "override_params": {{"model": "llama3"}}}}]}}
    faults: {{ primary: [ {{ when: {{ first: 1 }}, fault: {{ status: 503 }} }} ] }}
    repeat: 2
    expect: {{ status: 200, requests: {{ 1: {{ served_by: backup }}, 2: {{ served_by: primary, body_contains: "Paris (elsewhere)." }} }}, hits: {{ primary: 2, backup: 1 }} }}
""")
    return path


def test_a_scenario_drives_a_provider_in_another_namespace(namespace, tmp_path):
    mock = subprocess.Popen(["ip", "netns", "exec", namespace, LAB, "mock", "--host", NS_IP, "--port", "11434",
                             "--control-token", "s3cret", "--answer", "capital of France=Paris (elsewhere)."],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "listening on http://%s:11434" % NS_IP in mock.stdout.readline()
        env = dict(os.environ, LAB_NETNS_TOKEN="s3cret")
        run = subprocess.run([LAB, "run", "--config", str(conf(tmp_path, "LAB_NETNS_TOKEN")), "--json", str(tmp_path / "r.json")],
                             capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr
        visits = json.loads((tmp_path / "r.json").read_text())["scenarios"][0]["providers"]
        assert [v["status"] for v in visits if v["provider"] == "primary"] == [503, 200]
        # Without the token the provider refuses its control API, and the run says so.
        bare = subprocess.run([LAB, "run", "--config", str(conf(tmp_path, None))], capture_output=True, text=True, timeout=120)
        assert bare.returncode == 1
        assert f"provider primary at http://{NS_IP}:11434: POST /__lab/up answered 401" in bare.stdout
        assert "this provider wants a token" in bare.stdout
    finally:
        mock.terminate()
        mock.wait(timeout=10)
