"""GET /v1/series/{seller}: the audit of one seller's numbering series."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from mandat.api.auth import AnyRole
from mandat.api.common import not_found
from mandat.api.models import SellerAuditOut, SeriesAuditOut
from mandat.api.problems import ApiError, ProblemError, problem_responses
from mandat.api.state import ApiState, get_state
from mandat.service.audit import audit
from mandat.store import api_repository as arepo

router = APIRouter(tags=["series"])


def seller_audit(state: ApiState, seller_id: str, check_files: bool) -> SellerAuditOut:
    """The service's audit (service/audit.py), restricted to one seller."""
    report = audit(state.service.engine, state.service.blobs, check_files=check_files, seller_id=seller_id)
    out = [
        SeriesAuditOut(
            series=s.series,
            ok=s.ok,
            count=s.count,
            first=s.first,
            last=s.last,
            gaps=s.gaps[:1000],
            duplicates=s.duplicates[:1000],
            backwards=s.backwards[:1000],
            chain_breaks=s.chain_breaks[:1000],
            head_mismatch=s.head_mismatch,
        )
        for s in report.series
    ]
    return SellerAuditOut(
        seller_id=seller_id,
        ok=report.ok,
        documents=report.documents,
        unrendered=report.unrendered,
        files_checked=report.files_checked,
        file_problems=(report.file_problems + report.inbox_problems + report.credit_problems)[:1000],
        series=out,
    )


@router.get(
    "/v1/series/{seller_id}",
    response_model=SellerAuditOut,
    summary="Audit a seller's series: no gap, no duplicate, time never backwards, hash chain intact",
    responses=problem_responses(401, 403, 404, 422),
)
def get_series(
    request: Request,
    seller_id: Annotated[str, Path(min_length=1, max_length=64)],
    who: AnyRole,
    files: Annotated[
        bool, Query(description="also re-read every file and check its sha256 (slow; operators and auditors only)")
    ] = False,
) -> SellerAuditOut:
    state = get_state(request)
    if not who.sees_seller(seller_id):
        raise not_found("seller")
    if files and who.role == "seller":
        # Re-reading every PDF and XML of a series costs the server I/O in proportion to the
        # series: a seller key could repeat it at will. The database checks stay open to sellers.
        raise ApiError(
            403,
            "forbidden",
            "re-reading the files (files=true) is for operator and auditor keys",
            errors=[ProblemError(detail="not allowed for a seller key", parameter="files")],
        )
    with state.service.reader.connect() as conn:
        if not arepo.seller_exists(conn, seller_id):
            raise not_found("seller")
    return seller_audit(state, seller_id, files)
