"""A delaying proxy for the latency benchmark: it stands between a client and
a loopback server (the rig's Synapse, the OAuth server) and makes the link
slow, so that what a sign-up costs on a phone, round trips, shows.

- A new connection costs one delay before anything is relayed (the TCP
  handshake's round trip on a slow link).
- Every byte the server sends reaches the client one delay after the server
  sent it (an answer arrives one round trip after its request).
- It counts connections and requests (HTTP request lines from the client).
- Answers name the server's origin (`.well-known`, OAuth metadata); the
  proxy puts its own there, so that the client keeps talking through it.
  Every origin it serves is rewritten in every answer; ports have five
  digits on both sides, so lengths do not change.

Plain http only, standard library only: asyncio on a thread of its own.
"""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass

# Anywhere in the stream: a request follows the previous body directly.
REQUEST_LINE = re.compile(rb"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /\S* HTTP/1\.[01]\r\n")


@dataclass
class Counts:
    connections: int = 0
    requests: int = 0


class DelayProxy:
    """Proxies for several upstream origins (one listening port each) on one
    event loop; `counts()` sums over them."""

    def __init__(self, upstreams: list[str], delay_s: float) -> None:
        self.delay_s = delay_s
        self._upstreams = upstreams
        self._counts = Counts()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.base_events.Server] = []
        self.origins: dict[str, str] = {}  # upstream origin -> proxy origin
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        if len(self.origins) != len(upstreams):
            raise RuntimeError("the delay proxy did not start")

    def url(self, upstream: str) -> str:
        return self.origins[upstream.rstrip("/")]

    def counts(self) -> Counts:
        with self._lock:
            return Counts(self._counts.connections, self._counts.requests)

    def reset(self) -> None:
        with self._lock:
            self._counts = Counts()

    def close(self) -> None:
        async def shut() -> None:
            for server in self._servers:
                server.close()

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # --- on the proxy's thread ---

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        for upstream in self._upstreams:
            origin = upstream.rstrip("/")
            host, port = origin.removeprefix("http://").rsplit(":", 1)
            server = self._loop.run_until_complete(
                asyncio.start_server(
                    lambda r, w, h=host, p=int(port): self._serve(r, w, h, p), "127.0.0.1", 0
                )
            )
            self._servers.append(server)
            proxy_port = server.sockets[0].getsockname()[1]
            self.origins[origin] = f"http://127.0.0.1:{proxy_port}"
        ready.set()
        self._loop.run_forever()

    def _rewrite(self, data: bytes) -> bytes:
        for upstream, proxy in self.origins.items():
            for old, new in ((upstream, proxy), (upstream.replace("/", "\\/"), proxy.replace("/", "\\/"))):
                if len(old) == len(new):
                    data = data.replace(old.encode(), new.encode())
        return data

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, host: str, port: int) -> None:
        with self._lock:
            self._counts.connections += 1
        try:
            await asyncio.sleep(self.delay_s)  # the handshake's round trip
            server_r, server_w = await asyncio.open_connection(host, port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(
            self._to_server(client_r, server_w), self._to_client(server_r, client_w), return_exceptions=True
        )
        for writer in (server_w, client_w):
            writer.close()

    async def _to_server(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tail = b""
        while data := await reader.read(65536):
            seen = tail + data
            with self._lock:
                self._counts.requests += len(REQUEST_LINE.findall(seen)) - len(REQUEST_LINE.findall(tail))
            tail = seen[-256:]
            writer.write(data)
            await writer.drain()
        writer.write_eof()

    async def _to_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Chunks keep their order; each leaves one delay after it arrived.
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    writer.close()
                    return
                await asyncio.sleep(max(0.0, due - self._loop.time()))
                writer.write(self._rewrite(data))
                await writer.drain()

        delivering = asyncio.ensure_future(deliver())
        while data := await reader.read(65536):
            queue.put_nowait((self._loop.time() + self.delay_s, data))
        queue.put_nowait((self._loop.time() + self.delay_s, b""))
        await delivering
