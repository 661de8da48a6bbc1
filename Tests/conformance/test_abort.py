"""Clients that vanish mid-stream must not take the lab down (a write to a gone peer
raised SIGPIPE and killed `lab gateway` once)."""
import json
import socket
import struct
import time

import httpx
import pytest

from conftest import LabProcess


@pytest.fixture(scope="module")
def chain():
    mock = LabProcess("mock", "--port", "0", "--quiet", "--tokens-per-second", "200")
    gateway = LabProcess("gateway", "--port", "0", "--edge-timeout-ms", "30000", ready=r"Edge route listening on (http://\S+)")
    yield mock, gateway
    assert gateway.stop() == 0
    assert mock.stop() == 0


def abort_mid_stream(url, path, headers, body, count):
    """Opens `count` streams at once, lets them flow, then resets them all together,
    the way a load generator ends its run."""
    host, port = url.removeprefix("http://").split(":")
    raw = json.dumps(body).encode()
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sockets = []
    for _ in range(count):
        s = socket.create_connection((host, int(port)))
        s.sendall(head.encode() + raw)
        sockets.append(s)
    for s in sockets:
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
    time.sleep(0.05)
    for s in sockets:
        # RST, with unread stream bytes still queued: the server's next write fails.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


def hang_up_early(url, path, headers, body, count):
    """Sends requests and closes each connection at once, before the answer: the server
    then writes an answer in several pieces to a socket the peer has closed."""
    host, port = url.removeprefix("http://").split(":")
    raw = json.dumps(body).encode()
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    for _ in range(count):
        s = socket.create_connection((host, int(port)))
        s.sendall(head.encode() + raw)
        s.close()


def test_aborted_streams_leave_every_server_up(chain):
    mock, gateway = chain
    config = json.dumps({"provider": "ollama", "custom_host": mock.url, "override_params": {"model": "llama3"}})
    body = {"model": "llama3", "stream": True, "messages": [{"role": "user", "content": "tell me a long story"}]}
    for _ in range(5):
        abort_mid_stream(gateway.url, "/v1/chat/completions", {"x-portkey-config": config}, body, 40)
        abort_mid_stream(mock.url, "/api/chat", {}, body, 40)
        hang_up_early(gateway.url, "/v1/chat/completions", {"x-portkey-config": config}, body, 100)
    r = httpx.post(gateway.url + "/v1/chat/completions", headers={"x-portkey-config": config},
                   json={"model": "llama3", "messages": [{"role": "user", "content": "still there?"}]}, timeout=10)
    assert r.status_code == 200
    assert httpx.get(mock.url + "/api/version").status_code == 200
    assert gateway.proc.poll() is None and mock.proc.poll() is None
