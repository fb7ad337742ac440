"""The preventive match over HTTP (FastAPI's test client, and one real uvicorn server), on the
reference built from the curative run of the small demo (1,500 records, seed 7)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import httpx2 as httpx
import numpy as np
import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.golden.preventive import ReferenceIndex, decision, evidence_text
from rcu_kit.golden import service
from rcu_kit.golden.service import AdditionLog, create_app

TestClient = pytest.importorskip("fastapi.testclient").TestClient

# A customer the demo does not hold (invented name, e-mail and phone).
NEW = {"source": "web", "record_id": "w1", "last_name": "Quintavalle", "first_name": "Ernestine",
       "email": "ernestine.quintavalle@exemple.fr", "phone": "06 98 76 54 32",
       "postcode": "69003"}


def _query(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("source", "record_id")}


@pytest.fixture(scope="module")
def saved(demo_engagement, tmp_path_factory):
    """The demo's reference index, saved once; each test loads its own copy (additions
    change it)."""
    from rcu_kit.dedup.run import run_dedup

    run = run_dedup(load_engagement(demo_engagement), progress=False)
    return ReferenceIndex.from_run(run).save(tmp_path_factory.mktemp("ref") / "ref.pkl")


@pytest.fixture
def index(saved):
    return ReferenceIndex.load(saved)


@pytest.fixture
def known(index):
    """A reference record with names, e-mail and phone, and its customer."""
    row = index.prepared.dropna(subset=["email", "phone", "first_name", "last_name"]).iloc[0]
    position = index.position_of(row["source"], row["record_id"])
    return {c: str(row[c]) for c in ("last_name", "first_name", "email")}, \
        index.customer_of(position)


def test_match_answers_what_the_index_answers(index, known):
    record, customer = known
    client = TestClient(create_app(index))
    for query in (record, {"last_name": record["last_name"].lower(), "email": record["email"]},
                  {"first_name": record["first_name"], "last_name": record["last_name"]}):
        answer = client.post("/match", json={"record": query, "top": 3})
        assert answer.status_code == 200
        body = answer.json()
        frame = index.match(query, top=3)
        assert [c["customer_id"] for c in body["candidates"]] == frame["customer_id"].tolist()
        np.testing.assert_allclose([c["match_probability"] for c in body["candidates"]],
                                   frame["match_probability"].to_numpy(dtype=float), rtol=0,
                                   atol=1e-12)
        assert [evidence_text(c["evidence"]) for c in body["candidates"]] == \
            frame["evidence"].tolist()
        assert [c["is_match"] for c in body["candidates"]] == frame["is_match"].tolist()
        assert body["decision"] == decision(frame, threshold=0.9)
    # The full record: its own customer first, a certain match, so "same".
    body = client.post("/match", json={"record": record}).json()
    assert body["decision"] == "same" and body["candidates"][0]["customer_id"] == customer
    assert body["candidates"][0]["evidence"]["email"] == "exact"
    # Record ids stay out of the answer under the default policy (masked personal data).
    assert body["candidates"][0]["record_id"] is None and body["candidates"][0]["source"] is None
    assert client.get("/health").json() == {"status": "ok", "records": 1500, "added": 0,
                                            "threshold": 0.9}


def test_insert_then_match_then_update(index, tmp_path):
    client = TestClient(create_app(index, log_path=tmp_path / "additions.jsonl"))
    assert client.post("/match", json={"record": _query(NEW)}).json() == {
        "decision": "new", "threshold": 0.9, "possible_from": 0.5, "candidates": []}
    added = client.post("/records", json={"record": NEW}).json()
    # Nobody matched: the first customer the service creates.
    assert added == {"source": "web", "record_id": "w1", "customer_id": "N0000001",
                     "status": "added", "customer": "new", "decision": "new"}
    body = client.post("/match", json={"record": _query(NEW)}).json()
    assert body["decision"] == "same"
    assert [c["customer_id"] for c in body["candidates"]] == ["N0000001"]
    # (the query gave no source: no source evidence, neither "another source" nor the same)
    assert body["candidates"][0]["evidence"] == {
        "last_name": "exact", "first_name": "exact", "email": "exact", "phone": "exact_mobile",
        "postcode_city": "postcode"}
    # asked as coming from the web, it is the same source as w1
    from_web = client.post("/match", json={"record": _query(NEW) | {"source": "web"}}).json()
    assert from_web["candidates"][0]["evidence"]["source"] == "same_source"
    # The same customer typed again under another id of the web source joins N0000001.
    again = client.post("/records", json={"record": NEW | {"record_id": "w2"}}).json()
    assert (again["customer_id"], again["customer"], again["decision"]) == (
        "N0000001", "matched", "same")
    # An update of w1 (new e-mail, new phone) keeps its customer; the old e-mail now finds
    # only w2, the new one only w1.
    moved = NEW | {"email": "e.quintavalle@exemple.org", "phone": "07 11 22 33 44"}
    updated = client.post("/records", json={"record": moved}).json()
    assert (updated["status"], updated["customer"], updated["customer_id"]) == (
        "updated", "kept", "N0000001")
    assert client.get("/health").json()["records"] == 1502   # 1,500 + w1 + w2 (w1 replaced)
    found = index.match_detail({"email": "e.quintavalle@exemple.org"}, top=5)
    assert [r["customer_id"] for r in found] == ["N0000001"]
    assert [len(AdditionLog(tmp_path / "additions.jsonl").entries())] == [3]
    # A given customer id is kept as given.
    given = client.post("/records", json={"record": NEW | {"record_id": "w3"},
                                          "customer_id": "C0000003"}).json()
    assert (given["customer_id"], given["customer"]) == ("C0000003", "given")


def test_batch_path_sees_the_additions_too(index):
    index.add(NEW, "N0000001")
    fast = index.match(_query(NEW))
    slow = index.match(_query(NEW), fast=False)
    assert fast["customer_id"].tolist() == slow["customer_id"].tolist() == ["N0000001"]
    np.testing.assert_allclose(fast["match_probability"].to_numpy(dtype=float),
                               slow["match_probability"].to_numpy(dtype=float), atol=1e-12)


def test_token_required_when_set(index):
    client = TestClient(create_app(index, token="s3cret"))
    request = {"record": {"last_name": "Dupont"}}
    assert client.post("/match", json=request).status_code == 401
    refused = client.post("/match", json=request, headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert "RCU_API_TOKEN" in refused.json()["detail"]
    assert client.post("/records", json={"record": NEW}).status_code == 401
    assert client.post("/match", json=request,
                       headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/health").status_code == 200          # health stays open


def test_bad_input_is_422_naming_the_field(index):
    client = TestClient(create_app(index))
    bad_json = client.post("/match", content=b'{"record": {', headers={
        "content-type": "application/json"})
    assert bad_json.status_code == 422 and bad_json.json()["detail"][0]["type"] == "json_invalid"
    wrong = client.post("/match", json={"record": {"phone": 612345678}, "top": 0}).json()
    assert [(e["loc"], e["type"]) for e in wrong["detail"]] == [
        (["body", "record", "phone"], "string_type"), (["body", "top"], "greater_than_equal")]
    assert client.post("/match", json={"record": {}}).json()["detail"][0]["type"] == \
        "empty_record"
    assert client.post("/match", json={"last_name": "Dupont"}).status_code == 422  # no "record"
    missing = client.post("/records", json={"record": {"last_name": "Dupont"}}).json()
    assert "source and record_id required" in missing["detail"][0]["msg"]


def test_unknown_attributes_are_listed_with_close_names(index):
    client = TestClient(create_app(index))
    answer = client.post("/match", json={"record": {"nom": "Dupont", "prenom": "Jean",
                                                    "emial": "jd@free.fr", "couleur": "bleu"}})
    assert answer.status_code == 422
    error = answer.json()["detail"][0]
    assert error["loc"] == ["body", "record"] and error["type"] == "unknown_attribute"
    # French column names by the mapping's synonyms, a typo by spelling, nothing for "couleur".
    assert error["ctx"]["suggestions"] == {"nom": "last_name", "prenom": "first_name",
                                           "emial": "email"}
    assert error["ctx"]["unknown"] == ["nom", "prenom", "emial", "couleur"]
    assert "last_name" in error["ctx"]["known"] and "'nom' (did you mean 'last_name'?)" in \
        error["msg"]


def test_oversized_body_is_413(index):
    client = TestClient(create_app(index, max_body_bytes=200))
    assert client.post("/match", json={"record": {"last_name": "x" * 300}}).status_code == 413
    assert client.post("/match", json={"record": {"last_name": "Dupont"}}).status_code == 200
    # Without a Content-Length (a streamed body), the bytes are counted.
    chunks = iter([b'{"record": {"last_name": "', b"x" * 300, b'"}}'])
    assert client.post("/match", content=chunks, headers={
        "content-type": "application/json"}).status_code == 413


def test_restart_replays_the_persisted_additions(saved, tmp_path):
    log = tmp_path / "additions.jsonl"
    first = TestClient(create_app(ReferenceIndex.load(saved), log_path=log))
    assert first.post("/records", json={"record": NEW}).json()["customer_id"] == "N0000001"
    other = {"source": "web", "record_id": "w9", "last_name": "Ozanam", "first_name": "Bertille",
             "email": "bertille.ozanam@exemple.fr"}
    assert first.post("/records", json={"record": other}).json()["customer_id"] == "N0000002"
    moved = NEW | {"email": "e.quintavalle@exemple.org"}
    assert first.post("/records", json={"record": moved}).json()["status"] == "updated"
    # A new process: the saved reference and the log, nothing else.
    second = TestClient(create_app(ReferenceIndex.load(saved), log_path=log))
    assert second.get("/health").json()["records"] == 1502 and \
        second.get("/health").json()["added"] == 3
    for record, customer in ((moved, "N0000001"), (other, "N0000002")):
        body = second.post("/match", json={"record": _query(record)}).json()
        assert body["decision"] == "same" and body["candidates"][0]["customer_id"] == customer
    # The replaced version is gone after the restart too.
    gone = second.post("/match", json={"record": {"email": NEW["email"]}}).json()
    assert gone["candidates"] == []
    # Customer numbering goes on after the replay.
    third = {"source": "web", "record_id": "w10", "last_name": "Vaugelas", "first_name": "Aymar",
             "email": "aymar.vaugelas@exemple.fr"}
    assert second.post("/records", json={"record": third}).json()["customer_id"] == "N0000003"


def test_log_cut_short_or_damaged(saved, tmp_path):
    log = tmp_path / "additions.jsonl"
    entry = {"record": NEW, "customer_id": "N0000001", "status": "added", "customer": "new"}
    # A crash while writing the last line: that addition was never acknowledged; skipped.
    log.write_text(json.dumps(entry) + "\n" + '{"record": {"sou', encoding="utf-8")
    client = TestClient(create_app(ReferenceIndex.load(saved), log_path=log))
    assert client.get("/health").json()["added"] == 1
    # The next addition starts on a line of its own.
    client.post("/records", json={"record": NEW | {"record_id": "w2"}})
    assert len(AdditionLog(log).entries()) == 2
    log.write_text("not json\n" + json.dumps(entry) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="additions.jsonl: line 1 is not an addition"):
        create_app(ReferenceIndex.load(saved), log_path=log)


def test_logs_hold_no_record_value(index, caplog):
    client = TestClient(create_app(index))
    with caplog.at_level(logging.INFO, logger="rcu_kit.service"):
        client.post("/match", json={"record": _query(NEW)})
        client.post("/records", json={"record": NEW})
        client.post("/match", json={"record": {"nom": NEW["last_name"]}})
    text = caplog.text
    assert "match: new, 0 candidate(s)" in text and "records: added, customer new" in text
    for value in NEW.values():
        assert value not in text


def test_a_failure_is_500_and_its_text_stays_out_of_the_logs(index, monkeypatch, caplog):
    def failing(record, **kw):
        raise ValueError(f"cannot read {record['email']}")   # a message quoting a value

    client = TestClient(create_app(index))      # (its warm-up matches before the failure)
    monkeypatch.setattr(index, "match_detail", failing)
    with caplog.at_level(logging.DEBUG):
        answer = client.post("/match", json={"record": {"email": NEW["email"]}})
    assert answer.status_code == 500 and NEW["email"] not in answer.text
    assert "POST /match failed: ValueError" in caplog.text and NEW["email"] not in caplog.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_server_on_loopback(index, known):
    import uvicorn

    record, customer = known
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(index, token="t"), host="127.0.0.1",
                                           port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10,
                          headers={"Authorization": "Bearer t"}) as client:
            body = client.post("/match", json={"record": record}).json()
            assert body["candidates"][0]["customer_id"] == customer
            schema = client.get("/openapi.json").json()
            assert {"/match", "/records", "/health"} <= set(schema["paths"])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_serve_command_wires_the_engagement(demo_engagement, saved, monkeypatch, capsys):
    import shutil

    import uvicorn

    from rcu_kit.cli import main
    from rcu_kit.golden.preventive import reference_index_path
    from rcu_kit.golden.service import additions_log_path

    engagement = load_engagement(demo_engagement)
    shutil.copy(saved, reference_index_path(engagement))
    additions_log_path(engagement).unlink(missing_ok=True)
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    monkeypatch.setenv("RCU_API_TOKEN", "from-env")
    # The serving process freezes its heap once the app is ready (not this test process).
    frozen = []
    monkeypatch.setattr(service, "freeze_heap", lambda: frozen.append(1))
    assert main(["serve", str(demo_engagement), "--port", "8123"]) == 0
    assert frozen == [1]
    assert (served["host"], served["port"], served["access_log"]) == ("127.0.0.1", 8123, False)
    assert "http://127.0.0.1:8123 with a token (RCU_API_TOKEN)" in capsys.readouterr().out
    client = TestClient(served["app"])
    assert client.post("/records", json={"record": NEW}).status_code == 401
    added = client.post("/records", json={"record": NEW},
                        headers={"Authorization": "Bearer from-env"}).json()
    assert added["customer_id"] == "N0000001"
    # The addition went to the engagement's log.
    assert [e["record"]["record_id"] for e in
            AdditionLog(additions_log_path(engagement)).entries()] == ["w1"]
    additions_log_path(engagement).unlink()


def test_two_workers_share_the_log(saved, tmp_path):
    # Two processes of `rcu-kit serve --workers 2`: two indexes loaded from the same file, one
    # log. Each reads what the other appended before it answers.
    log = tmp_path / "additions.jsonl"
    a = TestClient(create_app(ReferenceIndex.load(saved), log_path=log))
    b = TestClient(create_app(ReferenceIndex.load(saved), log_path=log))
    assert a.post("/records", json={"record": NEW}).json()["customer_id"] == "N0000001"
    # Inserted through A, found through B (B's index had never seen it).
    body = b.post("/match", json={"record": _query(NEW)}).json()
    assert body["decision"] == "same" and [c["customer_id"] for c in body["candidates"]] == \
        ["N0000001"]
    # B numbers its new customers after A's: N0000002, not a second N0000001.
    other = {"source": "web", "record_id": "w9", "last_name": "Ozanam", "first_name": "Bertille",
             "email": "bertille.ozanam@exemple.fr"}
    assert b.post("/records", json={"record": other}).json()["customer_id"] == "N0000002"
    # B updates the record A added: it keeps its customer, and A no longer finds the old e-mail.
    moved = NEW | {"email": "e.quintavalle@exemple.org"}
    updated = b.post("/records", json={"record": moved}).json()
    assert (updated["status"], updated["customer"], updated["customer_id"]) == (
        "updated", "kept", "N0000001")
    assert a.post("/match", json={"record": {"email": NEW["email"]}}).json()["candidates"] == []
    assert [c["customer_id"] for c in a.post("/match", json={
        "record": {"email": moved["email"]}}).json()["candidates"]] == ["N0000001"]
    # Both count 1,500 + 3 additions, 1,502 records findable (NEW's first version replaced).
    assert a.get("/health").json() == b.get("/health").json() == {
        "status": "ok", "records": 1502, "added": 3, "threshold": 0.9}
    assert len(AdditionLog(log).entries()) == 3


def test_the_log_reads_whole_lines_and_refuses_an_append_out_of_turn(tmp_path):
    path = tmp_path / "additions.jsonl"
    entry = {"record": NEW, "customer_id": "N0000001", "status": "added", "customer": "new"}
    writer, reader = AdditionLog(path), AdditionLog(path)
    with writer.locked():
        writer.append(entry)
    # Another process half-way through writing its line: only the whole line is read.
    line = json.dumps(entry).encode("utf-8")
    with path.open("ab") as fh:
        fh.write(line[:20])
    assert [e["customer_id"] for e in reader.read_new()] == ["N0000001"]
    assert reader.unfinished_bytes() == 20
    with path.open("ab") as fh:
        fh.write(line[20:] + b"\n")
    assert len(reader.read_new()) == 1 and reader.read_new() == []
    # The writer has not read that line: appending now would number customers wrongly.
    with pytest.raises(RuntimeError, match="not read before appending"):
        with writer.locked():
            writer.append(entry)
    writer.close()
    reader.close()


def test_a_reserved_customer_id_is_refused_until_the_service_gives_it(index, tmp_path):
    client = TestClient(create_app(index, log_path=tmp_path / "additions.jsonl"))
    # N0000001 is the id of the first customer the service will create: refused, logged nothing.
    answer = client.post("/records", json={"record": NEW, "customer_id": "N0000001"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert "N0000001 is not one yet" in answer.json()["detail"][0]["msg"]
    assert AdditionLog(tmp_path / "additions.jsonl").entries() == []
    assert client.post("/records", json={"record": NEW}).json()["customer_id"] == "N0000001"
    # Once given by the service, a record can join that customer by its id.
    joined = client.post("/records", json={"record": NEW | {"record_id": "crm-7"},
                                           "customer_id": "N0000001"}).json()
    assert (joined["customer_id"], joined["customer"]) == ("N0000001", "given")
    assert client.post("/records", json={"record": NEW | {"record_id": "crm-8"},
                                         "customer_id": "N0000002"}).status_code == 422


def _wait_up(port: int, process) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"no server on port {port}")


def test_worker_processes_see_each_others_inserts(demo_engagement, saved):
    # Two real uvicorn processes built by worker_app (what `rcu-kit serve --workers 2` starts),
    # each on a port of its own so that the test chooses which one answers.
    import os
    import shutil
    import subprocess
    import sys

    from rcu_kit.golden.preventive import reference_index_path
    from rcu_kit.golden.service import ENGAGEMENT_VARIABLE, additions_log_path

    engagement = load_engagement(demo_engagement)
    shutil.copy(saved, reference_index_path(engagement))
    shutil.copy(str(saved) + ".json", str(reference_index_path(engagement)) + ".json")
    additions_log_path(engagement).unlink(missing_ok=True)
    env = os.environ | {ENGAGEMENT_VARIABLE: str(demo_engagement), "RCU_API_TOKEN": "t"}
    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory",
                                 "rcu_kit.golden.service:worker_app", "--port", str(port),
                                 "--log-level", "warning"], env=env) for port in ports]
    try:
        for port, server in zip(ports, servers):
            _wait_up(port, server)
        a, b = (httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                             headers={"Authorization": "Bearer t"}) for port in ports)
        with a, b:
            assert a.post("/records", json={"record": NEW}).json()["customer_id"] == "N0000001"
            body = b.post("/match", json={"record": _query(NEW)}).json()
            assert [c["customer_id"] for c in body["candidates"]] == ["N0000001"]
            other = {"source": "web", "record_id": "w9", "last_name": "Ozanam",
                     "first_name": "Bertille", "email": "bertille.ozanam@exemple.fr"}
            assert b.post("/records", json={"record": other}).json()["customer_id"] == \
                "N0000002"
            assert a.get("/health").json()["added"] == 2
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        additions_log_path(engagement).unlink(missing_ok=True)


def test_serve_command_starts_workers(demo_engagement, saved, monkeypatch, capsys):
    import os
    import shutil

    import uvicorn

    from rcu_kit.cli import main
    from rcu_kit.golden.preventive import reference_index_path
    from rcu_kit.golden.service import ENGAGEMENT_VARIABLE

    engagement = load_engagement(demo_engagement)
    shutil.copy(saved, reference_index_path(engagement))
    shutil.copy(str(saved) + ".json", str(reference_index_path(engagement)) + ".json")
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    monkeypatch.delenv(ENGAGEMENT_VARIABLE, raising=False)
    assert main(["serve", str(demo_engagement), "--workers", "2"]) == 0
    assert served["app"] == "rcu_kit.golden.service:worker_app"
    assert (served["workers"], served["factory"]) == (2, True)
    assert os.environ[ENGAGEMENT_VARIABLE] == str(demo_engagement.resolve())
    assert "2 worker processes" in capsys.readouterr().out
    monkeypatch.delenv(ENGAGEMENT_VARIABLE)
    assert main(["serve", str(demo_engagement), "--workers", "0"]) == 2


def test_the_app_warms_the_match_up_before_its_first_request(index, monkeypatch):
    # create_app runs the match once on every path (ReferenceIndex.warm_up_matching) so that
    # the first clients do not wait for the first match's set-up (about 200 ms at 1M records).
    calls = []
    monkeypatch.setattr(ReferenceIndex, "warm_up_matching", lambda self: calls.append(self))
    create_app(index)
    assert calls == [index]


def test_freeze_heap_keeps_the_live_objects_out_of_collections(tmp_path):
    # In a process of its own (a frozen heap stays frozen): 50,000 lists alive when the heap is
    # frozen are no longer walked by a full collection, and garbage made afterwards (a cycle,
    # as a request leaves) is still collected.
    import subprocess
    import sys

    script = (
        "import gc, json, weakref\n"
        "from rcu_kit.golden.service import freeze_heap\n"
        "kept = [[i] for i in range(50_000)]\n"
        "freeze_heap()\n"
        "frozen, walked = gc.get_freeze_count(), len(gc.get_objects(generation=2))\n"
        "class Cycle: pass\n"
        "c = Cycle(); c.me = c; alive = weakref.ref(c); del c\n"
        "gc.collect()\n"
        "print(json.dumps({'frozen': frozen, 'walked': walked, 'cycle_freed': alive() is None}))\n")
    out = json.loads(subprocess.run([sys.executable, "-c", script], check=True,
                                    capture_output=True, text=True).stdout)
    # At least the 50,000 lists and the outer list are frozen; nothing old is left to walk
    # (the few objects gc.get_objects itself makes are all it finds); the cycle is freed.
    assert out["frozen"] >= 50_001
    assert out["walked"] < 100
    assert out["cycle_freed"] is True
