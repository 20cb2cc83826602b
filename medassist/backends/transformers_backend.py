"""Hugging Face transformers engine: a Hub repo, a local directory, or a GGUF file.

GGUF files are dequantized by transformers on first load (about a minute for the default
model); the converted weights are then cached under the user cache directory so that every
later start takes seconds.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)
from transformers.utils import logging as hf_logging

from ..catalogue import ModelSpec
from ..errors import UserError
from ..loading import LOAD_LOCK
from ..types import GenerationSettings
from ..weights import gguf_source
from .stops import cut_at_stop, stream_until_stop

CONVERTED_MARK = "medassist-converted.json"


def default_cpu_dtype(cache_dir: Path | None = None, spec: ModelSpec | None = None) -> torch.dtype:
    """float32 or bfloat16, whichever a short benchmark in the model's shapes measured faster on this CPU
    (cached per CPU; see dtype_choice.py). Measured: bfloat16 ~2x float32 with AVX512-BF16 or
    AMX; 2-50x slower than float32 on AVX2 alone."""
    from .dtype_choice import dtype_choice

    return getattr(torch, dtype_choice(cache_dir, spec))


def resolve_dtype(name: str | None, cache_dir: Path | None = None, spec: ModelSpec | None = None) -> torch.dtype:
    if name in (None, "auto"):
        return default_cpu_dtype(cache_dir, spec) if not torch.cuda.is_available() else torch.bfloat16
    try:
        return {"bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "fp32": torch.float32,
                "float32": torch.float32, "fp16": torch.float16, "float16": torch.float16}[name]
    except KeyError:
        raise UserError(f"Unknown dtype '{name}'. Use auto, bf16, fp16 or fp32.") from None


def converted_dir(name: str, cache_dir: Path, dtype: torch.dtype) -> Path:
    return Path(cache_dir) / "converted" / name / str(dtype).removeprefix("torch.")


def convert_gguf(gguf: Path, target: Path, dtype: torch.dtype, progress) -> None:
    """Dequantize a GGUF once and save it as safetensors; written aside, then renamed into place."""
    progress(f"Converting {gguf.name} for transformers (first run only; about a minute)...")
    started = time.perf_counter()
    with LOAD_LOCK:
        tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    model = model.to(dtype)  # type: ignore[arg-type]  # transformers' decorated `to` is typed for a model only
    # The weights are plain tensors now; drop the GGUF quantizer so the model can be saved.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tok.save_pretrained(partial)
    (partial / CONVERTED_MARK).write_text(f'{{"from": "{gguf.name}", "dtype": "{dtype}"}}\n')
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # another process finished first; keep theirs
        shutil.rmtree(partial, ignore_errors=True)
    else:
        os.replace(partial, target)
    progress(f"Converted in {time.perf_counter() - started:.0f} s; cached at {target}")


class _StopStrings(StoppingCriteria):
    """Stop once the new text holds a stop string. (transformers' own `stop_strings` precomputes a
    table over the whole vocabulary on every call: seconds for Gemma's 262k tokens.)"""

    def __init__(self, tokenizer, prompt_len: int, stops: tuple[str, ...]):
        self.tokenizer, self.prompt_len, self.stops = tokenizer, prompt_len, stops

    def __call__(self, input_ids, scores, **kwargs) -> bool:
        text = self.tokenizer.decode(input_ids[0, self.prompt_len:], skip_special_tokens=True)
        return any(s in text for s in self.stops)


class _Cancelled(StoppingCriteria):
    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs) -> bool:
        return self.event.is_set()


@contextmanager
def _out_of_memory_explained(prompt_tokens: int, settings: GenerationSettings):
    """A GPU out of memory mid-generation: free what it held and say what to change; the next
    request is served as usual."""
    try:
        yield
    except torch.cuda.OutOfMemoryError:
        import gc

        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        raise UserError(f"The GPU ran out of memory while generating ({prompt_tokens} prompt tokens + up to "
                        f"{settings.max_new_tokens} new). The memory was released. Ask again with fewer passages "
                        "(--k), a shorter --max-new-tokens or --context-length, or plan the model with "
                        "`medassist plan`.") from None


class TransformersBackend:
    engine = "transformers"

    def __init__(self, spec: ModelSpec, model, tokenizer, load_seconds: float):
        self.spec = spec
        self.model = model
        self.tokenizer = tokenizer
        self.load_seconds = load_seconds
        self.last_usage: dict[str, float] = {}
        eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
        for token in spec.extra_eos_tokens:
            tid = tokenizer.convert_tokens_to_ids(token)
            if isinstance(tid, int) and tid != tokenizer.unk_token_id:
                eos.append(tid)
        self.eos_ids = eos

    # -- helpers ---------------------------------------------------------------------------
    def _encode(self, prompt: str) -> dict:
        # Chat formats spell out their BOS; do not add a second one.
        bos = self.tokenizer.bos_token
        add_special = not (bos and prompt.startswith(bos))
        enc = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=add_special)
        enc.pop("token_type_ids", None)  # BERT-style tokenizers add it; causal LMs take no such input
        return {k: v.to(self.model.device) for k, v in enc.items()}

    def _gen_kwargs(self, settings: GenerationSettings) -> dict:
        kw = {"max_new_tokens": settings.max_new_tokens, "eos_token_id": self.eos_ids or None,
              "pad_token_id": self.tokenizer.pad_token_id or self.tokenizer.eos_token_id}
        if settings.temperature > 0:
            kw.update(do_sample=True, temperature=settings.temperature, top_p=settings.top_p)
            if settings.seed is not None:
                torch.manual_seed(settings.seed)
        else:
            kw.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return kw

    # -- the contract ----------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False).input_ids)

    def generate(self, prompt: str, settings: GenerationSettings) -> str:
        enc = self._encode(prompt)
        started = time.perf_counter()
        with torch.inference_mode(), _out_of_memory_explained(enc["input_ids"].shape[1], settings):
            stops = StoppingCriteriaList([_StopStrings(self.tokenizer, enc["input_ids"].shape[1], settings.stop)])
            out = self.model.generate(**enc, **self._gen_kwargs(settings), stopping_criteria=stops)
        new = out[0, enc["input_ids"].shape[1]:]
        self.last_usage = {"prompt_tokens": enc["input_ids"].shape[1], "new_tokens": len(new),
                           "seconds": time.perf_counter() - started}
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        return cut_at_stop(text, settings.stop)[0]

    def stream(self, prompt: str, settings: GenerationSettings) -> Iterator[str]:
        enc = self._encode(prompt)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        cancel = threading.Event()
        failure: list[BaseException] = []
        counts = {"new_tokens": 0}

        class _Count(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                counts["new_tokens"] = input_ids.shape[1] - enc["input_ids"].shape[1]
                return False

        def run():
            try:
                with torch.inference_mode():
                    self.model.generate(**enc, **self._gen_kwargs(settings), streamer=streamer,
                                        stopping_criteria=StoppingCriteriaList([_Cancelled(cancel), _Count()]))
            except BaseException as exc:  # surfaced in the consumer's thread below
                failure.append(exc)
                streamer.end()

        started = time.perf_counter()
        worker = threading.Thread(target=run, name="medassist-generate", daemon=True)
        worker.start()
        try:
            yield from stream_until_stop(streamer, settings.stop)
        finally:
            cancel.set()  # the consumer stopped reading, or a stop string was seen
            worker.join()
            self.last_usage = {"prompt_tokens": enc["input_ids"].shape[1], "new_tokens": counts["new_tokens"],
                               "seconds": time.perf_counter() - started}
        if failure:
            with _out_of_memory_explained(enc["input_ids"].shape[1], settings):
                raise failure[0]

    def _split(self, context: str, continuation: str) -> tuple[list[int], list[int]]:
        # As lm-evaluation-harness does: trailing spaces of the context belong to the continuation,
        # and the continuation's tokens are those of the whole text after the context's tokens.
        n_space = len(context) - len(context.rstrip(" "))
        if n_space:
            context, continuation = context[:-n_space], context[-n_space:] + continuation
        ctx = self.tokenizer(context).input_ids  # with BOS, as the model was trained
        whole = self.tokenizer(context + continuation).input_ids
        return ctx, whole[len(ctx):]

    def loglikelihood(self, context: str, continuation: str) -> float:
        return self._score_batch([self._split(context, continuation)])[0]

    def loglikelihood_many(self, context: str, continuations: list[str]) -> list[float]:
        """Every continuation after one context (all options of a question): the context is run
        once, and its key/value cache is shared by all the continuations in one batched pass."""
        split = [self._split(context, c) for c in continuations]
        ctx = split[0][0]
        if not ctx or any(s[0] != ctx for s in split) or any(not cont for _, cont in split):
            return self._score_batch(split)
        conts = [cont for _, cont in split]
        device = self.model.device
        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([ctx], device=device), use_cache=True, logits_to_keep=1)
            first = torch.log_softmax(out.logits[0, -1].float(), dim=-1)
            scores = [float(first[c[0]]) for c in conts]
            rest = [c[:-1] for c in conts]  # inputs that predict each continuation's later tokens
            width = max(len(r) for r in rest)
            if width == 0:  # single-token options (yes/no/maybe, letters): one pass was enough
                return scores
            cache = out.past_key_values
            cache.batch_repeat_interleave(len(conts))
            pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
            ids = torch.tensor([r + [pad] * (width - len(r)) for r in rest], device=device)
            mask = torch.tensor([[1] * (len(ctx) + len(r)) + [0] * (width - len(r)) for r in rest], device=device)
            positions = (len(ctx) + torch.arange(width, device=device))[None].expand(len(conts), width)
            logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions,
                                past_key_values=cache).logits
            logprobs = torch.log_softmax(logits.float(), dim=-1)  # [options, width, vocab]
        for i, cont in enumerate(conts):
            if len(cont) > 1:
                at = torch.arange(len(cont) - 1, device=logprobs.device)
                scores[i] += float(logprobs[i, at, torch.tensor(cont[1:], device=logprobs.device)].sum())
        return scores

    def _score_batch(self, split: list[tuple[list[int], list[int]]]) -> list[float]:
        # Left padding puts every continuation at the right edge, so the vocabulary-wide output
        # head is computed only for the last few positions. Position ids skip the padding.
        rows = [ctx + cont for ctx, cont in split]
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=self.model.device)
        mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=self.model.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        keep = max(len(cont) for _, cont in split) + 1
        with torch.inference_mode():
            logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=keep).logits
            logprobs = torch.log_softmax(logits.float(), dim=-1)  # [batch, keep, vocab]
        out = []
        for b, (_, cont) in enumerate(split):
            if not cont:
                out.append(0.0)
                continue
            at = torch.arange(keep - len(cont) - 1, keep - 1, device=logprobs.device)
            out.append(float(logprobs[b, at, torch.tensor(cont, device=logprobs.device)].sum()))
        return out

    def close(self) -> None:
        self.model = None
        import gc

        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def load(spec: ModelSpec, cache_dir: Path, progress=print, dtype: str | None = None,
         model_path: str | None = None, quant: str | None = None, max_memory: str | None = None,
         offload: bool = False, allow_pickle: bool = False, context: int | None = None,
         trusted_code: tuple[str, ...] = ()) -> TransformersBackend:
    """Load `spec` (or the weights at `model_path`) for CPU or GPU inference.

    quant: nf4 | int8 | none (default: the spec's own on a CUDA machine, none on CPU);
    max_memory: "0=22GiB,1=22GiB"; offload: allow CPU/disk offload; see hf_loading.py."""
    from .hf_loading import check_checkpoint, placement, quantization_config, trust_remote_code

    hf_logging.set_verbosity_error()
    torch_dtype = resolve_dtype(dtype, Path(cache_dir), spec)
    started = time.perf_counter()
    source = model_path or spec.repo
    gguf = gguf_source(spec, model_path, Path(cache_dir))
    if quant is None and torch.cuda.is_available() and gguf is None:
        quant = spec.quantization if spec.quantization in ("nf4", "int8") else None
    quant = None if quant == "none" else quant
    if gguf is not None:
        target = converted_dir(gguf[1], Path(cache_dir), torch_dtype)
        if not (target / CONVERTED_MARK).exists():
            convert_gguf(gguf[0], target, torch_dtype, progress)
        source = str(target)
    check_checkpoint(source, spec, allow_pickle=allow_pickle, trusted=trusted_code)
    kwargs = {"dtype": torch_dtype, "local_files_only": True, "use_safetensors": None if allow_pickle else True,
              "trust_remote_code": trust_remote_code(source, spec, trusted_code),
              **placement(spec, quant, max_memory, offload, context)}
    if quant:
        kwargs["quantization_config"] = quantization_config(quant)
        kwargs.setdefault("device_map", "cpu" if not torch.cuda.is_available() else "auto")
    where = "CUDA" if kwargs.get("device_map") not in (None, "cpu") else "CPU"
    progress(f"Loading {spec.id} ({quant or str(torch_dtype).removeprefix('torch.')}, transformers, {where})...")
    hf_logging.disable_progress_bar()
    try:
        with LOAD_LOCK:  # one model built at a time in a process (see loading.py)
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except OSError as exc:
        raise UserError(
            f"Could not load '{spec.id}' from {source}: {exc}. No model is downloaded at run time: "
            f"fetch the weights on a networked machine (hf download {spec.repo}), or pass --model-path DIR."
        ) from exc
    finally:
        hf_logging.enable_progress_bar()
    model.eval()
    return TransformersBackend(spec, model, tokenizer, load_seconds=time.perf_counter() - started)
