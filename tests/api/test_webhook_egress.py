"""Issue 11: webhook URLs to loopback, link-local, private or metadata addresses are refused unless
the operator allows the host, at registration and again on every delivery (DNS rebinding).

No test resolves a name on the internet: names go through a table (`Names`), and only IP literals
and `localhost` reach the system resolver, which answers them without the network.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mandat.api.app import create_app
from mandat.api.auth import create_key
from mandat.api.egress import ALLOW_HOSTS_ENV, EgressPolicy, address_problem, guarded_client, resolve
from mandat.api.webhooks import Dispatcher
from mandat.service.app import Mandat
from mandat.store.schema import webhooks
from tests.api.conftest import SECRET, SELLER_A, Api
from tests.api.test_webhooks import Receiver, deliveries, receiver  # noqa: F401  (fixture)

PUBLIC = "93.184.215.14"  # a public unicast address; never connected to in these tests


class Names:
    """A resolver over a table that the test can change between calls (that is DNS rebinding)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host in self.table:
            return self.table[host]
        if host == "localhost" or _is_ip(host):
            return resolve(host, port)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def _is_ip(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True


@pytest.fixture
def names() -> Names:
    return Names({"hooks.example": [PUBLIC], "half.example": [PUBLIC, "10.1.2.3"], "meta.example": ["169.254.169.254"]})


@pytest.fixture
def ops(service: Mandat, names: Names) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An API with the default policy (no allow-list), over the name table."""
    token = create_key(service, "ops", "operator", None)[1]
    app = create_app(service, secret=SECRET, egress=EgressPolicy.parse([], resolver=names))
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def stored_hooks(service: Mandat) -> int:
    with service.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(webhooks)).scalar_one())


REFUSED = [
    "https://127.0.0.1/hook",
    "https://127.8.9.10/hook",
    "https://localhost/hook",
    "https://[::1]/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fe80::1]/hook",
    "https://10.0.0.5/hook",
    "https://172.16.3.4/hook",
    "https://172.31.255.255/hook",
    "https://192.168.1.1/hook",
    "https://[fc00::1]/hook",
    "https://[fd12:3456::1]/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://[ff02::1]/hook",
    "https://100.64.0.1/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    "https://[::ffff:a9fe:a9fe]/hook",  # IPv4-mapped metadata address
    "https://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://2130706433/hook",  # 127.0.0.1 written as one number
    "https://0x7f.1/hook",  # 127.0.0.1 in hex-dotted form
    "https://meta.example/hook",  # a name that resolves to the metadata address
    "https://half.example/hook",  # one public address and one private: refused
    "https://nowhere.example/hook",  # does not resolve
    "http://hooks.example/hook",  # public, but not https
]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_webhook_urls_are_refused_at_registration(
    ops: tuple[TestClient, dict[str, str]], service: Mandat, url: str
) -> None:
    client, h = ops
    r = client.post("/v1/webhooks", json={"url": url, "event_types": ["document.issued"]}, headers=h)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "/problems/validation"
    assert [e["pointer"] for e in problem["errors"]] == ["/url"]
    assert stored_hooks(service) == 0


def test_public_https_url_is_accepted_and_a_patch_is_checked_too(
    ops: tuple[TestClient, dict[str, str]], service: Mandat
) -> None:
    client, h = ops
    r = client.post(
        "/v1/webhooks", json={"url": "https://hooks.example/h", "event_types": ["document.issued"]}, headers=h
    )
    assert r.status_code == 201, r.text
    hook = r.json()
    moved = client.patch(f"/v1/webhooks/{hook['id']}", json={"url": "https://169.254.169.254/"}, headers=h)
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["pointer"] == "/url"
    assert client.get(f"/v1/webhooks/{hook['id']}", headers=h).json()["url"] == "https://hooks.example/h"
    assert stored_hooks(service) == 1


@pytest.mark.parametrize(
    ("allow", "url", "ok"),
    [
        ("127.0.0.1", "http://127.0.0.1:9/hook", True),
        ("127.0.0.1", "https://127.0.0.1/hook", True),
        ("127.0.0.1", "http://127.0.0.2/hook", False),
        ("127.0.0.1", "http://localhost/hook", False),  # a name is not its address
        ("localhost, 127.0.0.1", "http://LOCALHOST:8080/hook", True),
        ("::1", "http://[::1]:9/hook", True),
        ("10.20.0.0/16", "http://10.20.1.2/hook", True),
        ("10.20.0.0/16", "https://10.21.0.1/hook", False),
        ("", "http://127.0.0.1:9/hook", False),
        (" , ", "https://10.0.0.1/hook", False),
    ],
)
def test_operator_allow_list(service: Mandat, names: Names, allow: str, url: str, ok: bool) -> None:
    policy = EgressPolicy.from_env({ALLOW_HOSTS_ENV: allow})
    policy = EgressPolicy(policy.allow_hosts, policy.allow_networks, names)
    token = create_key(service, "ops", "operator", None)[1]
    client = TestClient(create_app(service, secret=SECRET, egress=policy))
    r = client.post(
        "/v1/webhooks",
        json={"url": url, "event_types": ["event.rejected"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == (201 if ok else 422), r.text


def test_allow_list_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1,Hooks.Internal.,10.0.0.0/8")
    policy = EgressPolicy.from_env()
    assert policy.explicitly_allowed("127.0.0.1")
    assert policy.explicitly_allowed("hooks.internal")
    assert policy.explicitly_allowed("10.9.8.7")
    assert not policy.explicitly_allowed("127.0.0.2")
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "10.0.0.0/33")
    with pytest.raises(ValueError, match=ALLOW_HOSTS_ENV):
        EgressPolicy.from_env()
    monkeypatch.delenv(ALLOW_HOSTS_ENV)
    assert EgressPolicy.from_env() == EgressPolicy()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("fd00:ec2::254", False),  # the IPv6 metadata address of EC2
        ("192.0.2.1", False),  # documentation
        ("255.255.255.255", False),
        ("240.0.0.1", False),
        ("::", False),
    ],
)
def test_address_classification(address: str, public: bool) -> None:
    import ipaddress

    assert (address_problem(ipaddress.ip_address(address)) is None) is public


def test_a_name_rebound_to_loopback_after_registration_is_not_delivered(
    api: Api,
    names: Names,
    receiver: Receiver,  # noqa: F811
) -> None:
    """Registered while the name pointed to a public address; at delivery it points to 127.0.0.1,
    where a receiver listens. The dispatcher refuses to connect and records why."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    names.table["rebind.example"] = [PUBLIC]
    policy = EgressPolicy.parse([], resolver=names)
    client = TestClient(create_app(api.service, secret=SECRET, egress=policy))
    url = f"https://rebind.example:{port}/hooks"
    r = client.post("/v1/webhooks", json={"url": url, "event_types": ["document.issued"]}, headers=api.h("operator"))
    assert r.status_code == 201, r.text
    hook: dict[str, Any] = r.json()
    api.issued(SELLER_A)
    names.table["rebind.example"] = ["127.0.0.1"]
    names.asked.clear()
    dispatcher = Dispatcher(api.service, backoff_base=0.0, max_attempts=2, policy=policy)
    try:
        assert dispatcher.run_once() == (1, 1)
    finally:
        dispatcher.close()
    assert "rebind.example" in names.asked  # looked up again at delivery, not trusted from registration
    assert receiver.received == []
    [d] = deliveries(api, hook["id"])
    assert d["status"] == "pending"
    assert d["attempt_log"][0]["status_code"] is None
    assert "127.0.0.1 is loopback" in (d["last_error"] or "")


def test_a_stored_http_url_to_a_host_no_longer_allowed_is_not_sent(api: Api, receiver: Receiver) -> None:  # noqa: F811
    """A URL registered under an allow-list that the operator later narrowed."""
    hook = api.client.post(
        "/v1/webhooks", json={"url": receiver.url, "event_types": ["document.issued"]}, headers=api.h("operator")
    ).json()
    api.issued(SELLER_A)
    dispatcher = Dispatcher(api.service, backoff_base=0.0, policy=EgressPolicy())
    try:
        dispatcher.run_once()
    finally:
        dispatcher.close()
    assert receiver.received == []
    [d] = deliveries(api, hook["id"])
    assert (d["last_error"] or "").startswith("refused: use https")


def test_the_connection_goes_to_the_checked_addresses_only(receiver: Receiver, names: Names) -> None:  # noqa: F811
    """The guarded client connects to what the policy resolved and accepted, and sends the URL's host."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    names.table["receiver.test"] = ["127.0.0.1"]
    allowed = EgressPolicy.parse(["127.0.0.0/8"], resolver=names)
    with guarded_client(allowed) as client:
        r = client.post(f"http://receiver.test:{port}/x", content=b'{"id": "probe"}')
    assert r.status_code == 200
    assert receiver.received[0].headers["Host"] == f"receiver.test:{port}"
    with (
        guarded_client(EgressPolicy.parse([], resolver=names)) as client,
        pytest.raises(httpx.ConnectError, match="loopback"),
    ):
        client.post(f"http://receiver.test:{port}/x", content=b'{"id": "probe"}')
    assert len(receiver.received) == 1
