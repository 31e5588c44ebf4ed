"""Prompt templates: files in a folder, filled with string.Template, versioned."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from ._brief import Brief
from ._errors import ConfigurationError

TEMPLATES = ("system", "user", "reask", "shorter", "schema")


def default_folder() -> Path:
    """The prompts shipped with the package (wheel), or the repository's (editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "prompts", here.parent / "prompts"):
        if (candidate / "system.md").is_file():
            return candidate
    raise ConfigurationError(f"the packaged prompt templates are missing (looked in {here})")


@dataclass(frozen=True)
class Prompts:
    """A loaded set of templates and its version string."""

    folder: Path
    version: str
    templates: dict[str, str]

    def render(self, name: str, **values: str) -> str:
        """Fill one template; a placeholder without a value is a configuration error."""
        try:
            return Template(self.templates[name]).substitute(values)
        except KeyError as exc:
            raise ConfigurationError(
                f"prompt template {name}.md needs a value for {exc} that summarizer does not provide"
            ) from None
        except ValueError as exc:
            raise ConfigurationError(f"prompt template {name}.md is malformed: {exc}") from None


def load_prompts(folder: str | Path | None = None) -> Prompts:
    """Load templates from folder (Settings.prompts), or the packaged default."""
    path = Path(folder).expanduser() if folder else default_folder()
    if not path.is_dir():
        raise ConfigurationError(f"prompt folder not found: {path}")
    templates = {}
    for name in TEMPLATES:
        file = path / f"{name}.md"
        if not file.is_file():
            raise ConfigurationError(f"prompt template missing: {file}")
        templates[name] = file.read_text(encoding="utf-8")
    version_file = path / "VERSION"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.is_file() else ""
    return Prompts(path, version or f"custom:{path.name}", templates)


def model_schema() -> dict[str, Any]:
    """The brief's JSON schema in the strict form structured-output servers accept.

    Every property is required (optional ones are nullable), objects allow no extra keys, and
    keywords that strict mode rejects or that only cost tokens (titles, defaults) are removed.
    """

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            out = {
                k: clean(v)
                for k, v in node.items()
                if k not in ("title", "default", "minLength", "maxLength")
            }
            # The same types in fewer tokens: an optional field is ["string", "null"].
            union = out.get("anyOf")
            if isinstance(union, list) and all(set(u) == {"type"} for u in union):
                kinds = [u["type"] for u in union]
                if "integer" in kinds and "number" in kinds:
                    kinds.remove("integer")
                del out["anyOf"]
                out["type"] = kinds
            if "enum" in out or "properties" in out:
                out.pop("description", None)  # class docstrings: the field descriptions suffice
            if "$ref" in out:
                return {"$ref": out["$ref"]}  # strict mode allows no keywords beside a $ref
            if out.get("type") == "object" and "properties" in out:
                out["required"] = list(out["properties"])
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    result: dict[str, Any] = clean(Brief.model_json_schema())
    return result


def compact(schema: dict[str, Any]) -> str:
    """JSON with no spaces: the schema is sent once, and every byte is a token."""
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False)


def capped_schema(
    schema: dict[str, Any], max_items: int | None, max_chars: int | None = None
) -> dict[str, Any]:
    """A copy of the schema with its open arrays and strings capped, for a grammar to hold a
    model to (a looping list then ends at the cap rather than at max_tokens)."""
    if max_items is None and max_chars is None:
        return schema

    def cap(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: cap(v) for k, v in node.items()}
            if max_items is not None and "items" in out and "maxItems" not in out:
                out["maxItems"] = max_items
            if (max_chars is not None and out.get("type") == "string" and "enum" not in out
                    and "maxLength" not in out):
                out["maxLength"] = max_chars
            return out
        if isinstance(node, list):
            return [cap(v) for v in node]
        return node

    result: dict[str, Any] = cap(schema)
    return result
