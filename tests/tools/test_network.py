"""Tests of the PyTorch reference network and the model-making tools.

Run from the repository root:  /usr/bin/python3 -m pytest tests/tools -q
"""

import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from bd3lm import network as N  # noqa: E402
from bd3lm.model_folder import (gpt2_tokenizer, load_model_folder,  # noqa: E402
                                save_model_folder, sentencepiece_tokenizer)
from bd3lm.safetensors_io import load_file, read_header, save_file  # noqa: E402

PARITY = ROOT / "tests/fixtures/parity"
SP_MODEL = next((p for p in (ROOT / "tests/fixtures/tokenizer/tiny-sp.model",
                             PARITY / "model/tokenizer.model") if p.is_file()), None)
needs_sp = pytest.mark.skipif(SP_MODEL is None, reason="no SentencePiece model in the tree")

V, MASK = 97, 96
SMALL = dict(vocab_size=V, hidden_dim=32, cond_dim=16, n_blocks=2, n_heads=4, model_length=32)


def small_model(dtype=torch.float64, seed=1):
    model = N.BD3LM(N.BD3LMConfig(**SMALL))
    N.init_weights(model, "random", seed)
    return model.to(dtype).eval()


def noisy_pair(length, p_mask=0.5, seed=0):
    """(x_t, x_0): random clean tokens (BOS-like 0 first) and a masked copy."""
    g = torch.Generator().manual_seed(seed)
    x0 = torch.randint(1, MASK, (2, length), generator=g)
    x0[:, 0] = 0
    xt = x0.clone()
    drop = torch.rand(x0.shape, generator=g) < p_mask
    drop[:, 0] = False
    xt[drop] = MASK
    return xt, x0


# ---------------------------------------------------------------------------
# names and shapes


def test_parameter_names_and_shapes_match_checkpoint_layout():
    cfg = N.BD3LMConfig(**SMALL)
    sd = N.BD3LM(cfg).state_dict()
    assert {k: tuple(v.shape) for k, v in sd.items()} == N.expected_shapes(cfg)
    assert all(k.startswith("backbone.") for k in sd)


def test_published_size_is_169_6m_parameters():
    shapes = N.expected_shapes(N.BD3LMConfig(vocab_size=50258))
    n = sum(int(np.prod(s)) for k, s in shapes.items() if not k.endswith("inv_freq"))
    assert round(n / 1e6, 1) == 169.6
    assert shapes["backbone.blocks.11.adaLN_modulation.weight"] == (6 * 768, 128)
    assert shapes["backbone.rotary_emb.inv_freq"] == (32,)


def test_timestep_embedding_of_zero_is_ones_then_zeros():
    e = N.timestep_embedding(torch.zeros(1), 256)[0]
    assert torch.equal(e, torch.cat([torch.ones(128), torch.zeros(128)]))


def test_rotary_inv_freq_formula():
    f = N.rotary_inv_freq(8)
    assert torch.allclose(f, torch.tensor([1.0, 10000 ** -0.25, 10000 ** -0.5, 10000 ** -0.75]))


# ---------------------------------------------------------------------------
# masks


def test_training_mask_follows_the_three_rules():
    L, bs = 6, 2
    m = N.training_mask(L, bs)
    for q in range(2 * L):
        for k in range(2 * L):
            qb, kb, qx0, kx0 = (q % L) // bs, (k % L) // bs, q >= L, k >= L
            want = ((qb == kb and qx0 == kx0) or (not qx0 and kx0 and kb < qb)
                    or (qx0 and kx0 and kb <= qb))
            assert bool(m[q, k]) == want, (q, k)


def test_block_causal_mask_extremes():
    assert torch.equal(N.block_causal_mask(5, 1), torch.ones(5, 5).tril().bool())
    assert N.block_causal_mask(5, 5).all()


# ---------------------------------------------------------------------------
# the three forward modes agree


def training_reference(model, xt, x0, bs):
    """What mode (b) must give for block b: mode (a) on x_0 with block b noisy."""
    out = []
    for s in range(0, xt.shape[1], bs):
        seq = x0.clone()
        seq[:, s:s + bs] = xt[:, s:s + bs]
        out.append(model(seq, bs)[:, s:s + bs])
    return torch.cat(out, dim=1)


@pytest.mark.parametrize("bs", [1, 2, 3, 4, 8, 21])
def test_three_modes_agree_float64(bs):
    model = small_model(torch.float64)
    xt, x0 = noisy_pair(21)  # 21 is not a multiple of most block sizes
    with torch.no_grad():
        a = model(xt, bs)
        b = model.forward_train(xt, x0, bs)
        c = model.forward_cached(xt, bs)
        ref_b = training_reference(model, xt, x0, bs)
    assert (a - c).abs().max() < 1e-9
    assert (b - ref_b).abs().max() < 1e-9
    # with clean earlier blocks, mode (a) on the real sequence is mode (b)
    if bs == 21:
        assert (a - b).abs().max() < 1e-9


@pytest.mark.parametrize("bs", [1, 4, 16])
def test_three_modes_agree_float32(bs):
    model = small_model(torch.float32)
    xt, x0 = noisy_pair(32, seed=3)
    with torch.no_grad():
        a = model(xt, bs)
        b = model.forward_train(xt, x0, bs)
        c = model.forward_cached(xt, bs)
        ref_b = training_reference(model, xt, x0, bs)
    assert (a - c).abs().max() < 1e-4
    assert (b - ref_b).abs().max() < 1e-4


def test_later_blocks_do_not_change_earlier_outputs():
    model = small_model()
    xt, _ = noisy_pair(16)
    other = xt.clone()
    other[:, 8:] = MASK
    with torch.no_grad():
        assert torch.equal(model(xt, 4)[:, :8], model(other, 4)[:, :8])


def test_cached_denoising_steps_do_not_touch_the_cache():
    model = small_model()
    xt, x0 = noisy_pair(8)
    cache = N.KVCache()
    with torch.no_grad():
        model.forward_block(x0[:, :4], cache, commit=True)
        first = model.forward_block(xt[:, 4:], cache, commit=False)
        again = model.forward_block(xt[:, 4:], cache, commit=False)
    assert len(cache) == 4 and torch.equal(first, again)


def test_too_long_input_is_refused():
    with pytest.raises(ValueError):
        small_model()(torch.zeros(1, 33, dtype=torch.long), 4)


# ---------------------------------------------------------------------------
# SUBS output


def test_subs_properties():
    model = small_model()
    xt, _ = noisy_pair(20, p_mask=0.6)
    with torch.no_grad():
        lp = model(xt, 4)  # (B, L, V)
    p = lp.exp()
    clean = xt != MASK
    # every row is a distribution; the mask token never gets probability
    assert torch.allclose(p.sum(-1), torch.ones_like(p[..., 0]), atol=1e-12)
    assert (p[..., MASK] == 0).all() and (lp[..., MASK] < N.NEG_INF / 10).all()
    # clean positions: exactly 0 at their own token, exactly NEG_INF elsewhere
    own = lp.gather(-1, xt[..., None])[..., 0]
    assert (own[clean] == 0).all()
    assert ((lp[clean] == 0).sum(-1) == 1).all()
    assert ((lp[clean] == 0) | (lp[clean] == N.NEG_INF)).all()
    # masked positions: a real spread over the vocabulary
    assert (p[~clean].max(-1).values < 0.99).all()


# ---------------------------------------------------------------------------
# safetensors


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_safetensors_round_trip(tmp_path, dtype):
    g = torch.Generator().manual_seed(0)
    tensors = {"b.weight": torch.randn(3, 5, generator=g).to(dtype),
               "a.bias": torch.randn(7, generator=g).to(dtype),
               "scalar": torch.tensor(0.5, dtype=torch.float32),
               "inv_freq": torch.randn(4, generator=g)}
    path = tmp_path / "t.safetensors"
    save_file(tensors, path, metadata={"format": "pt"})
    back = load_file(path)
    assert set(back) == set(tensors)
    for k, t in tensors.items():
        assert back[k].dtype == t.dtype and back[k].shape == t.shape
        assert torch.equal(back[k], t)
    header, meta, data_start = read_header(path)
    assert meta == {"format": "pt"} and data_start % 8 == 0
    for e in header.values():
        size = {"F32": 4, "F16": 2, "BF16": 2}[e["dtype"]]
        assert e["data_offsets"][0] % size == 0  # every tensor aligned


def test_safetensors_layout_matches_the_spec(tmp_path):
    path = tmp_path / "t.safetensors"
    save_file({"x": np.arange(3, dtype=np.float32)}, path)
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert header == {"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}}
    assert np.array_equal(np.frombuffer(raw[8 + n:], "<f4"), [0, 1, 2])


def test_safetensors_rejects_bad_offsets(tmp_path):
    path = tmp_path / "bad.safetensors"
    blob = json.dumps({"x": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode()
    blob += b" " * (-len(blob) % 8)
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + bytes(12))
    with pytest.raises(ValueError):
        load_file(path)


# ---------------------------------------------------------------------------
# model folders and tools


@needs_sp
@pytest.mark.parametrize("dtype", ["f32", "bf16"])
def test_model_folder_round_trip(tmp_path, dtype):
    tok = sentencepiece_tokenizer(SP_MODEL)
    assert tok.vocab_size == 1001 and tok.mask_id == 1000
    cfg = N.BD3LMConfig(vocab_size=tok.vocab_size, hidden_dim=32, cond_dim=16, n_blocks=1,
                        n_heads=2, model_length=16, mask_token_id=tok.mask_id)
    sd = N.random_state_dict(cfg, "random", 7)
    save_model_folder(tmp_path, cfg, sd, tok, block_size=4, trained_block_sizes=[1, 4, 16],
                      dtype=dtype)
    model, raw = load_model_folder(tmp_path, torch.float32)
    assert (tmp_path / "tokenizer.model").is_file()
    assert raw["vocab_size"] == 1001 and raw["mask_token_id"] == 1000
    assert (raw["bos_token_id"], raw["eos_token_id"], raw["pad_token_id"]) == (2, 3, 0)
    assert raw["trained_block_sizes"] == [1, 4, 16] and raw["tokenizer"] == "sentencepiece"
    assert raw["time_conditioning"] is False and raw["attn_backend"] == "sdpa"
    for name, t in model.state_dict().items():
        want = sd[name] if dtype == "f32" or name.endswith("inv_freq") else \
            sd[name].to(torch.bfloat16).float()
        assert torch.equal(t, want), name


def test_gpt2_layout(tmp_path):
    src = tmp_path / "gpt2"
    src.mkdir()
    (src / "encoder.json").write_text(json.dumps({f"t{i}": i for i in range(50257)}))
    (src / "vocab.bpe").write_text("#version: 0.2\n")
    tok = gpt2_tokenizer(src)
    assert (tok.vocab_size, tok.bos_id, tok.eos_id, tok.pad_id, tok.mask_id) == \
        (50258, 50256, 50256, 50256, 50257)
    # make_model.py with the published preset, shrunk so the test stays fast
    out = tmp_path / "model"
    subprocess.run([sys.executable, str(ROOT / "tools/make_model.py"), "--preset", "published",
                    "--gpt2-dir", str(src), "--layers", "1", "--hidden", "32", "--heads", "2",
                    "--cond", "16", "--context", "64", "--output", str(out)], check=True)
    raw = json.loads((out / "config.json").read_text())
    assert raw["vocab_size"] == 50258 and raw["mask_token_id"] == 50257
    assert raw["tokenizer"] == "gpt2" and raw["block_size"] == 16
    assert (out / "encoder.json").is_file() and (out / "vocab.bpe").is_file()


@needs_sp
def test_make_model_tiny_preset(tmp_path):
    out = tmp_path / "tiny"
    subprocess.run([sys.executable, str(ROOT / "tools/make_model.py"), "--preset", "tiny",
                    "--tokenizer-model", str(SP_MODEL), "--dtype", "f16", "--seed", "3",
                    "--output", str(out)], check=True)
    raw = json.loads((out / "config.json").read_text())
    assert (raw["n_blocks"], raw["hidden_dim"], raw["n_heads"]) == (4, 128, 4)
    assert raw["trained_block_sizes"] == [1, 2, 4, 8, 16, 256] and raw["block_size"] == 4
    assert {e["dtype"] for n, e in read_header(out / "model.safetensors")[0].items()
            if not n.endswith("inv_freq")} == {"F16"}
    model, _ = load_model_folder(out)
    with torch.no_grad():
        lp = model(torch.tensor([[2] + [1000] * 7]), 4)
    assert torch.isfinite(lp).all()


@pytest.mark.skipif(not (PARITY / "cases.json").is_file(), reason="no parity fixture")
def test_parity_fixture_matches_the_network():
    doc = json.loads((PARITY / "cases.json").read_text())
    thr = doc["zero_probability_below"]
    for case in doc["cases"]:
        weights = PARITY / case["weights"]
        model, _ = load_model_folder(PARITY / doc["model"], torch.float64, weights)
        expected = np.load(PARITY / case["expected"])
        assert expected.dtype == np.float32 and list(expected.shape) == case["shape"]
        with torch.no_grad():
            got = model(torch.tensor([case["tokens"]]), case["block_size"])[0].numpy()
        zero = expected < thr
        assert np.array_equal(zero, got < thr), case["name"]
        assert np.abs(got - expected)[~zero].max() < 1e-5, case["name"]
