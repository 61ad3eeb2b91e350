"""A local Label Studio server with safe settings: the analyst's studio and the test suite's server.

Label Studio lives in its own virtualenv (`.venv-ls`, made by scripts/install_label_studio.sh)
because its pins clash with the project's. It runs on 127.0.0.1 only, with telemetry, error
reporting and the version check off, open sign-up off, and the legacy token enabled so a fixed
token works from the first start.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from ..errors import UserError
from .client import EXIT_UNREACHABLE, STUDIO_FILE, read_studio_file

LABEL_STUDIO_VERSION = "1.23.2"
REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LOG_FILE = "label-studio.log"
START_TIMEOUT = 300.0

# Settings that keep a local server quiet and closed: plain names, since inherited LABEL_STUDIO_* /
# HEARTEX_* variables (which Label Studio reads first) are dropped.
SAFE_SETTINGS = {
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "FEATURE_FLAGS_OFFLINE": "true",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
    "LABEL_STUDIO_HOST": "",
    "DJANGO_DB": "sqlite",
    "LOG_LEVEL": "WARNING",
}
# Label Studio calls no address of a reserved network (its SSRF protection). A studio serving the
# rules' ML backend on 127.0.0.1 keeps all of them banned but the IPv4 loopback the backend is on.
RESERVED_BUT_LOOPBACK = (
    "0.0.0.0/8,10.0.0.0/8,100.64.0.0/10,169.254.0.0/16,172.16.0.0/12,192.0.0.0/24,192.0.2.0/24,192.88.99.0/24,"
    "192.168.0.0/16,198.18.0.0/15,198.51.100.0/24,203.0.113.0/24,224.0.0.0/4,233.252.0.0/24,240.0.0.0/4,"
    "255.255.255.255/32,::/128,::1/128,::ffff:0:0/96,::ffff:0:0:0/96,64:ff9b::/96,64:ff9b:1::/48,100::/64,"
    "2001:0000::/32,2001:20::/28,2001:db8::/32,2002::/16,fc00::/7,fe80::/10,ff00::/8")
# Variables of the calling environment that would change what the server does (Label Studio adds a
# migration linter when CI is set).
DROPPED = ("CI", "DATABASE_NAME", "BASE_DATA_DIR", "HOST", "PORT", "DEBUG")


@dataclass(frozen=True)
class Account:
    """The server's admin user; `token` is its legacy API token (40 characters at most)."""

    email: str
    password: str
    token: str

    @classmethod
    def new(cls, email: str = "admin@annotator.local") -> "Account":
        return cls(email, secrets.token_urlsafe(12), secrets.token_hex(20))


def label_studio_bin() -> Path:
    """The `label-studio` executable: the project's .venv-ls first, then the PATH."""
    path = REPO_ROOT / ".venv-ls" / "bin" / "label-studio"
    found = path if path.exists() else shutil.which("label-studio")
    if not found:
        raise UserError(f"Label Studio is not installed ({path} is missing): run scripts/install_label_studio.sh",
                        EXIT_UNREACHABLE)
    return Path(found)


def server_env(data_dir: Path, account: Account, ml_backend: bool = False) -> dict[str, str]:
    """The environment of a server keeping its database in `data_dir`, with `account` as admin;
    `ml_backend`: it may call the rules' ML backend on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LABEL_STUDIO_", "HEARTEX_")) and k not in DROPPED}
    env.update(SAFE_SETTINGS)
    if ml_backend:
        env.update(USE_DEFAULT_BANNED_SUBNETS="false", USER_ADDITIONAL_BANNED_SUBNETS=RESERVED_BUT_LOOPBACK)
    env.update(LABEL_STUDIO_BASE_DATA_DIR=str(data_dir), DATABASE_NAME=str(data_dir / "label_studio.sqlite3"),
               LABEL_STUDIO_USERNAME=account.email, LABEL_STUDIO_PASSWORD=account.password,
               LABEL_STUDIO_USER_TOKEN=account.token)
    return env


def init_database(data_dir: Path, account: Account, binary: Path | None = None) -> None:
    """Migrate a fresh database and create the admin (no server): the 30-40 s a first start costs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOG_FILE).open("ab") as log:
        done = subprocess.run([str(binary or label_studio_bin()), "init", "--quiet", "--no-browser",
                               "--enable-legacy-api-token"], env=server_env(data_dir, account),
                              stdout=log, stderr=subprocess.STDOUT, timeout=START_TIMEOUT, check=False)
    if done.returncode:
        raise UserError(f"label-studio init failed:\n{log_tail(data_dir)}", EXIT_UNREACHABLE)


def start_server(data_dir: Path, port: int, account: Account, binary: Path | None = None,
                 ml_backend: bool = False) -> subprocess.Popen:
    """Start a server on 127.0.0.1:`port` in its own process group; its output goes to the data dir's log.
    `ml_backend`: it may call the rules' ML backend on 127.0.0.1."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if port_in_use(port):
        raise UserError(f"port {port} of {HOST} is already in use: choose another with --port", EXIT_UNREACHABLE)
    with (data_dir / LOG_FILE).open("ab") as log:
        return subprocess.Popen(
            [str(binary or label_studio_bin()), "start", "--no-browser", "--internal-host", HOST,
             "--port", str(port), "--enable-legacy-api-token"],
            env=server_env(data_dir, account, ml_backend), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)


def wait_until_up(url: str, proc: subprocess.Popen, data_dir: Path, timeout: float = START_TIMEOUT) -> None:
    """Poll the server's health check until it answers; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise UserError(f"Label Studio stopped at start (exit {proc.returncode}):\n{log_tail(data_dir)}",
                            EXIT_UNREACHABLE)
        if is_up(url):
            return
        time.sleep(0.3)
    stop_server(proc)
    raise UserError(f"Label Studio did not answer at {url} within {timeout:.0f} s:\n{log_tail(data_dir)}",
                    EXIT_UNREACHABLE)


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started by `start_server`, forcefully if it does not stop within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def is_up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((HOST, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def log_tail(data_dir: Path, lines: int = 15) -> str:
    path = data_dir / LOG_FILE
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def studio_account(data_dir: Path, port: int) -> tuple[Account, str]:
    """The studio's admin account (made once, kept in the data dir, readable by its owner only) and URL."""
    url = f"http://{HOST}:{port}"
    known = read_studio_file(data_dir)
    account = Account(known["email"], known["password"], known["token"]) if known else Account.new()
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / STUDIO_FILE
    path.write_text(json.dumps({"url": url, **asdict(account)}, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return account, url
