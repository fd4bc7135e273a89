from agent_focus.cli import script

script()
