"""FakeChatModel itself: its reply queue, its history, its default brief, what it makes of the
fake server's replies, and who closes it."""

from __future__ import annotations

import asyncio
import json

import pytest

from summarizer import (
    Brief,
    ChatReply,
    ChatRequest,
    RequestRejectedError,
    Summarizer,
    TransportError,
    Usage,
)
from summarizer._extractive import extract
from summarizer.testing import FakeChatModel, FakeOpenAIServer, Reply, extractive_reply

ARTICLE = ("Gunmen killed 12 villagers near Dori on Monday, police said. Another 30 were "
           "wounded, and hundreds fled toward the regional capital.")


def request(article: str = ARTICLE, *, max_tokens: int = 2048) -> ChatRequest:
    return ChatRequest(messages=({"role": "system", "content": "Brief it."},
                                 {"role": "user", "content": f"<<<ARTICLE\n{article}\nARTICLE>>>"}),
                       schema={}, max_tokens=max_tokens, article=article)


def ask(fake: FakeChatModel, *requests: ChatRequest) -> list[ChatReply]:
    async def run() -> list[ChatReply]:
        return [await fake.complete(r) for r in requests]

    return asyncio.run(run())


def test_scripted_replies_come_in_order_then_the_extractive_brief() -> None:
    brief = extract(ARTICLE)
    given = ChatReply("as given", Usage(prompt_tokens=3, completion_tokens=4), "stop")
    fake = FakeChatModel('{"situation": "first"}', {"situation": "second"})
    fake.script(brief, given)
    sent = [request(f"{ARTICLE} ({n})") for n in range(5)]
    replies = ask(fake, *sent)
    assert [r.text for r in replies] == [
        '{"situation": "first"}', json.dumps({"situation": "second"}), brief.model_dump_json(),
        "as given", extractive_reply(sent[4].article)]
    assert replies[3] is given  # a ChatReply is passed through as it is
    # The default cites its evidence by sentence number, in the wire schema's names.
    cited = json.loads(replies[4].text)["numbers"][0]
    assert cited["evidence"] == [1] and cited["source"] == "police"
    assert fake.requests == sent  # the history: every request, in order, as sent
    assert ask(fake, request())[0].text == extractive_reply(ARTICLE)  # queue is empty


def test_the_default_reply_can_quote_its_evidence() -> None:
    [reply] = ask(FakeChatModel(quote_evidence=True), request())
    assert reply.text == extract(ARTICLE).model_dump_json()


def test_usage_is_counted_at_four_characters_a_token() -> None:
    fake = FakeChatModel("x" * 40)
    [reply] = ask(fake, sent := request())
    prompt = sum(len(m["content"]) for m in sent.messages)
    assert reply.usage == Usage(prompt_tokens=prompt // 4 + 1, completion_tokens=11)


def test_the_default_brief_is_the_extractive_one_and_passes_the_pipeline() -> None:
    fake = FakeChatModel()
    with Summarizer(chat_model=fake, cache=False) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert result.brief == extract(ARTICLE) and result.meta.warnings == []
    assert result.meta.engine == "fake" and result.meta.model == "fake-model"
    assert result.meta.attempts == 1 and len(fake.requests) == 1
    assert fake.requests[0].article == ARTICLE


def test_the_fake_answers_as_the_fake_server_does(server: FakeOpenAIServer, baghouz: str) -> None:
    # What lets a pipeline test move from the server to the fake: the same brief either way.
    fake = FakeChatModel()
    with Summarizer(chat_model=fake, cache=False) as summarizer:
        in_process = summarizer.summarize(baghouz)
    with Summarizer(engine="openai", base_url=server.url, model="m", cache=False) as summarizer:
        over_http = summarizer.summarize(baghouz)
    assert in_process.brief == over_http.brief
    assert [m["content"] for m in fake.requests[0].messages] == [
        m["content"] for m in server.requests[0]["messages"]]


@pytest.mark.parametrize(("reply", "error", "status", "retry_after"), [
    (Reply.rate_limited(retry_after=7), TransportError, None, 7.0),
    (Reply.rate_limited(retry_after=None), TransportError, None, None),
    (Reply.server_error(503), TransportError, None, None),
    (Reply.connection_reset(), TransportError, None, None),
    (Reply.malformed_body(), TransportError, None, None),
    (Reply.unauthorized(), RequestRejectedError, 401, None),
    (Reply(status=404, error="no such model"), RequestRejectedError, 404, None),
])
def test_a_reply_status_is_the_error_an_engine_raises(
        reply: Reply, error: type[Exception], status: int | None, retry_after: float | None
) -> None:
    fake = FakeChatModel(reply)
    with pytest.raises(error) as raised:
        ask(fake, request())
    assert type(raised.value) is error and len(fake.requests) == 1
    if isinstance(raised.value, TransportError):
        assert raised.value.retry_after == retry_after
    else:
        assert raised.value.status_code == status  # type: ignore[attr-defined]


def test_replies_of_the_fake_server_become_chat_replies() -> None:
    fake = FakeChatModel(Reply.truncated(), Reply.refused("I will not."), Reply(usage=(10, 20)),
                         Reply.text("plain"))
    cut, refused, counted, plain = ask(fake, request(max_tokens=300), *[request()] * 3)
    assert cut.finish_reason == "length" and cut.usage.completion_tokens == 300
    assert cut.text == '{"situation": "The army'
    assert refused.refusal == "I will not." and refused.text == ""
    assert counted.usage == Usage(prompt_tokens=10, completion_tokens=20)
    assert counted.text == extractive_reply(ARTICLE)  # no content: the default
    assert plain.text == "plain" and plain.finish_reason == "stop" and plain.refusal is None


def test_a_function_reply_is_given_the_request() -> None:
    seen: list[ChatRequest] = []

    def answer(sent: ChatRequest) -> dict:
        seen.append(sent)
        return {"situation": f"{len(sent.messages)} messages, {sent.max_tokens} tokens"}

    def fail(sent: ChatRequest) -> Exception:
        return TransportError(f"no answer to {sent.article[:6]}")

    fake = FakeChatModel(answer, fail)
    sent = request(max_tokens=512)
    [reply] = ask(fake, sent)
    assert seen == [sent] and json.loads(reply.text) == {"situation": "2 messages, 512 tokens"}
    with pytest.raises(TransportError, match="no answer to Gunmen"):
        ask(fake, request())


def test_an_exception_is_raised_and_a_model_is_sent_as_json() -> None:
    brief = Brief.model_validate({"situation": "s", "outlook": {"summary": "o"}})
    fake = FakeChatModel(ValueError("a bug in the model"), brief)
    with pytest.raises(ValueError, match="a bug in the model"):
        ask(fake, request())
    assert Brief.model_validate_json(ask(fake, request())[0].text) == brief
    assert len(fake.requests) == 2


def test_a_summarizer_leaves_a_model_it_was_given_open() -> None:
    fake = FakeChatModel()
    with Summarizer(chat_model=fake, cache=False) as summarizer:
        summarizer.summarize(ARTICLE)
        assert summarizer.engine() is fake
    assert not fake.closed

    async def brief() -> None:
        async with Summarizer(chat_model=fake, cache=False) as summarizer:
            await summarizer.asummarize(ARTICLE)

    asyncio.run(brief())
    assert not fake.closed and len(fake.requests) == 2
    asyncio.run(fake.aclose())  # the caller's to close
    assert fake.closed


def test_a_summarizer_closes_the_engine_it_opened(server: FakeOpenAIServer) -> None:
    with Summarizer(engine="openai", base_url=server.url, model="m", cache=False) as summarizer:
        summarizer.summarize(ARTICLE)
        engine = summarizer.engine()
        [client] = engine._clients.values()  # type: ignore[attr-defined]
        assert not client.is_closed()
    assert client.is_closed() and not engine._clients  # type: ignore[attr-defined]
    assert len(server.requests) == 1
