"""Two installations — two data dirs, two databases, two gunicorn servers with TLS from a local test CA
(trustme) — exchange a repatriation packet both ways: over HTTPS (a child's, on the best-interests decision)
and as a file (an adult's, on their consent), each with a coordinator's approval, the signed receipt, the
acceptance into a real case and a follow-up reported back. Every field that arrives is one the receiving
profile allows, with the sender's value; tampered, replayed, expired and unknown-peer messages are refused.

The two databases start from one migrated copy (migrating takes most of the test's time), so they share the
at-rest encryption keys of the test run; their exchange keys are each their own."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import trustme
from joserfc import jwe, jwk, jws

from safepassage.exchange import packet

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Installation:
    def __init__(self, name: str, folder: Path, ca: Path) -> None:
        self.name = name
        self.folder = folder
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.ca = ca
        self.info: dict[str, Any] = {}
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "EXCHANGE_", "PYTEST", "DJANGO_SETTINGS"))
        }
        self.env.update(
            DATA_DIR=str(folder),
            EXCHANGE_CA_FILE=str(ca),
            EXCHANGE_NAME=name,
            PYTHONPATH=str(ROOT),
            DJANGO_SETTINGS_MODULE="safepassage.settings",
        )
        self.server: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
        return done.stdout

    def step(self, step: str, **args: Any) -> dict[str, Any]:
        out = self.run("tests/exchange/installation.py", step, json.dumps(args))
        return dict(json.loads(out.strip().splitlines()[-1]))

    def manage(self, *args: str) -> str:
        return self.run("manage.py", *args)

    def serve(self, cert: Path, key: Path) -> None:
        log = (self.folder.parent / f"{self.name}.log").open("w")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "safepassage.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--certfile",
                str(cert),
                "--keyfile",
                str(key),
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{self.url}/healthz", verify=str(self.ca), timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            assert self.server is not None and self.server.poll() is None, self.log()
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.3)

    def log(self) -> str:
        return (self.folder.parent / f"{self.name}.log").read_text()[-3000:]

    def api(self, method: str, path: str, role: str, body: Any = None) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.info['tokens'][role]}"},
            verify=str(self.ca),
            timeout=60,
        )

    def inbox(self, token: str) -> requests.Response:
        return requests.post(
            f"{self.url}/api/v1/exchange/inbox",
            data=token,
            headers={"Content-Type": "application/jose"},
            verify=str(self.ca),
            timeout=60,
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)


@pytest.fixture
def installations(tmp_path: Path) -> Iterator[tuple[Installation, Installation]]:
    authority = trustme.CA()
    ca = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca))
    issued = authority.issue_cert("127.0.0.1", "localhost")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    template = tmp_path / "template"
    template.mkdir(mode=0o700)
    a = Installation("Thailand", tmp_path / "a", ca)
    a.env["DATA_DIR"] = str(template)
    a.manage("migrate", "-v0")
    for folder in (a.folder, tmp_path / "b"):
        shutil.copytree(template, folder)
    a.env["DATA_DIR"] = str(a.folder)
    b = Installation("Myanmar", tmp_path / "b", ca)
    a.info = a.step(
        "setup",
        code="th-dsdw",
        name="Chiang Mai DSDW",
        country="TH",
        to="MM",
        birth_year=2012,
        given_name="Mya",
    )
    b.info = b.step(
        "setup", code="mm-dsw", name="Yangon DSW", country="MM", to="TH", birth_year=1994, given_name="Noi"
    )
    try:
        for side in (a, b):
            side.serve(cert, key)
        for side in (a, b):
            side.wait()
        yield a, b
    finally:
        for side in (a, b):
            side.stop()


def _register(here: Installation, there: Installation, *, address: bool) -> int:
    """A coordinator of `here` registers `there` by its public keys; the fingerprint matches its own."""
    answer = here.api(
        "POST",
        "/exchange/peers",
        "coordinator",
        {
            "name": there.name,
            "country": "MM" if there.name == "Myanmar" else "TH",
            "address": there.url if address else "",
            "signing_key": there.info["public"]["signing_key"],
            "encryption_key": there.info["public"]["encryption_key"],
            "receiving_agency_id": here.info["agency_id"],
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["key_id"] == there.info["key_id"]  # what is read out over the phone
    return int(answer.json()["id"])


def _arrived_as_allowed(sent: dict[str, Any], received: dict[str, Any], basis: str) -> None:
    allowed = packet.allowed_fields(packet.parts_for("origin_agency", basis=basis, covers=[]))
    assert set(received) <= allowed, set(received) - allowed
    for name in ("address", "health", "immigration_status", "journey", "perpetrators"):
        assert name not in received  # outside the profile: never sent
    for name, value in received.items():
        assert sent[name] == value, name
    assert set(sent) == set(received)


def _seal(claims: dict[str, Any], signer: jwk.ECKey, kid: str, to: dict[str, Any]) -> str:
    signed = jws.serialize_compact({"alg": "ES256", "kid": kid}, json.dumps(claims), signer)
    recipient = jwk.import_key(to, "EC")
    return str(jwe.encrypt_compact({"alg": "ECDH-ES+A256KW", "enc": "A256GCM"}, signed.encode(), recipient))


def test_two_installations_exchange_repatriation_packets_over_https_and_as_files(installations, tmp_path):
    a, b = installations
    peer_b_on_a = _register(a, b, address=True)
    peer_a_on_b = _register(b, a, address=True)

    # 1. Over HTTPS: Thailand sends a child's return to Myanmar, on the best-interests decision.
    asked = a.api(
        "POST",
        "/exchange/transfers",
        "caseworker",
        {
            "case_id": a.info["case_id"],
            "peer_id": peer_b_on_a,
            "kind": "repatriation",
            "basis": "best_interests",
            "repatriation_id": a.info["repatriation_id"],
        },
    )
    assert asked.status_code == 201, asked.text
    sent_id = asked.json()["id"]
    assert a.api("POST", f"/exchange/transfers/{sent_id}/approve", "caseworker").status_code == 404
    approved = a.api("POST", f"/exchange/transfers/{sent_id}/approve", "coordinator")
    assert approved.json()["status"] == "waiting"
    assert "delivered 1" in a.manage("exchange", "send")
    sent = a.api("GET", f"/exchange/transfers/{sent_id}", "caseworker").json()
    assert sent["status"] == "received"  # B's signed receipt came back

    inbox_b = b.api("GET", "/exchange/transfers", "coordinator").json()
    assert [(t["side"], t["status"]) for t in inbox_b] == [("received", "received")]
    received = b.api("GET", f"/exchange/transfers/{inbox_b[0]['id']}", "coordinator").json()
    _arrived_as_allowed(sent["packet"], received["packet"], "best_interests")
    assert received["packet"]["given_name"] == "Mya" and received["packet"]["child"] is True
    accepted = b.api(
        "POST",
        f"/exchange/transfers/{received['id']}/accept",
        "coordinator",
        {"village_code": b.info["village"]},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["case_id"]
    follow = b.api(
        "POST",
        f"/exchange/transfers/{received['id']}/follow-ups",
        "caseworker",
        {"done_on": time.strftime("%Y-%m-%d"), "wellbeing": "good", "summary": "Back with her grandmother."},
    )
    assert follow.status_code == 201, follow.text
    assert "delivered 2" in b.manage("exchange", "send")  # the answer, then the follow-up
    sent = a.api("GET", f"/exchange/transfers/{sent_id}", "caseworker").json()
    assert sent["status"] == "accepted" and sent["remote_reference"]
    state_a = a.step("state", case_id=a.info["case_id"])
    assert state_a["repatriation"][0] == "acknowledged" and "Myanmar" in state_a["repatriation"][1]
    assert state_a["follow_ups"] == [["report_back", "good", "Back with her grandmother.", "Myanmar"]]

    # 2. As a file: Myanmar sends an adult's return to Thailand, on her consent.
    asked = b.api(
        "POST",
        "/exchange/transfers",
        "caseworker",
        {
            "case_id": b.info["case_id"],
            "peer_id": peer_a_on_b,
            "kind": "repatriation",
            "basis": "consent",
            "repatriation_id": b.info["repatriation_id"],
        },
    )
    assert asked.status_code == 201, asked.text
    back_id = asked.json()["id"]
    b.api("POST", f"/exchange/transfers/{back_id}/approve", "coordinator")
    carried, receipts = tmp_path / "to-thailand.jose", tmp_path / "receipts.jose"
    b.manage("exchange", "export", "--peer", str(peer_a_on_b), "--out", str(carried))
    a.manage("exchange", "import", str(carried), "--answer", str(receipts))
    b.manage("exchange", "import", str(receipts))
    back = b.api("GET", f"/exchange/transfers/{back_id}", "caseworker").json()
    assert back["status"] == "received"
    inbox_a = [
        t for t in a.api("GET", "/exchange/transfers", "coordinator").json() if t["side"] == "received"
    ]
    taken = a.api("GET", f"/exchange/transfers/{inbox_a[0]['id']}", "coordinator").json()
    _arrived_as_allowed(back["packet"], taken["packet"], "consent")
    accepted = a.api(
        "POST",
        f"/exchange/transfers/{taken['id']}/accept",
        "coordinator",
        {"village_code": a.info["village"]},
    )
    assert accepted.status_code == 200, accepted.text
    a.api(
        "POST",
        f"/exchange/transfers/{taken['id']}/follow-ups",
        "coordinator",
        {
            "done_on": time.strftime("%Y-%m-%d"),
            "wellbeing": "fair",
            "summary": "Looking for work.",
            "by": "DSDW",
        },
    )
    assert "delivered 2" in a.manage("exchange", "send")  # answered over HTTPS this time
    back = b.api("GET", f"/exchange/transfers/{back_id}", "caseworker").json()
    assert back["status"] == "accepted"
    state_b = b.step("state", case_id=b.info["case_id"])
    assert state_b["repatriation"][0] == "acknowledged"
    assert state_b["follow_ups"] == [["report_back", "fair", "Looking for work.", "Thailand: DSDW"]]

    # 3. Refused at Thailand's inbox: a replay, a tampered message, an unknown sender, an expired one.
    line = carried.read_text().splitlines()[0]
    replay = a.inbox(line)
    assert replay.status_code == 409 and replay.json()["reason"] == "replayed"
    tampered = line[:-20] + ("A" if line[-20] != "A" else "B") + line[-19:]
    assert a.inbox(tampered).json()["reason"] == "not_decrypting"
    stranger = jwk.ECKey.generate_key("P-256", private=True)
    now = int(time.time())
    claims = {
        "iss": stranger.thumbprint(),
        "aud": a.info["key_id"],
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "typ": "packet",
        "transfer": str(uuid.uuid4()),
        "body": {},
    }
    unknown = a.inbox(_seal(claims, stranger, stranger.thumbprint(), a.info["public"]["encryption_key"]))
    assert unknown.status_code == 400 and unknown.json()["reason"] == "unknown_peer"
    b_keys = json.loads((b.folder / "exchange_keys.json").read_text())
    b_signing = jwk.import_key(b_keys["signing"], "EC")
    old = {**claims, "iss": b.info["key_id"], "jti": str(uuid.uuid4()), "iat": now - 900, "exp": now - 300}
    expired = a.inbox(_seal(old, b_signing, b.info["key_id"], a.info["public"]["encryption_key"]))
    assert expired.status_code == 400 and expired.json()["reason"] == "expired"
    state_a = a.step("state", case_id=a.info["case_id"])
    assert state_a["refused"] == ["replayed", "not_decrypting", "unknown_peer", "expired"], state_a
    assert state_b["refused"] == [], state_b
    assert [t[:2] for t in state_a["transfers"]] == [["sent", "accepted"], ["received", "accepted"]]
    for action in ("exchange.message.receive", "exchange.transfer.accept", "exchange.message.deliver"):
        assert action in state_a["actions"] and action in state_b["actions"]
