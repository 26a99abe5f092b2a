import json
from pathlib import Path

EXAMPLES = Path(__file__).parent / "gs1" / "examples"


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.jsonld"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def events_of(doc: dict) -> list[dict]:
    body = doc["epcisBody"]
    if "queryResults" in body:
        return body["queryResults"]["resultsBody"]["eventList"]
    return body.get("eventList") or [body["event"]]
