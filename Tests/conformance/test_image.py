"""The container image scripts/image builds: unpacked fresh from its OCI layout, its
root filesystem runs `lab mock` as the image's non-root user (unshare and chroot: no
container engine runs on this machine), answers its health probe, and its config says user
10001 and `lab serve` by default."""
import json
import os
import re
import shutil
import signal
import subprocess

import httpx
import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("unshare and chroot into the image's root filesystem need root")
    out = tmp_path_factory.mktemp("image") / "oci"
    build = subprocess.run([str(ROOT / "scripts" / "image"), str(out)], capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-3000:]
    bundle = out.parent / "bundle"
    subprocess.run(["umoci", "unpack", "--image", f"{out}:latest", str(bundle)], check=True, capture_output=True, timeout=120)
    yield out, bundle
    shutil.rmtree(bundle, ignore_errors=True)


def test_the_image_runs_lab_as_a_non_root_user(image):
    out, bundle = image
    config = json.loads((bundle / "config.json").read_text())
    assert config["process"]["user"]["uid"] == 10001
    assert config["process"]["args"] == ["/usr/local/bin/lab", "serve"]
    rootfs = bundle / "rootfs"
    assert not (rootfs / "bin" / "sh").exists(), "runtime libraries only: no shell"
    # A runtime mounts /proc (the Swift runtime reads its arguments there): unshare does it here.
    mock = subprocess.Popen(["unshare", "--fork", "--kill-child=SIGKILL", "--pid", "--mount", f"--mount-proc={rootfs}/proc",
                             "chroot", "--userspec=10001:10001", str(rootfs), "/usr/local/bin/lab", "mock", "--port", "0", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        line = mock.stdout.readline()
        url = re.search(r"http://\S+", line).group(0)
        health = httpx.get(url + "/__lab/health", timeout=5).json()
        assert health["status"] == "ok"
        r = httpx.post(url + "/api/chat", json={"model": "llama3", "stream": False, "messages": [{"role": "user", "content": "hi"}]}, timeout=10)
        assert r.status_code == 200 and r.json()["done"] is True
    finally:
        # To the group: unshare does not pass SIGTERM on, and lab (PID 1 inside) stops on it cleanly.
        os.killpg(mock.pid, signal.SIGTERM)
        mock.wait(timeout=10)
    assert "stopping (signal 15)" in mock.stdout.read()
    size = sum(f.stat().st_size for f in rootfs.rglob("*") if f.is_file())
    assert size < 120 * 1024 * 1024, f"the root filesystem is {size >> 20} MB"
    assert (out.parent / "oci.tar").stat().st_size > 0
