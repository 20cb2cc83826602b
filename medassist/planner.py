"""Will it fit? Memory of a model's weights in a quantization, its KV cache, and a per-GPU layer split.

The model is built from its declared architecture on PyTorch's meta device (no weights, no
download), so parameter counts are the real ones. Sizes (bytes per parameter, weights only):
  bf16 2; int8 (LLM.int8) 1 + a float32 scale per output row; nf4 0.5 + block constants:
  absmax per 64 weights, itself 8-bit quantized with double quantization (+1/64 byte), plus a
  float32 per 256 blocks. Embeddings, norms and the output head stay bf16 under bitsandbytes.
KV cache (bf16): 2 (K and V) x layers x kv_heads x head_dim x context x batch x 2 bytes.
The split gives each GPU whole decoder layers in proportion to its free memory (embeddings on
the first, head on the last), so no GPU is left empty; the same map is what the loader uses.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .catalogue import Architecture, ModelSpec
from .errors import UserError

GIB = 2**30
RESERVE_GIB = 1.0  # per GPU: CUDA context, allocator slack, activations of one step
QUANTS = ("nf4", "int8", "bf16")


def parse_gpus(text: str | None) -> list[float]:
    """'2x24GiB', '24GiB,40GiB', '80G', 'none' -> [GiB per GPU]."""
    if text is None or text.strip().lower() in ("", "0", "none", "cpu"):
        return []
    out: list[float] = []
    for part in text.replace(" ", "").split(","):
        m = re.fullmatch(r"(?:(\d+)x)?(\d+(?:\.\d+)?)(gib|gb|g)?", part, re.IGNORECASE)
        if not m:
            raise UserError(f"Cannot read GPU memory '{part}': write it like 2x24GiB or 24GiB,48GiB.")
        size = float(m.group(2)) * (1e9 / GIB if (m.group(3) or "").lower() == "gb" else 1.0)
        out += [size] * int(m.group(1) or 1)
    return out


def parse_max_memory(text: str | None) -> dict[int | str, str] | None:
    """'0=22GiB,1=22GiB,cpu=60GiB' -> {0: '22GiB', 1: '22GiB', 'cpu': '60GiB'} (accelerate's max_memory)."""
    if not text:
        return None
    out: dict[int | str, str] = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        if not value or not re.fullmatch(r"\d+(\.\d+)?(GiB|GB|MiB|MB)", value.strip()):
            raise UserError(f"Cannot read --max-memory '{part}': write it like 0=22GiB,1=22GiB.")
        key = key.strip()
        out[int(key) if key.isdigit() else key] = value.strip()
    return out


@dataclass
class Plan:
    model: str
    quant: str
    context: int
    batch: int
    gpus_gib: list[float]
    params: int  # all parameters
    quantized_params: int  # those in decoder-layer linear weights
    weights_gib: float
    kv_cache_gib: float
    per_gpu_gib: list[float] = field(default_factory=list)
    layers_per_gpu: list[int] = field(default_factory=list)
    device_map: dict[str, int | str] = field(default_factory=dict)
    fits: bool = False
    why: str = ""

    @property
    def total_gib(self) -> float:
        return self.weights_gib + self.kv_cache_gib

    def to_dict(self) -> dict:
        return {**asdict(self), "total_gib": round(self.total_gib, 2)}

    def report(self) -> str:
        lines = [f"{self.model} in {self.quant}, context {self.context:,} x batch {self.batch}:",
                 f"  parameters {self.params / 1e9:.2f} B ({self.quantized_params / 1e9:.2f} B in quantizable "
                 f"linear layers)",
                 f"  weights {self.weights_gib:.1f} GiB + KV cache {self.kv_cache_gib:.1f} GiB "
                 f"= {self.total_gib:.1f} GiB"]
        for i, (gib, layers) in enumerate(zip(self.per_gpu_gib, self.layers_per_gpu)):
            lines.append(f"  GPU {i}: {layers} layers, {gib:.1f} of {self.gpus_gib[i]:.0f} GiB "
                         f"({RESERVE_GIB:.0f} GiB kept free)")
        lines.append(("  fits: " if self.fits else "  does not fit: ") + self.why)
        return "\n".join(lines)


def _config(arch: Architecture):
    from transformers import AutoConfig

    fields = {"num_hidden_layers": arch.layers, "hidden_size": arch.hidden, "num_attention_heads": arch.heads,
              "num_key_value_heads": arch.kv_heads, "intermediate_size": arch.ffn, "vocab_size": arch.vocab,
              "tie_word_embeddings": arch.tied}
    if arch.head_dim:
        fields["head_dim"] = arch.head_dim
    return AutoConfig.for_model(arch.model_type, **fields)


def count_parameters(arch: Architecture) -> tuple[int, int, int]:
    """(all, in decoder-layer linear weights, per decoder layer), from the model built on the meta device."""
    import torch
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(_config(arch))
    # A tied head shares the embedding matrix (on the meta device the tie may not be made: count it once).
    total = sum(p.numel() for name, p in model.named_parameters() if not (arch.tied and name == "lm_head.weight"))
    linear = sum(m.weight.numel() for name, m in model.named_modules()
                 if isinstance(m, torch.nn.Linear) and ".layers." in name)
    per_layer = sum(p.numel() for p in model.model.layers[0].parameters())
    return total, linear, per_layer


def _bytes_per_param(quant: str) -> float:
    return {"bf16": 2.0, "int8": 1.0, "nf4": 0.5 + 1 / 64 + 4 / (64 * 256)}[quant]


def plan(spec: ModelSpec, gpus_gib: list[float], quant: str | None = None, context: int | None = None,
         batch: int = 1, ram_gib: float | None = None) -> Plan:
    quant = quant or (spec.quantization if spec.quantization in QUANTS else "bf16")
    if quant not in QUANTS:
        raise UserError(f"Unknown quantization '{quant}': use one of {', '.join(QUANTS)}.")
    if spec.arch is None:
        raise UserError(f"{spec.id} has no declared architecture to plan from.")
    context = context or spec.context_length
    if context > spec.context_length:
        raise UserError(f"{spec.id} declares a context of {spec.context_length:,} tokens; {context:,} is more.")
    arch = spec.arch
    total, linear, per_layer = count_parameters(arch)
    rest = total - linear  # embeddings, head, norms: bf16 whatever the quantization
    weights = (linear * _bytes_per_param(quant) + rest * 2.0) / GIB
    head_dim = arch.head_dim or arch.hidden // arch.heads
    kv_per_layer = 2 * arch.kv_heads * head_dim * context * batch * 2 / GIB
    p = Plan(spec.id, quant, context, batch, list(gpus_gib), total, linear, weights, kv_per_layer * arch.layers)
    if not gpus_gib:
        room = (ram_gib or 0) * 0.8
        p.fits = p.total_gib <= room
        p.why = (f"{p.total_gib:.1f} GiB in CPU memory ({room:.0f} GiB usable)" if p.fits else
                 f"needs {p.total_gib:.1f} GiB and there is no GPU; {room:.0f} GiB of RAM is usable: run it on GPUs "
                 "(medassist plan MODEL --gpus 2x24GiB) or behind a vLLM server (--server URL)")
        if quant != "bf16" and p.fits:
            p.why += " (bitsandbytes runs on CPU, slowly; a GGUF through llama.cpp is faster there)"
        return p
    linear_per_layer = linear // arch.layers
    layer_gib = (linear_per_layer * _bytes_per_param(quant) + (per_layer - linear_per_layer) * 2.0) / GIB + kv_per_layer
    embed_gib = arch.vocab * arch.hidden * 2.0 / GIB
    head_gib = 0.0 if arch.tied else embed_gib
    free = [max(g - RESERVE_GIB, 0.0) for g in gpus_gib]
    extra = [0.0] * len(free)
    extra[0] += embed_gib
    extra[-1] += head_gib
    # Whole layers, in proportion to each GPU's room after its fixed parts; at least one each.
    gpu_room = [max(f - e, 0.0) for f, e in zip(free, extra)]
    share = [r / sum(gpu_room) * arch.layers if sum(gpu_room) else 0 for r in gpu_room]
    layers = [max(1, int(s)) for s in share]
    while sum(layers) < arch.layers:
        i = max(range(len(layers)), key=lambda j: share[j] - layers[j])
        layers[i] += 1
    while sum(layers) > arch.layers:
        i = max(range(len(layers)), key=lambda j: layers[j] - share[j])
        layers[i] -= 1
    p.layers_per_gpu = layers
    p.per_gpu_gib = [e + n * layer_gib for e, n in zip(extra, layers)]
    over = [i for i, (used, f) in enumerate(zip(p.per_gpu_gib, free)) if used > f]
    p.fits = not over and len(gpus_gib) <= arch.layers
    p.why = (f"{p.total_gib:.1f} GiB over {len(gpus_gib)} GPU(s), every GPU used" if p.fits else
             f"GPU(s) {', '.join(map(str, over))} would need more than they have; try --quant nf4, a shorter "
             "--context, more GPUs, or a vLLM server across machines")
    p.device_map = device_map(arch, layers)
    return p


def device_map(arch: Architecture, layers_per_gpu: list[int]) -> dict[str, int | str]:
    """Module -> GPU index, as transformers' `device_map` takes it."""
    out: dict[str, int | str] = {"model.embed_tokens": 0}
    n = 0
    for gpu, count in enumerate(layers_per_gpu):
        for _ in range(count):
            out[f"model.layers.{n}"] = gpu
            n += 1
    last = len(layers_per_gpu) - 1
    out.update({"model.norm": last, "model.rotary_emb": last, "lm_head": 0 if arch.tied else last})
    return out
