"""``python -m newsgraph`` runs the command-line interface."""

from newsgraph.cli import main

main()
