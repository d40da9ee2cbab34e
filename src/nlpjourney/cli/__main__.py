"""``python -m nlpjourney.cli`` runs the ``journey`` command."""

from nlpjourney.cli import main

main()
