"""Save and load a Hugging Face style BD3-LM model folder.

A folder holds:
  config.json        the published keys (model_type "bd3lm", block_size, cond_dim,
                     hidden_dim, n_blocks, n_heads, model_length, vocab_size,
                     time_conditioning, cross_attn, var_min, sampling_eps_min/max,
                     attn_backend) plus the project's own: bos/eos/pad/mask_token_id,
                     trained_block_sizes and "tokenizer" ("sentencepiece" | "gpt2");
  model.safetensors  the weights (F32, F16 or BF16), names under `backbone.`;
  tokenizer files    tokenizer.model (SentencePiece) or encoder.json + vocab.bpe (GPT-2).

Token layouts:
  SentencePiece: vocab_size = piece count + 1; [MASK] is the extra last id
    (= piece count); BOS/EOS/PAD come from the SentencePiece model (PAD falls back
    to EOS when the model defines none).
  GPT-2 (published): vocab_size 50258, BOS = EOS = PAD = 50256, [MASK] = 50257.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .network import BD3LM, BD3LMConfig, expected_shapes
from .safetensors_io import load_file, save_file

GPT2_BPE_ENTRIES = 50257
# Tensors a checkpoint may hold beyond the network's parameters.
OPTIONAL_TENSORS = ("sampling_eps_min", "sampling_eps_max")

DTYPE_NAMES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


@dataclass
class TokenizerInfo:
    kind: str            # "sentencepiece" or "gpt2"
    vocab_size: int      # rows of the model's embedding: tokenizer entries + [MASK]
    bos_id: int
    eos_id: int
    pad_id: int
    mask_id: int
    files: dict = field(default_factory=dict)  # name in the folder -> source path


def sentencepiece_tokenizer(model_path) -> TokenizerInfo:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    n = sp.get_piece_size()
    bos, eos, pad = sp.bos_id(), sp.eos_id(), sp.pad_id()
    if bos < 0 or eos < 0:
        raise ValueError(f"{model_path}: the SentencePiece model needs BOS and EOS ids")
    return TokenizerInfo("sentencepiece", vocab_size=n + 1, bos_id=bos, eos_id=eos,
                         pad_id=pad if pad >= 0 else eos, mask_id=n,
                         files={"tokenizer.model": Path(model_path)})


def gpt2_tokenizer(folder) -> TokenizerInfo:
    folder = Path(folder)
    enc, bpe = folder / "encoder.json", folder / "vocab.bpe"
    for f in (enc, bpe):
        if not f.is_file():
            raise FileNotFoundError(f"{f} is missing (GPT-2 tokenizer files needed)")
    with open(enc, encoding="utf-8") as f:
        n = len(json.load(f))
    if n != GPT2_BPE_ENTRIES:
        raise ValueError(f"{enc}: {n} entries, GPT-2 has {GPT2_BPE_ENTRIES}")
    eot = GPT2_BPE_ENTRIES - 1  # <|endoftext|> = 50256
    return TokenizerInfo("gpt2", vocab_size=GPT2_BPE_ENTRIES + 1, bos_id=eot, eos_id=eot,
                         pad_id=eot, mask_id=GPT2_BPE_ENTRIES,
                         files={"encoder.json": enc, "vocab.bpe": bpe})


def config_json(cfg: BD3LMConfig, tok: TokenizerInfo, block_size: int,
                trained_block_sizes: list[int]) -> dict:
    return {
        "model_type": "bd3lm",
        "block_size": int(block_size),
        "cond_dim": cfg.cond_dim,
        "hidden_dim": cfg.hidden_dim,
        "n_blocks": cfg.n_blocks,
        "n_heads": cfg.n_heads,
        "model_length": cfg.model_length,
        "vocab_size": cfg.vocab_size,
        "time_conditioning": False,
        "cross_attn": True,
        "var_min": True,
        "sampling_eps_min": 0.001,
        "sampling_eps_max": 0.999,
        "attn_backend": "sdpa",
        "bos_token_id": tok.bos_id,
        "eos_token_id": tok.eos_id,
        "pad_token_id": tok.pad_id,
        "mask_token_id": tok.mask_id,
        "trained_block_sizes": [int(b) for b in trained_block_sizes],
        "tokenizer": tok.kind,
    }


def to_file_dtype(state_dict: dict, dtype: str) -> dict:
    """Cast weights to f32/f16/bf16. rotary_emb.inv_freq stays F32 in every file: it
    is a buffer fixed by a formula, and rounding it would rotate distant positions
    by visibly wrong angles."""
    td = DTYPE_NAMES[dtype]
    return {n: (t.float() if n.endswith("rotary_emb.inv_freq") else t.to(td))
            for n, t in state_dict.items()}


def save_model_folder(folder, cfg: BD3LMConfig, state_dict: dict, tok: TokenizerInfo, *,
                      block_size: int, trained_block_sizes: list[int],
                      dtype: str = "f32") -> Path:
    """Write config.json, model.safetensors and the tokenizer files into `folder`."""
    folder = Path(folder)
    if cfg.vocab_size != tok.vocab_size or cfg.mask_token_id != tok.mask_id:
        raise ValueError("model vocab_size / mask id disagree with the tokenizer")
    if not 1 <= block_size <= cfg.model_length:
        raise ValueError(f"block_size {block_size} outside 1..{cfg.model_length}")
    if any(not 1 <= b <= cfg.model_length for b in trained_block_sizes):
        raise ValueError("trained_block_sizes must lie in 1..model_length")
    check_state_dict(cfg, state_dict)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "config.json", "w", encoding="utf-8") as f:
        json.dump(config_json(cfg, tok, block_size, trained_block_sizes), f, indent=2)
        f.write("\n")
    save_file(to_file_dtype(state_dict, dtype), folder / "model.safetensors",
              metadata={"format": "pt"})
    for name, src in tok.files.items():
        if Path(src).resolve() != (folder / name).resolve():
            shutil.copyfile(src, folder / name)
    return folder


def check_state_dict(cfg: BD3LMConfig, state_dict: dict, origin: str = "state dict") -> None:
    """Every expected tensor present with its shape; nothing unknown."""
    want = expected_shapes(cfg)
    problems = []
    for name, shape in want.items():
        if name not in state_dict:
            if not name.endswith("rotary_emb.inv_freq"):  # a buffer: may be absent
                problems.append(f"missing {name}")
        elif tuple(state_dict[name].shape) != shape:
            problems.append(f"{name}: shape {tuple(state_dict[name].shape)}, expected {shape}")
    for name in state_dict:
        if name not in want and name not in OPTIONAL_TENSORS:
            problems.append(f"unexpected tensor {name}")
    if problems:
        raise ValueError(f"{origin}: " + "; ".join(problems))


def read_config(folder) -> tuple[BD3LMConfig, dict]:
    with open(Path(folder) / "config.json", encoding="utf-8") as f:
        raw = json.load(f)
    if raw.get("model_type") != "bd3lm":
        raise ValueError(f"{folder}/config.json: model_type is not 'bd3lm'")
    cfg = BD3LMConfig(vocab_size=raw["vocab_size"], hidden_dim=raw["hidden_dim"],
                      cond_dim=raw["cond_dim"], n_blocks=raw["n_blocks"],
                      n_heads=raw["n_heads"], model_length=raw["model_length"],
                      mask_token_id=raw.get("mask_token_id", raw["vocab_size"] - 1))
    return cfg, raw


def load_state_dict(cfg: BD3LMConfig, path) -> dict:
    sd = load_file(path)
    check_state_dict(cfg, sd, str(path))
    return {n: t for n, t in sd.items() if n not in OPTIONAL_TENSORS}


def load_model_folder(folder, dtype: torch.dtype = torch.float32,
                      weights=None) -> tuple[BD3LM, dict]:
    """Build the network from a folder. `weights` overrides the safetensors file
    (e.g. an F16 copy beside it). Returns (model in eval mode, config.json dict)."""
    folder = Path(folder)
    cfg, raw = read_config(folder)
    sd = load_state_dict(cfg, weights or folder / "model.safetensors")
    model = BD3LM(cfg)
    # inv_freq may be absent from a checkpoint: then the module keeps its formula value
    missing, unexpected = model.load_state_dict({n: t.float() for n, t in sd.items()},
                                                strict=False)
    assert not unexpected and all(m.endswith("rotary_emb.inv_freq") for m in missing)
    return model.to(dtype).eval(), raw
