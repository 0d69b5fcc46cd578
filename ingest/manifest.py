"""Read and check corpus/manifest.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError
from rag.documents import DocumentInfo

REQUIRED = ("id", "title", "publisher", "edition", "status", "kind")
STATUSES = {"current", "superseded", "not-held"}
KINDS = {"policy", "guidance"}
SUPPORTED = {".md", ".txt", ".pdf"}


@dataclass(frozen=True)
class Manifest:
    documents: tuple[DocumentInfo, ...]
    path: Path

    @property
    def held(self) -> tuple[DocumentInfo, ...]:
        return tuple(d for d in self.documents if d.held)


def load_manifest(corpus_dir: Path) -> Manifest:
    path = corpus_dir / "manifest.toml"
    if not path.is_file():
        raise IngestError(path, "manifest not found (every corpus needs a manifest.toml listing its documents)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise IngestError(path, f"malformed manifest: {e}") from None
    except UnicodeDecodeError:
        raise IngestError(path, "malformed manifest: not UTF-8 text") from None
    entries = data.get("document")
    if not isinstance(entries, list) or not entries:
        raise IngestError(path, "malformed manifest: no [[document]] entries")
    docs: list[DocumentInfo] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise IngestError(path, f"malformed manifest: entry {i} is not a table")
        missing = [k for k in REQUIRED if not str(entry.get(k, "")).strip()]
        if missing:
            raise IngestError(path, f"malformed manifest: entry {i} ({entry.get('id', '?')}) lacks {', '.join(missing)}")
        if entry["status"] not in STATUSES:
            raise IngestError(path, f"malformed manifest: entry '{entry['id']}' has status '{entry['status']}' (use one of {', '.join(sorted(STATUSES))})")
        if entry["kind"] not in KINDS:
            raise IngestError(path, f"malformed manifest: entry '{entry['id']}' has kind '{entry['kind']}' (use policy or guidance)")
        if entry["id"] in seen:
            raise IngestError(path, f"malformed manifest: id '{entry['id']}' appears twice")
        seen.add(entry["id"])
        entry.setdefault("short_title", entry["title"])
        entry.setdefault("edition_date", "")
        doc = DocumentInfo.from_dict(entry)
        if doc.held:
            if not doc.file:
                raise IngestError(path, f"malformed manifest: entry '{doc.id}' is {doc.status} but names no file")
            file = corpus_dir / doc.file
            if not file.is_file():
                raise IngestError(file, f"listed in the manifest (entry '{doc.id}') but the file is missing")
            if file.suffix.lower() not in SUPPORTED:
                raise IngestError(file, f"unsupported file type '{file.suffix}' (supported: {', '.join(sorted(SUPPORTED))})")
        docs.append(doc)
    return Manifest(tuple(docs), path)


def unlisted_files(corpus_dir: Path, manifest: Manifest) -> list[Path]:
    """Document files under corpus/ that no manifest entry names (warned about, not ingested)."""
    listed = {(corpus_dir / d.file).resolve() for d in manifest.held}
    found = []
    for p in sorted(corpus_dir.rglob("*")):
        if p.is_file() and p.suffix.lower() in SUPPORTED and "questions" not in p.relative_to(corpus_dir).parts:
            if p.resolve() not in listed and p.name.lower() not in {"readme.md", "sources.md"}:
                found.append(p)
    return found
