import json
from pathlib import Path

from mandat.domain.events import OrderPaid

DOCS = Path(__file__).parents[2] / "docs"


def test_published_json_schema_matches_the_models() -> None:
    published = json.loads((DOCS / "order.paid.schema.json").read_text(encoding="utf-8"))
    assert published == OrderPaid.model_json_schema(mode="validation")


def test_documented_example_is_valid() -> None:
    OrderPaid.model_validate_json((DOCS / "example-order.paid.json").read_text(encoding="utf-8"))
