"""Every example in docs/faults.md, run with `lab mock --faults` and checked from a client."""
import pathlib
import re
import time

import httpx
import pytest

from conftest import LabProcess, ROOT

DOC = (ROOT / "docs" / "faults.md").read_text()
EXAMPLES = re.findall(r"```yaml\n# example: (\S+) expect: ([^\n]*)\n(.*?)```", DOC, re.S)
CHAT = {"model": "llama3", "messages": [{"role": "user", "content": "hi"}]}


def test_the_doc_has_examples():
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize("name,expect,rules", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example(tmp_path, name, expect, rules):
    path = tmp_path / f"{name}.yaml"
    path.write_text(rules)
    lab = LabProcess("mock", "--port", "0", "--faults", str(path), "--quiet")
    try:
        started = time.monotonic()
        words = expect.split()
        kind = words[0]
        if kind in ("reset", "closed"):
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                httpx.post(lab.url + "/api/chat", json=CHAT)
            return
        if kind == "timeout":
            with pytest.raises(httpx.ReadTimeout):
                httpx.post(lab.url + "/api/chat", json=CHAT, timeout=0.3)
            return
        if kind == "truncated":
            with pytest.raises(httpx.RemoteProtocolError):
                httpx.post(lab.url + "/api/chat", json=CHAT)
            return
        r = httpx.post(lab.url + "/api/chat", json=CHAT)
        elapsed_ms = (time.monotonic() - started) * 1000
        assert r.status_code == int(words[1]), r.text
        rest = expect.split(None, 2)[2] if len(words) > 2 else ""
        if rest.startswith("header "):
            _, name_, value = rest.split(None, 2)
            assert r.headers[name_] == value
        elif rest.startswith("body-contains "):
            assert rest[len("body-contains "):] in r.text
        elif rest.startswith("body-lacks "):
            assert rest[len("body-lacks "):] not in r.text
        elif rest.startswith("body "):
            assert r.text == rest[len("body "):]
        elif rest.startswith("after-ms "):
            assert elapsed_ms >= int(rest.split()[1]) * 0.95
    finally:
        assert lab.stop() == 0


def test_a_broken_rules_file_names_file_line_rule_and_field(tmp_path):
    # The line is the mistaken field's own (4), not its rule's (3).
    path = tmp_path / "rules.yaml"
    path.write_text("- fault: { status: 503 }\n\n- name: late\n  when: { first: x }\n  fault: { status: 503 }\n")
    import subprocess
    from conftest import LAB
    run = subprocess.run([LAB, "mock", "--port", "0", "--faults", str(path)], capture_output=True, text=True, timeout=10)
    assert run.returncode == 2
    assert f"{path}:4: rule 2 (\"late\"): when.first: expected a whole number, got \"x\"" in run.stderr
