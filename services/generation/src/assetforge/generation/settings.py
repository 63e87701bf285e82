from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from assetforge.common.backend import BackendSettings, load_backend_settings
from assetforge.common.settings import HTTP_SCHEMES, Env

SERVICE = "generation"
DEFAULT_HTTP_PORT = 3012
PROVIDER_CHOICES = ("auto", "offline")
AUDIO_FORMAT = re.compile(r"mp3_\d{4,5}_\d{2,3}|pcm_\d{4,5}")


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """Keys and addresses of the providers the pipelines call. Read (and so checked by
    ``check-env``) before any pipeline uses them, so a deployment can be complete ahead."""

    ai_gateway_api_key: str | None = field(repr=False)
    openai_api_key: str | None = field(repr=False)
    meshy_api_key: str | None = field(repr=False)
    elevenlabs_api_key: str | None = field(repr=False)
    # "auto": a real client where its key is set, the offline provider elsewhere;
    # "offline": the offline provider for everything, keys or not.
    choice: str = "auto"
    offline_latency_ms: int = 0
    openai_base_url: str = "https://api.openai.com/v1"
    ai_gateway_base_url: str = "https://ai-gateway.vercel.sh/v1"
    meshy_base_url: str = "https://api.meshy.ai/openapi"
    elevenlabs_base_url: str = "https://api.elevenlabs.io"
    # ElevenLabs' ``output_format``: ``mp3_44100_128`` (its default), or ``pcm_<rate>``
    # (stored as WAV).
    elevenlabs_output_format: str = "mp3_44100_128"
    request_timeout_s: float = 60.0


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    """How pipelines run: how many at once, how long a delivery may go unacknowledged,
    how often a task is polled, and how long finished jobs are kept."""

    max_concurrent_jobs: int = 16
    # Calls in flight at once to one provider, across this replica's jobs.
    max_provider_calls: int = 8
    max_deliver: int = 10
    ack_wait_s: float = 30.0
    poll_initial_s: float = 1.0
    poll_max_s: float = 15.0
    # The longest a provider task may run before its stage fails.
    task_timeout_s: float = 1800.0
    job_retention_days: int = 30
    sweep_interval_s: float = 3600.0

    @property
    def heartbeat_s(self) -> float:
        # Also how soon a running pipeline sees a cancel.
        return max(0.2, min(2.0, self.ack_wait_s / 3))


# Outside production, with PROVIDER_KEYS_SECRET unset, users' provider keys are sealed
# with this fixed key: it is written here, so it protects nothing (the service says so
# when it starts). Production never uses it: without the variable it stores no keys.
DEVELOPMENT_KEYS_SECRET = hashlib.sha256(b"asset-forge development provider keys").digest()
SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class UserKeySettings:
    """How users' own provider keys are sealed (AES-256-GCM). ``secrets[0]`` seals; every
    one opens (the others are earlier secrets, kept while keys sealed with them remain).
    Empty: keys can be neither stored nor used (production without the variable)."""

    secrets: tuple[bytes, ...] = field(repr=False)
    # The fixed development key stands in for an unset PROVIDER_KEYS_SECRET.
    development: bool = False


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    providers: ProviderSettings
    runner: RunnerSettings
    user_keys: UserKeySettings
    # Expected provider credits each user may submit a day (UTC); None: no budget.
    daily_credits: int | None = None


def get_provider_settings(env: Env) -> ProviderSettings:
    choice = env.text("GENERATION_PROVIDER", "auto", purpose="auto (real where a key is set) or offline") or "auto"
    if choice not in PROVIDER_CHOICES:
        env.invalid("GENERATION_PROVIDER", f"must be one of {', '.join(PROVIDER_CHOICES)}")
        choice = "auto"
    openai_url = env.text("OPENAI_BASE_URL", "https://api.openai.com/v1", purpose="OpenAI API address")
    gateway_url = env.text("AI_GATEWAY_BASE_URL", "https://ai-gateway.vercel.sh/v1", purpose="AI Gateway address")
    meshy_url = env.text("MESHY_BASE_URL", "https://api.meshy.ai/openapi", purpose="Meshy API address")
    eleven_url = env.text("ELEVENLABS_BASE_URL", "https://api.elevenlabs.io", purpose="ElevenLabs API address")
    audio_format = env.text("ELEVENLABS_OUTPUT_FORMAT", "mp3_44100_128", purpose="mp3_<rate>_<kbps> or pcm_<rate>")
    if audio_format and not AUDIO_FORMAT.fullmatch(audio_format):
        env.invalid("ELEVENLABS_OUTPUT_FORMAT", "must look like mp3_44100_128 or pcm_24000")
        audio_format = None
    return ProviderSettings(
        ai_gateway_api_key=env.text(
            "AI_GATEWAY_API_KEY",
            level="recommended",
            secret=True,
            alternative="OPENAI_API_KEY",
            purpose="Vercel AI Gateway key",
        ),
        openai_api_key=env.text("OPENAI_API_KEY", secret=True, purpose="OpenAI key (when no AI Gateway key)"),
        meshy_api_key=env.text("MESHY_API_KEY", level="recommended", secret=True, purpose="Meshy image-to-3D"),
        elevenlabs_api_key=env.text("ELEVENLABS_API_KEY", level="recommended", secret=True, purpose="ElevenLabs audio"),
        choice=choice,
        offline_latency_ms=env.integer(
            "OFFLINE_LATENCY_MS", 0, minimum=0, maximum=600_000, purpose="how long each offline task takes, ms"
        ),
        openai_base_url=env.url("OPENAI_BASE_URL", openai_url, HTTP_SCHEMES) or "https://api.openai.com/v1",
        ai_gateway_base_url=env.url("AI_GATEWAY_BASE_URL", gateway_url, HTTP_SCHEMES)
        or "https://ai-gateway.vercel.sh/v1",
        meshy_base_url=env.url("MESHY_BASE_URL", meshy_url, HTTP_SCHEMES) or "https://api.meshy.ai/openapi",
        elevenlabs_base_url=env.url("ELEVENLABS_BASE_URL", eleven_url, HTTP_SCHEMES) or "https://api.elevenlabs.io",
        elevenlabs_output_format=audio_format or "mp3_44100_128",
        request_timeout_s=env.number(
            "PROVIDER_TIMEOUT_S", 60.0, minimum=0.1, purpose="longest wait for one provider answer, s"
        ),
    )


def get_runner_settings(env: Env) -> RunnerSettings:
    return RunnerSettings(
        max_concurrent_jobs=env.integer(
            "GENERATION_MAX_CONCURRENT_JOBS", 16, minimum=1, maximum=1000, purpose="pipelines run at once per replica"
        ),
        max_provider_calls=env.integer(
            "GENERATION_MAX_PROVIDER_CALLS", 8, minimum=1, maximum=1000, purpose="calls in flight per provider"
        ),
        max_deliver=env.integer(
            "GENERATION_MAX_DELIVER", 10, minimum=1, maximum=100, purpose="deliveries of a run before it fails"
        ),
        ack_wait_s=env.number(
            "GENERATION_ACK_WAIT_S", 30.0, minimum=0.5, purpose="silence after which a run is redelivered, s"
        ),
        poll_initial_s=env.number(
            "GENERATION_POLL_INITIAL_S", 1.0, minimum=0.001, purpose="first wait between task polls, s"
        ),
        poll_max_s=env.number("GENERATION_POLL_MAX_S", 15.0, minimum=0.001, purpose="longest wait between polls, s"),
        task_timeout_s=env.number(
            "GENERATION_TASK_TIMEOUT_S", 1800.0, minimum=1.0, purpose="longest a provider task may run, s"
        ),
        job_retention_days=env.integer(
            "GENERATION_JOB_RETENTION_DAYS", 30, minimum=1, maximum=3650, purpose="days finished jobs are kept"
        ),
        sweep_interval_s=env.number(
            "GENERATION_SWEEP_INTERVAL_S", 3600.0, minimum=0.1, purpose="how often expired jobs are removed, s"
        ),
    )


def _secret(text: str) -> bytes | None:
    """32 bytes from base64 (standard or URL-safe, padded or not), or None."""
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if len(decoded) == SECRET_BYTES else None


def get_user_key_settings(env: Env) -> UserKeySettings:
    raw = env.text(
        "PROVIDER_KEYS_SECRET",
        level="recommended",
        secret=True,
        purpose="base64 of 32 bytes (openssl rand -base64 32) sealing users' own provider keys; "
        "a comma list keeps earlier secrets for reading",
    )
    if raw is None:
        return UserKeySettings(()) if env.production else UserKeySettings((DEVELOPMENT_KEYS_SECRET,), development=True)
    decoded = [_secret(part) for part in raw.split(",")]
    secrets = tuple(secret for secret in decoded if secret is not None)
    if len(secrets) != len(decoded):
        env.invalid("PROVIDER_KEYS_SECRET", "must be base64 of 32 bytes (or a comma list of such), see openssl rand")
    return UserKeySettings(secrets if len(secrets) == len(decoded) else ())


def get_generation_settings(env: Env) -> GenerationSettings:
    budget = env.integer(
        "GENERATION_DAILY_CREDITS", 0, minimum=0, purpose="expected provider credits per user per day, 0: no budget"
    )
    return GenerationSettings(
        providers=get_provider_settings(env),
        runner=get_runner_settings(env),
        user_keys=get_user_key_settings(env),
        daily_credits=budget or None,
    )


Settings = BackendSettings[GenerationSettings]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    return load_backend_settings(SERVICE, DEFAULT_HTTP_PORT, get_generation_settings, environ)
