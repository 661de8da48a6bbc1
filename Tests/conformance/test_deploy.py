"""The lab's parts beside a deployment: `lab gateway --config` mapping production host
names, the original demo's client pointed at it, the gateway's and the route's
/__lab/ endpoints, and `lab serve` on fixed ports."""
import os
import socket
import subprocess
import sys

import httpx

from conftest import LAB, ROOT, LabProcess


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def lab_conf(tmp_path, primary, gateway=0, edge=0):
    conf = tmp_path / "lab.conf"
    conf.write_text(f"""
providers:
  primary: {{ port: {primary} }}
hosts:
  portkey-gateway-ollama: primary
  invalid-endpoint: {{ unreachable: refused }}
  another-invalid: {{ unreachable: refused }}
ports: {{ gateway: {gateway}, edge: {edge} }}
scenarios: []
""")
    return conf


def test_the_demo_client_runs_against_lab_gateway_with_the_production_names(tmp_path):
    primary, port = free_ports(2)
    conf = lab_conf(tmp_path, primary)
    mock = LabProcess("mock", "--port", str(primary), "--quiet", "--answer", "capital of France=Paris.")
    gateway = LabProcess("gateway", "--config", str(conf), "--port", str(port))
    try:
        assert gateway.url == f"http://127.0.0.1:{port}"
        # The mapping is printed after the "listening" line.
        assert gateway.wait_for_line("host portkey-gateway-ollama → http://127.0.0.1:%d" % primary) is not None
        env = dict(os.environ, PORTKEY_GATEWAY_URL=gateway.url)
        demo = subprocess.run([sys.executable, str(ROOT / "Tests" / "conformance" / "demo_client.py")], env=env,
                              capture_output=True, text=True, timeout=120)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert "Response: Paris." in demo.stdout and "EXPECTED FAILURE: 500" in demo.stdout
        journal = httpx.get(gateway.url + "/__lab/journal").json()
        statuses = [e["status"] for e in journal]
        # The SDK retries a 500 once on its own (docs/gateway.md): test 2 reaches the gateway once or twice.
        assert statuses[0] == 200 and statuses[-6:] == [200] * 6 and set(statuses[1:-6]) == {500} and 1 <= len(statuses[1:-6]) <= 2
        assert journal[0]["last_used_option_index"] == "config.targets[0]"
        assert httpx.get(gateway.url + "/__lab/health").json()["component"] == "gateway"
        assert httpx.delete(gateway.url + "/__lab/journal").status_code == 200
        assert httpx.get(gateway.url + "/__lab/journal").json() == []
    finally:
        assert gateway.stop() == 0 and mock.stop() == 0


def test_map_names_a_host_by_hand_and_a_bad_map_is_a_usage_error():
    (primary,) = free_ports(1)
    mock = LabProcess("mock", "--port", str(primary), "--quiet", "--answer", "capital of France=Paris.")
    gateway = LabProcess("gateway", "--port", "0", "--map", f"portkey-gateway-ollama=http://127.0.0.1:{primary}")
    try:
        r = httpx.post(gateway.url + "/v1/chat/completions", json={"model": "llama3", "messages": [{"role": "user", "content": "What is the capital of France?"}]},
                       headers={"x-portkey-config": '{"provider":"ollama","custom_host":"http://portkey-gateway-ollama:11434"}'})
        assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "Paris."
    finally:
        assert gateway.stop() == 0 and mock.stop() == 0
    bad = subprocess.run([LAB, "gateway", "--map", "nothing"], capture_output=True, text=True, timeout=20)
    assert bad.returncode == 2 and "--map takes NAME=URL" in bad.stderr


def test_a_config_without_fixed_provider_ports_says_what_to_add(tmp_path):
    conf = lab_conf(tmp_path, 0)
    run = subprocess.run([LAB, "gateway", "--config", str(conf), "--port", "0"], capture_output=True, text=True, timeout=20)
    assert run.returncode != 0 and "providers.primary has no fixed port" in run.stderr + run.stdout


def test_serve_listens_on_fixed_ports_and_the_route_has_its_own_journal(tmp_path):
    primary, gw, edge = free_ports(3)
    conf = lab_conf(tmp_path, primary, gateway=gw, edge=edge)
    serve = LabProcess("serve", "--config", str(conf), ready=r"edge route: (http://\S+)")
    try:
        assert serve.url == f"http://127.0.0.1:{edge}"
        assert any(f"gateway: http://127.0.0.1:{gw}" in line for line in serve.lines)  # printed before the route's line
        r = httpx.post(serve.url + "/v1/chat/completions", json={"model": "llama3", "messages": [{"role": "user", "content": "hi"}]},
                       headers={"x-portkey-config": '{"provider":"ollama","custom_host":"http://portkey-gateway-ollama:11434"}'})
        assert r.status_code == 200
        records = httpx.get(serve.url + "/__lab/journal").json()
        assert len(records) == 1 and records[0]["status"] == 200 and records[0]["timed_out"] is False
        assert httpx.get(serve.url + "/__lab/health").json()["component"] == "edge"
        # The route's /__lab/ is its own: relayed to the gateway it would be refused.
        assert httpx.get(f"http://127.0.0.1:{primary}/__lab/health").json()["provider"] == "primary"
    finally:
        assert serve.stop() == 0


def test_gateway_control_api_needs_the_token_it_was_given(tmp_path):
    gateway = LabProcess("gateway", "--port", "0", "--control-token", "s3cret")
    try:
        assert httpx.get(gateway.url + "/__lab/journal").status_code == 401
        assert httpx.get(gateway.url + "/__lab/journal", headers={"x-lab-token": "s3cret"}).status_code == 200
        assert httpx.get(gateway.url + "/__lab/health").status_code == 200
    finally:
        assert gateway.stop() == 0


def remote_lab(tmp_path, remote_port):
    conf = tmp_path / "remote.conf"
    conf.write_text(f"""
clock: real
providers:
  primary: {{ url: "http://127.0.0.1:{remote_port}", control_token_env: LAB_TEST_TOKEN }}
  backup: {{ answers: {{ "capital of France": "Paris (backup)." }} }}
hosts:
  portkey-gateway-ollama: primary
  backup-endpoint: backup
scenarios:
  - name: remote-primary-fails
    portkey_config: {{"strategy": {{"mode": "fallback"}}, "targets": [{{"provider": "ollama", "custom_host": "http://portkey-gateway-ollama:11434", "override_params": {{"model": "llama3"}}}}, {{"provider": "ollama", "custom_host": "http://backup-endpoint:11434", "override_params": {{"model": "llama3"}}}}]}}
    faults: {{ primary: [ {{ when: {{ first: 1 }}, fault: {{ status: 503 }} }} ] }}
    repeat: 2
    expect: {{ status: 200, requests: {{ 1: {{ served_by: backup }}, 2: {{ served_by: primary }} }}, hits: {{ primary: 2, backup: 1 }} }}
  - name: remote-outage
    portkey_config: {{"strategy": {{"mode": "fallback"}}, "targets": [{{"provider": "ollama", "custom_host": "http://portkey-gateway-ollama:11434", "override_params": {{"model": "llama3"}}}}, {{"provider": "ollama", "custom_host": "http://backup-endpoint:11434", "override_params": {{"model": "llama3"}}}}]}}
    requests: {{ count: 3, every_ms: 500, window_s: 0.5 }}
    down: {{ primary: {{ from_ms: 300, for_ms: 400 }} }}
    expect: {{ success_rate: {{ min: 1 }}, requests: {{ 1: {{ served_by: primary }}, 2: {{ served_by: backup }}, 3: {{ served_by: primary }} }} }}
""")
    return conf


def test_a_provider_elsewhere_is_driven_through_its_control_api(tmp_path):
    (port,) = free_ports(1)
    remote = LabProcess("mock", "--port", str(port), "--control-token", "s3cret", "--quiet", "--answer", "capital of France=Paris (remote).")
    try:
        conf = remote_lab(tmp_path, port)
        run = subprocess.run([LAB, "run", "--config", str(conf), "--json", str(tmp_path / "r.json")], capture_output=True, text=True,
                             timeout=120, env=dict(os.environ, LAB_TEST_TOKEN="s3cret"))
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr
        report = __import__("json").loads((tmp_path / "r.json").read_text())
        first = report["scenarios"][0]
        # The remote's journal came back: its 503 (rule 1) and its 200, on the scenario's time base.
        assert [v["status"] for v in first["providers"] if v["provider"] == "primary"] == [503, 200]
        assert first["providers"][0]["rule"] == "rule 1"
        # Its faults were installed through the control API, and are still there to read.
        rules = httpx.get(f"http://127.0.0.1:{port}/__lab/faults", headers={"x-lab-token": "s3cret"}).json()
        assert rules == []  # the last scenario's (the outage has no rules)
        wrong = subprocess.run([LAB, "run", "--config", str(conf)], capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, LAB_TEST_TOKEN="wrong"))
        assert wrong.returncode == 1
        assert "provider primary at http://127.0.0.1:%d: POST /__lab/up answered 401" % port in wrong.stdout
        unset = subprocess.run([LAB, "run", "--config", str(conf)], capture_output=True, text=True, timeout=60,
                               env={k: v for k, v in os.environ.items() if k != "LAB_TEST_TOKEN"})
        assert unset.returncode == 2 and "control_token_env names LAB_TEST_TOKEN, which is not set" in unset.stderr
    finally:
        assert remote.stop() == 0


def metrics(url):
    text = httpx.get(url + "/metrics").text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return text, samples


def test_every_server_has_prometheus_metrics(tmp_path):
    primary, gw, edge = free_ports(3)
    conf = lab_conf(tmp_path, primary, gateway=gw, edge=edge)
    serve = LabProcess("serve", "--config", str(conf), ready=r"edge route: (http://\S+)")
    try:
        body = {"model": "llama3", "messages": [{"role": "user", "content": "hi"}]}
        fallback = '{"strategy":{"mode":"fallback"},"targets":[{"provider":"ollama","custom_host":"http://invalid-endpoint:1"},{"provider":"ollama","custom_host":"http://portkey-gateway-ollama:11434"}]}'
        httpx.put(f"http://127.0.0.1:{primary}/__lab/faults", json=[{"when": {"first": 1}, "fault": {"status": 503}}])
        for _ in range(2):
            httpx.post(serve.url + "/v1/chat/completions", json=body, headers={"x-portkey-config": '{"provider":"ollama","custom_host":"http://portkey-gateway-ollama:11434"}'})
        httpx.post(serve.url + "/v1/chat/completions", json=body, headers={"x-portkey-config": fallback})
        text, p = metrics(f"http://127.0.0.1:{primary}")
        assert "# TYPE lab_provider_requests_total counter" in text
        assert p['lab_provider_requests_total{provider="primary",route="/v1/chat/completions",status="503"}'] == 1
        assert p['lab_provider_requests_total{provider="primary",route="/v1/chat/completions",status="200"}'] == 2
        assert p['lab_provider_faults_fired_total{provider="primary",rule="rule 1"}'] == 1
        assert p['lab_provider_journal_entries{provider="primary"}'] == 3
        _, g = metrics(f"http://127.0.0.1:{gw}")
        assert g['lab_gateway_responses_total{status="503",provider="ollama",gateway_exception="false"}'] == 1
        assert g['lab_gateway_responses_total{status="200",provider="ollama",gateway_exception="false"}'] == 2
        assert g["lab_gateway_fallbacks_total"] == 1
        _, e = metrics(serve.url)
        assert e['lab_edge_responses{status="200"}'] == 2 and e["lab_edge_timeouts_total"] == 0
        assert e['lab_open_connections{server="edge"}'] >= 0
    finally:
        assert serve.stop() == 0
