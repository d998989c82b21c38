"""platform: a Procfile run under supervisord, with readiness, crash records and a friendly CLI."""

__version__ = "0.1.0"
