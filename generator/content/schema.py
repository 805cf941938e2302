"""JSON Schema for content files (topics, site settings, questionnaires), generated from the
models so editors' YAML editors can check as they type (the committed copy is tested to be
current)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.content.models import Site, Topic
from generator.content.models.questionnaire import Instrument, TopicQuestions

SCHEMA_DIR = Path("schema")
SCHEMAS: dict[str, type[BaseModel]] = {
    "topic.schema.json": Topic,
    "site.schema.json": Site,
    # content/questionnaires/standard.yml and content/questionnaires/topics/*.yml
    "questionnaire.schema.json": Instrument,
    "topic-questions.schema.json": TopicQuestions,
}


def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema (draft 2020-12) with an id editors can recognise."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Yiti {model.__name__.lower()} file"
    return schema


def render(model: type[BaseModel]) -> str:
    """The schema as stable, readable JSON text."""
    return json.dumps(schema_for(model), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written
