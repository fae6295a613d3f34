#!/usr/bin/env python3
"""A random-weight model of the published 12 x 768 layout, with the standard library only.

For machines without torch (tools/make_model.py is the real tool): the weights are a
seeded block of Gaussian values repeated to fill each tensor, scaled so activations
stay O(1). Good for timing, not for parity.

Usage: make_published_model.py GPT2_DIR OUTPUT
"""

import json
import math
import random
import shutil
import struct
import sys
from array import array
from pathlib import Path

V, D, C, LAYERS, HEADS, FREQ, CONTEXT = 50258, 768, 128, 12, 12, 256, 1024


def shapes():
    p = "backbone."
    out = {p + "vocab_embed.embedding": (V, D), p + "sigma_map.mlp.0.weight": (C, FREQ),
           p + "sigma_map.mlp.0.bias": (C,), p + "sigma_map.mlp.2.weight": (C, C),
           p + "sigma_map.mlp.2.bias": (C,), p + "rotary_emb.inv_freq": (D // HEADS // 2,)}
    for i in range(LAYERS):
        b = f"{p}blocks.{i}."
        out.update({b + "norm1.weight": (D,), b + "attn_qkv.weight": (3 * D, D), b + "attn_out.weight": (D, D),
                    b + "norm2.weight": (D,), b + "mlp.0.weight": (4 * D, D), b + "mlp.0.bias": (4 * D,),
                    b + "mlp.2.weight": (D, 4 * D), b + "mlp.2.bias": (D,),
                    b + "adaLN_modulation.weight": (6 * D, C), b + "adaLN_modulation.bias": (6 * D,)})
    out.update({p + "output_layer.norm_final.weight": (D,), p + "output_layer.linear.weight": (V, D),
                p + "output_layer.linear.bias": (V,), p + "output_layer.adaLN_modulation.weight": (2 * D, C),
                p + "output_layer.adaLN_modulation.bias": (2 * D,)})
    return out


def values(name, shape, rng, pattern):
    count = math.prod(shape)
    if name.endswith("rotary_emb.inv_freq"):
        hd = D // HEADS
        return array("f", [10000.0 ** (-2 * i / hd) for i in range(hd // 2)])
    if "norm" in name:
        mean, std = 1.0, 0.1
    elif name.endswith("embedding"):
        mean, std = 0.0, 1.0
    elif name.endswith("bias"):
        mean, std = 0.0, 0.1
    elif "adaLN_modulation" in name:
        mean, std = 0.0, 0.5 / math.sqrt(shape[-1])
    else:
        mean, std = 0.0, 1.0 / math.sqrt(shape[-1])
    key = (mean, std)
    if key not in pattern:
        pattern[key] = array("f", [mean + std * rng.gauss(0.0, 1.0) for _ in range(65521)])
    base = pattern[key]
    return base * (count // len(base)) + base[: count % len(base)]


def main():
    gpt2, output = Path(sys.argv[1]), Path(sys.argv[2])
    output.mkdir(parents=True, exist_ok=True)
    for name in ("encoder.json", "vocab.bpe"):
        shutil.copyfile(gpt2 / name, output / name)
    config = {"model_type": "bd3lm", "block_size": 16, "cond_dim": C, "hidden_dim": D, "n_blocks": LAYERS,
              "n_heads": HEADS, "model_length": CONTEXT, "vocab_size": V, "time_conditioning": False,
              "cross_attn": True, "var_min": True, "sampling_eps_min": 0.001, "sampling_eps_max": 0.999,
              "attn_backend": "sdpa", "bos_token_id": V - 2, "eos_token_id": V - 2, "pad_token_id": V - 2,
              "mask_token_id": V - 1, "trained_block_sizes": [16], "tokenizer": "gpt2"}
    (output / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    rng, pattern = random.Random(0), {}
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    tensors = shapes()
    for name, shape in tensors.items():
        size = 4 * math.prod(shape)
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(output / "model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for name, shape in tensors.items():
            values(name, shape, rng, pattern).tofile(f)


if __name__ == "__main__":
    main()
