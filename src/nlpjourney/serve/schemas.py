"""The OpenAI wire format: requests and responses as pydantic models.

Field names, defaults and ranges follow OpenAI's API reference for chat completions,
(legacy) completions, embeddings and models, so the official ``openai`` client and
anything built on it talk to ``journey serve`` unchanged. FastAPI reads these models to
validate each request and to write the OpenAPI schema served at ``/openapi.json``.

Requests forbid unknown fields: a misspelt ``max_token`` or a feature this server does
not have (``tools``, ``response_format``) is a 400 naming the field, never silently
ignored. Sampling settings this server does not implement are accepted only at their
neutral value (``presence_penalty=0``), which is what clients send by default.

Reference: OpenAI's API reference (platform.openai.com/docs/api-reference) and the
``openai`` Python client's types, which ``tests/serve/test_server.py`` drives.
"""

from __future__ import annotations

from typing import Annotated, Literal

from nlpjourney.extras import missing_extra

try:  # the serve extra: FastAPI and what it is built on
    from pydantic import BaseModel, ConfigDict, Field, field_validator
except ImportError as error:
    raise missing_extra("serve", error.name or "fastapi") from error

__all__ = [
    "ChatCompletion",
    "ChatCompletionRequest",
    "ChatMessage",
    "Completion",
    "CompletionRequest",
    "EmbeddingRequest",
    "Embeddings",
    "ModelCard",
    "ModelList",
    "Usage",
]

MAX_CHOICES = 8
"""The most choices (``n``) one request may ask for."""

MAX_TOP_LOGPROBS = 20


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


Stop = str | Annotated[list[str], Field(max_length=4)] | None


class _Sampling(_Request):
    """What chat completions and completions share."""

    model: str = Field(description="A model id from GET /v1/models.")
    max_tokens: int | None = Field(
        default=None, ge=1, description="The most new tokens per choice (default: the server's)."
    )
    temperature: float = Field(default=1.0, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    n: int = Field(default=1, ge=1, le=MAX_CHOICES, description="How many choices to write.")
    stream: bool = False
    stop: Stop = Field(default=None, description="Up to 4 strings that end the text.")
    seed: int | None = Field(
        default=None, ge=-(2**63), le=2**63 - 1, description="Repeats a sample: one seed, one text."
    )
    presence_penalty: float = Field(default=0.0, ge=0.0, le=0.0)
    frequency_penalty: float = Field(default=0.0, ge=0.0, le=0.0)
    user: str | None = None

    @field_validator("stop")
    @classmethod
    def _no_empty_stop(cls, stop: Stop) -> Stop:
        stops = [stop] if isinstance(stop, str) else stop or []
        if any(not s for s in stops):
            raise ValueError("a stop string must not be empty")
        return stop

    def stop_list(self) -> list[str]:
        return [self.stop] if isinstance(self.stop, str) else list(self.stop or [])


class TextPart(_Request):
    type: Literal["text"]
    text: str


class ChatMessage(_Request):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart]
    name: str | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class StreamOptions(_Request):
    include_usage: bool = False


class ChatCompletionRequest(_Sampling):
    messages: list[ChatMessage] = Field(min_length=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    logprobs: bool = False
    top_logprobs: int | None = Field(default=None, ge=0, le=MAX_TOP_LOGPROBS)
    stream_options: StreamOptions | None = None


class CompletionRequest(_Sampling):
    prompt: str | Annotated[list[str], Field(min_length=1, max_length=1)]
    max_tokens: int | None = Field(default=16, ge=1)
    logprobs: int | None = Field(default=None, ge=0, le=MAX_TOP_LOGPROBS)
    echo: Literal[False] = False
    stream_options: StreamOptions | None = None

    def prompt_text(self) -> str:
        return self.prompt if isinstance(self.prompt, str) else self.prompt[0]


class EmbeddingRequest(_Request):
    model: str
    input: str | Annotated[list[str], Field(min_length=1, max_length=2048)]
    encoding_format: Literal["float", "base64"] = "float"
    user: str | None = None

    def texts(self) -> list[str]:
        return [self.input] if isinstance(self.input, str) else list(self.input)


# --- responses -------------------------------------------------------------------------


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int = 0
    total_tokens: int


class TopLogprob(BaseModel):
    token: str
    logprob: float
    bytes: list[int] | None = None


class TokenLogprobOut(TopLogprob):
    top_logprobs: list[TopLogprob] = []


class ChoiceLogprobs(BaseModel):
    content: list[TokenLogprobOut] | None = None


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int
    message: AssistantMessage
    finish_reason: Literal["stop", "length"]
    logprobs: ChoiceLogprobs | None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    system_fingerprint: str | None = None


class CompletionLogprobs(BaseModel):
    """The legacy completions' layout: parallel lists, one entry per token."""

    tokens: list[str] = []
    token_logprobs: list[float] = []
    top_logprobs: list[dict[str, float]] = []
    text_offset: list[int] = []


class CompletionChoice(BaseModel):
    index: int
    text: str
    finish_reason: Literal["stop", "length"]
    logprobs: CompletionLogprobs | None = None


class Completion(BaseModel):
    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage
    system_fingerprint: str | None = None


class Embedding(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class Embeddings(BaseModel):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: Usage


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "nlpjourney"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    """Every error, in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``."""

    error: ErrorBody
