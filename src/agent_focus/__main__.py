from agent_focus.cli import main

main()
