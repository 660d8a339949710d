"""Start the app for users: `streamlit run app.py` with its caches warming as it starts.

    .venv/bin/python serve.py [streamlit run options, e.g. --server.port 8501]

A background thread (ui.warmup) loads the data, the boundaries and the default map of
each language while the server starts, so the first visitor does not wait for them;
the server answers at once, as `streamlit run` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent


def streamlit_argv(args: list[str]) -> list[str]:
    """The command line `streamlit run` gets: the app, then the options given."""
    return ["streamlit", "run", str(APP_DIR / "app.py"), *args]


def main(args: list[str]) -> int:
    from streamlit.web import cli

    from ui import warmup

    warmup.start(APP_DIR)
    sys.argv = streamlit_argv(args)
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
