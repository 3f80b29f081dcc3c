"""Serve a class: n app processes behind nginx with sticky sessions, all sharing one embedding cache.

``python scripts/serve.py --replicas 2 --port 8501`` (what ``make serve REPLICAS=2`` runs) starts the
replicas on free local ports, writes an nginx configuration into a temporary folder and runs
nginx in the foreground on ``--port``. Ctrl-C stops everything.

Why a cookie: a Streamlit session lives in one process (its websocket, its uploads, its widget state),
so every request of a visitor must reach the same replica. nginx gives each new visitor a random route
(``$request_id``), hashes it to a replica, and hands it back as the cookie ``sae_route``; later requests
carry the cookie and hash the same way. (Hashing the client address would send a whole class behind one
school NAT to one replica.) Responses say which replica answered in ``X-Replica``.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.cli import bounded_int  # noqa: E402
from scripts.harness import ROOT, free_port, server_command, server_log, stop, wait_healthy  # noqa: E402

NGINX_CONF = """
{user}
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {run}/body;
  proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi;
  scgi_temp_path {run}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  map $cookie_sae_route $sae_route {{ "" $request_id; default $cookie_sae_route; }}
  upstream replicas {{
    hash $sae_route consistent;
{servers}
  }}
  server {{
    listen {address}:{port};
    client_max_body_size 12m;
    location / {{
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 1d;
      proxy_send_timeout 1d;
      add_header Set-Cookie "sae_route=$sae_route; Path=/; Max-Age=86400; SameSite=Lax" always;
      add_header X-Replica $upstream_addr always;
    }}
  }}
}}
"""


def nginx_binary() -> str:
    from core.settings import current

    found = str(current().nginx or "") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise SystemExit("nginx not found: run `sh scripts/ensure-nginx.sh` (make serve does)")
    return found


def write_config(run: Path, port: int, upstreams: list[int], address: str = "127.0.0.1") -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = run / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, run=run, servers=servers, port=port, address=address))
    return conf


@contextlib.contextmanager
def replicas(
    n: int,
    *,
    port: int | None = None,
    address: str = "127.0.0.1",
    env: dict[str, str] | None = None,
    timeout: float = 180.0,
) -> Iterator[tuple[str, list[int]]]:
    """n app processes (on 127.0.0.1) behind nginx (on ``address``); yields (proxy URL, replica server pids)."""
    port = port or free_port()
    ports = [free_port() for _ in range(n)]
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="sae-nginx-") as tmp, server_log() as log:
        run = Path(tmp)
        run.chmod(0o755)
        try:
            for p in ports:
                processes.append(
                    subprocess.Popen(
                        server_command("app.py", p), cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log
                    )
                )
            for p, process in zip(ports, processes, strict=True):
                wait_healthy(f"http://127.0.0.1:{p}", timeout, process)
            conf = write_config(run, port, ports, address)
            nginx = subprocess.Popen([nginx_binary(), "-c", str(conf), "-g", "daemon off;"], stdout=log, stderr=log)
            processes.append(nginx)
            host = "127.0.0.1" if address == "0.0.0.0" else address
            wait_healthy(f"http://{host}:{port}", 30, nginx)
            yield f"http://{host}:{port}", [p.pid for p in processes[:-1]]
        finally:
            stop(processes)


def ipv4(text: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IPv4 address (e.g. 127.0.0.1 or 0.0.0.0)") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=bounded_int(1, 16), default=2, metavar="N", help="1 to 16 (default 2)")
    parser.add_argument("--port", type=bounded_int(1, 65535), default=8501, help="nginx's port (default 8501)")
    parser.add_argument(
        "--address", type=ipv4, default="127.0.0.1", help="nginx's IPv4 address: 127.0.0.1 (this machine) or 0.0.0.0"
    )
    args = parser.parse_args()
    try:
        with replicas(args.replicas, port=args.port, address=args.address) as (url, pids):
            shown = url.replace("127.0.0.1", "localhost")
            print(f"serving {args.replicas} replicas behind nginx at {shown} (on {args.address})", flush=True)
            print(f"replica pids: {', '.join(map(str, pids))}; Ctrl-C stops everything", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    except (RuntimeError, TimeoutError) as exc:  # a replica or nginx did not start: one line, not a traceback
        print(f"serve: {exc} (set SIGNED_EXPLORER_SERVER_LOG=<file> to keep the servers' output)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
