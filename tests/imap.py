"""A real IMAP server on loopback for tests: Debian's Dovecot, started in a temporary folder.

    with ImapServer() as server:       # skips (fails under CI) if Dovecot is not installed
        server.append(raw_message)       # put a message in the mailbox, as a mail server would
        server.unseen()                  # how many the app has not read yet

One mailbox user (`server.user` / `server.password`), plain login on 127.0.0.1 without TLS.
Dovecot refuses mail access as root, so the mailbox belongs to `nobody`.
"""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services import require
from tests.smtp import LOOPBACK, free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class ImapServer:
    user = "bounces"
    password = "bounce-mailbox-password"

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="chorus-imap-", dir="/tmp"))
        self.config = self.root / "dovecot.conf"

    def start(self) -> ImapServer:
        require("Dovecot", os.path.exists(DOVECOT), "apt-get install dovecot-imapd (.ci/run does)")
        os.chmod(self.root, 0o755)
        for name in ("run", "state", "home"):
            (self.root / name).mkdir()
        shutil.chown(self.root / "home", "nobody", "nogroup")
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        self.config.write_text(CONFIG.format(host=LOOPBACK, root=self.root, port=self.port))
        subprocess.run([DOVECOT, "-c", str(self.config)], check=True, timeout=20)
        deadline = time.monotonic() + 10
        while True:
            try:
                self._client().logout()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.config), "stop"], check=False, timeout=20)
        shutil.rmtree(self.root, ignore_errors=True)

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(LOOPBACK, self.port, timeout=5)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes) -> None:
        client = self._client()
        try:
            client.append("INBOX", "", None, raw)
        finally:
            client.logout()

    def unseen(self) -> int:
        client = self._client()
        try:
            client.select("INBOX")
            _, found = client.search(None, "UNSEEN")
            return len((found[0] or b"").split())
        finally:
            client.logout()

    def __enter__(self) -> ImapServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
