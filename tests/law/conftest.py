"""Fixtures shared with the API and service suites (one definition each)."""

from tests.api.conftest import api  # noqa: F401
from tests.service.conftest import backend  # noqa: F401
from tests.store.test_postgres import pg  # noqa: F401
