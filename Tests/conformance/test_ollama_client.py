"""The official ollama-python client against `lab mock`: every endpoint, streaming and not, and the errors."""
import ollama
import pytest


@pytest.fixture()
def client(mock):
    return ollama.Client(host=mock.url)


def test_chat_non_streaming(client):
    r = client.chat(model="llama3", messages=[{"role": "user", "content": "What is AI? Answer briefly."}])
    assert r.done and r.done_reason == "stop"
    assert r.message.role == "assistant" and r.message.content
    assert r.eval_count == len(r.message.content.split())
    assert r.total_duration >= r.eval_duration > 0


def test_chat_streaming_matches_non_streaming(client):
    messages = [{"role": "user", "content": "What is Docker? One sentence."}]
    chunks = list(client.chat(model="llama3", messages=messages, stream=True))
    assert len(chunks) > 2
    assert all(not c.done for c in chunks[:-1]) and chunks[-1].done
    streamed = "".join(c.message.content for c in chunks)
    single = client.chat(model="llama3", messages=messages)
    assert streamed == single.message.content
    assert chunks[-1].eval_count == len(chunks) - 1


def test_canned_answer(client):
    r = client.chat(model="llama3", messages=[{"role": "user", "content": "What is the capital of France?"}])
    assert r.message.content == "Paris."


def test_generate_streaming_and_length_cut(client):
    chunks = list(client.generate(model="llama3", prompt="Say something", stream=True))
    assert chunks[-1].done and chunks[-1].context
    cut = client.generate(model="llama3", prompt="Say something", options={"num_predict": 2})
    assert cut.done_reason == "length" and cut.eval_count == 2


def test_embed_string_and_list(client):
    one = client.embed(model="nomic-embed-text", input="hello")
    assert len(one.embeddings) == 1 and len(one.embeddings[0]) == 768
    assert abs(sum(x * x for x in one.embeddings[0]) - 1) < 1e-4
    two = client.embed(model="nomic-embed-text", input=["hello", "world"])
    assert len(two.embeddings) == 2 and two.embeddings[0] == pytest.approx(one.embeddings[0])


def test_legacy_embeddings(client):
    r = client.embeddings(model="nomic-embed-text", prompt="hello")
    assert len(r.embedding) == 768


def test_list_show_ps(client):
    names = {m.model for m in client.list().models}
    assert {"llama3:latest", "nomic-embed-text:latest"} <= names
    shown = client.show("llama3")
    assert shown.modelinfo["general.architecture"] == "llama"
    assert "completion" in shown.capabilities
    client.generate(model="llama3", prompt="warm up")
    assert "llama3:latest" in {m.model for m in client.ps().models}


def test_pull_stream_copy_delete(client):
    statuses = [p.status for p in client.pull("tinyllama", stream=True)]
    assert statuses[0] == "pulling manifest" and statuses[-1] == "success"
    assert client.pull("tinyllama").status == "success"
    assert client.copy("tinyllama", "tiny-copy").status == "success"
    assert "tiny-copy:latest" in {m.model for m in client.list().models}
    assert client.delete("tiny-copy").status == "success"
    with pytest.raises(ollama.ResponseError) as e:
        client.delete("tiny-copy")
    assert e.value.status_code == 404


@pytest.mark.parametrize("call", [
    lambda c: c.chat(model="ghost", messages=[{"role": "user", "content": "x"}]),
    lambda c: c.generate(model="ghost", prompt="x"),
    lambda c: c.show("ghost"),
    lambda c: c.embed(model="ghost", input="x"),
])
def test_unknown_model_is_404(client, call):
    with pytest.raises(ollama.ResponseError) as e:
        call(client)
    assert e.value.status_code == 404
    assert "not found" in e.value.error


def test_one_log_line_per_request(mock, client):
    before = len(mock.lines)
    client.show("llama3")
    lines = mock.log_lines_since(before)
    assert any(line.startswith("mock: POST /api/show 200") for line in lines)


def test_one_generation_slot_queues_the_others():
    """`lab mock --parallel 1`: as an Ollama with OLLAMA_NUM_PARALLEL=1, a second chat waits for
    the first to end. Checked with lower bounds only, which a busy machine cannot break."""
    import concurrent.futures
    import json
    import urllib.request
    from conftest import LabProcess

    lab = LabProcess("mock", "--port", "0", "--parallel", "1", "--ttft-ms", "400", "--quiet")
    try:
        c = ollama.Client(host=lab.url)
        ask = [{"role": "user", "content": "hi"}]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: c.chat(model="llama3", messages=ask, options={"num_predict": 3}), range(2)))
        assert all(a.message.content for a in answers)
        journal = json.load(urllib.request.urlopen(lab.url + "/__lab/journal"))
        chats = [e for e in journal if e["path"] == "/api/chat"]
        assert len(chats) == 2
        # On the mock's clock: the later one arrived while the first was generating, and its
        # answer began only after the first had ended — in the same turn of the loop, so the
        # two sums may differ by the journal's rounding (each time to 0.1 ms) alone.
        first, second = sorted(chats, key=lambda e: e["at_ms"])
        first_end = first["at_ms"] + first["wire"][-1]["at_ms"]
        second_head = second["at_ms"] + next(s["at_ms"] for s in second["wire"] if s["step"].startswith("head"))
        assert second["at_ms"] < first_end <= second_head + 0.2
        metrics = urllib.request.urlopen(lab.url + "/metrics").read().decode()
        assert 'lab_provider_generating{provider="mock"} 0' in metrics and 'lab_provider_queued{provider="mock"} 0' in metrics
    finally:
        assert lab.stop() == 0


def test_each_model_has_its_own_slot():
    """`--parallel 1` with two models: as in Ollama, each loaded model generates one answer at
    a time on its own, so a second model's answer does not wait behind the first model's
    queue; the queued one says its wait in total_duration. Checked on the mock's clock."""
    import concurrent.futures
    import json
    import urllib.request
    from conftest import LabProcess

    lab = LabProcess("mock", "--port", "0", "--parallel", "1", "--ttft-ms", "600", "--quiet",
                     "--model", "llama3", "--model", "qwen2.5:0.5b")
    try:
        c = ollama.Client(host=lab.url)
        ask = [{"role": "user", "content": "hi"}]
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            jobs = [pool.submit(c.chat, model=m, messages=ask, options={"num_predict": 2})
                    for m in ("llama3", "llama3", "qwen2.5:0.5b")]
            answers = [j.result() for j in jobs]
        journal = json.load(urllib.request.urlopen(lab.url + "/__lab/journal"))
        heads = {}
        for e in journal:
            head = next(s["at_ms"] for s in e["wire"] if s["step"].startswith("head"))
            heads.setdefault(e["model"], []).append((e["at_ms"] + head, e.get("slot_wait_ms")))
        (first, _), (second, waited) = sorted(heads["llama3"])
        [(other, other_wait)] = heads["qwen2.5:0.5b"]
        # The second llama3 answer waited for the first; the other model's did not.
        # (libuv counts whole milliseconds: a wait may end up to 1 ms early.)
        assert second >= first + 595 and waited and waited >= 500
        assert other < second and other_wait is None
        slow = max((a for a in answers if a.model == "llama3"), key=lambda a: a.total_duration)
        fast = min((a for a in answers if a.model == "llama3"), key=lambda a: a.total_duration)
        assert slow.total_duration - fast.total_duration >= waited * 1_000_000 * 0.9
    finally:
        assert lab.stop() == 0


def test_keep_alive_as_ollama_reads_it():
    """keep_alive through ollama-python: the model stays that long after its answer (as
    /api/ps says, parsed by the client), -1 keeps it for ever and stays with the model, and
    a value Go cannot read is Ollama's 400. OLLAMA_KEEP_ALIVE sets the server's default."""
    from datetime import timedelta
    from conftest import LabProcess

    lab = LabProcess("mock", "--port", "0", "--quiet", env={"OLLAMA_KEEP_ALIVE": "2h"})
    try:
        c = ollama.Client(host=lab.url)
        ask = [{"role": "user", "content": "hi"}]

        def expires():
            return [m.expires_at for m in c.ps().models]

        def kept(answer):
            """How long after the answer the model stays: its keep-alive counts from when
            the provider saw the answer end, a moment after its created_at."""
            [at] = expires()
            return at - _parsed(answer.created_at)

        answer = c.chat(model="llama3", messages=ask)
        assert timedelta(hours=2) <= kept(answer) < timedelta(hours=2, seconds=10)
        answer = c.chat(model="llama3", messages=ask, keep_alive="1m30s")
        assert timedelta(seconds=90) <= kept(answer) < timedelta(seconds=100)
        c.chat(model="llama3", messages=ask, keep_alive=-1)
        assert expires()[0].year >= 2300
        c.chat(model="llama3", messages=ask)
        assert expires()[0].year >= 2300, "a request without keep_alive leaves the model's"
        for value, message in [("10", 'time: missing unit in duration "10"'), ("1d", 'time: unknown unit "d" in duration "1d"')]:
            with pytest.raises(ollama.ResponseError) as e:
                c.chat(model="llama3", messages=ask, keep_alive=value)
            assert e.value.status_code == 400 and e.value.error == message
        # keep_alive 0 with no messages: out of memory at once.
        assert c.chat(model="llama3", messages=[], keep_alive=0).done_reason == "unload"
        assert c.ps().models == []
    finally:
        assert lab.stop() == 0
    # A --keep-alive Ollama could not read is refused before the mock starts.
    import subprocess
    from conftest import LAB
    refused = subprocess.run([LAB, "mock", "--port", "0", "--keep-alive", "1d"], capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0 and "--keep-alive must be a duration such as 10m" in refused.stderr


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_one_model_at_a_time(how):
    """`lab mock --max-loaded-models 1`, or an Ollama's OLLAMA_MAX_LOADED_MODELS=1: each
    model asked for takes the place of the other and loads again, as on a GPU that holds
    one; ps lists the one in memory."""
    from conftest import LabProcess

    args = ["mock", "--port", "0", "--quiet", "--model", "llama3", "--model", "mistral", "--load-ms", "200"]
    if how == "flag":
        lab = LabProcess(*args, "--max-loaded-models", "1")
    else:
        lab = LabProcess(*args, env={"OLLAMA_MAX_LOADED_MODELS": " 1 ", "OLLAMA_NUM_PARALLEL": "2"})
    try:
        c = ollama.Client(host=lab.url)
        ask = [{"role": "user", "content": "hi"}]
        assert c.chat(model="llama3", messages=ask).load_duration == 200_000_000
        assert c.chat(model="llama3", messages=ask).load_duration == 50_000
        assert c.chat(model="mistral", messages=ask).load_duration == 200_000_000
        assert [m.model for m in c.ps().models] == ["mistral:latest"]
        assert c.chat(model="llama3", messages=ask).load_duration == 200_000_000
        assert [m.model for m in c.ps().models] == ["llama3:latest"]
        import urllib.request
        metrics = urllib.request.urlopen(lab.url + "/metrics").read().decode()
        assert 'lab_provider_model_loads_total{provider="mock",model="llama3:latest"} 2' in metrics
        assert 'lab_provider_model_loads_total{provider="mock",model="mistral:latest"} 1' in metrics
        assert 'lab_provider_models_in_memory{provider="mock"} 1' in metrics
        # OLLAMA_NUM_PARALLEL gives the generation slots their gauges.
        assert ('lab_provider_generating{provider="mock"}' in metrics) == (how == "environment")
        # The settings line says what differs from Ollama's defaults and where it came from.
        line = lab.wait_for_line("mock: as an Ollama with")
        if how == "environment":
            assert "2 generation slots per model (OLLAMA_NUM_PARALLEL)" in line and "1 model in memory at once (OLLAMA_MAX_LOADED_MODELS)" in line
        else:
            assert "1 model in memory at once," in line and "OLLAMA_" not in line
    finally:
        assert lab.stop() == 0


def _parsed(created_at):
    """`created_at` as ollama-python keeps it (a string), as a datetime."""
    import itertools
    from datetime import datetime
    text = created_at.replace("Z", "+00:00")
    head, _, rest = text.partition(".")
    digits = "".join(itertools.takewhile(str.isdigit, rest))
    zone = rest[len(digits):]
    return datetime.fromisoformat(f"{head}.{digits[:6]}{zone}")


def test_a_cold_model_loads_first():
    """`lab mock --load-ms`: the first chat waits for the model to load and says so in
    load_duration; the next finds it in memory; clearing the journal unloads it."""
    import urllib.request
    from conftest import LabProcess

    lab = LabProcess("mock", "--port", "0", "--load-ms", "300", "--quiet")
    try:
        c = ollama.Client(host=lab.url)
        ask = [{"role": "user", "content": "hi"}]
        assert c.ps().models == []
        first = c.chat(model="llama3", messages=ask)
        assert first.load_duration == 300_000_000
        assert [m.model for m in c.ps().models] == ["llama3:latest"]
        assert c.chat(model="llama3", messages=ask).load_duration == 50_000
        urllib.request.urlopen(urllib.request.Request(lab.url + "/__lab/journal", method="DELETE"))
        assert c.ps().models == []
        assert c.chat(model="llama3", messages=ask).load_duration == 300_000_000
    finally:
        assert lab.stop() == 0


def test_logprobs_parse_as_the_clients_types(client):
    """logprobs=True with top_logprobs: one `Logprob` per generated token, parsed by the
    client's own model, streamed one per chunk."""
    import math

    r = client.chat(model="llama3", messages=[{"role": "user", "content": "hi"}], logprobs=True, top_logprobs=3)
    assert r.logprobs and len(r.logprobs) == r.eval_count
    assert "".join(lp.token for lp in r.logprobs) == r.message.content
    for lp in r.logprobs:
        assert lp.logprob < 0 and len(lp.top_logprobs) == 3
        assert sum(math.exp(t.logprob) for t in lp.top_logprobs) <= 1.0 + 1e-6
    chunks = list(client.generate(model="llama3", prompt="hi", stream=True, logprobs=True))
    assert all(len(c.logprobs) == 1 and c.logprobs[0].token == c.response for c in chunks[:-1])
    assert client.chat(model="llama3", messages=[{"role": "user", "content": "hi"}]).logprobs is None
