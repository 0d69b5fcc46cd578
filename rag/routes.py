"""Stage: the safeguarding routes for a concern, quoted from the school's own policy.

Which clauses are the routes (the DSL team, the police, the LADO, illegal content on a staff device, online
concerns) is the school's data (corpus/school.toml, checked at ingest), not code: a renumbered policy or
another school's keeps its routes. Nothing here is written by hand except the words around the quotes.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.answer import Citation, RouteStep
from rag.documents import DocumentInfo
from rag.retrieve import Hit, Retriever
from rag.safety import immediate_danger
from rag.school import SchoolFacts


@dataclass
class Routes:
    school: SchoolFacts
    retriever: Retriever
    policy: DocumentInfo
    cite: Callable[..., Citation]  # (hit, document, terms, score) -> a citation with the document's edition note

    def hits(self, about_staff: bool, text: str) -> list[tuple[str, Hit]]:
        """(route, clause) for this concern, most urgent first, from the routes the school names
        (corpus/school.toml): the LADO for a concern about a member of staff; the police (999) when a child is
        in danger now; otherwise the DSL team, who decide whether to call the police."""
        if about_staff:
            illegal = re.search(r"illegal|indecent|images?|(?<!nothing )criminal|porn|photos?|pics", text, re.I)
            wanted = (["staff_illegal_content"] if illegal else []) + ["lado", "dsl_team", "police"]
        elif immediate_danger(text):
            wanted = ["police", "dsl_team", "online_concerns"]
        else:
            wanted = ["dsl_team", "police", "online_concerns"]
        return [(r, h) for r in wanted
                if (c := self.school.route(r)) and (h := self.retriever.clause(self.policy.id, c)) is not None]

    def compose(self, about_staff: bool, text: str, level: str = "urgent") -> tuple[str, list[Citation], list[RouteStep]]:
        """The policy's own routes, quoted from it: nothing here is written by hand. An urgent concern
        gets all of them under "act now"; a likely one gets the first route as the answer's first line."""
        routed = self.hits(about_staff, text)
        if level != "urgent":
            routed = routed[:1]
        policy = self.policy
        cites = [self.cite(h, policy, set(), 1.0) for _, h in routed]
        team = list(self.school.dsl_team)
        steps = [RouteStep(r, h.text, c, team if r == "dsl_team" else []) for (r, h), c in zip(routed, cites)]
        lines = (["**⚠️ This may be a safeguarding concern: act on it now.**"] if level == "urgent"
                 else ["**This may be a safeguarding matter.**"])
        for n, (r, h) in enumerate(routed, 1):
            number = f"{n}. " if len(routed) > 1 else ""
            if r == "police":
                lines.append(f"{number}**If a child is in immediate danger or at risk of harm, call 999.** "
                             f"“{h.text}” [{policy.short_title} § {h.clause}]")
            elif r == "dsl_team":
                who = f":** {'; '.join(team)}." if team else ".**"
                lines.append(f"{number}**Tell a Designated Safeguarding Lead (DSL) today{who} [{policy.short_title} § {h.clause}]")
            else:
                lines.append(f"{number}“{h.text}” [{policy.short_title} § {h.clause}]")
        return "\n".join(lines), cites, steps
