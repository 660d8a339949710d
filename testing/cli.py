"""cli.py run in the test's own process, answering as `python cli.py ARGS` would.

A fresh interpreter pays 1-2.5 s of imports (pandas, geopandas, matplotlib) before cli.py does
anything, which most CLI tests would pay dozens of times over. What only a real process shows
(the exit status through sys.exit, a closed or full standard output, a broken pipe, no
traceback on stderr) is tested with real processes in tests/test_cli_errors.py and
tests/test_export.py::test_cli_subprocess_error_is_one_line_exit_2.
"""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout


def run_cli(*args) -> subprocess.CompletedProcess:
    """cli.main(ARGS) with its standard output and error captured as text; argparse's exits
    (--help, a bad option) give their status as the process would."""
    import cli

    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, (int, type(None))):
                print(exc.code, file=err)
    return subprocess.CompletedProcess(["cli.py", *argv], code, out.getvalue(), err.getvalue())
