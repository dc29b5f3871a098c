"""The `ogi` command's entry point: start the normalise workers' fork server before anything else.

Why: a worker process needs the normaliser imported and warmed (~0.35 s), the parent its
command-line and Parquet modules (~0.25 s).  Started first, the fork server does its part
while the parent imports, instead of after it; on a short run that is a tenth of the time.
Only the commands that normalise start it; everything else goes straight to the CLI.
"""

from __future__ import annotations

import multiprocessing as mp
import sys

# What every worker needs, imported once in the fork server (ogi.warm fills the lazy caches).
PRELOAD = ["normalize", "normalize.write", "ogi.workers", "ogi.warm"]
NORMALISING = {"normalize", "run", "demo"}


def context():
    """The fork-server context the workers run in (ogi/workers.py)."""
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_fork_server() -> None:
    """Start the fork server now; it imports PRELOAD while the caller goes on."""
    from multiprocessing import forkserver

    context()
    forkserver.ensure_running()


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in NORMALISING and not {"-h", "--help"} & set(args):
        start_fork_server()
        # pyarrow imports pandas the first time it turns Python lists into arrays (~0.25 s):
        # here it overlaps the fork server's start instead of delaying the first write.  Not in
        # a background thread: two threads importing pandas and pyarrow can deadlock.
        import pandas  # noqa: F401
    from ogi.cli import main as cli

    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
