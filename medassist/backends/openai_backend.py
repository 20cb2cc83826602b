"""Any OpenAI-compatible completion server: vLLM, TGI, llama.cpp's server, Ollama.

This is how medassist runs models that outgrow one machine (e.g. Med42-70B under `vllm serve`
with tensor and pipeline parallelism). medassist renders the family's prompt itself and sends it
to `/v1/completions`, so a model is prompted exactly as it is locally.

Questions may hold patient details, so the server must be on this machine or the private network
unless the user allows its host by name (MEDASSIST_ALLOW_HOSTS=host1,host2). The API key comes
from MEDASSIST_SERVER_API_KEY (or OPENAI_API_KEY). Connection errors, 429 and 5xx are retried
(before any text has streamed); every failure ends in a message that says what to do.
"""
from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from ..catalogue import ModelSpec
from ..errors import UserError
from ..types import GenerationSettings
from .stops import cut_at_stop, stream_until_stop

RETRIES = 3


def check_host(url: str, allow_hosts: tuple[str, ...] = ()) -> None:
    """Refuse servers outside this machine and the private network unless allowed by name
    (MEDASSIST_ALLOW_HOSTS, read into Settings.allow_hosts)."""
    host = urlparse(url).hostname
    if not host:
        raise UserError(f"'{url}' is not a server address: use http://host:port/v1")
    allowed = {h.strip().lower() for h in allow_hosts if h.strip()}
    if host.lower() in allowed:
        return
    try:
        addresses = {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, ValueError):
        raise UserError(f"Cannot resolve the server host '{host}'. Check the address.") from None
    if all(a.is_loopback or a.is_private or a.is_link_local for a in addresses):
        return
    raise UserError(f"The server {host} is outside this machine and the private network, and questions may hold "
                    f"patient details. medassist sends nothing there unless you allow it by name: "
                    f"MEDASSIST_ALLOW_HOSTS={host}")


class OpenAIBackend:
    def __init__(self, spec: ModelSpec, base_url: str, model: str, timeout: float = 120.0,
                 api_key: str | None = None):
        import httpx

        self.spec, self.model, self.base_url = spec, model, base_url.rstrip("/")
        self.location = self.base_url  # shown with every answer: questions were sent here
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=5.0))
        self.stops = tuple(spec.stop)  # the prompt format's stops arrive in each call's settings
        self.last_usage: dict = {}

    # -- HTTP ---------------------------------------------------------------------------------
    def _post(self, path: str, body: dict, stream: bool = False):
        import httpx

        url = f"{self.base_url}{path}"
        for attempt in range(RETRIES + 1):
            try:
                request = self.client.build_request("POST", url, json=body)
                response = self.client.send(request, stream=stream)
            except httpx.TimeoutException:
                raise UserError(f"The model server at {self.base_url} did not answer within the timeout. It may be "
                                "overloaded or still loading; try again, or raise --timeout.") from None
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    raise UserError(f"Cannot reach the model server at {self.base_url} ({exc}). Is it running? "
                                    "(for vLLM: `vllm serve MODEL --port 8000`)") from None
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code in (429, 502, 503, 504) and attempt < RETRIES:
                response.close()
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code >= 400:
                detail = response.read().decode(errors="replace")[:300]
                response.close()
                raise UserError(f"The model server at {self.base_url} refused the request "
                                f"(HTTP {response.status_code}): {detail}")
            return response
        raise AssertionError("unreachable")

    def _json(self, response) -> dict:
        try:
            return response.json()
        except ValueError:
            raise UserError(f"The model server at {self.base_url} sent something that is not JSON: "
                            f"{response.text[:200]!r}. Is this an OpenAI-compatible endpoint (…/v1)?") from None

    def _body(self, prompt: str, settings: GenerationSettings) -> dict:
        body = {"model": self.model, "prompt": prompt, "max_tokens": settings.max_new_tokens,
                "temperature": settings.temperature, "top_p": settings.top_p,
                "stop": list(dict.fromkeys(self.stops + settings.stop))[:4]}  # OpenAI allows 4 stop strings
        if settings.seed is not None:
            body["seed"] = settings.seed
        return body

    # -- the Backend contract -------------------------------------------------------------------
    def generate(self, prompt: str, settings: GenerationSettings) -> str:
        data = self._json(self._post("/completions", self._body(prompt, settings)))
        try:
            text = data["choices"][0]["text"]
        except (KeyError, IndexError, TypeError):
            raise UserError(f"The model server at {self.base_url} answered without a completion: "
                            f"{json.dumps(data)[:200]}") from None
        self.last_usage = data.get("usage") or {}
        return cut_at_stop(text, self.stops + settings.stop)[0]

    def stream(self, prompt: str, settings: GenerationSettings) -> Iterator[str]:
        response = self._post("/completions", {**self._body(prompt, settings), "stream": True}, stream=True)

        def pieces() -> Iterator[str]:
            try:
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    try:
                        yield json.loads(payload)["choices"][0].get("text", "")
                    except (ValueError, KeyError, IndexError, TypeError):
                        raise UserError(f"The model server at {self.base_url} streamed something unreadable: "
                                        f"{payload[:200]!r}") from None
            finally:
                response.close()

        return stream_until_stop(pieces(), self.stops + settings.stop)

    def loglikelihood(self, context: str, continuation: str) -> float:
        """Needs a server that echoes prompt log-probabilities (vLLM, llama.cpp's server)."""
        # max_tokens 1, not 0: some servers (llama-cpp-python) read 0 as "until the context is full".
        body = {"model": self.model, "prompt": context + continuation, "max_tokens": 1, "echo": True, "logprobs": 1,
                "temperature": 0}
        data = self._json(self._post("/completions", body))
        try:
            lp = data["choices"][0]["logprobs"]
            offsets, values = lp["text_offset"], lp["token_logprobs"]
        except (KeyError, IndexError, TypeError):
            raise UserError(f"The model server at {self.base_url} does not return prompt log-probabilities "
                            "(echo + logprobs), which scoring needs. vLLM and llama.cpp's server do.") from None
        start, end = len(context), len(context) + len(continuation)  # the one generated token lies beyond `end`
        return float(sum(v for o, v in zip(offsets, values) if start <= o < end and v is not None))

    def count_tokens(self, text: str) -> int:
        """vLLM and llama.cpp serve /tokenize; llama-cpp-python serves /extras/tokenize."""
        root = self.base_url.removesuffix("/v1")
        for path, body in (("/tokenize", {"model": self.model, "prompt": text, "content": text, "add_special": False}),
                           ("/extras/tokenize", {"input": text})):
            try:
                response = self.client.post(f"{root}{path}", json=body)
                data = response.json() if response.status_code < 400 else None
            except Exception:  # no such endpoint, or not JSON: try the next
                data = None
            if isinstance(data, dict) and ("tokens" in data or "count" in data):
                tokens: Any = data.get("count", data.get("tokens"))  # a count, or the token list
                return tokens if isinstance(tokens, int) else len(tokens)
        return max(1, len(text) // 3)  # no tokenizer endpoint: a conservative estimate (3 characters a token)

    def close(self) -> None:
        self.client.close()


def load(spec: ModelSpec, cache_dir=None, progress=print, server: str | None = None, server_model: str | None = None,
         timeout: float = 120.0, api_key: str | None = None, allow_hosts: tuple[str, ...] = ()) -> OpenAIBackend:
    url = server
    if not url:
        raise UserError("The server engine needs the server's address: --server http://host:8000/v1 "
                        "(or MEDASSIST_SERVER_URL).")
    check_host(url, allow_hosts)
    key = api_key
    backend = OpenAIBackend(spec, url, server_model or spec.repo, timeout=timeout, api_key=key)
    progress(f"Using {spec.id} on the server at {url} (questions are sent there).")
    return backend
