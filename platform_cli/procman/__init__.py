"""Process management: Procfile, supervisord config and control, probes, records. No typer, no rich."""
