"""Start the app for users: `streamlit run app.py` with its caches warming as it starts.

    .venv/bin/python serve.py [streamlit run options, e.g. --server.port 8501]

Before the server opens its port, ui.warmup loads the data, the boundaries and the default
map of each language (a few seconds), so its first visitor does not wait for them; and the
page the browser first gets already shows the app's title (ui.shell), not a blank page
while Streamlit's scripts load.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent


def streamlit_argv(args: list[str]) -> list[str]:
    """The command line `streamlit run` gets: the app, then the options given."""
    return ["streamlit", "run", str(APP_DIR / "app.py"), *args]


def main(args: list[str]) -> int:
    from streamlit.web import bootstrap, cli

    from ui import shell, warmup

    shell.install()
    start_server = bootstrap.run

    def warm_then_start(*run_args, **run_kwargs):
        # Here the command line and config files are read (a bad option has already been refused)
        # and the port is not yet open.
        warmup.prepare(APP_DIR)
        return start_server(*run_args, **run_kwargs)

    bootstrap.run = warm_then_start
    sys.argv = streamlit_argv(args)
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
