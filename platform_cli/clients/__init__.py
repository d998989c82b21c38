"""HTTP clients for the platform's services. No typer, no rich."""
