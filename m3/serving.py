"""gunicorn's configuration hooks for `m3 serve`: a job worker runs beside the web workers, and
each web worker loads the sentence-embedding model in the background as it starts.

The weekly state is refreshed by jobs that imports, touchpoints, pulses and edits queue, so the
server that shows it also works the queue: one `m3 jobs work` process, started when gunicorn is
ready and stopped when it exits. `m3 serve --no-jobs` leaves the queue to another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

_worker: subprocess.Popen[bytes] | None = None


def when_ready(server: Any) -> None:
    """Start the job worker (not with `m3 serve --no-jobs`)."""
    global _worker
    if os.environ.get("SERVE_JOB_WORKER", "1") == "0":
        return
    _worker = subprocess.Popen([sys.executable, "-m", "m3", "jobs", "work", "--with-parent"])
    server.log.info("M3 job worker started (pid %s)", _worker.pid)


def on_exit(server: Any) -> None:
    """Stop the job worker with the server (it also stops by itself if the server is killed)."""
    if _worker is not None and _worker.poll() is not None:
        server.log.warning("M3 job worker had exited (code %s)", _worker.returncode)
    if _worker is not None and _worker.poll() is None:
        _worker.terminate()
        try:
            _worker.wait(10)
        except subprocess.TimeoutExpired:
            _worker.kill()


def post_worker_init(worker: Any) -> None:
    """Start loading the embedding model off the request path (when the extra is installed)."""
    from m3.message.encoders import embedding_model_preload

    embedding_model_preload()
