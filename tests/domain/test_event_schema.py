import json
from pathlib import Path

import pytest

from mandat.domain.events import EVENT_TYPES

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_published_json_schema_matches_the_models(event_type: str) -> None:
    """docs/<type>.schema.json is what the code validates; regenerate with `python -m mandat.domain.events`."""
    published = json.loads((DOCS / f"{event_type}.schema.json").read_text(encoding="utf-8"))
    assert published == EVENT_TYPES[event_type].model_json_schema(mode="validation")


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_documented_example_is_valid(event_type: str) -> None:
    EVENT_TYPES[event_type].model_validate_json((DOCS / f"example-{event_type}.json").read_text(encoding="utf-8"))
