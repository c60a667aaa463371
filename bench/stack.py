"""A production-shaped Ponte on 127.0.0.1: ``python -m bench.stack up|down|status`` (``make prod-local``).

``up`` starts, each under a PID file in ``<instance-dir>/run/``:

* PostgreSQL: the server answering on 127.0.0.1:5432 if there is one (a database of our own is
  created in it), else a cluster of our own (initdb under the instance dir, pg_ctl, another port);
* Redis: a redis-server of our own (no persistence) on a fixed port, unless ``--redis-url`` names one;
* the migrations (``flask db upgrade``) and, on the first run, the demo data (``flask seed-demo``);
* two gunicorn instances (docs/deploy/gunicorn.conf.py) on two ports, the RQ mail worker
  (``flask worker``) and nginx with a configuration generated from docs/deploy/nginx/ponte.conf.

Everything runs with the production settings written to ``<instance-dir>/ponte.env`` (a random
secret key kept across runs), except that it is plain http on 127.0.0.1, so cookies are not
marked Secure. ``down`` stops what the PID files name, nothing else; ``up`` twice is harmless.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import procs

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_ADMIN_PORT = 5432


@dataclass
class Settings:
    instance: Path
    ports: list[int] = field(default_factory=lambda: [8001, 8002])
    nginx_port: int = 8080
    redis_port: int = 6389
    redis_url: str = ""  # an existing Redis to use instead of starting one
    database: str = "ponte_prodlocal"
    pg_port: int = 5442  # our own cluster's port, used only when nothing answers on 5432
    workers: int = 2
    demo: bool = True
    extra: dict[str, str] = field(default_factory=dict)  # more PONTE_* settings (e.g. for tests)

    @property
    def run(self) -> Path:
        return self.instance / "run"

    @property
    def logs(self) -> Path:
        return self.instance / "logs"

    @property
    def env_file(self) -> Path:
        return self.instance / "ponte.env"

    @property
    def state_file(self) -> Path:
        return self.instance / "stack.json"

    def to_json(self) -> str:
        data = asdict(self)
        data["instance"] = str(self.instance)
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        data["instance"] = Path(data["instance"])
        return cls(**data)


def say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- Debian packages


def ensure_packages(packages: dict[str, str]) -> None:
    """``{command or path: debian package}``: install what is missing when root, else explain."""
    missing = sorted({pkg for probe, pkg in packages.items() if not (shutil.which(probe) or Path(probe).exists())})
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"Installing Debian packages: {' '.join(missing)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S607 — the system's apt-get
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing],  # noqa: S603, S607 — package names from this file
                       check=True, env=env, stdout=subprocess.DEVNULL)
        return
    raise SystemExit(f"Missing: {' '.join(missing)}. Install with: sudo apt-get install {' '.join(missing)}")


def pg_bin(name: str) -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1] if found else None


# --------------------------------------------------------------------------- PostgreSQL


def _admin_connect(port: int):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"host={HOST} port={port} user=postgres dbname=postgres", autocommit=True, connect_timeout=5)


def _create_database(port: int, name: str) -> bool:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"unsafe database name: {name!r}")
    with _admin_connect(port) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def _as_postgres(argv: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the Debian "postgres" user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def start_postgres(s: Settings) -> tuple[int, bool]:
    """The port of a PostgreSQL server with our database; True when the database was just created."""
    if procs.port_open(HOST, PG_ADMIN_PORT):
        return PG_ADMIN_PORT, _create_database(PG_ADMIN_PORT, s.database)
    ensure_packages({str(pg_bin("initdb") or "/usr/lib/postgresql/15/bin/initdb"): "postgresql"})
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise SystemExit("PostgreSQL's initdb and pg_ctl were not found under /usr/lib/postgresql/*/bin.")
    data, sockets = s.instance / "pgdata", s.instance / "pgsock"
    pidfile = s.run / "postgres.pid"
    if not _running(pidfile):
        for path in (data.parent, sockets):
            path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(sockets, "postgres")
        if not (data / "PG_VERSION").exists():
            data.mkdir(exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(data, "postgres")
            subprocess.run(_as_postgres([str(initdb), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",  # noqa: S603 — arguments built here
                                         "--locale=C.UTF-8"]), check=True, stdout=subprocess.DEVNULL)
        log = s.instance / "pglog" / "postgres.log"  # written by the server's own user
        log.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(log.parent, "postgres")
        options = f"-p {s.pg_port} -k {sockets} -c listen_addresses={HOST}"
        subprocess.run(_as_postgres([str(pg_ctl), "start", "-w", "-D", str(data), "-l", str(log), "-o", options]),  # noqa: S603 — arguments built here
                       check=True, stdout=subprocess.DEVNULL)
        # pg_ctl daemonizes the server; its PID is the first line of postmaster.pid.
        s.run.mkdir(parents=True, exist_ok=True)
        pidfile.write_text((data / "postmaster.pid").read_text().splitlines()[0] + "\n")
    procs.wait_port(HOST, s.pg_port, 30)
    return s.pg_port, _create_database(s.pg_port, s.database)


def stop_postgres(s: Settings) -> bool:
    pidfile = s.run / "postgres.pid"
    if not _running(pidfile):
        pidfile.unlink(missing_ok=True)
        return False
    pg_ctl = pg_bin("pg_ctl")
    if pg_ctl is not None:
        subprocess.run(_as_postgres([str(pg_ctl), "stop", "-m", "fast", "-w", "-D", str(s.instance / "pgdata")]),  # noqa: S603 — arguments built here
                       check=False, stdout=subprocess.DEVNULL)
    return procs.stop_pidfile(pidfile) or True


# --------------------------------------------------------------------------- helpers


def _running(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if procs.alive(pid) else None


def _secret_key(env_file: Path) -> str:
    try:
        for line in env_file.read_text().splitlines():
            if line.startswith("PONTE_SECRET_KEY="):
                return line.split("=", 1)[1]
    except OSError:
        pass
    return secrets.token_urlsafe(48)


def read_env(env_file: Path) -> dict[str, str]:
    """KEY=VALUE lines (comments and blank lines skipped), as systemd's EnvironmentFile reads them."""
    values = {}
    for line in env_file.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value
    return values


def write_env(s: Settings, pg_port: int) -> dict[str, str]:
    values = {
        "PONTE_SECRET_KEY": _secret_key(s.env_file),
        "PONTE_DATABASE_URL": f"postgresql+psycopg://postgres@{HOST}:{pg_port}/{s.database}",
        "PONTE_REDIS_URL": s.redis_url or f"redis://{HOST}:{s.redis_port}/0",
        "PONTE_SERVER_NAME": f"{HOST}:{s.nginx_port}",
        "PONTE_PREFERRED_URL_SCHEME": "http",
        # Plain http on 127.0.0.1: a Secure cookie would never come back, and there is no TLS for HSTS.
        "PONTE_SESSION_COOKIE_SECURE": "0",
        "PONTE_REMEMBER_COOKIE_SECURE": "0",
        "PONTE_WTF_CSRF_SSL_STRICT": "0",
        "PONTE_HSTS": "0",
        "PONTE_PROXY_FIX": "1",
        "PONTE_MAIL_BACKEND": "file",
        "PONTE_MAIL_DIR": str(s.instance / "mail"),
        "PONTE_UPLOAD_DIR": str(s.instance / "uploads"),
        "PONTE_LOG_FORMAT": "json",
        **s.extra,
    }
    lines = [
        "# Written by bench/stack.py (make prod-local): production settings, except plain http on",
        "# 127.0.0.1, so cookies are not Secure and there is no HSTS. Never use it on a public address.",
        *(f"{key}={value}" for key, value in values.items()),
    ]
    s.env_file.write_text("\n".join(lines) + "\n")
    s.env_file.chmod(0o600)
    return values


def app_env(s: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "FLASK_", "GUNICORN_", "WEB_CONCURRENCY"))}
    env.update(read_env(s.env_file))
    env.update({"FLASK_APP": "wsgi:app", "PYTHONUNBUFFERED": "1"})
    return env


def flask(s: Settings, *args: str) -> None:
    log = s.logs / "setup.log"
    with log.open("ab") as out:
        done = subprocess.run([str(VENV_BIN / "flask"), *args], cwd=ROOT, env=app_env(s), stdout=out,  # noqa: S603 — our own CLI
                              stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"`flask {' '.join(args)}` failed; see {log}")


# --------------------------------------------------------------------------- nginx


def nginx_conf(s: Settings) -> str:
    """docs/deploy/nginx/ponte.conf made local: no TLS, our ports, paths and log files."""
    site = (ROOT / "docs/deploy/nginx/ponte.conf").read_text()
    site = re.sub(r"# --- https redirect.*?# --- end https redirect ---\n", "", site, flags=re.S)
    site = "\n".join(line for line in site.splitlines() if not line.rstrip().endswith("# tls"))
    servers = "".join(f"    server {HOST}:{port} max_fails=1 fail_timeout=10s;\n" for port in s.ports)
    site = re.sub(r"(upstream ponte_app \{\n)(?:    server .*\n)+", lambda m: m.group(1) + servers, site)
    site = site.replace("    server_name ponte.example.org;", f"    listen {HOST}:{s.nginx_port};\n    server_name {HOST};")
    site = site.replace("/srv/ponte", str(ROOT)).replace("/var/log/nginx/", f"{s.logs}/nginx-")
    tmp = s.instance / "nginx"
    user = "user www-data www-data;\n" if os.geteuid() == 0 and _user_exists("www-data") else ""
    temp = "".join(f"    {kind}_temp_path {tmp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"# Generated by bench/stack.py from docs/deploy/nginx/ponte.conf; rewritten at every `up`.\n"
        f"{user}daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {s.logs / 'nginx-error.log'} warn;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    sendfile on;\n{temp}"
        # Workers may not reach the instance dir (www-data): keep bodies and answers in memory.
        f"    client_body_buffer_size 1m;\n    proxy_max_temp_file_size 0;\n"
        f"{site}\n}}\n"
    )


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


# --------------------------------------------------------------------------- up / down / status


def _start(s: Settings, name: str, argv: list[str], *, port: int | None, env: dict[str, str] | None = None,
           ready: str | None = None) -> None:
    pidfile = s.run / f"{name}.pid"
    if _running(pidfile):
        return
    if port is not None and procs.port_open(HOST, port):
        raise SystemExit(f"{name}: port {port} is taken by a process this stack did not start; choose another port.")
    proc = procs.spawn(name, argv, log=s.logs / f"{name}.log", env=env, cwd=ROOT, pidfile=pidfile)
    if ready:
        procs.wait_http(ready, 60, proc)
    elif port is not None:
        procs.wait_port(HOST, port, 30, proc)


def up(s: Settings) -> None:
    started = time.monotonic()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    ensure_packages({nginx: "nginx"} | ({} if s.redis_url else {"redis-server": "redis-server"}))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    for path in (s.run, s.logs, s.instance / "nginx", s.instance / "mail", s.instance / "uploads"):
        path.mkdir(parents=True, exist_ok=True)

    pg_port, created = start_postgres(s)
    write_env(s, pg_port)
    s.state_file.write_text(s.to_json())
    if not s.redis_url:
        redis_dir = s.instance / "redis"
        redis_dir.mkdir(exist_ok=True)
        _start(s, "redis", ["redis-server", "--bind", HOST, "--port", str(s.redis_port), "--save", "", "--appendonly", "no",
                            "--dir", str(redis_dir), "--daemonize", "no"], port=s.redis_port)

    flask(s, "db", "upgrade")
    marker = s.instance / "demo-seeded"
    if s.demo and (created or not marker.exists()):
        say("Loading the demo data (first run) …")
        flask(s, "seed-demo")
        marker.write_text(s.database + "\n")

    env = app_env(s)
    gunicorn = str(VENV_BIN / "gunicorn")
    for port in s.ports:
        _start(s, f"web-{port}", [gunicorn, "-c", str(ROOT / "docs/deploy/gunicorn.conf.py")], port=port,
               env={**env, "GUNICORN_BIND": f"{HOST}:{port}", "WEB_CONCURRENCY": str(s.workers)},
               ready=f"http://{HOST}:{port}/healthz")
    _start(s, "worker", [str(VENV_BIN / "flask"), "worker"], port=None, env=env)

    conf = s.instance / "nginx" / "nginx.conf"
    conf.write_text(nginx_conf(s))
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (s.instance / "nginx" / kind).mkdir(exist_ok=True)
    check = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(s.instance / "nginx"), "-e", str(s.logs / "nginx-error.log")],  # noqa: S603 — arguments built here
                           capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise SystemExit(f"nginx refused the generated {conf}:\n{check.stderr}")
    _start(s, "nginx", [nginx, "-c", str(conf), "-p", str(s.instance / "nginx"), "-e", str(s.logs / "nginx-error.log")],
           port=s.nginx_port)
    procs.wait_http(f"http://{HOST}:{s.nginx_port}/readyz", 60)
    status(s)
    say(f"\nPonte runs at http://{HOST}:{s.nginx_port}/ (ready in {time.monotonic() - started:.1f} s; "
        f"logs in {s.logs}, settings in {s.env_file}). Stop it with: make prod-local-stop")


NAMES = ("nginx", "web-*", "worker", "redis", "postgres")


def _pidfiles(s: Settings) -> list[Path]:
    found: list[Path] = []
    for pattern in NAMES:
        found.extend(sorted(s.run.glob(f"{pattern}.pid")))
    return found


def down(s: Settings) -> None:
    stopped = []
    for pidfile in _pidfiles(s):
        name = pidfile.stem
        if name == "postgres":
            if stop_postgres(s):
                stopped.append(name)
        elif procs.stop_pidfile(pidfile, timeout=25):
            stopped.append(name)
    say(f"Stopped: {', '.join(stopped)}" if stopped else "Nothing was running.")


def status(s: Settings) -> int:
    ports = {"nginx": s.nginx_port, "redis": s.redis_port, "postgres": s.pg_port} | {f"web-{p}": p for p in s.ports}
    rows = []
    for pidfile in _pidfiles(s):
        pid = _running(pidfile)
        rows.append((pidfile.stem, str(pid or "-"), str(ports.get(pidfile.stem, "-")), "running" if pid else "stopped"))
    if not rows:
        say("Nothing is running.")
        return 1
    say(f"{'name':<12}{'pid':>8}  {'port':<6} state")
    for row in rows:
        say(f"{row[0]:<12}{row[1]:>8}  {row[2]:<6} {row[3]}")
    if procs.port_open(HOST, PG_ADMIN_PORT) and not (s.run / "postgres.pid").exists():
        say(f"{'postgres':<12}{'(shared)':>8}  {PG_ADMIN_PORT:<6} database {s.database}")
    return 0 if all(row[3] == "running" for row in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--instance-dir", type=Path, default=ROOT / "instance" / "prod-local")
    parser.add_argument("--ports", default="8001,8002", help="the gunicorn instances' ports (comma-separated)")
    parser.add_argument("--nginx-port", type=int, default=8080)
    parser.add_argument("--redis-port", type=int, default=6389)
    parser.add_argument("--redis-url", default="", help="use this Redis instead of starting one")
    parser.add_argument("--database", default="ponte_prodlocal")
    parser.add_argument("--pg-port", type=int, default=5442, help="our own cluster's port when nothing answers on 5432")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    parser.add_argument("--set", action="append", default=[], metavar="PONTE_NAME=VALUE", help="another setting for ponte.env")
    args = parser.parse_args(argv)
    instance = args.instance_dir.resolve()
    extra = dict(item.split("=", 1) for item in args.set)
    if any(not key.startswith("PONTE_") for key in extra):
        parser.error("--set takes PONTE_NAME=VALUE")
    s = Settings(instance=instance, ports=[int(p) for p in args.ports.split(",") if p], nginx_port=args.nginx_port,
                 redis_port=args.redis_port, redis_url=args.redis_url, database=args.database, pg_port=args.pg_port,
                 workers=args.workers, demo=not args.no_demo, extra=extra)
    state = instance / "stack.json"
    if state.exists() and (args.command != "up" or any(_running(p) for p in _pidfiles(s))):
        s = Settings.from_json(state.read_text())  # what the running stack was started with
    if args.command == "up":
        try:
            up(s)
        except (SystemExit, Exception):
            say(f"`up` failed: the processes started so far keep running; stop them with `python -m bench.stack down "
                f"--instance-dir {instance}`. Logs: {s.logs}")
            raise
        return 0
    if args.command == "down":
        down(s)
        return 0
    return status(s)


if __name__ == "__main__":
    sys.exit(main())
