"""WSGI entry point: ``gunicorn participation.wsgi:app``."""

from participation import create_app

app = create_app()
