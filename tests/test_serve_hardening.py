"""What a browser page, a stalled or vanishing client, a shutdown, a slow brief and a busy port
can do to the service, over real HTTP (uvicorn on loopback; raw sockets where httpx would
behave too well). Every error is the JSON body, and the log never holds a traceback."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from click.testing import CliRunner  # noqa: E402

import summarizer._briefing as briefing  # noqa: E402
import summarizer._serve as serve  # noqa: E402
from summarizer import ChatModel, ChatReply, ChatRequest, Summarizer  # noqa: E402
from summarizer._http import http_protocol  # noqa: E402
from summarizer._serve import create_app  # noqa: E402
from summarizer.cli import cli  # noqa: E402
from summarizer.testing import FakeChatModel, FakeOpenAIServer, Reply  # noqa: E402

from .test_serve import error_of, llm, running, scripted, service  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One extractive service, without a token."""
    with service() as c:
        yield c


class Captured(logging.Handler):
    """The records of the service and of uvicorn, whichever phase of the test logs them (and
    uvicorn's logger does not propagate to caplog's)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        """Every record as a log file would show it, tracebacks included."""
        return "\n".join(logging.Formatter().format(r) for r in self.records)


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[Captured]:
    """What the server side logs at INFO and above."""
    captured = Captured()
    caplog.set_level(logging.INFO, logger="summarizer")  # restored after the test
    loggers = [logging.getLogger("summarizer"), logging.getLogger("uvicorn")]
    for logger in loggers:
        logger.addHandler(captured)
    try:
        yield captured
    finally:
        for logger in loggers:
            logger.removeHandler(captured)


def until(condition: Callable[[], object], seconds: float = 20) -> None:
    """Wait for ``condition``; the bound is generous, it only keeps a broken test from hanging."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def no_traceback(log: Captured) -> None:
    """Nothing logged with a traceback, and every message one line."""
    assert "Traceback" not in log.text
    for record in log.records:
        assert not record.exc_info, record.getMessage()
        assert "\n" not in record.getMessage()


# --- 1. Content-Type -----------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [
    None, "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "text/json", "application/jsonp",
])
def test_a_body_not_declared_as_json_is_415(client: httpx.Client, baghouz: str,
                                            content_type: str | None) -> None:
    # What a web page can send cross-origin without a preflight: the JSON is fine, the type not.
    headers = {} if content_type is None else {"content-type": content_type}
    response = client.post("/v1/briefs", content=json.dumps({"text": baghouz}), headers=headers)
    assert error_of(response, 415) == "unsupported_media_type"


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
])
def test_json_with_or_without_a_charset_is_served(client: httpx.Client, baghouz: str,
                                                  content_type: str) -> None:
    response = client.post("/v1/briefs", content=json.dumps({"text": baghouz}),
                           headers={"content-type": content_type})
    assert response.status_code == 200, response.text


# --- 2. Host ---------------------------------------------------------------------------------

def test_without_a_token_the_host_must_name_this_server(client: httpx.Client,
                                                        baghouz: str) -> None:
    port = client.base_url.port
    for host in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}",
                 "127.0.0.1.nip.io", ""):
        headers = {"host": host}
        assert error_of(client.get("/healthz", headers=headers), 421) == "unknown_host"
        response = client.post("/v1/briefs", json={"text": baghouz}, headers=headers)
        assert error_of(response, 421) == "unknown_host"
    # Loopback by name or address, and any IP address: no rebinding page can send those.
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}",
                 "localhost:8080", "192.0.2.7:8000", "[2001:db8::1]"):
        assert client.get("/healthz", headers={"host": host}).status_code == 200, host
    response = client.post("/v1/briefs", json={"text": baghouz}, headers={"host": "[::1]"})
    assert response.status_code == 200


def test_the_bound_host_name_is_served() -> None:
    with service(host="briefs.internal") as c:
        assert c.get("/healthz", headers={"host": "briefs.internal:8000"}).status_code == 200
        assert c.get("/healthz", headers={"host": "Briefs.Internal"}).status_code == 200
        assert error_of(c.get("/healthz", headers={"host": "other.internal"}), 421)


def test_with_a_token_any_host_is_served(baghouz: str) -> None:
    with service(token="tok-123", host="127.0.0.1") as c:
        headers = {"host": "evil.example", "authorization": "Bearer tok-123"}
        assert c.post("/v1/briefs", json={"text": baghouz}, headers=headers).status_code == 200
        assert c.get("/healthz", headers={"host": "evil.example"}).status_code == 200


# --- 3. Read timeouts ------------------------------------------------------------------------

def connect(url: str) -> socket.socket:
    """A raw connection to the service, with a generous timeout on every read."""
    parsed = httpx.URL(url)
    return socket.create_connection((parsed.host, parsed.port), timeout=20)


def head(length: int) -> bytes:
    return (f"POST /v1/briefs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response with a Content-Length, off a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    top, _, body = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    while len(body) < int(headers["content-length"]):
        chunk = sock.recv(65536)
        assert chunk, "closed mid-body"
        body += chunk
    return int(lines[0].split()[1]), headers, body


def test_a_stalled_body_gets_408() -> None:
    app = create_app(Summarizer(engine="extractive"), read_timeout=0.5)
    with running(app) as (url, _), connect(url) as sock:
        sock.sendall(head(1000) + b'{"text": "Fighting resumed')  # and nothing more
        status, headers, body = read_response(sock)
        assert status == 408 and headers["connection"] == "close"
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["type"] == "request_timeout"
        assert sock.recv(1024) == b""  # and the connection is closed


def test_a_body_sent_in_time_is_served(baghouz: str) -> None:
    app = create_app(Summarizer(engine="extractive"), read_timeout=5)
    payload = json.dumps({"text": baghouz}).encode()
    with running(app) as (url, _), connect(url) as sock:
        sock.sendall(head(len(payload)) + payload[:100])
        time.sleep(0.2)
        sock.sendall(payload[100:])
        assert read_response(sock)[0] == 200


def test_stalled_headers_are_cut_off() -> None:
    app = create_app(Summarizer(engine="extractive"))
    with running(app, http=http_protocol(0.5)) as (url, _):
        with connect(url) as sock:  # silent
            assert sock.recv(1024) == b""
        with connect(url) as sock:  # half the headers
            sock.sendall(b"POST /v1/briefs HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert sock.recv(1024) == b""
        with connect(url) as sock:  # half the headers of the second request on a connection
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert read_response(sock)[0] == 200
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")
            assert sock.recv(1024) == b""
        with connect(url) as sock:  # the rest of a body nobody reads, dripped after the answer
            sock.sendall(head(1000).replace(b"application/json", b"text/plain") + b"{")
            assert read_response(sock)[0] == 415
            sock.sendall(b'"text"')
            assert sock.recv(1024) == b""
        assert httpx.get(f"{url}/healthz").status_code == 200  # a prompt client is served


# --- 4. A client that goes away mid-body -----------------------------------------------------

def test_a_client_gone_mid_body_is_one_line_in_the_log(
        server_log: Captured) -> None:
    with running(create_app(Summarizer(engine="extractive"))) as (url, _):
        with connect(url) as sock:
            sock.sendall(head(1000) + b'{"text": "Fighting resumed')
        until(lambda: server_log.records)
        time.sleep(0.2)  # room for a second record, which there should not be
    [record] = server_log.records
    assert record.levelno in (logging.INFO, logging.WARNING)
    no_traceback(server_log)


# --- 5. Shutdown past its timeout ------------------------------------------------------------

def test_a_request_cut_off_by_shutdown_gets_503_and_no_traceback(
        baghouz: str, server_log: Captured) -> None:
    with FakeOpenAIServer([Reply.stall(30)]) as fake:
        summarizer = llm(fake, timeout=30, transport_retries=0)
        app = create_app(summarizer)
        with running(app, timeout_graceful_shutdown=1) as (url, server), \
                ThreadPoolExecutor(1) as pool:
            pending = pool.submit(httpx.post, f"{url}/v1/briefs", json={"text": baghouz},
                                  timeout=30)
            until(lambda: fake.requests)
            server.should_exit = True
            response = pending.result()
        assert not summarizer.engine()._clients  # type: ignore[attr-defined] # closed all the same
    assert error_of(response, 503) == "shutting_down"
    assert any("shutting down" in r.getMessage() for r in server_log.records)
    no_traceback(server_log)


# --- 6. CPU-bound work off the serving loop --------------------------------------------------

@pytest.mark.parametrize("engine", ["extractive", "openai"])
def test_healthz_answers_while_a_brief_is_computed(
        engine: str, baghouz: str, server: FakeOpenAIServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    computing, done = threading.Event(), threading.Event()
    ground = briefing.ground

    def slow_ground(*args: Any, **kwargs: Any) -> Any:  # CPU-bound work that takes its time
        computing.set()
        done.wait(30)
        return ground(*args, **kwargs)

    monkeypatch.setattr(briefing, "ground", slow_ground)
    summarizer = Summarizer(engine="extractive") if engine == "extractive" else llm(server)
    with service(summarizer) as c, ThreadPoolExecutor(1) as pool:
        brief = pool.submit(c.post, "/v1/briefs", json={"text": baghouz}, timeout=60)
        try:
            assert computing.wait(30)
            health = c.get("/healthz", timeout=10)  # would time out on a blocked loop
        finally:
            done.set()
        assert health.status_code == 200
        assert brief.result().status_code == 200


# --- 7. Foreign exceptions -------------------------------------------------------------------

class Recursing(ChatModel):
    """An engine that fails as a reply nested too deep for a recursive parser would."""

    engine = "recursing"
    model_name = "deep"

    async def complete(self, request: ChatRequest) -> ChatReply:
        raise RecursionError("maximum recursion depth exceeded\nwhile decoding a JSON object")


def test_an_unexpected_error_is_a_json_500_and_one_line(
        baghouz: str, server_log: Captured) -> None:
    with service(Summarizer(chat_model=Recursing(), cache=False)) as c:
        response = c.post("/v1/briefs", json={"text": baghouz})
    assert error_of(response, 500) == "internal_error"
    assert "Recursion" not in response.text
    assert [r.levelno for r in server_log.records] == [logging.ERROR]
    assert "RecursionError" in server_log.text
    no_traceback(server_log)


def test_a_failure_outside_the_brief_is_a_json_500_and_one_line(
        baghouz: str, server_log: Captured,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(raw: bytes) -> Any:
        raise KeyError("a bug outside the pipeline")

    monkeypatch.setattr(serve, "parse", broken)
    with service() as c:
        response = c.post("/v1/briefs", json={"text": baghouz})
        assert error_of(response, 500) == "internal_error"
        assert c.get("/healthz").status_code == 200
    assert len(server_log.records) == 1
    no_traceback(server_log)


@pytest.mark.parametrize("strict", [False, True])
def test_a_reply_nested_a_thousand_deep(baghouz: str, strict: bool,
                                        server_log: Captured) -> None:
    deep = '{"situation": "Fighting.", "numbers": ' + "[" * 1000 + "]" * 1000 + "}"
    with service(scripted(FakeChatModel(deep), transport_retries=0, reasks=0)) as c:
        response = c.post("/v1/briefs", json={"text": baghouz, "strict": strict})
    if strict:
        assert error_of(response, 502) == "invalid_brief"
    else:
        assert response.status_code == 200
        assert response.json()["meta"]["warnings"]
    no_traceback(server_log)


# --- 9. A busy port --------------------------------------------------------------------------

def test_cli_serve_on_a_busy_port_is_one_line_and_exit_1() -> None:
    import summarizer.cli._serve  # noqa: F401 - registers the command until cli/__init__ does

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port),
                                          "--engine", "extractive"])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: port {port} on 127.0.0.1 is in use\n"
    assert result.stdout == ""


def test_cli_serve_on_an_unknown_host_is_one_line() -> None:
    result = CliRunner().invoke(cli, ["serve", "--host", "no-such-host.invalid"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot listen on no-such-host.invalid")
    assert len(result.stderr.splitlines()) == 1
