"""Read corpus/school.toml, check it against the parsed policy, and extract the DSL team.

The school names, by its own policy's clause numbers, the clauses the safeguarding routes quote and the
sections that speak to each audience. A clause it names that the policy does not have stops ingest with
one line naming it: a renumbered policy must not send a concern to the wrong clause.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ingest.errors import IngestError
from rag.documents import Clause
from rag.school import AUDIENCES, REQUIRED_ROUTES, ROUTES, SchoolFacts, dsl_contacts

SCHOOL_TOML = "school.toml"


class _Routes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dsl_team: str
    police: str
    lado: str
    staff_illegal_content: str = ""
    online_concerns: str = ""


class _School(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    trust: str = ""
    policy: str = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    school: _School
    routes: _Routes
    audiences: dict[str, list[str]] = {}


def load_school(corpus_dir: Path, clauses_by_doc: dict[str, list[Clause]]) -> SchoolFacts:
    path = corpus_dir / SCHOOL_TOML
    if not path.is_file():
        raise IngestError(path, "not found: it names the school and the policy clauses the safeguarding routes quote "
                                "(see corpus/school.toml in the project for the fields)")
    try:
        data = _File.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise IngestError(path, f"malformed: {e}") from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise IngestError(path, f"malformed: {where}: {first['msg']}") from None
    policy = data.school.policy
    if policy not in clauses_by_doc:
        raise IngestError(path, f"school.policy is '{policy}', which is not a document held in corpus/manifest.toml")
    numbers = {c.clause for c in clauses_by_doc[policy]}
    text_of: dict[str, str] = {}
    for c in clauses_by_doc[policy]:
        text_of[c.clause] = (text_of.get(c.clause, "") + "\n" + c.text).strip()
    routes = {r: v for r in ROUTES if (v := getattr(data.routes, r))}
    for route, clause in routes.items():
        if clause not in numbers:
            raise IngestError(path, f"routes.{route} names clause '{clause}', which the policy ({policy}) does not have; "
                                    "update it to the clause's number in this edition")
    for audience, sections in data.audiences.items():
        if audience not in AUDIENCES:
            raise IngestError(path, f"audiences.{audience}: unknown audience (use {', '.join(AUDIENCES)})")
        for s in sections:
            if s not in numbers and not any(n.startswith(s + ".") for n in numbers):
                raise IngestError(path, f"audiences.{audience} names section '{s}', which the policy ({policy}) does not have")
    names, governor = dsl_contacts(text_of[routes["dsl_team"]])
    if not names:
        raise IngestError(path, f"routes.dsl_team is clause '{routes['dsl_team']}', but it lists no Designated "
                                "Safeguarding Lead (a 'Designated Safeguarding Lead(s):' line, then one '- name' line each)")
    assert all(r in routes for r in REQUIRED_ROUTES)
    return SchoolFacts(name=data.school.name, trust=data.school.trust, policy=policy, routes=routes,
                       audiences={a: tuple(s) for a, s in data.audiences.items()}, dsl_team=tuple(names),
                       named_governor=governor)
