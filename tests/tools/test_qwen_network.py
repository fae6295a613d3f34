"""Tests of the Qwen-family reference (tools/bd3lm/qwen_network.py), the random model
folders (tools/make_qwen_model.py) and the committed fixture (tests/fixtures/qwen).

Run from the repository root:  /usr/bin/python3 -m pytest -q tests/tools/test_qwen_network.py
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import make_qwen_fixture  # noqa: E402
import make_qwen_model  # noqa: E402
from bd3lm import qwen_network as Q  # noqa: E402
from bd3lm.safetensors_io import read_header  # noqa: E402

FIXTURE = ROOT / "tests/fixtures/qwen"
needs_sp = pytest.mark.skipif(not make_qwen_model.TINY_SP.is_file(),
                              reason="no SentencePiece model in the tree")


def tiny_config(model_type="sdar", **over) -> Q.QwenConfig:
    raw = {"model_type": model_type, "vocab_size": 53, "hidden_size": 32,
           "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4,
           "num_key_value_heads": 2, "head_dim": 12, "rms_norm_eps": 1e-6,
           "rope_theta": 10000.0, "max_position_embeddings": 64,
           "tie_word_embeddings": False, "block_size": 4, "bd_size": 4, "mask_token_id": 50}
    raw.update(over)
    return Q.QwenConfig.from_hf(raw)


def tiny_model(cfg, seed=1, dtype=torch.float64):
    return Q.build_model(cfg, Q.random_state_dict(cfg, seed), dtype)


def random_tokens(length, seed=0, vocab=50, mask=50, p_mask=0.4):
    g = torch.Generator().manual_seed(seed)
    t = torch.randint(0, vocab, (length,), generator=g)
    t[torch.rand(length, generator=g) < p_mask] = mask
    return t


FAMILIES = ["sdar", "a2d-qwen3", "Fast_dLLM_Qwen"]


# ---------------------------------------------------------------------------
# configuration and names


def test_config_families():
    sdar, a2d, fast = (tiny_config(m) for m in FAMILIES)
    assert (sdar.qk_norm, sdar.qkv_bias, sdar.o_bias, sdar.logits) == (True, False, False,
                                                                       "unshifted")
    assert (a2d.qk_norm, a2d.logits) == (True, "unshifted")
    assert (fast.qk_norm, fast.qkv_bias, fast.o_bias, fast.logits) == (False, True, False,
                                                                      "shifted")
    assert tiny_config("sdar", block_size=8).block_size == 8   # sdar/a2d: block_size
    assert tiny_config("Fast_dLLM_Qwen", bd_size=32).block_size == 32  # Fast-dLLM: bd_size
    assert sdar.head_dim == 12 != 32 // 4  # head_dim from the config
    assert tiny_config("sdar", head_dim=None).head_dim == 8  # default hidden / heads
    assert tiny_config("sdar", attention_bias=True).o_bias  # Qwen3: bias on q, k, v and o
    for bad in ({"model_type": "qwen3"}, {"use_sliding_window": True},
                {"rope_scaling": {"rope_type": "yarn", "factor": 4.0}},
                {"hidden_act": "gelu"}, {"num_key_value_heads": 3}):
        with pytest.raises(ValueError):
            tiny_config(**{"model_type": "sdar", **bad})


@pytest.mark.parametrize("model_type", FAMILIES)
@pytest.mark.parametrize("tied", [False, True])
def test_state_dict_names_are_the_hf_names(model_type, tied):
    cfg = tiny_config(model_type, tie_word_embeddings=tied)
    sd = Q.QwenForCausalLM(cfg).state_dict()
    assert {n: tuple(t.shape) for n, t in sd.items()} == Q.expected_shapes(cfg)
    assert ("lm_head.weight" in sd) != tied
    assert ("model.layers.1.self_attn.q_norm.weight" in sd) == (model_type != "Fast_dLLM_Qwen")
    assert ("model.layers.0.self_attn.k_proj.bias" in sd) == (model_type == "Fast_dLLM_Qwen")
    assert "model.layers.0.self_attn.o_proj.bias" not in sd
    assert sd["model.layers.0.self_attn.q_norm.weight" if model_type != "Fast_dLLM_Qwen"
              else "model.layers.0.self_attn.q_proj.weight"].shape[0] == \
        (12 if model_type != "Fast_dLLM_Qwen" else 48)


# ---------------------------------------------------------------------------
# the network


def test_rmsnorm_and_rotary_formulas():
    norm = Q.RMSNorm(4, 1e-6)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    x = torch.tensor([[1.0, -2.0, 3.0, -4.0]])
    want = x / torch.sqrt((x ** 2).mean() + 1e-6) * norm.weight
    assert torch.allclose(norm(x), want)
    xb = x.to(torch.bfloat16)  # bf16 input: normalised in fp32, result in bf16
    got = norm.to(torch.bfloat16)(xb)
    assert got.dtype == torch.bfloat16 and torch.allclose(got.float(), want, rtol=2e-2)
    rot = Q.Rotary(8, 10000.0)
    assert torch.allclose(rot.inv_freq, torch.tensor([1.0, 10000 ** -0.25, 10000 ** -0.5,
                                                      10000 ** -0.75]))
    cos, sin = rot(torch.tensor([3]), torch.float64)
    v = torch.arange(8, dtype=torch.float64)[None, None, None]  # (1, 1, 1, 8)
    got = Q.apply_rotary(v, cos, sin)[0, 0, 0]
    for j in range(4):  # rotate-half: dims j and j + 4 rotate together by 3 * inv_freq[j]
        a = 3 * float(rot.inv_freq[j])
        assert got[j].item() == pytest.approx(v[0, 0, 0, j] * np.cos(a) - v[0, 0, 0, j + 4]
                                              * np.sin(a))
        assert got[j + 4].item() == pytest.approx(v[0, 0, 0, j + 4] * np.cos(a)
                                                  + v[0, 0, 0, j] * np.sin(a))


def test_block_causal_mask():
    pos = torch.arange(10)
    m = Q.block_causal_mask(pos, pos, 4)
    for i in range(10):
        for j in range(10):
            assert bool(m[i, j]) == (j // 4 <= i // 4)
    assert torch.equal(Q.block_causal_mask(pos, pos, 1), torch.tril(torch.ones(10, 10)).bool())


@pytest.mark.parametrize("model_type", FAMILIES)
def test_whole_sequence_equals_block_by_block_with_cache(model_type):
    cfg = tiny_config(model_type)
    model = tiny_model(cfg, dtype=torch.float32)
    tokens = random_tokens(23)
    with torch.no_grad():
        whole = model(tokens, 4)
        assert whole.shape == (23, cfg.vocab_size)
        # each block denoised against the cache, then committed (the sampler's way)
        cached = model.forward_cached(tokens, 4)
        assert (whole - cached).abs().max() < 1e-5
        # chunks of several whole blocks (a prefill), at explicit positions, under the
        # mask, the last one partial
        cache, rows, s = Q.KVCache(), [], 0
        for n in (8, 4, 4, 7):
            rows.append(model.forward_chunk(tokens[s:s + n], cache, torch.arange(s, s + n),
                                            block_size=4, append=True))
            s += n
        assert len(cache) == 23 and torch.equal(cache.positions, torch.arange(23))
        assert (whole - torch.cat(rows)).abs().max() < 1e-5
        # a batch of two runs like each sequence alone
        other = random_tokens(23, seed=5)
        batch = model(torch.stack([tokens, other]), 4)
        assert (batch[0] - whole).abs().max() < 1e-5
        assert (batch[1] - model(other, 4)).abs().max() < 1e-5


def test_cache_holds_what_a_later_block_needs():
    """A block committed with its clean tokens; the next block's logits are those of
    the whole sequence, whatever the block was while it was noisy."""
    cfg = tiny_config()
    model = tiny_model(cfg)
    tokens = random_tokens(12, p_mask=0.0)
    with torch.no_grad():
        cache = Q.KVCache()
        noisy = tokens[:4].clone()
        noisy[1:] = cfg.mask_token_id
        model.forward_chunk(noisy, cache)  # a denoising pass: nothing stored
        assert len(cache) == 0
        model.forward_chunk(tokens[:4], cache, append=True)
        got = model.forward_chunk(tokens[4:8], cache)
    assert (got - model(tokens[:8], 4)[4:8]).abs().max() < 1e-12


@pytest.mark.parametrize("model_type", FAMILIES)
def test_mask_is_block_causal(model_type):
    cfg = tiny_config(model_type)
    model = tiny_model(cfg)
    tokens = random_tokens(16, p_mask=0.0)
    with torch.no_grad():
        base = model(tokens, 4)
        later = tokens.clone()
        later[10] = (later[10] + 1) % 50  # a token of block 2
        out = model(later, 4)
        diff = (out - base).abs().amax(dim=-1)  # (16,)
        assert diff[:8].max() == 0  # blocks 0 and 1 do not see it
        assert diff[8:].min() > 1e-6  # its whole block sees it, both directions, and after
        inside = tokens.clone()
        inside[5] = (inside[5] + 1) % 50  # inside block 1
        diff = (model(inside, 4) - base).abs().amax(dim=-1)
        assert diff[:4].max() == 0 and diff[4:8].min() > 1e-6
        # block size 1 is causal: a change at i moves rows >= i only
        d1 = (model(inside, 1) - model(tokens, 1)).abs().amax(dim=-1)
        assert d1[:5].max() == 0 and d1[5:].min() > 1e-6


def test_gqa_equals_explicit_repeat_of_kv_heads():
    cfg = tiny_config("sdar")  # 4 q heads, 2 kv heads: kv head j serves q heads 2j, 2j+1
    model = tiny_model(cfg)
    mha_cfg = tiny_config("sdar", num_key_value_heads=4)
    sd = dict(model.state_dict())
    Dh = cfg.head_dim
    for i in range(cfg.num_hidden_layers):
        for w in ("k_proj", "v_proj"):
            name = f"model.layers.{i}.self_attn.{w}.weight"
            heads = sd[name].view(2, Dh, -1)
            sd[name] = heads.repeat_interleave(2, dim=0).reshape(4 * Dh, -1)
    mha = Q.build_model(mha_cfg, sd, torch.float64)
    tokens = random_tokens(11)
    with torch.no_grad():
        assert (model(tokens, 4) - mha(tokens, 4)).abs().max() < 1e-12
        # the other grouping (q head h served by kv head h % 2) is a different network
        for i in range(cfg.num_hidden_layers):
            for w in ("k_proj", "v_proj"):
                name = f"model.layers.{i}.self_attn.{w}.weight"
                heads = model.state_dict()[name].view(2, Dh, -1)
                sd[name] = heads.repeat(2, 1, 1).reshape(4 * Dh, -1)
        wrong = Q.build_model(mha_cfg, sd, torch.float64)
        assert (model(tokens, 4) - wrong(tokens, 4)).abs().max() > 1e-3


@pytest.mark.parametrize("model_type", FAMILIES)
def test_tied_equals_untied_with_the_embedding_as_head(model_type):
    tied_cfg = tiny_config(model_type, tie_word_embeddings=True)
    tied = tiny_model(tied_cfg)
    sd = dict(tied.state_dict())
    assert "lm_head.weight" not in sd
    sd["lm_head.weight"] = sd["model.embed_tokens.weight"].clone()
    untied = Q.build_model(tiny_config(model_type), sd, torch.float64)
    tokens = random_tokens(9)
    with torch.no_grad():
        assert torch.equal(tied(tokens, 4), untied(tokens, 4))
        untied.lm_head.weight.mul_(1.5)  # the head really is separate when untied
        assert not torch.allclose(tied(tokens, 4), untied(tokens, 4))
    with pytest.raises(ValueError):  # a tied checkpoint holds no lm_head
        Q.build_model(tied_cfg, sd)


def test_wrong_details_change_the_logits(monkeypatch):
    """Details a port could get wrong move the logits well beyond the fixtures' atol."""
    cfg = tiny_config("sdar")
    model = tiny_model(cfg)
    tokens = random_tokens(12)
    with torch.no_grad():
        base = model(tokens, 4)
        att = model.model.layers[0].self_attn
        w = att.k_norm.weight.clone()
        att.k_norm.weight.fill_(1.0)  # k_norm's weight matters
        assert (model(tokens, 4) - base).abs().max() > 1e-3
        att.k_norm.weight.copy_(w)
        assert torch.equal(model(tokens, 4), base)
        # interleaved (GPT-J style) rotary instead of rotate-half
        monkeypatch.setattr(Q, "rotate_half", lambda x: torch.stack(
            [-x[..., 1::2], x[..., ::2]], -1).flatten(-2))
        assert (model(tokens, 4) - base).abs().max() > 1e-3
        monkeypatch.undo()
        # rotary of the wrong length (half of head_dim rotated, the rest passed through)
        orig = Q.apply_rotary
        half = cfg.head_dim // 2
        monkeypatch.setattr(Q, "apply_rotary", lambda x, c, s: torch.cat(
            [orig(x[..., :half], c[..., ::2], s[..., ::2]), x[..., half:]], -1))
        assert (model(tokens, 4) - base).abs().max() > 1e-3


# ---------------------------------------------------------------------------
# model folders


@needs_sp
def test_shards_and_index_round_trip(tmp_path):
    lay = make_qwen_model.layout("tiny-sdar")
    cfg = Q.QwenConfig.from_hf(lay["config"])
    one, three = tmp_path / "one", tmp_path / "three"
    make_qwen_model.make_model("tiny-sdar", one, seed=7)
    make_qwen_model.make_model("tiny-sdar", three, seed=7, shards=3)
    assert (one / "model.safetensors").is_file()
    assert not (one / "model.safetensors.index.json").exists()
    index = json.loads((three / "model.safetensors.index.json").read_text())
    files = [f"model-0000{i}-of-00003.safetensors" for i in (1, 2, 3)]
    assert sorted(set(index["weight_map"].values())) == files
    assert not (three / "model.safetensors").exists()
    assert set(index["weight_map"]) == set(Q.expected_shapes(cfg))
    assert list(index["weight_map"]) == sorted(index["weight_map"])
    sizes = {f: sum(e["data_offsets"][1] - e["data_offsets"][0]
                    for e in read_header(three / f)[0].values()) for f in files}
    assert index["metadata"]["total_size"] == sum(sizes.values())
    for f in files:
        header, meta, _ = read_header(three / f)
        assert meta == {"format": "pt"}
        assert all(index["weight_map"][n] == f for n in header)
    a, b = Q.read_weights(one), Q.read_weights(three)
    assert a.keys() == b.keys() and all(torch.equal(a[n], b[n]) for n in a)
    # the same seed gives the same values in bf16, rounded
    make_qwen_model.make_model("tiny-sdar", one, seed=7, dtype="bf16", shards=2)
    assert not (one / "model.safetensors").exists()  # stale files replaced
    c = Q.read_weights(one)
    assert all(c[n].dtype == torch.bfloat16 and torch.equal(c[n], a[n].to(torch.bfloat16))
               for n in a)
    assert json.loads((one / "config.json").read_text())["torch_dtype"] == "bfloat16"
    model, raw = Q.load_folder(three)
    assert raw["model_type"] == "sdar" and isinstance(model, Q.QwenForCausalLM)


@needs_sp
def test_make_qwen_model_tiny_layouts(tmp_path):
    out = tmp_path / "fast"
    subprocess.run([sys.executable, str(ROOT / "tools/make_qwen_model.py"), "--layout",
                    "tiny-fast-dllm", "--output", str(out), "--seed", "3"], check=True,
                   capture_output=True)
    raw = json.loads((out / "config.json").read_text())
    assert raw["architectures"] == ["Fast_dLLM_QwenForCausalLM"]
    assert raw["model_type"] == "Fast_dLLM_Qwen" and raw["bd_size"] == 4
    assert (raw["vocab_size"], raw["mask_token_id"], raw["bos_token_id"], raw["eos_token_id"]) \
        == (1040, 1030, 2, 3)
    assert (raw["hidden_size"], raw["num_hidden_layers"], raw["num_attention_heads"],
            raw["num_key_value_heads"], raw["intermediate_size"]) == (64, 2, 4, 2, 96)
    assert raw["tie_word_embeddings"] is False and raw["torch_dtype"] == "float32"
    assert raw["head_dim"] == 24  # not hidden / heads: written for the Qwen2 family too
    assert (out / "model.safetensors.index.json").is_file() and (out / "tokenizer.model").is_file()
    gen = json.loads((out / "generation_config.json").read_text())
    assert gen["eos_token_id"] == [3] and gen["pad_token_id"] == 0
    for name, family in (("tiny-sdar", "sdar"), ("tiny-a2d", "a2d-qwen3")):
        c = make_qwen_model.layout(name)["config"]
        assert c["model_type"] == family and c["block_size"] == 4 and c["head_dim"] == 24
        assert c["tie_word_embeddings"] == (name == "tiny-a2d")
    model, _ = Q.load_folder(out)
    with torch.no_grad():
        assert torch.isfinite(model(torch.tensor([2] + [1030] * 7), 4)).all()


# the keys of JetAstra/SDAR training/model/SDAR-4B-Chat/config.json
SDAR_4B_KEYS = [
    "architectures", "auto_map", "attention_bias", "attention_dropout", "attn_implementation",
    "bos_token_id", "debug", "eos_token_id", "block_size", "mask_token_id", "ep_size",
    "fuse_cross_entropy", "head_dim", "hidden_act", "hidden_size", "initializer_range",
    "intermediate_size", "max_position_embeddings", "max_window_layers", "micro_forward",
    "model_type", "num_attention_heads", "num_hidden_layers", "num_key_value_heads",
    "rms_norm_eps", "rope_scaling", "rope_theta", "skip_checkpoint", "sliding_window",
    "tie_word_embeddings", "torch_dtype", "transformers_version", "use_cache", "use_deepep",
    "use_sliding_window", "vocab_size"]


def test_real_layouts_have_the_published_shapes():
    lay = make_qwen_model.layout("sdar-4b")
    c = lay["config"]
    assert list(c) == SDAR_4B_KEYS
    assert (c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"],
            c["num_key_value_heads"], c["head_dim"], c["intermediate_size"]) == \
        (2560, 36, 32, 8, 128, 9728)
    assert (c["rope_theta"], c["rms_norm_eps"], c["vocab_size"], c["block_size"],
            c["mask_token_id"], c["bos_token_id"], c["eos_token_id"]) == \
        (1000000, 1e-6, 151936, 4, 151669, 151643, 151643)
    assert c["tie_word_embeddings"] is False and c["torch_dtype"] == "bfloat16"
    assert lay["generation_config"] == {
        "bos_token_id": 151643, "do_sample": True, "eos_token_id": [151645, 151643],
        "pad_token_id": 151643, "temperature": 0.6, "top_k": 20, "top_p": 0.95,
        "transformers_version": "4.51.0"}
    assert lay["shards"] == 2
    cfg = Q.QwenConfig.from_hf(c)
    shapes = Q.expected_shapes(cfg)
    # the official model.safetensors.index.json: "total_size": 8822848512 (BF16)
    assert 2 * sum(int(np.prod(s)) for s in shapes.values()) == 8822848512
    assert len(shapes) == 36 * 11 + 3
    plan = make_qwen_model.shard_plan(shapes, torch.bfloat16, 2)
    assert plan[0][0] == "model.embed_tokens.weight" and plan[1][-1] == "lm_head.weight"

    c17 = make_qwen_model.layout("sdar-1.7b")["config"]
    assert (c17["hidden_size"], c17["num_hidden_layers"], c17["num_attention_heads"],
            c17["num_key_value_heads"], c17["head_dim"], c17["intermediate_size"],
            c17["tie_word_embeddings"]) == (2048, 28, 16, 8, 128, 6144, True)
    assert list(c17) == SDAR_4B_KEYS

    f = make_qwen_model.layout("fast-dllm-v2-1.5b")
    fc = f["config"]
    assert fc["model_type"] == "Fast_dLLM_Qwen"
    assert fc["architectures"] == ["Fast_dLLM_QwenForCausalLM"]
    assert (fc["hidden_size"], fc["num_hidden_layers"], fc["num_attention_heads"],
            fc["num_key_value_heads"], fc["intermediate_size"], fc["tie_word_embeddings"],
            fc["rope_theta"], fc["bd_size"], fc["mask_token_id"]) == \
        (1536, 28, 12, 2, 8960, True, 1000000.0, 32, 151665)
    assert 151645 in f["generation_config"]["eos_token_id"]
    assert "head_dim" not in fc  # Qwen2 configs: hidden / heads
    fcfg = Q.QwenConfig.from_hf(fc)
    assert fcfg.head_dim == 128 and fcfg.qkv_bias and fcfg.block_size == 32
    assert sum(int(np.prod(s)) for s in Q.expected_shapes(fcfg).values()) == 1543714304


# ---------------------------------------------------------------------------
# the committed fixture


@pytest.mark.skipif(not (FIXTURE / "cases.json").is_file(), reason="no Qwen fixture")
def test_committed_fixture_is_reproduced(tmp_path):
    doc = json.loads((FIXTURE / "cases.json").read_text())
    assert doc["format"] == make_qwen_fixture.FORMAT and doc["atol"] == 1e-4
    names = {c["name"] for c in doc["cases"]}
    assert len(names) == len(doc["cases"]) >= 5
    assert {c["block_size"] for c in doc["cases"]} >= {1, 4, 8}
    assert {c["model"] for c in doc["cases"]} == set(make_qwen_fixture.MODELS)
    for case in doc["cases"]:
        expected = np.load(FIXTURE / case["expected"])
        assert expected.dtype == np.float32 and list(expected.shape) == case["shape"]
        assert list(expected.shape) == [len(case["tokens"]),
                                        json.loads((FIXTURE / case["model"] / "config.json")
                                                   .read_text())["vocab_size"]]
        if case["block_size"] == 4:
            assert len(case["tokens"]) % 4 and case["tokens"].count(case["mask_token_id"]) >= 2
        assert case["logits"] == ("shifted" if case["model_type"] == "Fast_dLLM_Qwen"
                                  else "unshifted")
        got = make_qwen_fixture.case_logits(FIXTURE / case["model"], case["tokens"],
                                            case["block_size"])
        assert np.abs(got - expected).max() < 1e-6, case["name"]
    assert (FIXTURE / "tiny-fast-dllm/model.safetensors.index.json").is_file()

    # regenerating gives the same folders, tokens and (to rounding) logits
    new = make_qwen_fixture.make_fixture(tmp_path, int(doc["generator"].split()[-1]))
    assert [c["tokens"] for c in new["cases"]] == [c["tokens"] for c in doc["cases"]]
    for model in make_qwen_fixture.MODELS:
        for f in sorted((FIXTURE / model).iterdir()):
            assert f.read_bytes() == (tmp_path / model / f.name).read_bytes(), f
        assert sorted(p.name for p in (tmp_path / model).iterdir()) == \
            sorted(p.name for p in (FIXTURE / model).iterdir())
    for case in doc["cases"]:
        a, b = np.load(FIXTURE / case["expected"]), np.load(tmp_path / case["expected"])
        assert np.abs(a - b).max() < 1e-6
