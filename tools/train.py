#!/usr/bin/python3
"""Train a BD3-LM on the project corpus, with mixed block sizes, and export it.

One model serves every block size: each step draws its block size L' from
--block-sizes (e.g. 1,2,4,8,16,32,context) and trains the vectorised x_t + x_0 pass
(tools/bd3lm/network.py, forward_train) on the clipped-schedule NELBO
(tools/bd3lm/objective.py). AdamW with linear warm-up and cosine decay, gradient
clipping, EMA weights (what is exported), bf16 autocast on GPUs that have it.

Runs on Debian's python3-torch on the CPU and unchanged on CUDA; several GPUs or
machines through torchrun (DistributedDataParallel, one process per GPU):

    # CPU (the default model): checkpoints and log in --out, resumed automatically
    nice -n 19 /usr/bin/python3 tools/train.py --out RUN_DIR --max-steps 20000 \
        --export-to resources/models/default --export-every 500
    # 8 GPUs (torchrun sets RANK, WORLD_SIZE, LOCAL_RANK; without CUDA the gloo backend)
    torchrun --nproc_per_node 8 tools/train.py --out RUN_DIR --batch-size 256 --device cuda
    # export the EMA weights of the latest checkpoint only
    /usr/bin/python3 tools/train.py --out RUN_DIR --export-only --export-to DIR

Resume: rerunning with the same --out continues from RUN_DIR/checkpoint.pt exactly
(same next batch, same noise, optimizer and EMA state). The batch and the noise of
step s are pure functions of (--seed, s), so a resumed run matches an uninterrupted
one bit for bit on the same hardware and thread count.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import signal
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bd3lm.data import WindowBatches, fixed_windows, token_stream  # noqa: E402
from bd3lm.model_folder import save_model_folder, sentencepiece_tokenizer  # noqa: E402
from bd3lm.network import BD3LM, BD3LMConfig, init_weights  # noqa: E402
from bd3lm.objective import (DEFAULT_INTERVALS, interval_for, masked_logprobs,  # noqa: E402
                             nelbo_counter_based,
                             parse_intervals, search_intervals, training_loss)

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class TrainConfig:
    out: str = "runs/default"
    corpus: str = "data/corpus"
    tokenizer: str = "data/tokenizer/bd3-4k.model"
    # network
    layers: int = 4
    hidden: int = 256
    heads: int = 4
    cond: int = 64
    context: int = 256
    # objective
    block_sizes: list = field(default_factory=lambda: [1, 2, 4, 8, 16, 32, "context"])
    intervals: dict = field(default_factory=lambda: {str(k): list(v) for k, v in DEFAULT_INTERVALS.items()})
    max_redraws: int = 100
    init_gate: float = 1.0     # adaLN gate biases at start (the published DiT: 0)
    # optimisation
    batch_size: int = 8
    max_steps: int = 20000
    lr: float = 1e-3
    min_lr_ratio: float = 0.1
    warmup_steps: int = 100
    weight_decay: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.98
    grad_clip: float = 1.0
    ema: float = 0.995
    seed: int = 0
    amp: str = "auto"          # auto (bf16 on GPUs that have it) | bf16 | off
    device: str = "auto"       # auto | cpu | cuda
    threads: int = 0           # CPU threads (0: torch's default)
    # bookkeeping
    log_every: int = 10
    checkpoint_every: int = 25
    eval_every: int = 500
    eval_windows: int = 16
    eval_block_sizes: list = field(default_factory=lambda: [1, 4, 16, "context"])
    search_intervals_every: int = 0   # > 0: re-pick [beta, omega] per block size
    export_to: str = ""
    export_every: int = 0
    export_dtype: str = "f16"
    export_block_size: int = 4


def parse_args(argv=None) -> tuple[TrainConfig, argparse.Namespace]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    defaults = TrainConfig()
    for f in fields(TrainConfig):
        name = "--" + f.name.replace("_", "-")
        value = getattr(defaults, f.name)
        if f.name == "intervals":
            ap.add_argument(name, help="per block size, e.g. 4:0.45:0.95,16:0.3:0.8 "
                                       "(default: the paper's; others 0.3:0.8)")
        elif isinstance(value, list):
            ap.add_argument(name, help=f"comma-separated; 'context' = --context "
                                       f"(default {','.join(map(str, value))})")
        else:
            ap.add_argument(name, type=type(value), help=f"(default {value})")
    ap.add_argument("--export-only", action="store_true",
                    help="export the latest checkpoint's EMA weights to --export-to and stop")
    ap.add_argument("--no-resume", action="store_true",
                    help="start afresh even if --out holds a checkpoint")
    ns = ap.parse_args(argv)
    cfg = TrainConfig()
    for f in fields(TrainConfig):
        v = getattr(ns, f.name)
        if v is None:
            continue
        if f.name == "intervals":
            merged = dict(cfg.intervals)
            merged.update({str(k): list(x) for k, x in parse_intervals(v).items()})
            v = merged
        elif isinstance(getattr(cfg, f.name), list):
            v = [s.strip() for s in v.split(",") if s.strip()]
        setattr(cfg, f.name, v)
    return resolve(cfg), ns


def resolve(cfg: TrainConfig) -> TrainConfig:
    def sizes(v):
        return sorted({cfg.context if str(x) == "context" else int(x) for x in v})
    cfg.block_sizes = sizes(cfg.block_sizes)
    cfg.eval_block_sizes = sizes(cfg.eval_block_sizes)
    cfg.eval_block_sizes = [b if b <= cfg.context else cfg.context for b in cfg.eval_block_sizes]
    if any(not 1 <= b <= cfg.context for b in cfg.block_sizes):
        raise SystemExit("block sizes must lie in 1..context")
    return cfg


# ----------------------------------------------------------------------------

class TrainForward(nn.Module):
    """forward() = the vectorised training pass (masked rows' log-probs), so DDP sees
    it as the module's call."""

    def __init__(self, model: BD3LM):
        super().__init__()
        self.model = model

    def forward(self, x_t, x_0, block_size: int, mask):
        return masked_logprobs(self.model, x_t, x_0, block_size, mask)


@torch.no_grad()
def open_gates(model: BD3LM, value: float) -> None:
    """Set every block's adaLN gate biases (gate_msa, gate_mlp: chunks 2 and 5 of 6).

    The DiT initialisation zeroes them, so every block starts as the identity. The
    conditioning vector of a BD3-LM is a constant (no time conditioning) of about 0.01,
    so only the biases can open the gates, and while a gate is 0 its branch's weights get
    no gradient: in a first run of 250 steps the gates stayed near 0.01 and the network
    learned little beyond unigram statistics. Starting them at 1 (a plain pre-norm
    transformer) trains from the first step; the output layer stays zero-initialised."""
    D = model.config.hidden_dim
    for block in model.backbone.blocks:
        bias = block.adaLN_modulation.bias
        bias[2 * D:3 * D] = value
        bias[5 * D:6 * D] = value


def step_generator(seed: int, step: int, rank: int) -> torch.Generator:
    return torch.Generator().manual_seed((seed * 1_000_003 + step) * 1009 + rank + 1)


def block_size_of(cfg: TrainConfig, step: int) -> int:
    g = torch.Generator().manual_seed(cfg.seed * 7_919 + step)
    return cfg.block_sizes[int(torch.randint(len(cfg.block_sizes), (1,), generator=g))]


def lr_at(cfg: TrainConfig, step: int) -> float:
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


class Trainer:
    def __init__(self, cfg: TrainConfig, resume: bool = True, quiet: bool = False):
        self.cfg = cfg
        self.quiet = quiet
        self.distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
        self.rank = int(os.environ.get("RANK", 0))
        self.world = int(os.environ.get("WORLD_SIZE", 1))
        dev = cfg.device
        if dev == "auto":
            dev = "cuda" if torch.cuda.is_available() else "cpu"
        if dev == "cuda" and self.distributed:
            local = int(os.environ.get("LOCAL_RANK", 0))
            torch.cuda.set_device(local)
            self.device = torch.device("cuda", local)
        else:
            self.device = torch.device(dev)
        if self.distributed:
            import torch.distributed as dist
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
        if cfg.threads > 0:
            torch.set_num_threads(cfg.threads)
        self.use_bf16 = (cfg.amp == "bf16" or
                         (cfg.amp == "auto" and self.device.type == "cuda"
                          and torch.cuda.is_bf16_supported()))

        self.out = Path(cfg.out)
        self.tok = sentencepiece_tokenizer(cfg.tokenizer)
        self.net_cfg = BD3LMConfig(vocab_size=self.tok.vocab_size, hidden_dim=cfg.hidden,
                                   cond_dim=cfg.cond, n_blocks=cfg.layers, n_heads=cfg.heads,
                                   model_length=cfg.context, mask_token_id=self.tok.mask_id)
        torch.manual_seed(cfg.seed)
        self.model = BD3LM(self.net_cfg)
        init_weights(self.model, "dit", seed=cfg.seed)
        open_gates(self.model, cfg.init_gate)
        self.model.to(self.device).train()
        self.ema = {n: p.detach().float().clone() for n, p in self.model.state_dict().items()}
        decay, no_decay = [], []
        for n, p in self.model.named_parameters():
            (no_decay if p.ndim < 2 or "norm" in n else decay).append(p)
        self.opt = torch.optim.AdamW(
            [{"params": decay, "weight_decay": cfg.weight_decay},
             {"params": no_decay, "weight_decay": 0.0}],
            lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), eps=1e-8)
        self.forward = TrainForward(self.model)
        if self.distributed:
            from torch.nn.parallel import DistributedDataParallel as DDP
            self.forward = DDP(self.forward, device_ids=[self.device.index]
                               if self.device.type == "cuda" else None)
        self.step = 0
        self.tokens_seen = 0
        self.wall = 0.0
        self.history: list = []
        if resume and (self.out / "checkpoint.pt").is_file():
            self.load(self.out / "checkpoint.pt")

    # -- data -------------------------------------------------------------------

    def data(self):
        cache = self.out / "tokens"
        train = token_stream(self.cfg.corpus, "train", self.cfg.tokenizer, cache)
        valid = token_stream(self.cfg.corpus, "valid", self.cfg.tokenizer, cache)
        self.batches = WindowBatches(train, self.cfg.context, self.cfg.batch_size,
                                     self.tok.bos_id, self.cfg.seed, self.rank, self.world)
        self.valid_ids = valid[: self.cfg.eval_windows * (self.cfg.context - 1)].tolist()
        self.valid_batches = [w.to(self.device) for w in
                              fixed_windows(valid, self.cfg.context, self.tok.bos_id,
                                            self.cfg.eval_windows).split(8)]

    # -- checkpoints --------------------------------------------------------------

    def state(self) -> dict:
        return {
            "config": asdict(self.cfg),
            "network": self.net_cfg.to_dict(),
            "step": self.step,
            "tokens_seen": self.tokens_seen,
            "wall_time_s": self.wall,
            "model": self.model.state_dict(),
            "ema": self.ema,
            "optimizer": self.opt.state_dict(),
            "history": self.history,
            "rng": {"python": random.getstate(), "numpy": np.random.get_state(),
                    "torch": torch.get_rng_state(),
                    "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None},
        }

    def save(self):
        if self.rank != 0:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        tmp = self.out / "checkpoint.pt.tmp"
        torch.save(self.state(), tmp)
        os.replace(tmp, self.out / "checkpoint.pt")

    def load(self, path):
        ck = torch.load(path, map_location="cpu")
        saved = ck["config"]
        for key in ("layers", "hidden", "heads", "cond", "context", "seed", "batch_size"):
            if saved[key] != getattr(self.cfg, key):
                raise SystemExit(f"{path}: {key} = {saved[key]} in the checkpoint, "
                                 f"{getattr(self.cfg, key)} now; use another --out or --no-resume")
        self.cfg.intervals = saved.get("intervals", self.cfg.intervals)
        self.model.load_state_dict(ck["model"])
        self.ema = {n: t.to(self.device) for n, t in ck["ema"].items()}
        self.opt.load_state_dict(ck["optimizer"])
        self.step, self.tokens_seen = ck["step"], ck["tokens_seen"]
        self.wall, self.history = ck["wall_time_s"], ck.get("history", [])
        rng = ck["rng"]
        random.setstate(rng["python"])
        np.random.set_state(rng["numpy"])
        torch.set_rng_state(rng["torch"])
        if rng.get("cuda") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(rng["cuda"])

    def export(self, folder=None):
        folder = Path(folder or self.cfg.export_to)
        sd = {n: t.detach().float().cpu() for n, t in self.ema.items()}
        save_model_folder(folder, self.net_cfg, sd, self.tok,
                          block_size=self.cfg.export_block_size,
                          trained_block_sizes=self.cfg.block_sizes, dtype=self.cfg.export_dtype)
        meta = {"step": self.step, "tokens_seen": self.tokens_seen,
                "wall_time_s": round(self.wall, 1), "train_config": asdict(self.cfg)}
        meta["train_config"]["out"] = "RUN_DIR"  # no machine paths in a shipped folder
        meta["train_config"]["export_to"] = "RUN_DIR/export" if self.cfg.export_to else ""
        with open(folder / "training.json", "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        return folder

    # -- evaluation ---------------------------------------------------------------

    def ema_model(self) -> BD3LM:
        m = BD3LM(self.net_cfg)
        m.load_state_dict({n: t.float().cpu() for n, t in self.ema.items()})
        return m.to(self.device).eval()

    def validate(self) -> dict:
        m = self.ema_model()
        return {str(bs): round(nelbo_counter_based(m, self.valid_ids, self.tok.bos_id, bs,
                                                   seed=0, device=self.device)["nelbo"], 4)
                for bs in self.cfg.eval_block_sizes}

    def search(self):
        m = self.ema_model()
        found = search_intervals(lambda xt, x0, b, mk: masked_logprobs(m, xt, x0, b, mk),
                                 self.valid_batches, self.cfg.block_sizes,
                                 self.net_cfg.mask_token_id, seed=self.cfg.seed)
        for bs, (beta, omega, var) in found.items():
            self.cfg.intervals[str(bs)] = [beta, omega]
        self.log(f"interval search: " + ", ".join(
            f"L'={bs} [{b:.2f},{o:.2f}] var {v:.4f}" for bs, (b, o, v) in found.items()))

    # -- the loop -----------------------------------------------------------------

    def log(self, text: str):
        if self.rank == 0 and not self.quiet:
            print(text, flush=True)

    def train_step(self, step: int) -> tuple[float, int]:
        cfg = self.cfg
        for group in self.opt.param_groups:
            group["lr"] = lr_at(cfg, step)
        x0 = self.batches.batch(step).to(self.device)
        g = step_generator(cfg.seed, step, self.rank)
        bs = block_size_of(cfg, step)
        interval = interval_for({int(k): v for k, v in cfg.intervals.items()}, bs)
        amp = (torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)
               if self.use_bf16 else contextlib.nullcontext())
        with amp:
            out = training_loss(self.forward, x0, bs, interval, self.net_cfg.mask_token_id,
                                g, cfg.max_redraws)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.grad_clip)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        d = min(cfg.ema, (1 + step) / (10 + step))
        with torch.no_grad():
            for n, p in self.model.state_dict().items():
                self.ema[n].mul_(d).add_(p.detach().float(), alpha=1 - d)
        return float(out.loss), x0.numel() * self.world

    def run(self, stop_after: int | None = None):
        cfg = self.cfg
        self.data()
        if self.rank == 0:
            n_params = sum(p.numel() for p in self.model.parameters())
            self.log(f"model {cfg.layers}x{cfg.hidden} ({n_params / 1e6:.2f}M parameters), "
                     f"context {cfg.context}, block sizes {cfg.block_sizes}, batch {cfg.batch_size}, "
                     f"device {self.device}{' bf16' if self.use_bf16 else ''}, "
                     f"{self.batches.n_windows} windows/epoch, start at step {self.step}")
        stop = {"now": False}

        def on_signal(signum, frame):
            stop["now"] = True
        previous = None
        if threading_main():
            previous = (signal.signal(signal.SIGTERM, on_signal),
                        signal.signal(signal.SIGINT, on_signal))
        end = cfg.max_steps if stop_after is None else min(cfg.max_steps, self.step + stop_after)
        t_last, tok_last, losses = time.time(), 0, []
        while self.step < end and not stop["now"]:
            t0 = time.time()
            loss, ntok = self.train_step(self.step)
            self.step += 1
            self.tokens_seen += ntok
            self.wall += time.time() - t0
            tok_last += ntok
            losses.append(loss)
            if self.step % cfg.log_every == 0:
                dt = time.time() - t_last
                tps = tok_last / max(dt, 1e-9)
                eta = (cfg.max_steps - self.step) * ntok / max(tps, 1e-9)
                self.log(f"step {self.step} loss {np.mean(losses):.4f} lr {lr_at(cfg, self.step - 1):.2e} "
                         f"tok/s {tps:.0f} tokens {self.tokens_seen / 1e6:.2f}M "
                         f"epoch {self.batches.epoch_of(self.step):.2f} "
                         f"ETA {eta / 3600:.1f}h")
                self.history.append([self.step, round(float(np.mean(losses)), 4)])
                t_last, tok_last, losses = time.time(), 0, []
            if cfg.search_intervals_every and self.step % cfg.search_intervals_every == 0:
                self.search()
            if cfg.eval_every and self.step % cfg.eval_every == 0 and self.rank == 0:
                v = self.validate()
                self.history.append([self.step, "valid", v])
                self.log(f"valid NELBO/token at step {self.step}: " +
                         " ".join(f"L'={k}: {x:.3f} (ppl {math.exp(x):.1f})" for k, x in v.items()))
            if self.step % cfg.checkpoint_every == 0:
                self.save()
            if cfg.export_to and cfg.export_every and self.step % cfg.export_every == 0 \
                    and self.rank == 0:
                self.export()
                self.log(f"exported step {self.step} to {cfg.export_to}")
        self.save()
        if cfg.export_to and self.rank == 0:
            self.export()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous[0])
            signal.signal(signal.SIGINT, previous[1])
        return self


def threading_main() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def main(argv=None) -> int:
    cfg, ns = parse_args(argv)
    trainer = Trainer(cfg, resume=not ns.no_resume)
    if ns.export_only:
        if not cfg.export_to:
            raise SystemExit("--export-only needs --export-to")
        print(f"exported step {trainer.step} to {trainer.export()}")
        return 0
    trainer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
