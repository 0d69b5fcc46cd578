"""This school's facts, as data: which clauses of its policy the safeguarding routes quote, which sections
speak to which audience, and the DSL team its policy lists.

They come from `corpus/school.toml` (ingest checks every clause it names against the parsed policy and
stores the result in the build as school.json), so a renumbered policy, or another school's, needs no
code change: the school edits school.toml when it re-issues the policy.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The routes an escalation answer can quote, most general first. `dsl_team` is required: every concern
# goes to the DSL. The others are quoted when the concern calls for them (rag/assistant.py).
ROUTES = ("dsl_team", "police", "lado", "staff_illegal_content", "online_concerns")
REQUIRED_ROUTES = ("dsl_team", "police", "lado")
AUDIENCES = ("staff", "parent", "learner", "visitor", "governor")
SCHOOL_FILE = "school.json"  # in a build


@dataclass(frozen=True)
class SchoolFacts:
    name: str
    policy: str  # the policy's document id
    trust: str = ""
    routes: dict[str, str] = field(default_factory=dict)  # route -> clause ("dsl_team" -> "Key Details")
    audiences: dict[str, tuple[str, ...]] = field(default_factory=dict)  # audience -> sections ("6.2", "Key Details")
    dsl_team: tuple[str, ...] = ()  # names, as the dsl_team clause lists them
    named_governor: str = ""

    def route(self, name: str) -> str | None:
        return self.routes.get(name)

    def role_of(self, clause: str) -> str:
        """What a route clause is ("lado"), for the app's compact banner; "policy" for any other clause."""
        return next((r for r, c in self.routes.items() if c == clause), "policy")

    def speaks_to(self, audience: str | None, clause: str) -> bool:
        """The clause is in a section the school says speaks to this audience."""
        return any(clause == s or clause.startswith(s + ".") for s in self.audiences.get(audience or "", ()))

    def to_json(self) -> str:
        d = asdict(self)
        d["audiences"] = {k: list(v) for k, v in self.audiences.items()}
        d["dsl_team"] = list(self.dsl_team)
        return json.dumps(d, ensure_ascii=False, indent=1)

    @classmethod
    def read(cls, path: Path) -> "SchoolFacts":
        d = json.loads(path.read_text(encoding="utf-8"))
        d["audiences"] = {k: tuple(v) for k, v in d.get("audiences", {}).items()}
        d["dsl_team"] = tuple(d.get("dsl_team", ()))
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def dsl_contacts(text: str) -> tuple[list[str], str]:
    """The DSL team and the named governor, from the clause that lists them: a "Designated Safeguarding
    Lead(s):" line, then one "- name, role" line each; a line naming the governor ends the list.
    Written by hand: it reads this one list layout, which no library knows."""
    names: list[str] = []
    governor = ""
    in_dsl = False
    for line in text.split("\n"):
        line = line.strip()
        if line.lower().startswith("designated safeguarding lead"):
            in_dsl = True
            continue
        if line.startswith("- ") and "governor" in line.lower():
            governor = line[2:]
            in_dsl = False
        elif in_dsl and line.startswith("- ") and ":" not in line:
            names.append(line[2:])
        elif in_dsl:
            in_dsl = False
    return names, governor
