"""A client written from fallback-demo.md's description of the original demo: its four
tests against a Portkey gateway at PORTKEY_GATEWAY_URL, with the demo's own configs.
Prints the demo's SUCCESS / EXPECTED FAILURE lines; exits 1 if a test did not go as
the demo says it goes."""
import json
import os
import pathlib
import sys
import time

from portkey_ai import Portkey

ROOT = pathlib.Path(__file__).resolve().parents[2]
GATEWAY = os.environ["PORTKEY_GATEWAY_URL"].rstrip("/") + "/v1"
ASK = [{"role": "user", "content": "What is the capital of France?"}]


def client(config):
    return Portkey(base_url=GATEWAY, api_key="not-needed-for-self-hosted", config=config, max_retries=0)


def ask(config):
    started = time.monotonic()
    r = client(config).chat.completions.create(model="llama3", messages=ASK, max_tokens=100)
    return r.choices[0].message.content, time.monotonic() - started


def main():
    fallback = json.loads((ROOT / "configs" / "demo-fallback.json").read_text())
    all_fail = json.loads((ROOT / "configs" / "demo-all-fail.json").read_text())
    ok = True
    print("TEST 1: Fallback Capability Demonstration")
    text, took = ask(fallback)
    print(f"  SUCCESS: Request handled with fallback config\n  Response: {text}\n  Latency: {took:.3f}s")
    print("TEST 2: All Providers Fail (Error Handling)")
    try:
        ask(all_fail)
        print("  UNEXPECTED SUCCESS")
        ok = False
    except Exception as e:  # the SDK's typed error for the gateway's 500
        print(f"  EXPECTED FAILURE: {getattr(e, 'status_code', '?')} {e}")
        ok = ok and getattr(e, "status_code", None) == 500
    print("TEST 3: Primary Succeeds (No Fallback Triggered)")
    text, took = ask(fallback)
    print(f"  SUCCESS: {text} ({took:.3f}s)")
    print("TEST 4: Stress Test (5 Requests - All Valid, No Fallback)")
    answers = [ask(fallback)[0] for _ in range(5)]
    print(f"  SUCCESS: {len(answers)}/5")
    ok = ok and all(a == text for a in answers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
