"""The simulated clock as a CI job relies on it: the same lab.conf and seed give the
same report byte for byte on a busy machine, and `lab explain --gateway` finds the
embedded gateway's simulated run and a separately started `lab gateway` in agreement."""
import subprocess
import sys

from conftest import LAB, ROOT, LabProcess


def lab(*args, timeout=300):
    return subprocess.run([LAB, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_ten_runs_on_a_busy_machine_give_byte_identical_reports(tmp_path):
    # Two processes keep both cores busy; each stops by itself after two minutes at most,
    # and is killed (itself, not a wrapper that would leave it running) when the runs end.
    burn = "import time\nend = time.monotonic() + 120\nwhile time.monotonic() < end: pass"
    burners = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(2)]
    try:
        reports = []
        for i in range(10):
            out = tmp_path / f"run{i}.json"
            run = lab("run", "--json", str(out), timeout=120)
            assert run.returncode == 0, run.stdout[-2000:] + run.stderr
            reports.append(out.read_bytes())
    finally:
        for b in burners:
            b.kill()
            b.wait()
    assert all(r == reports[0] for r in reports[1:])
    assert b'"clock": "simulated"' in reports[0]
    assert b'"wall_ms"' not in reports[0], "wall time differs between runs: it has no place in a simulated report"


def test_durations_are_exact():
    run = lab("run", "hang-without-timeout", "retry-after-429", "retries-past-the-edge")
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Latency: 30.000s" in run.stdout  # the route's 30 s timeout, to the millisecond


FAST = ["fallback-on-503", "all-fail", "refused-fallback", "reset-fallback", "stream-cut", "dns-failure",
        "status-codes-mismatch", "conditional-metadata", "quota-429"]


def test_explain_against_a_separate_lab_gateway_finds_no_difference():
    gateway = LabProcess("gateway", "--port", "0", ready=r"Gateway listening on (http://\S+)")
    try:
        for name in FAST:
            run = lab("explain", name, "--gateway", gateway.url, timeout=120)
            assert "DIFFERS" not in run.stdout, name + "\n" + run.stdout
            assert run.returncode == 0, name + "\n" + run.stdout + run.stderr
            assert "Simulated (embedded gateway) and real (" in run.stdout
    finally:
        gateway.stop()


def test_explain_tells_what_the_gateway_would_have_needed():
    run = lab("explain", "retries-past-the-edge")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "the gateway needs 32.1 s (the same run without the route's timeout) > route timeout 30.0 s" in run.stdout
    assert "15.0 s + 16000 ms  backoff before the next try of config.targets[0]" in run.stdout
    assert lab("explain", "nope").returncode == 2
