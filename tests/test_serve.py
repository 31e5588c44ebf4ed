"""The HTTP service over real HTTP: uvicorn on loopback in a thread, httpx as the client; behind
it an in-process FakeChatModel where the service is under test, and FakeOpenAIServer where the
model endpoint is. Every error is asserted by status and JSON shape."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from click.testing import CliRunner  # noqa: E402

from summarizer import Brief, ChatModel, ChatReply, ChatRequest, Summarizer  # noqa: E402
from summarizer._serve import create_app  # noqa: E402
from summarizer.cli import cli  # noqa: E402
from summarizer.testing import FakeChatModel, FakeOpenAIServer, Reply  # noqa: E402

from .conftest import ROOT, free_port  # noqa: E402

PAGE = """<!DOCTYPE html><html><head><title>Shelling hits Kharkiv market | Daily Site</title>
<meta property="og:title" content="Shelling hits Kharkiv market">
<meta property="article:published_time" content="2024-05-25T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World news menu</a></nav>
<article><h1>Shelling hits Kharkiv market</h1>
<p>Russian shelling struck a crowded market in Kharkiv on Saturday, killing at least 12 people
and wounding 43, the regional governor said.</p>
<p>Emergency crews worked through the night to clear the rubble, and officials said the toll
could rise as more victims were found.</p></article>
<footer>Copyright 2024 Daily Site. All rights reserved.</footer></body></html>"""
JSON = {"content-type": "application/json"}


@contextmanager
def running(app: Any, **config: Any) -> Iterator[tuple[str, Any]]:
    """The app under uvicorn on a free loopback port; yields its URL and the server."""
    options = {"host": "127.0.0.1", "port": 0, "log_level": "warning",
               "timeout_graceful_shutdown": 5, **config}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def service(summarizer: Summarizer | None = None, **options: Any) -> Iterator[httpx.Client]:
    """An httpx client for a running service (extractive engine unless one is given)."""
    app = create_app(summarizer or Summarizer(engine="extractive"), **options)
    with running(app) as (url, _), httpx.Client(base_url=url, timeout=10) as client:
        yield client


def llm(server: FakeOpenAIServer, **kw: Any) -> Summarizer:
    options: dict[str, Any] = {"engine": "openai", "base_url": server.url, "model": "fake-model",
                               "timeout": 5.0, "cache": False, **kw}
    return Summarizer(**options)


def scripted(model: FakeChatModel, **kw: Any) -> Summarizer:
    """A Summarizer on an in-process chat model: for tests of the service, not of an endpoint."""
    return Summarizer(chat_model=model, cache=False, **kw)


def error_of(response: httpx.Response, status: int) -> str:
    """The error type, after checking the status and that the body has exactly the error shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    assert body["error"]["message"] and "Traceback" not in response.text
    return str(body["error"]["type"])


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """One extractive service for the tests that need no special setup."""
    with service() as c:
        yield c


def test_brief_from_text(client: httpx.Client, baghouz: str) -> None:
    response = client.post("/v1/briefs", json={"id": "a-1", "text": baghouz})
    assert response.status_code == 200, response.text
    data = response.json()
    assert list(data) == ["id", "brief", "meta"] and data["id"] == "a-1"
    assert data["meta"]["engine"] == "extractive"
    assert any(n["value"] == 1500 for n in data["brief"]["numbers"])
    Brief.model_validate(data["brief"])
    assert "id" not in client.post("/v1/briefs", json={"text": baghouz}).json()


def test_brief_from_html_keeps_title_and_date(client: httpx.Client) -> None:
    pytest.importorskip("trafilatura")
    response = client.post("/v1/briefs", json={"html": PAGE})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["meta"]["title"] == "Shelling hits Kharkiv market"
    assert data["meta"]["published"] == "2024-05-25"
    assert "12" in json.dumps(data["brief"]["numbers"]) and "menu" not in json.dumps(data)
    assert error_of(client.post("/v1/briefs", json={"html": "<html><nav>Home</nav></html>"}),
                    422) == "input_error"


def test_brief_through_an_openai_endpoint(server: FakeOpenAIServer, baghouz: str) -> None:
    with service(llm(server)) as c:
        response = c.post("/v1/briefs", json={"text": baghouz, "strict": True})
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["engine"] == "openai"
    assert response.json()["meta"]["model"] == "fake-model"
    assert len(server.requests) == 1


@pytest.mark.parametrize(("body", "status", "kind"), [
    (b'{"text": "unterminated', 400, "invalid_json"),
    (b"\xff\xfe not utf-8", 400, "invalid_json"),
    (b"[" * 100_000, 400, "invalid_json"),  # nesting deeper than the parser's recursion
    (b"{}", 400, "bad_request"),
    (b'{"id": "x"}', 400, "bad_request"),
    (b'{"text": "Fighting.", "html": "<p>Fighting.</p>"}', 400, "bad_request"),
    (b'{"text": ""}', 422, "input_error"),
    (b'{"text": " \\n\\t "}', 422, "input_error"),
    (b'{"text": 5}', 422, "validation_error"),
    (b'["a list"]', 422, "validation_error"),
    (b'{"txt": "typo"}', 422, "validation_error"),
    (b'{"text": "Fighting resumed.", "strict": "yes"}', 422, "validation_error"),
    (b'{"text": "Fighting resumed.", "strict": 1}', 422, "validation_error"),
    # A lone surrogate is no text; in the brief it could not be encoded (a 500, before).
    (b'{"text": "Warplanes \\ud800 struck Baghouz on Monday, killing 12 people."}', 422,
     "validation_error"),
    (b'{"text": "Fighting resumed.", "id": "\\udfff"}', 422, "validation_error"),
])
def test_bad_requests(client: httpx.Client, body: bytes, status: int, kind: str) -> None:
    response = client.post("/v1/briefs", content=body, headers=JSON)
    assert error_of(response, status) == kind


def test_oversized_bodies_are_refused() -> None:
    with service(max_body=10_000) as c:
        small = c.post("/v1/briefs", json={"text": "Fighting resumed near the town. " * 100})
        assert small.status_code == 200
        big = json.dumps({"text": "x" * 20_000}).encode()
        assert error_of(c.post("/v1/briefs", content=big, headers=JSON), 413) == \
            "payload_too_large"
        # Chunked, so no Content-Length: the bytes actually read are counted.
        chunks = (big[i:i + 4096] for i in range(0, len(big), 4096))
        response = c.post("/v1/briefs", content=chunks, headers=JSON)
        assert "content-length" not in response.request.headers
        assert error_of(response, 413) == "payload_too_large"


def test_default_limit_is_two_megabytes(client: httpx.Client) -> None:
    body = json.dumps({"text": "Shelling continued. " * 110_000}).encode()
    assert len(body) > 2_000_000
    assert error_of(client.post("/v1/briefs", content=body, headers=JSON), 413) == \
        "payload_too_large"


def test_token_guards_v1_routes(baghouz: str, caplog: pytest.LogCaptureFixture) -> None:
    token = "s3cret-token-value"
    with service(token=token) as c:
        article = {"text": baghouz}
        missing = c.post("/v1/briefs", json=article)
        assert error_of(missing, 401) == "unauthorized"
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = c.post("/v1/briefs", json=article, headers={"Authorization": "Bearer nope"})
        assert error_of(wrong, 401) == "unauthorized"
        basic = c.post("/v1/briefs", json=article, headers={"Authorization": f"Basic {token}"})
        assert error_of(basic, 401) == "unauthorized"
        assert error_of(c.get("/v1/schema"), 401) == "unauthorized"
        good = {"Authorization": f"Bearer {token}"}
        assert c.post("/v1/briefs", json=article, headers=good).status_code == 200
        assert c.get("/v1/schema", headers=good).status_code == 200
        assert c.get("/healthz").status_code == 200  # probes carry no token
        assert token not in missing.text + wrong.text
    assert token not in caplog.text


@pytest.mark.parametrize(("replies", "kind"), [
    ([Reply.server_error(500)], "model_unavailable"),
    ([Reply.malformed_body()], "model_unavailable"),
    ([Reply.json({"situation": "Fighting.", "numbers": "many"})], "invalid_brief"),
    ([Reply.refused("I can't help with that.")], "model_refused"),
    ([Reply.unauthorized()], "model_rejected_request"),
])
def test_model_failures_are_502(baghouz: str, replies: list[Reply], kind: str) -> None:
    # The model's failures as the engine reports them; test_openai maps an endpoint's to those.
    fake = FakeChatModel(*replies)
    with service(scripted(fake, transport_retries=0, reasks=0)) as c:
        response = c.post("/v1/briefs", json={"text": baghouz, "strict": True})
        assert error_of(response, 502) == kind
        assert len(fake.requests) == 1


def test_model_timeout_is_504(baghouz: str) -> None:
    with FakeOpenAIServer([Reply.stall(5)]) as fake, \
            service(llm(fake, timeout=0.3, transport_retries=0)) as c:
        response = c.post("/v1/briefs", json={"text": baghouz})
    assert error_of(response, 504) == "model_timeout"
    assert "timed out" in response.json()["error"]["message"]


class Exploding(ChatModel):
    """An engine with a bug in it."""

    engine = "exploding"
    model_name = "bug"

    async def complete(self, request: ChatRequest) -> ChatReply:
        raise RuntimeError("secret internal detail at 0xdeadbeef")


def test_unexpected_errors_are_500_without_details(baghouz: str) -> None:
    with service(Summarizer(chat_model=Exploding(), cache=False)) as c:
        response = c.post("/v1/briefs", json={"text": baghouz})
    assert error_of(response, 500) == "internal_error"
    assert "secret" not in response.text and "RuntimeError" not in response.text


def test_unknown_routes_and_methods_have_the_error_shape(client: httpx.Client) -> None:
    assert error_of(client.get("/v1/nothing"), 404) == "not_found"
    assert error_of(client.get("/v1/briefs"), 405) == "method_not_allowed"


def test_healthz_schema_and_docs(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["engine"] == "extractive" and health["version"]
    assert client.get("/v1/schema").json() == Brief.model_json_schema()
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/briefs"]["post"]
    assert set(post["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "id", "text", "html", "strict"}
    assert {"400", "413", "422", "502", "504"} <= set(post["responses"])
    assert "/healthz" in spec["paths"] and "/v1/schema" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_full_service_queues_then_turns_away(baghouz: str) -> None:
    fake = FakeChatModel(Reply(latency=1.0))
    with service(scripted(fake), max_concurrency=1, queue_timeout=0.2) as c, \
            ThreadPoolExecutor(2) as pool:
        slow = pool.submit(c.post, "/v1/briefs", json={"text": baghouz})
        while not fake.requests:  # the first request holds the only slot
            time.sleep(0.01)
        busy = c.post("/v1/briefs", json={"text": baghouz})
        assert error_of(busy, 503) == "busy" and busy.headers["retry-after"] == "1"
        assert slow.result().status_code == 200
        assert c.post("/v1/briefs", json={"text": baghouz}).status_code == 200


def test_shutdown_finishes_requests_in_flight_and_closes_the_engine(baghouz: str) -> None:
    with FakeOpenAIServer([Reply(latency=0.5)]) as fake:
        summarizer = llm(fake)
        app = create_app(summarizer)
        with running(app) as (url, server), ThreadPoolExecutor(1) as pool:
            pending = pool.submit(httpx.post, f"{url}/v1/briefs", json={"text": baghouz},
                                  timeout=10)
            while not fake.requests:
                time.sleep(0.01)
            server.should_exit = True  # what uvicorn's SIGTERM handler does
            assert pending.result().status_code == 200
        assert not summarizer.engine()._clients  # type: ignore[attr-defined] # closed on shutdown


def test_cli_serve_help_and_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import summarizer.cli._serve  # noqa: F401 - registers the command until cli/__init__ does

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--max-concurrency", "--max-body", "--engine"):
        assert option in result.stdout
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert 'pip install "summarizer[serve]"' in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_serves_until_sigterm(baghouz: str) -> None:
    port = free_port()
    env = {**os.environ, "SUMMARIZER_SERVE_TOKEN": "tok-123", "SUMMARIZER_ENGINE": "extractive"}
    code = "import summarizer.cli._serve; from summarizer.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
                time.sleep(0.05)
        headers = {"Authorization": "Bearer tok-123"}
        assert httpx.post(f"{url}/v1/briefs", json={"text": baghouz}, headers=headers,
                          timeout=10).status_code == 200
        assert httpx.post(f"{url}/v1/briefs", json={"text": baghouz}).status_code == 401
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # uvicorn re-raises the signal once it has shut down cleanly, so the exit is "killed by TERM"
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err and "Traceback" not in err
    assert "tok-123" not in err
