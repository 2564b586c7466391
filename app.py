"""Entry point for ``flask --app app`` and WSGI servers."""

from ect_reporting import create_app

app = create_app()
