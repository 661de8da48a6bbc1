"""Start-up refusals a user can hit: each exits 2 and says what to change."""
import socket
import subprocess

from conftest import LAB


def run(*args):
    return subprocess.run([LAB, *args], capture_output=True, text=True, timeout=20)


def test_a_port_in_use_exits_2():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        for command in (["mock"], ["gateway"]):
            r = run(*command, "--port", str(port))
            assert r.returncode == 2, (command, r.stderr)
            assert "something else is listening there" in r.stderr


def test_an_empty_control_token_exits_2():
    r = run("mock", "--host", "0.0.0.0", "--port", "0", "--control-token", "")
    assert r.returncode == 2 and "control-token is empty" in r.stderr
