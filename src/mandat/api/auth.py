"""API keys and roles: who may do what.

operator  everything
auditor   read-only, on everything
seller    bound to one seller: its own documents and series, nothing else. Another seller's ids
          answer 404 (as if absent), so a guessed id tells nothing about its existence.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mandat.api.problems import ApiError
from mandat.api.security import new_token, token_hash, token_id
from mandat.api.state import ApiState, get_state
from mandat.service.app import Mandat
from mandat.store import api_repository as arepo

Role = Literal["operator", "seller", "auditor"]
ROLES: tuple[Role, ...] = ("operator", "seller", "auditor")

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer mdt_...`")


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    seller_id: str | None

    def sees_seller(self, seller_id: str | None) -> bool:
        return self.role != "seller" or (seller_id is not None and seller_id == self.seller_id)


def _unauthenticated(detail: str) -> ApiError:
    return ApiError(401, "unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer realm="mandat"'})


def authenticate(state: ApiState, token: str) -> Principal | None:
    key_id = token_id(token)
    if key_id is None:
        return None
    with state.service.reader.connect() as conn:
        row = arepo.get_key(conn, key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, token_hash(token)):
        return None
    return Principal(row.id, row.role, row.seller_id)  # type: ignore[arg-type]


def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthenticated("send an API key: Authorization: Bearer mdt_...")
    found = authenticate(get_state(request), credentials.credentials)
    if found is None:
        raise _unauthenticated("unknown or revoked API key")
    return found


def require(*roles: Role) -> Callable[[Principal], Principal]:
    def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise ApiError(403, "forbidden", f"the {who.role} role may not do this")
        return who

    return check


Operator = Annotated[Principal, Depends(require("operator"))]
Reader = Annotated[Principal, Depends(require("operator", "auditor"))]
AnyRole = Annotated[Principal, Depends(require("operator", "auditor", "seller"))]


def create_key(service: Mandat, name: str, role: Role, seller_id: str | None) -> tuple[arepo.KeyRow, str]:
    """Create a key; (row, token). The token is never stored, only its sha256."""
    if role == "seller" and not seller_id:
        raise ValueError("a seller key needs a seller id")
    if role != "seller" and seller_id:
        raise ValueError("only seller keys are bound to a seller")
    key_id, token = new_token()
    with service.engine.begin() as conn:
        if seller_id and not arepo.seller_exists(conn, seller_id):
            raise LookupError(f"seller {seller_id} is not in the registry")
        row = arepo.add_key(
            conn, key_id=key_id, name=name, role=role, seller_id=seller_id, secret_hash=token_hash(token)
        )
    return row, token
