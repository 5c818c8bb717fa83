"""A phone's HTTP/1.1 over one raw keep-alive socket, counting every byte on the wire.

For bench/respondent_pages.py: what a phone receives is the status line, the headers and the
body exactly as sent (compressed when it asked for compression), so this client reads the
socket itself and counts what arrives, rather than what a library hands back after decoding.
Bodies are decoded (Brotli, gzip) only to read the page. Standard library and brotli only.
"""

from __future__ import annotations

import gzip
import socket
import zlib
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urlsplit

import brotli

# What Chromium sends for a page (without zstd, which the app does not offer).
ACCEPT_ENCODING = "gzip, deflate, br"
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36"


@dataclass
class WireReply:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined by "\n"
    raw_body: bytes  # as sent
    received: int  # bytes read from the socket: status line, headers and body
    sent: int  # bytes of the request

    @property
    def body(self) -> bytes:
        coding = self.headers.get("content-encoding", "")
        if coding == "br":
            return bytes(brotli.decompress(self.raw_body))
        if coding == "gzip":
            return gzip.decompress(self.raw_body)
        if coding == "deflate":
            return zlib.decompress(self.raw_body)
        return self.raw_body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        value = self.headers.get("location", "")
        return urlsplit(value).path if value else ""


@dataclass
class WirePhone:
    """One browser: a cookie jar and a keep-alive connection to one loopback server."""

    host: str
    port: int
    accept_encoding: str = ACCEPT_ENCODING
    timeout: float = 30.0
    cookies: dict[str, str] = field(default_factory=dict)
    log: list[tuple[str, str, int, int, int]] = field(default_factory=list)  # method, path, ...
    _sock: socket.socket | None = None
    _buffer: bytes = b""

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            self._buffer = b""

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> WireReply:
        body = urlencode(form).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"User-Agent: {USER_AGENT}",
            "Accept: text/html,application/xhtml+xml,*/*;q=0.8",
            f"Accept-Encoding: {self.accept_encoding}",
            "Accept-Language: en-GB,en;q=0.9",
            "Connection: keep-alive",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        if self._sock is None:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self._sock.sendall(raw)
        reply = self._read(len(raw), method)
        self._keep_cookies(reply.headers.get("set-cookie", ""))
        if reply.headers.get("connection", "").lower() == "close":
            self.close()
        self.log.append((method, path, reply.status, reply.received, len(raw)))
        return reply

    def get(self, path: str, headers: dict[str, str] | None = None) -> WireReply:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
    ) -> WireReply:
        return self.request("POST", path, form, headers)

    # -- reading a response ----------------------------------------------------------------------

    def _fill(self) -> None:
        assert self._sock is not None
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-response")
        self._buffer += chunk

    def _take(self, n: int) -> bytes:
        while len(self._buffer) < n:
            self._fill()
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _line(self) -> bytes:
        while b"\r\n" not in self._buffer:
            self._fill()
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line + b"\r\n"

    def _read(self, sent: int, method: str) -> WireReply:
        while b"\r\n\r\n" not in self._buffer:
            self._fill()
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        received = len(head) + 4
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}\n{value.strip()}" if key in headers else value.strip()
        body = b""
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            pass
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size_line = self._line()
                received += len(size_line)
                size = int(size_line.split(b";")[0].strip(), 16)
                chunk = self._take(size + 2)
                received += len(chunk)
                if size == 0:
                    break
                body += chunk[:-2]
        elif "content-length" in headers:
            body = self._take(int(headers["content-length"]))
            received += len(body)
        else:  # read to the end of the connection
            while True:
                try:
                    self._fill()
                except ConnectionError:
                    break
            body, self._buffer = self._buffer, b""
            received += len(body)
            self.close()
        return WireReply(status, headers, body, received, sent)

    def _keep_cookies(self, joined: str) -> None:
        for header in filter(None, joined.split("\n")):
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
