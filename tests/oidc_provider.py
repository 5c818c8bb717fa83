"""A real OpenID Connect provider on loopback (tests/oidc/provider.js, the npm oidc-provider).

`npm ci --prefix tests/oidc` installs it from the committed package-lock.json (`make
.venv/.installed-dev` does, and so `.ci/run`). A test that needs it and cannot start it is skipped
on a laptop and FAILS under CI (tests/services.py).

`sign_in_at_provider` plays the person at the provider's development sign-in form over plain
HTTP and returns the address the provider sends the browser back to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests

from bench._servers import free_port, stop_group
from tests.services import require

HERE = Path(__file__).parent / "oidc"
CLIENT_ID = "chorus"
CLIENT_SECRET = "chorus-test-secret"
_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


@dataclass
class OidcProvider:
    issuer: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def jwks(self) -> dict[str, object]:
        with urllib.request.urlopen(f"{self.issuer}/jwks", timeout=5) as reply:
            return dict(json.loads(reply.read()))

    def stop(self) -> None:
        stop_group(self.process, grace=5)


def _discovered(issuer: str) -> bool:
    try:
        with urllib.request.urlopen(
            f"{issuer}/.well-known/openid-configuration", timeout=2
        ) as reply:
            return bool(json.loads(reply.read()).get("issuer") == issuer)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_provider(
    redirect_uris: list[str], log_dir: Path, *, userinfo_only: bool = False, timeout: float = 30
) -> OidcProvider:
    """Start tests/oidc/provider.js on a free port; wait until its discovery document answers.
    `userinfo_only`: the email claims are left out of the ID token (UserInfo has them)."""
    node = shutil.which("node")
    installed = (HERE / "node_modules" / "oidc-provider").is_dir()
    require(
        "oidc-provider",
        node is not None and installed,
        "needs node and `npm ci --prefix tests/oidc` (make .venv/.installed-dev runs it)",
    )
    assert node is not None
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"oidc-provider-{port}.log"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PORT": str(port),
        "ISSUER": issuer,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": ",".join(redirect_uris),
        "CONFORM_ID_TOKEN_CLAIMS": "1" if userinfo_only else "0",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, "provider.js"],
            cwd=HERE,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    provider = OidcProvider(issuer, port, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if _discovered(issuer):
            return provider
        time.sleep(0.1)
    provider.stop()
    require("oidc-provider", False, f"it did not start within {timeout:.0f}s:\n{provider.log()}")
    raise AssertionError("unreachable")


def sign_in_at_provider(authorize_url: str, login: str, *, back_to: str) -> str:
    """Open the provider's authorization page, sign in as `login`, and return the URL (starting
    with `back_to`) the provider redirects the browser to, without following it."""
    with requests.Session() as browser:
        url = authorize_url
        for _ in range(10):
            reply = browser.get(url, allow_redirects=False, timeout=10)
            if reply.status_code in {302, 303}:
                url = urljoin(url, reply.headers["Location"])
                if url.startswith(back_to):
                    return url
                continue
            assert reply.status_code == 200, (reply.status_code, reply.text[:500])
            action = _FORM_ACTION.search(reply.text)
            assert action, f"no form at {url}: {reply.text[:500]}"
            form = {"prompt": "login", "login": login, "password": "any"}
            reply = browser.post(
                urljoin(url, unescape(action.group(1))), data=form, allow_redirects=False
            )
            assert reply.status_code in {302, 303}, (reply.status_code, reply.text[:500])
            url = urljoin(url, reply.headers["Location"])
            if url.startswith(back_to):
                return url
        raise AssertionError(f"the provider never sent the browser back to {back_to}")
