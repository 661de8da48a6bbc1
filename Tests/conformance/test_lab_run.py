"""`lab run`, `lab check`, `lab list` and `lab serve` as a user and a CI job use them."""
import json
import subprocess
import xml.etree.ElementTree as ET

import httpx

from conftest import LAB, ROOT, LabProcess


def lab(*args, cwd=ROOT, timeout=120):
    return subprocess.run([LAB, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_default_suite_passes_and_writes_reports(tmp_path):
    run = lab("run", "--json", str(tmp_path / "v.json"), "--junit", str(tmp_path / "junit.xml"), "--config", str(ROOT / "lab.conf"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    for title in ["TEST 1: Fallback Capability Demonstration", "TEST 2: All Providers Fail (Error Handling)",
                  "TEST 3: Primary Succeeds (No Fallback Triggered)", "TEST 4: Stress Test (5 Requests - All Valid, No Fallback)"]:
        assert title in run.stdout
    assert "EXPECTED FAILURE" in run.stdout and "Fallback Config Overhead:" in run.stdout
    assert "RESULTS SUMMARY" in run.stdout
    verdicts = json.loads((tmp_path / "v.json").read_text())
    assert verdicts["summary"]["failed"] == 0 and verdicts["summary"]["scenarios"] >= 24
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.tag == "testsuites" and suite.get("failures") == "0"
    assert len(suite.findall(".//testcase")) == verdicts["summary"]["scenarios"]
    assert "\x1b[" not in run.stdout, "no colour when stdout is not a terminal"


def test_the_failover_benchmark_lab_passes(tmp_path):
    run = lab("run", "--config", str(ROOT / "labs" / "failover-benchmark.conf"), "--json", str(tmp_path / "b.json"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    report = json.loads((tmp_path / "b.json").read_text())
    assert report["summary"] == {"scenarios": 16, "passed": 16, "failed": 0}
    cut = next(s for s in report["scenarios"] if s["name"] == "stream-cut")
    request = cut["requests"][0]
    assert request["stream"] == "truncated" and request["content_tokens"] == 5 and request["finish_reason"] is None
    assert request["body_prefix"].startswith("data: {") and request["ttft_ms"] > 1000
    assert [v["provider"] for v in cut["providers"]] == ["primary"]


def test_a_wrong_expectation_exits_1_and_says_which(tmp_path):
    conf = (ROOT / "lab.conf").read_text().replace(
        'expect: { status: 200, served_by: backup, last_used_option_index: "config.targets[1]", fallback_triggered: true, hits: { primary: 1, backup: 1 } }',
        'expect: { status: 200, served_by: primary, last_used_option_index: "config.targets[1]", fallback_triggered: true, hits: { primary: 1, backup: 1 } }')
    assert "served_by: primary, last_used" in conf
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    (tmp_path / "lab.conf").write_text(conf)
    run = lab("run", "fallback-on-503", "--junit", "junit.xml", cwd=tmp_path)
    assert run.returncode == 1
    assert "served_by: expected primary, got backup" in run.stdout
    failure = ET.parse(tmp_path / "junit.xml").getroot().find(".//failure")
    assert "served_by: expected primary, got backup" in failure.get("message")


def test_a_broken_lab_conf_exits_2_with_file_and_line(tmp_path):
    (tmp_path / "lab.conf").write_text("providers:\n  primary: {}\nscenarios:\n  - name: x\n    portkey_config: {\"provider\": \"ollama\"}\n    expect: { stauts: 200 }\n")
    for command in ("run", "check", "list"):
        run = lab(command, cwd=tmp_path)
        assert run.returncode == 2, command
        assert "lab.conf:6: scenarios[0].expect.stauts: unknown key" in run.stderr


def test_unknown_scenario_is_a_usage_error():
    run = lab("run", "no-such-scenario")
    assert run.returncode == 2 and "no scenario named 'no-such-scenario'" in run.stderr


def test_scenarios_are_picked_by_pattern_and_a_typo_is_answered_with_the_name_it_meant(tmp_path):
    run = lab("run", "stream-*", "quota-429", "--json", str(tmp_path / "v.json"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    names = [s["name"] for s in json.loads((tmp_path / "v.json").read_text())["scenarios"]]
    assert names == ["stream-cut", "stream-falls-back-across-vendors", "stream-cut-cannot-fall-back", "quota-429"]
    listing = lab("list", "*-429*")
    assert [line.split()[0] for line in listing.stdout.splitlines()] == ["retry-after-429", "quota-429", "openai-429-to-anthropic"]
    for command in ("run", "list", "explain"):
        typo = lab(command, "stram-cut")
        assert typo.returncode == 2 and "Did you mean stream-cut?" in typo.stderr, command
    several = lab("explain", "hang-*")
    assert several.returncode == 2 and "explain takes one" in several.stderr


def test_audit_puts_a_config_file_through_every_failure_of_its_hosts(tmp_path):
    run = lab("audit", "configs/primary-backup.json", "--json", str(tmp_path / "a.json"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "✗ 1 of 10 failures of one host reach the client although another host could answer" in run.stdout
    assert "portkey-gateway-ollama hangs (accepts, never answers): 504 from the route" in run.stdout
    report = json.loads((tmp_path / "a.json").read_text())
    assert report[0]["file"] == "configs/primary-backup.json" and report[0]["not_survived"] == 1
    hang = next(s for s in report[0]["situations"] if s["name"] == "host1-hang")
    assert hang["outcomes"] == {"504 from the route": 1} and hang["longest_ms"] == 30000 and hang["survived"] is False

    timeouts = tmp_path / "timeouts.json"
    timeouts.write_text(json.dumps({"strategy": {"mode": "fallback"}, "targets": [
        {"provider": "ollama", "custom_host": "http://a:11434", "request_timeout": 10000},
        {"provider": "ollama", "custom_host": "http://b:11434", "request_timeout": 10000}]}))
    ok = lab("audit", str(timeouts))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Every failure of one host (10) is survived" in ok.stdout
    # The same run twice gives the same report: the simulated clock.
    assert lab("audit", str(timeouts)).stdout == ok.stdout
    streamed = lab("audit", "--stream", str(timeouts))
    assert streamed.returncode == 1 and ", streamed," in streamed.stdout
    assert "a cuts its stream after 3 chunks: 200, cut short" in streamed.stdout

    written = lab("audit", "configs/primary-backup.json", "--write-lab", str(tmp_path / "audit.conf"))
    assert written.returncode == 1 and "Wrote " in written.stdout
    rerun = lab("run", "--config", str(tmp_path / "audit.conf"), "--junit", str(tmp_path / "j.xml"))
    assert rerun.returncode == 1 and "13 scenarios: 12 passed, 1 failed" in rerun.stdout
    failures = [t.get("name") for t in ET.parse(tmp_path / "j.xml").getroot().iter("testcase") if t.find("failure") is not None]
    assert failures == ["host1-hang"]
    told = lab("explain", "host1-hang", "--config", str(tmp_path / "audit.conf"))
    assert "504 from the route at 30.0 s, before fallback can finish" in told.stdout
    several = lab("audit", "configs/primary-backup.json", "configs/openai-anthropic.json", "--write-lab", str(tmp_path / "x.conf"))
    assert several.returncode == 2 and "--write-lab writes the lab of one config file" in several.stderr

    pro = lab("audit", "configs/primary-backup.json", "--metadata", '{"tier": "pro"}')
    assert 'with metadata {"tier":"pro"},' in pro.stdout
    more = lab("audit", "configs/primary-backup.json", "--requests", "3", "--json", str(tmp_path / "three.json"))
    assert "Each situation: 3 requests for model llama3" in more.stdout
    assert json.loads((tmp_path / "three.json").read_text())[0]["situations"][0]["requests"] == 3
    none = lab("audit", "configs/primary-backup.json", "--requests", "0")
    assert none.returncode == 2 and "--requests must be from 1 to 10000, got 0" in none.stderr
    not_object = lab("audit", "configs/primary-backup.json", "--metadata", "[1]")
    assert not_object.returncode == 2 and "--metadata must be a JSON object" in not_object.stderr

    # The client's own request: what the Anthropic fallback refuses of it, in its words.
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"model": "gpt-4o-mini", "response_format": {"type": "json_object"},
                                   "messages": [{"role": "user", "content": "Classify."}]}))
    own = lab("audit", "configs/openai-anthropic.json", "--request", str(request), "--json", str(tmp_path / "own.json"))
    assert own.returncode == 1 and "200, not JSON" in own.stdout and "(structured output: an answer must be JSON)" in own.stdout
    assert json.loads((tmp_path / "own.json").read_text())[0]["request"]["response_format"] == {"type": "json_object"}
    request.write_text('{"messages": [}')
    unreadable = lab("audit", "configs/openai-anthropic.json", "--request", str(request))
    assert unreadable.returncode == 2 and "--request" in unreadable.stderr and "is not valid JSON (line 1, column 15)" in unreadable.stderr
    request.write_text("[1]")
    listed = lab("audit", "configs/openai-anthropic.json", "--request", str(request))
    assert listed.returncode == 2 and "the request must be a JSON object" in listed.stderr

    broken = tmp_path / "broken.json"
    broken.write_text('{"strategy": {"mode": "fallback"},\n "targets": [1,]}')
    bad = lab("audit", str(broken))
    assert bad.returncode == 2 and "not valid JSON (line 2, column 16)" in bad.stderr
    refused = tmp_path / "refused.json"
    refused.write_text('{"strategy": {"mode": "fallbak"}, "targets": [{"provider": "ollama", "custom_host": "http://a:1"}]}')
    run = lab("audit", str(refused), str(timeouts), "--json", str(tmp_path / "mixed.json"))
    assert run.returncode == 2 and "the gateway would refuse this config: 400" in run.stderr and "Invalid 'mode' value" in run.stderr
    # The refused file does not stop the others.
    assert "Every failure of one host (10) is survived" in run.stdout
    mixed = json.loads((tmp_path / "mixed.json").read_text())
    assert mixed[0]["file"] == str(refused) and "Invalid 'mode' value" in mixed[0]["error"] and mixed[1]["not_survived"] == 0


def test_a_seed_past_what_a_report_can_hold_is_a_usage_error(tmp_path):
    # It used to pass, and then crash writing the JSON report (Int(UInt64.max) traps).
    for args in (["run", "simple", "--json", str(tmp_path / "v.json")], ["explain", "simple"],
                 ["audit", "configs/primary-backup.json", "--json", str(tmp_path / "a.json")],
                 ["mock", "--port", "0"], ["gateway", "--port", "0"]):
        run = lab(*args, "--seed", "18446744073709551615", timeout=20)
        assert run.returncode == 2, (args, run.stderr)
        assert "--seed must be from 0 to 9223372036854775807, got 18446744073709551615" in run.stderr, args
    edge = lab("run", "simple", "--seed", "9223372036854775807", "--json", str(tmp_path / "v.json"))
    assert edge.returncode == 0 and json.loads((tmp_path / "v.json").read_text())["lab"]["seed"] == 9223372036854775807


def test_github_actions_gets_annotations_on_the_failed_lines_and_a_summary_appended(tmp_path):
    import os
    written = lab("audit", "configs/primary-backup.json", "--write-lab", str(tmp_path / "audit.conf"))
    assert written.returncode == 1
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step\n")
    env = dict(os.environ, GITHUB_ACTIONS="true")
    run = subprocess.run([LAB, "run", "--config", str(tmp_path / "audit.conf"), "--markdown", str(summary)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 1
    line = (tmp_path / "audit.conf").read_text().splitlines().index("  - name: host1-hang") + 1
    assert f"::error file={tmp_path / 'audit.conf'},line={line},title=lab%3A scenario host1-hang failed::success_rate.min" in run.stdout
    audit = subprocess.run([LAB, "audit", "configs/primary-backup.json", "--markdown", str(summary)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert "::error file=configs/primary-backup.json,title=lab audit%3A 1 situation where the client should have had its answer::" in audit.stdout
    text = summary.read_text()
    assert text.startswith("## an earlier step\n### lab run: ")
    assert "| ❌ | `host1-hang`" in text and "### lab audit: configs/primary-backup.json — 1 of 10 failures" in text
    # Without GitHub Actions, no workflow commands in the output.
    quiet = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    plain = subprocess.run([LAB, "run", "--config", str(tmp_path / "audit.conf")], cwd=ROOT, capture_output=True, text=True, timeout=120, env=quiet)
    assert plain.returncode == 1 and "::error" not in plain.stdout


def test_a_time_scale_past_lab_confs_range_is_a_usage_error():
    # lab run used to take 1e300 and wait for ever; lab serve took 0 and ran unscaled to nothing.
    for args in (["run", "simple", "--clock", "real", "--time-scale", "1e300"], ["serve", "--time-scale", "0"]):
        run = lab(*args, timeout=20)
        assert run.returncode == 2, (args, run.stderr)
        assert "--time-scale must be greater than 0 and at most 1000" in run.stderr, args


def test_check_and_list():
    check = lab("check")
    assert check.returncode == 0 and "OK" in check.stdout and "note:" not in check.stdout
    # A model no provider serves is noted, not refused: it may be the scenario's point.
    noted = lab("check", "--config", "labs/request-mistakes.conf")
    assert noted.returncode == 0
    assert "note: retired-model-past-the-fallback: config.targets[1] sends anthropic model claude-3-opus-20240229, which it does not serve: it will answer 404." in noted.stdout
    listing = lab("list")
    assert listing.stdout.splitlines()[0].startswith("simple")


FAST = ["simple", "all-fail", "fallback-on-503", "status-codes-mismatch", "refused-fallback", "reset-fallback",
        "stream-cut", "loadbalance-in-fallback", "conditional-metadata", "flapping-provider", "quota-429",
        "all-fail-different-statuses", "dns-failure", "broken-success"]


def verdicts(path):
    data = json.loads(path.read_text())
    # Measured durations differ between runs; the verdicts themselves must not.
    return {s["name"]: [(v["name"], v["passed"], "" if v["name"].startswith("latency") else v["actual"]) for v in s["verdicts"]]
            for s in data["scenarios"]}


def test_a_separate_lab_gateway_gives_the_same_verdicts(tmp_path):
    embedded = lab("run", *FAST, "--json", str(tmp_path / "embedded.json"))
    assert embedded.returncode == 0, embedded.stdout[-2000:]
    gateway = LabProcess("gateway", "--port", "0")
    try:
        external = lab("run", *FAST, "--gateway", gateway.url, "--json", str(tmp_path / "external.json"))
    finally:
        assert gateway.stop() == 0
    assert external.returncode == 0, external.stdout[-3000:]
    assert "(real clock, gateway " in external.stdout and "(simulated clock, embedded gateway" in embedded.stdout
    assert verdicts(tmp_path / "embedded.json") == verdicts(tmp_path / "external.json")


def test_serve_keeps_the_lab_up(tmp_path):
    serve = LabProcess("serve", "--gateway-port", "0", "--edge-port", "0", ready=r"edge route: (http://\S+)")
    try:
        config = json.dumps({"provider": "ollama", "custom_host": "http://portkey-gateway-ollama:11434", "override_params": {"model": "llama3"}})
        r = httpx.post(serve.url + "/v1/chat/completions", headers={"x-portkey-config": config},
                       json={"messages": [{"role": "user", "content": "What is the capital of France?"}]})
        assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "Paris."
        assert r.headers["x-portkey-last-used-option-index"] == "config"
    finally:
        assert serve.stop() == 0


def test_a_non_loopback_mock_needs_a_control_token():
    run = lab("mock", "--host", "0.0.0.0", "--port", "0", timeout=20)
    assert run.returncode == 2
    assert "--control-token" in run.stderr


def attempts(path):
    """Per scenario, what the gateway tried: targets and outcomes (times differ between clocks)."""
    data = json.loads(path.read_text())
    return {s["name"]: [[(a["target"], a["outcome"]) for a in e["attempts"]] for e in s["gateway"]] for s in data["scenarios"]}


def test_a_separate_lab_gateways_journal_is_read_back_into_the_report(tmp_path):
    names = ["fallback-on-503", "refused-fallback", "all-fail"]
    embedded = lab("run", *names, "--json", str(tmp_path / "embedded.json"))
    gateway = LabProcess("gateway", "--port", "0")
    try:
        external = lab("run", *names, "--gateway", gateway.url, "--json", str(tmp_path / "external.json"),
                       "--html", str(tmp_path / "external.html"))
    finally:
        assert gateway.stop() == 0
    assert embedded.returncode == 0 and external.returncode == 0, external.stdout[-3000:]
    # The same attempts, target by target, with the outcomes' texts (the refused port is the run's own).
    ours = attempts(tmp_path / "embedded.json")
    theirs = attempts(tmp_path / "external.json")
    assert [len(v) for v in theirs.values()] == [1, 1, 1]
    for name in names:
        assert [[t for t, _ in e] for e in ours[name]] == [[t for t, _ in e] for e in theirs[name]]
    assert theirs["fallback-on-503"] == [[("config.targets[0]", "503"), ("config.targets[1]", "200")]]
    # The timeline's gateway lane is drawn from it.
    assert "config.targets[0]: 503" in (tmp_path / "external.html").read_text()
