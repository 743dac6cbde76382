"""Locust's people for `./scripts/bench load` (run by safepassage/bench/load.py, in a process of its own).

Each simulated person signs in on the sign-in page with their password and the code their authenticator app
would show, behind the proxy as nginx sends requests on (X-Forwarded-Proto: https), then works: volunteers
open their village lists and save assessments, caseworkers open cases and add steps of the journey,
coordinators search people and read alerts, analysts read reports. They pause 1-4 s between actions, as
people reading a page do. BENCH_LOAD_ACCOUNTS names the file of accounts load.py wrote."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import struct
import time
from datetime import date
from typing import Any

from locust import HttpUser, between, task

with open(os.environ["BENCH_LOAD_ACCOUNTS"], encoding="utf-8") as _handle:
    DATA: dict[str, Any] = json.load(_handle)
POOLS: dict[str, list[dict[str, Any]]] = {role: list(items) for role, items in DATA["accounts"].items()}
SCORES = ["HLT-ILL", "EDU-SCHOOL", "BMN-INCOME", "BMN-DEBT", "SOC-DOCS", "MIG-INTENT", "MIG-RECRUIT"]


def totp(hex_key: str, at: float | None = None) -> str:
    """RFC 6238: the six digits an authenticator app shows (30-second steps, HMAC-SHA1)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.account = POOLS[self.role].pop()
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"203.0.113.{random.randint(1, 254)}",
                "Origin": str(self.host).replace("http://", "https://"),
                # nginx (deploy/nginx-safepassage.conf) opens a connection to gunicorn for each request
                "Connection": "close",
            }
        )
        self.sign_in()

    def keep_cookies(self) -> None:
        """The cookies are Secure (HTTPS=true) and the hop from the proxy is plain HTTP on this machine, as
        from nginx: keep sending them, as the browser does over its HTTPS connection to nginx."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def post_form(self, path: str, name: str, fields: dict[str, Any]) -> None:
        """Send a form as the browser does: a redirect (303/302) is success, the page again means refused."""
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": self.csrf(), **fields},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                response.failure(f"{response.status_code}: not saved")
        self.keep_cookies()

    def sign_in(self) -> None:
        self.get("/accounts/login/", "sign in (page)")
        self.post_form(
            "/accounts/login/",
            "sign in (password)",
            {"username": self.account["username"], "password": self.account["password"]},
        )
        self.get("/accounts/second-factor/", "sign in (code page)")
        self.post_form("/accounts/second-factor/", "sign in (code)", {"code": totp(self.account["totp_key"])})

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
        self.keep_cookies()

    @task(1)
    def home(self) -> None:
        self.get("/", "home")


class Volunteer(Person):
    role = "volunteer"
    weight = 10

    @task(3)
    def village_list(self) -> None:
        self.get("/risk/villages/", "village list")
        self.get(f"/risk/villages/{random.choice(self.account['villages'])}/", "village (who to visit)")

    @task(4)
    def assess(self) -> None:
        person = random.choice(self.account["people"])
        self.get(f"/risk/people/{person}/assess/", "assessment form")
        answers = {f"score_{code}": random.randint(1, 3) for code in random.sample(SCORES, 5)}
        self.post_form(
            f"/risk/people/{person}/assess/",
            "assessment save",
            {"assessed_on": date.today().isoformat(), "source": "visit", **answers},
        )


class Caseworker(Person):
    role = "caseworker"
    weight = 5

    @task(2)
    def cases(self) -> None:
        self.get("/cases/", "case list")

    @task(4)
    def case(self) -> None:
        self.get(f"/cases/{random.choice(DATA['cases'])}/", "case")

    @task(2)
    def add_event(self) -> None:
        case = random.choice(DATA["cases"])
        self.get(f"/cases/{case}/add/event/", "journey step form")
        self.post_form(
            f"/cases/{case}/add/event/",
            "journey step save",
            {
                "kind": random.choice(["recruitment", "transit", "exploitation"]),
                "occurred_on": date.today().isoformat(),
                "country": "TH",
                "place": "bus station",
                "notes": "told by the person at the second meeting",
            },
        )


class Coordinator(Person):
    role = "coordinator"
    weight = 3

    @task(4)
    def search(self) -> None:
        name = random.choice(DATA["names"])
        self.get(f"/risk/people/?q={name[: random.randint(3, max(3, len(name)))]}", "people search")

    @task(2)
    def alerts(self) -> None:
        self.get("/risk/alerts/", "alert list")

    @task(2)
    def alert(self) -> None:
        self.get(f"/risk/alerts/{random.choice(DATA['alerts'])}/", "alert")


class Analyst(Person):
    role = "analyst"
    weight = 2

    @task(3)
    def report(self) -> None:
        self.get("/reports/risk/", "risk report")

    @task(2)
    def report_by(self) -> None:
        by = random.choice(["district", "subdistrict", "district,sex", "age_band"])
        self.get(f"/reports/risk/?by={by}", "risk report (grouped)")

    @task(1)
    def priorities(self) -> None:
        self.get("/reports/priorities/", "where to act")
