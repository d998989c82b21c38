"""Process state names shared by every layer (supervisord's names, plus ABSENT)."""

STARTING = "STARTING"
RUNNING = "RUNNING"
BACKOFF = "BACKOFF"
STOPPING = "STOPPING"
STOPPED = "STOPPED"
EXITED = "EXITED"
FATAL = "FATAL"
UNKNOWN = "UNKNOWN"
# In the Procfile but not loaded into supervisord, which holds only the processes started at some
# point: `up`, `start` and `restart` load it (`status` shows it STOPPED, never started).
ABSENT = "ABSENT"

# States in which the process exists and supervisord expects it to stay up.
ALIVE = frozenset({STARTING, RUNNING})
# States in which a process still runs or may start again on its own: it must be stopped.
STOPPABLE = frozenset({STARTING, RUNNING, BACKOFF, STOPPING})
# A restart that supervisord made on its own, not one a person asked for.
AUTOMATIC_RESTART_FROM = frozenset({EXITED, BACKOFF})

# The event listener's own program name; no Procfile entry may take it.
LISTENER = "platform-events"
