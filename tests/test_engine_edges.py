"""In-process edge cases of the focus-file engine, written to kill the mutants that
`just mutants` found surviving (docs/testing.md). Each test names the behaviour it pins."""

from __future__ import annotations

from pathlib import Path

from agent_focus.focusfile.template import render_focus_file
from agent_focus.strategy import AgentStrategy, PortfolioTarget, read_strategy
from tests.conftest import EXAMPLE_DIR, FIXTURES

TEMPLATES = FIXTURES / "templates"


def test_a_new_focus_file_from_the_strategy_is_exactly_the_template() -> None:
    agent = read_strategy(EXAMPLE_DIR / "AI_JOB_STRATEGY.md").agents[0]
    text = render_focus_file("A1", agent, lambda p: p == "docs/portfolio/a1-architecture.md")
    assert text == (TEMPLATES / "A1.md").read_text(encoding="utf-8")


def test_an_agent_the_strategy_lacks_gets_the_skeleton() -> None:
    text = render_focus_file("A9", None, lambda p: True)
    assert text == (TEMPLATES / "A9-skeleton.md").read_text(encoding="utf-8")


def test_the_template_skips_agent_and_role_fields_and_takes_the_mission_from_priorities() -> None:
    agent = AgentStrategy(
        id="A4",
        target="",
        line=1,
        fields={"agent": "X", "role": "Y", "services": "a; `b`", "team": "Infra"},
        priorities=["First priority", "Second"],
        portfolio=[PortfolioTarget(name="Talk", path=None), PortfolioTarget("Demo", "d.mp4")],
    )
    seen: list[str] = []
    text = render_focus_file("A4", agent, lambda p: seen.append(p) or True)
    assert seen == ["d.mp4"]  # an item without a path is never looked up
    identity = text.split("## 🎯 Identity & Mission\n", 1)[1].split("\n\n", 1)[0]
    assert identity.splitlines() == [
        "- Agent: A4",
        "- Role: Agent",  # no target: a neutral role, not the `role` field
        "- Team: Infra",
        "- Mission: First priority",
    ]
    assert "\n## 🛠️ Service Ownership\n- a\n- b\n\n" in text
    assert "- [ ] First priority\n- [ ] Second\n\n## 📁" in text
    assert "## 📁 Portfolio Checklist\n- [ ] Talk\n- [x] Demo: `d.mp4`\n\n" in text
    assert text.endswith("## 📝 Notes & Learnings\n")


def test_a_mission_field_wins_over_the_first_priority() -> None:
    agent = AgentStrategy("A5", "Writer", 1, {"mission": "Teach"}, ["Do the thing"])
    text = render_focus_file("A5", agent, lambda p: False)
    assert "- Mission: Teach\n" in text and "- Mission: Do the thing" not in text
    assert text.startswith("# AGENT_FOCUS: A5 · Writer\n\n<!-- ")


def test_the_template_parses_into_the_six_sections(tmp_path: Path) -> None:
    from agent_focus.focusfile import read_document

    path = tmp_path / "AGENT_FOCUS.md"
    path.write_text((TEMPLATES / "A1.md").read_text(encoding="utf-8"), encoding="utf-8")
    document = read_document(path)
    kinds = [s.kind.value for s in document.sections if s.kind]
    assert kinds == ["identity", "services", "sprint", "portfolio", "metrics", "notes"]
    assert document.tasks[0].title == "Ship an SLO gate that blocks bad deploys"
    assert [p.done for p in document.portfolio] == [True, False, False, False]
