"""What the stand-in servers share: a quiet http.server handler that reads
request bodies and answers JSON. Standard library only."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler


class JsonHandler(BaseHTTPRequestHandler):
    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def read_json(self) -> dict:
        """The body as a JSON object; {} when it is empty, not JSON or not an object."""
        try:
            body = json.loads(self.read_body() or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        pass
