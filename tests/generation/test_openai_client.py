"""The real OpenAI / AI Gateway clients against a fake OpenAI on loopback."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from PIL import Image

from assetforge.generation.providers.base import ProviderError
from assetforge.generation.providers.http import HttpSettings, _retry_after_s
from assetforge.generation.providers.openai import PNG_SIGNATURE, OpenAIChat, OpenAIImages, openai_providers
from tests.generation.fakes.openai import FakeOpenAI
from tests.support import serve_asgi

KEY = "sk-test-key"
Calls = list[tuple[str, str, str, float]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI(api_key=KEY)
    served = await serve_asgi(server.app())
    server.url = served.url
    yield server
    await served.stop()


def settings(calls: Calls | None = None) -> HttpSettings:
    def record(provider: str, model: str, status: str, seconds: float) -> None:
        if calls is not None:
            calls.append((provider, model, status, seconds))

    return HttpSettings(base_delay_s=0.01, on_call=record)


@pytest.fixture
async def providers(fake: FakeOpenAI) -> AsyncIterator[tuple[OpenAIChat, OpenAIImages]]:
    made = openai_providers(
        ai_gateway_api_key=None, openai_api_key=KEY, openai_url=f"{fake.url}/v1", settings=settings()
    )
    assert made is not None
    yield made
    for each in made:
        await each.aclose()


async def test_chat_answers_the_content_with_the_right_model_and_key(
    fake: FakeOpenAI, providers: tuple[OpenAIChat, OpenAIImages]
) -> None:
    chat, _ = providers
    assert (chat.provider, chat.model) == ("openai", "gpt-4o")
    assert await chat.complete("You name game props.", "a barrel") == fake.reply
    assert fake.chat_bodies == [
        {
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "You name game props."},
                {"role": "user", "content": "a barrel"},
            ],
        }
    ]
    assert fake.authorizations == [f"Bearer {KEY}"]


async def test_the_ai_gateway_is_chosen_when_its_key_is_set(fake: FakeOpenAI) -> None:
    made = openai_providers(
        ai_gateway_api_key=KEY, openai_api_key="sk-other", ai_gateway_url=f"{fake.url}/v1", settings=settings()
    )
    assert made is not None
    chat, images = made
    try:
        assert (chat.provider, chat.model, images.model) == ("ai-gateway", "openai/gpt-4o", "openai/gpt-image-1")
        await chat.complete("system", "prompt")
        await images.generate("a barrel")
    finally:
        await chat.aclose()
        await images.aclose()
    assert fake.chat_bodies[0]["model"] == "openai/gpt-4o"
    assert fake.image_bodies[0]["model"] == "openai/gpt-image-1"
    assert fake.authorizations == [f"Bearer {KEY}"] * 2


def test_no_key_means_no_providers() -> None:
    assert openai_providers(ai_gateway_api_key=None, openai_api_key=None) is None
    assert openai_providers(ai_gateway_api_key="", openai_api_key="") is None


async def test_an_image_is_png_bytes(fake: FakeOpenAI, providers: tuple[OpenAIChat, OpenAIImages]) -> None:
    _, images = providers
    png = await images.generate("an oak barrel, game prop, plain background")
    assert png.startswith(PNG_SIGNATURE)
    assert fake.image_bodies == [
        {"model": "gpt-image-1", "prompt": "an oak barrel, game prop, plain background", "size": "1024x1024", "n": 1}
    ]
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1024, 1024)


async def test_a_chat_answer_without_content_is_retryable(
    fake: FakeOpenAI, providers: tuple[OpenAIChat, OpenAIImages]
) -> None:
    fake.reply = None
    with pytest.raises(ProviderError) as caught:
        await providers[0].complete("system", "prompt")
    assert caught.value.retryable


@pytest.mark.parametrize(("answer", "retryable"), [("missing", True), ("not-png", True), ("url", False)])
async def test_an_image_answer_without_a_png_fails(
    fake: FakeOpenAI, providers: tuple[OpenAIChat, OpenAIImages], answer: str, retryable: bool
) -> None:
    fake.image_answer = answer
    with pytest.raises(ProviderError) as caught:
        await providers[1].generate("a barrel")
    assert caught.value.retryable is retryable


async def test_402_is_final_names_openai_and_is_not_retried(
    fake: FakeOpenAI, providers: tuple[OpenAIChat, OpenAIImages]
) -> None:
    fake.reject_next = [402]
    with pytest.raises(ProviderError) as caught:
        await providers[0].complete("system", "prompt")
    assert not caught.value.retryable
    assert "OpenAI" in caught.value.message
    assert "no credits" in caught.value.message
    assert fake.chat_calls == 1


async def test_insufficient_quota_is_no_credits_not_a_rate_limit(
    fake: FakeOpenAI, providers: tuple[OpenAIChat, OpenAIImages]
) -> None:
    fake.reject_next, fake.rate_limit_code = [429], "insufficient_quota"
    with pytest.raises(ProviderError) as caught:
        await providers[1].generate("a barrel")
    assert not caught.value.retryable
    assert "no credits" in caught.value.message
    assert fake.image_calls == 1


async def test_429_is_retried_after_its_retry_after(fake: FakeOpenAI) -> None:
    fake.reject_next = [429]
    calls: Calls = []
    chat = OpenAIChat(KEY, model="gpt-4o", base_url=f"{fake.url}/v1", settings=settings(calls))
    started = time.monotonic()
    try:
        assert await chat.complete("system", "prompt") == fake.reply
    finally:
        await chat.aclose()
    assert time.monotonic() - started >= 1.0
    assert fake.chat_calls == 2
    assert [c[:3] for c in calls] == [("openai", "gpt-4o", "429"), ("openai", "gpt-4o", "ok")]


async def test_a_500_is_retried_and_each_attempt_is_counted(fake: FakeOpenAI) -> None:
    fake.reject_next = [500, 500]
    calls: Calls = []
    images = OpenAIImages(KEY, model="gpt-image-1", base_url=f"{fake.url}/v1", settings=settings(calls))
    try:
        assert (await images.generate("a barrel")).startswith(PNG_SIGNATURE)
    finally:
        await images.aclose()
    assert [c[2] for c in calls] == ["500", "500", "ok"]
    assert fake.image_calls == 3


async def test_a_bad_key_is_final(fake: FakeOpenAI) -> None:
    chat = OpenAIChat("sk-wrong", model="gpt-4o", base_url=f"{fake.url}/v1", settings=settings())
    try:
        with pytest.raises(ProviderError) as caught:
            await chat.complete("system", "prompt")
    finally:
        await chat.aclose()
    assert not caught.value.retryable
    assert caught.value.status == 401
    assert "key" in caught.value.message
    assert fake.chat_calls == 1


async def test_errors_through_the_gateway_name_the_gateway(fake: FakeOpenAI) -> None:
    fake.reject_next = [402]
    made = openai_providers(ai_gateway_api_key=KEY, openai_api_key=None, ai_gateway_url=f"{fake.url}/v1")
    assert made is not None
    chat, images = made
    try:
        with pytest.raises(ProviderError) as caught:
            await images.generate("a barrel")
    finally:
        await chat.aclose()
        await images.aclose()
    assert caught.value.provider == "ai-gateway"
    assert "Vercel AI Gateway" in caught.value.message


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    in_ten = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8 <= (_retry_after_s(in_ten) or 0) <= 10
    assert _retry_after_s("2") == 2
    assert _retry_after_s("soon") is None
    assert _retry_after_s(None) is None
