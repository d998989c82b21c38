"""tts say / voices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from platform_cli.errors import PlatformError
from platform_cli.workspace import Workspace

app = typer.Typer(help="Text to speech, through the tts service.", no_args_is_help=True)


@app.command()
def say(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="What to say; `-` reads it from stdin."),
    lang: str = typer.Option("en", "--lang", "-l", help="Language code, e.g. en, pt, ko (see `platform tts voices`)."),
    engine: str = typer.Option("auto", "--engine", "-e", help="auto (gTTS when Google answers, else espeak), gtts or espeak."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where to write the MP3 [default: ./<id>.mp3]."),
    as_json: bool = typer.Option(False, "--json", help="JSON, for scripts."),
) -> None:
    """Turn text into an MP3 file, and say which engine made it."""
    from platform_cli.ui.orders_view import print_json

    ws: Workspace = ctx.obj
    if text == "-":
        text = sys.stdin.read()
    client = ws.service("tts")
    made = client.post("tts", body={"text": text, "lang": lang, "engine": engine})
    path = output or Path(f"{made['id']}.mp3")
    audio = client.download(made["url"])
    try:
        path.write_bytes(audio)
    except OSError as exc:
        raise PlatformError(f"cannot write {path}: {exc.strerror}") from None
    result = {**made, "file": str(path)}
    if as_json:
        print_json(result)
    else:
        where = "from the cache" if made["cached"] else "newly made"
        ws.out.print(f"wrote {path}: {made['duration_s']:.1f} s, {made['bytes']:,} bytes, by {made['engine']} ({where})")


@app.command()
def voices(
    ctx: typer.Context,
    engine: str = typer.Option("espeak", "--engine", "-e", help="auto, gtts or espeak."),
    as_json: bool = typer.Option(False, "--json", help="JSON, for scripts."),
) -> None:
    """The languages an engine speaks."""
    from platform_cli.ui.orders_view import print_json

    ws: Workspace = ctx.obj
    found = ws.service("tts").get("tts", "voices", query={"engine": engine})
    if as_json:
        print_json(found)
    else:
        ws.out.print(f"{found['engine']}: {len(found['languages'])} languages")
        ws.out.print(" ".join(found["languages"]), soft_wrap=False)
