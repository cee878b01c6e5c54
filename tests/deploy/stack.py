"""The production stack on loopback ports: the shipped nginx configuration in front of gunicorn
with the shipped gunicorn.conf.py. Used by the stack tests and benchmarks/slow_clients.py.

The nginx files are the ones in deploy/nginx/, with only their addresses, paths and host name
changed for this machine; every such change must match the shipped text, so a config edit that
breaks the substitution fails loudly instead of going untested.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "localhost"  # the public host name in the tests (the certificate is made for it)
SECRET_KEY = "stack-test-secret-key-a1b2c3d4e5f60718293a4b5c6d7e8f90"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nginx_available() -> bool:
    return Path(NGINX).is_file() and os.access(NGINX, os.X_OK)


def _replace(text: str, old: str, new: str, name: str) -> str:
    if old not in text:
        raise AssertionError(f"{name}: the shipped config no longer has {old!r}; update tests/deploy/stack.py")
    return text.replace(old, new)


@dataclass(frozen=True)
class Stack:
    folder: Path
    app_port: int
    http_port: int
    https_port: int
    cert: Path

    @property
    def public_url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def nginx_logs(self) -> list[Path]:
        return sorted(self.folder.glob("*.log"))

    def gunicorn_log(self) -> str:
        return (self.folder / "gunicorn.out").read_text(errors="replace")

    def all_logs(self) -> str:
        return self.gunicorn_log() + "".join(p.read_text(errors="replace") for p in self.nginx_logs)


def render_nginx(folder: Path, app_port: int, http_port: int, https_port: int, cert: Path, key: Path) -> Path:
    """Write the shipped nginx files, set for loopback ports and this folder, and a main config."""
    local = {
        "/var/log/nginx/": f"{folder}/",
        "/etc/nginx/snippets/": f"{folder}/",
    }
    for name in ("fbss-check-limits.conf", "fbss-check-proxy.conf", "fbss-check-upstream.conf"):
        text = (DEPLOY / name).read_text()
        for old, new in local.items():
            if old in text:
                text = text.replace(old, new)
        if name == "fbss-check-upstream.conf":
            text = _replace(text, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};", name)
        (folder / name).write_text(text)
    site = (DEPLOY / "fbss-check.conf").read_text()
    for old, new in [
        ("    listen [::]:80 default_server;\n", ""),
        ("    listen [::]:443 ssl default_server;\n", ""),
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server_name check.example.org;", f"server_name {HOST};"),
        ("/etc/ssl/certs/fbss-check.pem", str(cert)),
        ("/etc/ssl/private/fbss-check.key", str(key)),
        ("/etc/nginx/snippets/", f"{folder}/"),
        ("/var/log/nginx/", f"{folder}/"),
    ]:
        site = _replace(site, old, new, "fbss-check.conf")
    (folder / "fbss-check.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir()
    main = folder / "nginx.conf"
    main.write_text(
        f"""
pid {folder}/nginx.pid;
error_log {folder}/nginx-main.error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    access_log {folder}/nginx-main.access.log;
    default_type application/octet-stream;
    include {folder}/fbss-check.conf;
}}
"""
    )
    return main


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


@contextmanager
def running_stack(folder: Path, workers: int = 2, with_nginx: bool = True) -> Iterator[Stack]:
    """gunicorn (and nginx in front, unless with_nginx is False) on loopback ports, stopped after."""
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    cert, key = make_certificate(folder)
    stack = Stack(folder, app_port, http_port, https_port, cert)
    env = {
        **os.environ,
        "SECRET_KEY": SECRET_KEY,
        "FBSS_PUBLIC_URL": stack.public_url if with_nginx else stack.app_url,
        "FBSS_PROXY_HOPS": "1" if with_nginx else "0",
        "BIND": f"127.0.0.1:{app_port}",
        "WEB_CONCURRENCY": str(workers),
    }
    env.pop("FLASK_DEBUG", None)
    out = (folder / "gunicorn.out").open("wb")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "app:app"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    nginx = None
    try:
        wait_for_port(app_port)
        if with_nginx:
            main = render_nginx(folder, app_port, http_port, https_port, cert, key)
            subprocess.run([NGINX, "-t", "-q", "-c", str(main)], check=True, capture_output=True)
            nginx = subprocess.Popen([NGINX, "-c", str(main), "-g", "daemon off;"], stdout=out, stderr=out)
            wait_for_port(https_port)
        yield stack
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        out.close()


@contextmanager
def slow_clients(port: int, count: int, tls: bool = False) -> Iterator[list[socket.socket]]:
    """`count` connections that each send half a request and then stall: half send part of the
    headers, half send whole headers announcing a body of 1,000 bytes and send 10 of them."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sockets: list[socket.socket] = []
    try:
        for n in range(count):
            raw = socket.create_connection(("127.0.0.1", port), timeout=5)
            conn = context.wrap_socket(raw, server_hostname=HOST) if tls else raw
            if n % 2:
                conn.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode())
            else:
                conn.sendall(
                    f"POST /start HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 1000\r\n\r\ncsrf_token".encode()
                )
            sockets.append(conn)
        yield sockets
    finally:
        for conn in sockets:
            conn.close()
