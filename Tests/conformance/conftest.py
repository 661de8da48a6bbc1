"""Starts the `lab` binary for the conformance tests and reads what it prints."""
import os
import pathlib
import re
import signal
import subprocess
import threading
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAB = os.environ.get("LAB_BIN", str(ROOT / ".build" / "debug" / "lab"))


class LabProcess:
    """A running `lab` subcommand; its output is drained on a thread so a full pipe never stalls it."""

    def __init__(self, *args, ready=r"listening on (http://\S+)", timeout=15, env=None):
        self.lines = []
        self.proc = subprocess.Popen([LAB, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=None if env is None else {**os.environ, **env})
        self._ready = threading.Event()
        self.url = None
        pattern = re.compile(ready)

        def drain():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                m = pattern.search(line)
                if m and not self._ready.is_set():
                    self.url = m.group(1)
                    self._ready.set()
            self._ready.set()

        self._drain = threading.Thread(target=drain, daemon=True)
        self._drain.start()
        if not self._ready.wait(timeout) or self.url is None:
            self.proc.kill()
            raise RuntimeError(f"lab {' '.join(args)} did not start: {self.lines}")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=10)
        # The process has exited; its last lines may still be in the pipe, not yet in self.lines.
        self._drain.join(timeout=5)
        return code

    def wait_for_line(self, text, timeout=10):
        """The first line containing `text`, waited for (bounded): lines printed after the
        ready one may still be in the pipe when the test reads them."""
        deadline = time.time() + timeout
        while True:
            for line in list(self.lines):
                if text in line:
                    return line
            if time.time() >= deadline:
                return None
            time.sleep(0.01)

    def log_lines_since(self, index):
        deadline = time.time() + 2
        while time.time() < deadline and len(self.lines) <= index:
            time.sleep(0.01)
        return self.lines[index:]


@pytest.fixture(scope="session")
def mock():
    lab = LabProcess("mock", "--port", "0", "--model", "llama3", "--model", "nomic-embed-text",
                     "--answer", "capital of France=Paris.")
    yield lab
    assert lab.stop() == 0, "lab mock should exit 0 on SIGTERM"
    assert any("stopping" in line for line in lab.lines)
