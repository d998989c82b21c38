"""Thin Typer glue: parse, call procman, render with ui."""
