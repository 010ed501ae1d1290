"""`require(...)` called at test time: the role check every operator/auditor route depends on.

The routes build their dependencies when `mandat.api.auth` is imported (`Operator = Annotated[...,
Depends(require("operator"))]`), before mutmut switches a mutant on, so its mutants never ran through the
HTTP tests (docs/testing.md). The same contract, called directly: a role outside the list is a 403
`forbidden` problem naming the role (docs/api.md: keys and roles); a role inside passes the principal on.
"""

from __future__ import annotations

import pytest

from mandat.api.auth import Principal, require
from mandat.api.problems import ApiError


def test_a_role_outside_the_list_is_forbidden_with_its_name() -> None:
    check = require("operator", "auditor")
    with pytest.raises(ApiError) as caught:
        check(Principal(key_id="k1", role="seller", seller_id="atelier-bois"))
    err = caught.value
    assert (err.status, err.slug, err.detail) == (403, "forbidden", "the seller role may not do this")


def test_a_role_in_the_list_passes_the_same_principal_on() -> None:
    auditor = Principal(key_id="k2", role="auditor", seller_id=None)
    assert require("operator", "auditor")(auditor) is auditor
    seller = Principal(key_id="k3", role="seller", seller_id="atelier-bois")
    assert require("seller")(seller) is seller


def test_the_operator_only_check_refuses_an_auditor() -> None:
    with pytest.raises(ApiError) as caught:
        require("operator")(Principal(key_id="k4", role="auditor", seller_id=None))
    assert (caught.value.status, caught.value.slug, caught.value.detail) == (
        403,
        "forbidden",
        "the auditor role may not do this",
    )
