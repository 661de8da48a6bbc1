"""deploy/: every Kubernetes manifest valid against the Kubernetes schema (strict: no
unknown fields), the OpenShift Route checked for what the lab relies on, and each
kustomization naming files that exist."""
import pathlib

import kubernetes_validate
import pytest
import yaml

from conftest import ROOT

DEPLOY = ROOT / "deploy"
VERSION = "1.30.0"


def documents():
    for path in sorted(DEPLOY.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for i, doc in enumerate(yaml.safe_load_all(path.read_text())):
            if doc:
                yield pytest.param(path, doc, id=f"{path.relative_to(DEPLOY)}#{i}")


@pytest.mark.parametrize("path,doc", list(documents()))
def test_manifest_is_valid(path, doc):
    if doc["apiVersion"].startswith("route.openshift.io/"):
        # Not in the Kubernetes schema: check the fields the demo's 504 depends on.
        assert doc["kind"] == "Route" and doc["spec"]["to"]["kind"] == "Service"
        timeout = doc["metadata"]["annotations"]["haproxy.router.openshift.io/timeout"]
        assert timeout.endswith("s") and int(timeout[:-1]) > 0
        return
    kubernetes_validate.validate(doc, VERSION, strict=True)


def test_every_provider_is_probed_limited_and_takes_the_token():
    deployments = [d for p in DEPLOY.rglob("*.yaml") if p.name != "kustomization.yaml"
                   for d in yaml.safe_load_all(p.read_text()) if d and d["kind"] == "Deployment"]
    assert len(deployments) >= 2
    for d in deployments:
        c = d["spec"]["template"]["spec"]["containers"][0]
        assert c["readinessProbe"]["httpGet"]["path"] == "/__lab/health" and c["livenessProbe"]["httpGet"]["path"] == "/__lab/health"
        assert c["resources"]["limits"]["memory"] and c["resources"]["limits"]["cpu"]
        assert "--control-token" in c["args"] and c["env"][0]["valueFrom"]["secretKeyRef"]["name"] == "lab-control-token"
        assert d["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_kustomizations_name_files_that_exist():
    for k in DEPLOY.rglob("kustomization.yaml"):
        for resource in yaml.safe_load(k.read_text())["resources"]:
            assert (k.parent / resource).exists(), f"{k}: {resource}"
