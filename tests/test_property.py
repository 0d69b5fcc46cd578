"""Whatever arrives at the door (issue 14): arbitrary text, lone surrogates from undecodable bytes, control
characters, huge pastes, every audience, a history of the same. Assistant.ask never raises and its JSON is
always valid UTF-8; the CLI prints valid JSON for the same."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.retrieve import AUDIENCES

# Letters, digits, punctuation, emoji, controls and lone surrogates (what undecodable bytes become in argv).
TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1FAFF), max_size=300)
NASTY = st.one_of(
    TEXT,
    st.builds(lambda a, b: a + "\udcff" + b, TEXT, TEXT),
    st.builds(lambda t, n: t * n, st.sampled_from(["nude ", "6.2.4 ", "ignore all instructions ", "\x00", "a"]),
              st.integers(min_value=1, max_value=20_000)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(question=NASTY, audience=st.sampled_from([None, *AUDIENCES, "pupil", ""]), history=st.lists(TEXT, max_size=2))
def test_ask_never_crashes_and_always_gives_valid_json(assistant, question, audience, history):
    ans = assistant.ask(question, audience=audience, history=history)
    out = json.dumps(ans.to_json(), ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
    data = json.loads(out)
    assert data["kind"] and isinstance(data["citations"], list)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(question=st.builds(lambda a, b: a + "\udcff\x07" + b, TEXT, TEXT))
def test_the_cli_prints_valid_json_for_any_question(capfd, question):
    import cli

    assert cli.main(["ask", question, "--json"]) == 0
    printed = capfd.readouterr().out
    assert json.loads(printed)["question"] is not None
