"""What the routes share: the service, the server signer and the limits, on app.state."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from mandat.api.egress import EgressPolicy
from mandat.api.security import Signer
from mandat.service.app import Mandat


@dataclass(frozen=True)
class ApiState:
    service: Mandat
    signer: Signer
    public_url: str | None  # base of buyer links; None: the request's own base URL
    max_body: int
    max_batch: int
    egress: EgressPolicy = field(default_factory=EgressPolicy.from_env)  # where webhooks may point
    sync_wait: float = 2.0  # seconds POST /v1/events waits for an event another worker is issuing


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.mandat
    return state
