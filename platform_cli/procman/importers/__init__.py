"""`platform import`: a Procfile and platform.toml from a PM2 ecosystem file or a compose file.

One module per source (pm2, compose); both build an ImportResult through `result.make_result`,
which writes the files and turns whatever platform cannot express into notes.
"""
