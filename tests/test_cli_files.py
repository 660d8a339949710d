"""What the command line writes to and reads from, when the path is not an ordinary
file (issue 21, items 7 and 9): FIFOs, character devices, its own stdout; the
mode of new files; paths with control characters; interrupts."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT

PY = sys.executable
CLI = str(ROOT / "cli.py")


def cli(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([PY, CLI, *args], capture_output=True, **kw)


def sh(command: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", command], capture_output=True, cwd=ROOT, **kw)


@pytest.fixture(scope="module")
def matrix_csv() -> bytes:
    p = cli("matrix")
    assert p.returncode == 0, p.stderr
    return p.stdout


class Reader(threading.Thread):
    """Reads a FIFO to its end, as `cat fifo` would. Daemon: if the FIFO is replaced
    (the bug this guards against), its reader waits for ever without holding pytest."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.data = path, None

    def run(self):
        with open(self.path, "rb") as fh:
            self.data = fh.read()


def char_device(tmp_path):
    """A character device to write to: a private node of /dev/null's device where the
    tests may create one (as root), so that no regression can replace the system's
    /dev/null; else /dev/null itself (which a user who is not root cannot replace)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return node
    except (PermissionError, OSError):
        return "/dev/null"


# ---------------------------------------------------------------- special outputs


@pytest.mark.parametrize("args", [("matrix",), ("export-matrix", "--format", "png", "--dpi", "100")],
                         ids=["csv", "image"])
def test_out_into_a_fifo_streams_to_its_reader(tmp_path, matrix_csv, args):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = Reader(fifo)
    reader.start()
    p = cli(*args, "--out", str(fifo))
    reader.join(timeout=30)
    assert p.returncode == 0, p.stderr
    assert not reader.is_alive(), "the FIFO's reader never got an end of file"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    if args[0] == "matrix":
        assert reader.data == matrix_csv
    else:
        assert reader.data.startswith(b"\x89PNG\r\n\x1a\n") and len(reader.data) > 10_000
    assert sorted(x.name for x in tmp_path.iterdir()) == ["pipe"]
    assert p.stdout.decode() == f"{fifo}\n"


def test_out_into_a_character_device_writes_in_place(tmp_path):
    dev = char_device(tmp_path)
    before = os.stat(dev)
    p = cli("matrix", "--format", "xlsx", "--out", str(dev))
    assert p.returncode == 0, p.stderr
    after = os.stat(dev)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert [x.name for x in tmp_path.iterdir() if x.name.endswith(".part")] == []


def test_out_to_stdout_is_stdout(tmp_path, matrix_csv):
    # /dev/stdout is a link to /proc/self/fd/1; a link of our own behaves the same
    # and a regression could only replace the link in tmp_path, not the system's.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    p = cli("matrix", "--out", str(link))
    assert p.returncode == 0, p.stderr
    assert p.stdout == matrix_csv  # the data only: no path line joined to it
    assert link.is_symlink()
    # stdout redirected to a file: the data lands in that file, where stdout stands
    target = tmp_path / "redirected.csv"
    r = sh(f"echo first > '{target}'; '{PY}' '{CLI}' matrix --out '{link}' >> '{target}'")
    assert r.returncode == 0, r.stderr
    assert target.read_bytes() == b"first\n" + matrix_csv


def test_out_through_a_symlink_replaces_its_target_not_the_link(tmp_path, matrix_csv):
    real = tmp_path / "real.csv"
    real.write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    p = cli("matrix", "--out", str(link))
    assert p.returncode == 0, p.stderr
    assert link.is_symlink() and real.read_bytes() == matrix_csv


def test_out_on_a_directory_or_socket_is_refused_in_one_line(tmp_path):
    import socket

    sock_path = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock_path))
    try:
        for target, what in ((tmp_path, "is a directory"), (sock_path, "is a socket")):
            p = cli("matrix", "--out", str(target), text=True)
            assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
            assert len(p.stderr.splitlines()) == 1 and what in p.stderr and "a FIFO" in p.stderr
        assert stat.S_ISSOCK(os.stat(sock_path).st_mode)
    finally:
        s.close()


# ---------------------------------------------------------------- modes


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_every_new_output_gets_the_umask_mode(tmp_path, umask):
    xlsx, csvf, png = tmp_path / "m.xlsx", tmp_path / "m.csv", tmp_path / "m.png"
    r = sh(f"umask {umask:03o} && '{PY}' '{CLI}' matrix --format xlsx --out '{xlsx}' && "
           f"'{PY}' '{CLI}' matrix --out '{csvf}' && '{PY}' '{CLI}' export-matrix --dpi 100 --out '{png}'")
    assert r.returncode == 0, r.stderr
    for f in (xlsx, csvf, png):
        assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~umask, f


def test_an_existing_output_keeps_its_mode(tmp_path):
    out = tmp_path / "m.xlsx"
    out.write_bytes(b"old")
    out.chmod(0o640)
    assert cli("matrix", "--format", "xlsx", "--out", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_bytes()[:2] == b"PK"


# ---------------------------------------------------------------- printed paths


def test_control_characters_in_a_path_are_printed_escaped(tmp_path, matrix_csv):
    name = "a\nb\x1b[31m.csv"
    p = cli("matrix", "--out", str(tmp_path / name), text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("\n") == 1 and "\x1b" not in p.stdout
    assert p.stdout == repr(str(tmp_path / name)) + "\n"
    assert (tmp_path / name).read_bytes() == matrix_csv
    missing = str(tmp_path / "no\nsuch.csv")
    p = cli("coverage", "--designations", missing, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr
    assert repr(missing) in p.stderr
    p = cli("export-map", "--out", str(tmp_path / "x\ny" / "m.png"), text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr


def test_plain_paths_are_printed_as_they_are(tmp_path):
    out = tmp_path / "城市 matrix.csv"
    p = cli("matrix", "--out", str(out), text=True)
    assert p.returncode == 0 and p.stdout == f"{out}\n"


def test_show_path():
    from ingest.text import show_path

    assert show_path("maps/广州 1.png") == "maps/广州 1.png"
    assert show_path("a\nb") == "'a\\nb'"
    assert show_path("x\u202etxt.exe") == "'x\\u202etxt.exe'"
    assert show_path("bad\udcff") == "'bad\\udcff'"  # an undecodable byte of a file name


# ---------------------------------------------------------------- --designations


def designations_csv() -> bytes:
    return ("cluster_id,cluster_zh,cluster_en,tier,place_zh,city_zh,adcode,role_zh,role,basis,quote\n"
            "hydrogen,氢能,Hydrogen,emerging,,广州,,,core,explicit,打造氢能产业集群\n").encode()


def test_designations_from_a_fifo_are_read(tmp_path):
    fifo = tmp_path / "des.csv"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "wb") as fh:
            fh.write(designations_csv())

    t = threading.Thread(target=write, daemon=True)
    t.start()
    p = cli("coverage", "--designations", str(fifo), "--format", "json", text=True)
    t.join(timeout=30)
    assert p.returncode == 0, p.stderr
    assert '"cluster_ids":["hydrogen"]' in p.stdout.replace(" ", "").replace("\n", "")


def test_designations_fifo_without_writer_gives_up_within_the_budget(tmp_path, monkeypatch, capsys):
    import cli as cli_module
    from ingest import caps

    monkeypatch.setattr(caps, "BUDGET_SECONDS", 0.5)
    fifo = tmp_path / "nobody.csv"
    os.mkfifo(fifo)
    result = {}
    # In a thread, so that a command that blocks fails this test instead of hanging it.
    t = threading.Thread(target=lambda: result.update(code=cli_module.main(
        ["coverage", "--designations", str(fifo)])), daemon=True)
    start = time.monotonic()
    t.start()
    t.join(timeout=20)
    if t.is_alive():  # unblock it: a writer that closes at once gives the reader an end of file
        os.close(os.open(fifo, os.O_WRONLY))
        t.join(timeout=20)
        pytest.fail("--designations on a FIFO without a writer blocked the command")
    assert result["code"] == 2 and time.monotonic() - start < 10
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(fifo) in err and "sent nothing within 0.5 s" in err, err


def test_designations_directory_is_refused_in_one_line(tmp_path):
    p = cli("coverage", "--designations", str(tmp_path), text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "is a directory" in p.stderr, p.stderr


# ---------------------------------------------------------------- interrupts


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from export import outfile

    target = tmp_path / "m.csv"
    target.write_bytes(b"old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(outfile.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        outfile.write_output(target, b"new")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["m.csv"] and target.read_bytes() == b"old"
    assert outfile._pending == set()


def test_discard_pending_removes_what_an_interrupt_left(tmp_path):
    from export import outfile

    left = tmp_path / ".m.csv.0123abcd.part"
    left.write_bytes(b"half")
    outfile._pending.add(str(left))
    outfile.discard_pending()
    assert not left.exists() and outfile._pending == set()


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_export_all_stops_cleanly_on_a_signal(tmp_path, sig, code):
    from PIL import Image

    out = tmp_path / "maps"
    # SIGINT as from a terminal: a job started in the background by a script inherits SIGINT
    # ignored (and the CLI rightly keeps it so), which would make this test depend on its runner.
    proc = subprocess.Popen([PY, CLI, "export-all", "--out", str(out), "--size", "screen"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    # Once it has started writing: the first map exists (not only its temporary file,
    # which the signal may rightly remove, leaving nothing).
    while not (out.is_dir() and any(not x.name.startswith(".") for x in out.iterdir())):
        assert proc.poll() is None and time.monotonic() < deadline, "export-all wrote nothing"
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    err = err.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.rstrip().splitlines()[-1] == f"cli.py: stopped by {sig.name}; no file was left half-written"
    names = sorted(x.name for x in out.iterdir())
    assert names and not [n for n in names if n.startswith(".") or n.endswith(".part")], names
    assert len(names) < 22
    for n in names:  # every file left is a whole PNG
        with Image.open(out / n) as im:
            im.load()


def test_in_process_interrupt_returns_130(monkeypatch, capsys):
    import cli as cli_module

    def interrupted(args, out, err=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "run", interrupted)
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert cli_module.main(["coverage"]) == 130
    err = capsys.readouterr().err
    assert err == "cli.py: stopped by SIGINT; no file was left half-written\n"
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
