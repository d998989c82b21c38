"""PM2 ecosystem files -> Procfile + platform.toml.

An ecosystem file is JSON, YAML, or JavaScript (`module.exports = {apps: [...]}`). A .js one is
evaluated by `node` itself, as PM2 does (it is code: only import files you trust); without
node installed that is a clear error rather than a guess at parsing JavaScript.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from platform_cli.errors import ConfigError
from platform_cli.procman.importers.result import (
    ImportedProcess,
    ImportResult,
    carry_redis_password,
    clean_name,
    is_redis_command,
    make_result,
    quote_words,
)

_JS = (".js", ".cjs", ".mjs")
NODE_TIMEOUT_S = 30
# Prints the file's export as JSON; a dynamic import reads CommonJS and ES modules alike.
_NODE_PRINT = (
    "import(require('url').pathToFileURL(process.argv[1]).href)"
    ".then(m => process.stdout.write(JSON.stringify(m.default ?? m)))"
    ".catch(e => { console.error(e && e.message || String(e)); process.exit(1); })"
)
_INTERPRETERS = {".js": "node", ".cjs": "node", ".mjs": "node", ".py": "python3", ".sh": "sh", ".rb": "ruby", ".php": "php"}
# Read into a setting below; every other key of an app is a note.
_MAPPED = {"name", "script", "args", "interpreter", "exec_interpreter", "interpreter_args", "node_args", "env", "instances",
           "exec_instances", "max_memory_restart", "kill_timeout", "listen_timeout", "max_restarts", "autorestart"}  # fmt: skip


def load_ecosystem(path: Path, node: str | None = None) -> dict | list:
    """The ecosystem file's data; ConfigError when it cannot be read."""
    if path.suffix in _JS:
        node = node if node is not None else shutil.which("node")
        if not node:
            raise ConfigError(
                f"{path} is JavaScript, and reading it needs node, which is not installed",
                hint="install Node.js, or convert the file to JSON or YAML (`pm2 ecosystem` writes one)",
            )
        try:
            run = subprocess.run([node, "-e", _NODE_PRINT, str(path.resolve())], capture_output=True, text=True, timeout=NODE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise ConfigError(f"node did not finish reading {path} within {NODE_TIMEOUT_S} s") from None
        if run.returncode != 0:
            raise ConfigError(f"node could not load {path}: {(run.stderr.strip().splitlines() or ['no message'])[0]}")
        text = run.stdout
    else:
        text = read_text(path, "PM2 ecosystem file")
    return parse_document(text, path)


def parse_pm2(data, source: str, accepted=None) -> ImportResult:
    apps = data.get("apps") if isinstance(data, dict) else data
    if isinstance(apps, dict):
        apps = [apps]
    if not isinstance(apps, list) or not apps:
        raise ConfigError(f"{source}: no `apps` list: not a PM2 ecosystem file")
    notes = [f"{key}: not carried over (PM2 deployment settings)" for key in (data if isinstance(data, dict) else {}) if key != "apps"]
    processes: list[ImportedProcess] = []
    for index, app in enumerate(apps):
        if not isinstance(app, dict) or not app.get("script"):
            notes.append(f"app #{index + 1}: no `script`: not carried over")
            continue
        name = clean_name(str(app.get("name") or os.path.splitext(os.path.basename(str(app["script"])))[0]))
        if name in {p.name for p in processes}:
            name = f"{name}-{index + 1}"
        process = ImportedProcess(name, _command(app))
        _settings(app, process, notes)
        if is_redis_command(process.command):
            env = app.get("env") if isinstance(app.get("env"), dict) else {}
            carry_redis_password(process, any("PASSWORD" in str(key).upper() for key in env), notes)
        processes.append(process)
    return make_result(processes, notes, source, accepted)


def _command(app: dict) -> str:
    script = str(app["script"])
    args = app.get("args") or []
    args_text = args if isinstance(args, str) else quote_words(args)
    interpreter = app.get("interpreter") or app.get("exec_interpreter")
    interpreter_args = app.get("interpreter_args") or app.get("node_args") or []
    if not isinstance(interpreter_args, str):
        interpreter_args = quote_words(interpreter_args)
    if interpreter in (None, ""):
        interpreter = _INTERPRETERS.get(os.path.splitext(script)[1])
    if interpreter == "none":  # PM2's spelling of "run the script itself"
        interpreter = None
    words = [w for w in (interpreter, interpreter_args, quote_words([script]) if interpreter else script, args_text) if w]
    return " ".join(words)


def _settings(app: dict, process: ImportedProcess, notes: list[str]) -> None:
    name, settings = process.name, process.settings
    env = app.get("env") or {}
    if isinstance(env, dict) and "PORT" in env:
        try:
            settings["port"] = int(env["PORT"])
        except (TypeError, ValueError):
            notes.append(f"{name}: env PORT = {env['PORT']!r} is not a port: not carried over")
    others = sorted(k for k in (env if isinstance(env, dict) else {}) if k != "PORT")
    if others:
        notes.append(f"{name}: env {', '.join(others)} not carried over (platform has no per-process environment: put shared values in .env)")
    instances = app.get("instances", app.get("exec_instances"))
    if instances is not None:
        if isinstance(instances, int) and instances >= 1:
            settings["instances"] = instances
        else:
            notes.append(f"{name}: instances = {instances!r} not carried over (platform takes a fixed count)")
    if app.get("max_memory_restart") is not None:
        settings["max_memory"] = app["max_memory_restart"]
    for key, setting in (("kill_timeout", "stop_timeout"), ("listen_timeout", "start_timeout")):
        if isinstance(app.get(key), (int, float)) and app[key] > 0:
            settings[setting] = round(app[key] / 1000, 3)  # PM2 counts milliseconds
    if isinstance(app.get("max_restarts"), int) and app["max_restarts"] >= 0:
        settings["retries"] = app["max_restarts"]
    if app.get("autorestart") is False:
        notes.append(f"{name}: autorestart = false not carried over (platform always restarts a process that exits)")
    for key in app:
        if key not in _MAPPED:
            notes.append(f"{name}: {key} not carried over (no platform equivalent)")


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no {what} at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc}") from None


def parse_document(text: str, path: Path):
    """JSON or YAML (JSON first: it is also YAML, but its errors read better)."""
    import yaml

    if path.suffix == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if path.suffix == ".json":
                raise ConfigError(f"{path}: not valid JSON: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
