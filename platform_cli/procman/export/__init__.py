"""`platform export`: the project (Procfile, platform.toml, .env) rendered for another engine.

One module per engine (compose, kubernetes, systemd) plus the image they share (dockerfile);
each is a pure function from a Project to {file name: ExportFile}. Writing them is `bundle`'s job.
"""
