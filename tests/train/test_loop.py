"""Tests for nlpjourney.train: the loop, its config, checkpoints and metrics.

A bigram model (an embedding and a linear layer, with dropout so that resuming must
restore torch's random state) trains on a tiny character corpus made in ``tmp_path``.
"""

from __future__ import annotations

import csv
import math
import os
import signal
from pathlib import Path

import pytest
import torch
from torch import nn

from nlpjourney import optim
from nlpjourney.errors import JourneyError
from nlpjourney.train import (
    BatchSampler,
    CheckpointError,
    TokenDataset,
    TrainConfig,
    Trainer,
    TrainingInterrupted,
    autocast_dtype,
    cpu_has_fast_bfloat16,
    decay_groups,
    learning_rate,
    load_checkpoint,
    loop,
    next_token_loss,
    prepare_char,
    resolve_device,
    seed_everything,
    train_step,
)
from nlpjourney.train.loop import default_schedule
from nlpjourney.train.metrics import COLUMNS

TEXT = "the quick brown fox jumps over the lazy dog; pack my box with five dozen jugs. " * 40
BLOCK = 16


class Bigram(nn.Module):
    """Next-character logits from the current character alone."""

    def __init__(self, vocab_size: int, dim: int = 16, dropout: float = 0.1) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(dim, vocab_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(self.embed(x)))  # (B, T, V)


@pytest.fixture
def dataset(tmp_path: Path) -> TokenDataset:
    return prepare_char(TEXT, tmp_path / "tokens", val_fraction=0.2)


def config(tmp_path: Path, name: str = "run", **changes: object) -> TrainConfig:
    settings = dict(
        max_steps=12,
        batch_size=4,
        lr=1e-2,
        min_lr=1e-3,
        warmup_steps=3,
        eval_interval=3,
        eval_steps=2,
        checkpoint_interval=6,
        device="cpu",
        out_dir=str(tmp_path / name),
    )
    settings.update(changes)
    if "warmup_steps" not in changes:
        settings["warmup_steps"] = min(3, settings["max_steps"])  # type: ignore[call-overload]
    return TrainConfig(**settings)  # type: ignore[arg-type]


def make_trainer(
    dataset: TokenDataset, cfg: TrainConfig, model_seed: int = 0, **options: object
) -> Trainer:
    seed_everything(model_seed)
    model = Bigram(dataset.vocab_size)
    sampler = BatchSampler(dataset, cfg.batch_size, BLOCK, seed=7)
    return Trainer(model, cfg, sampler, plot=False, progress=False, **options)  # type: ignore[arg-type]


def weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}


def assert_same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), f"{key} differs"


def assert_same_optimizer_state(a: Trainer, b: Trainer) -> None:
    """Equal state dicts: same hyper-parameters, same moments and step counts, to the bit."""
    mine, theirs = a.optimizer.state_dict(), b.optimizer.state_dict()
    assert mine["param_groups"] == theirs["param_groups"]
    assert mine["state"].keys() == theirs["state"].keys() and mine["state"]
    for index, entry in mine["state"].items():
        assert entry.keys() == theirs["state"][index].keys()
        for key, value in entry.items():
            other = theirs["state"][index][key]
            same = torch.equal(value, other) if torch.is_tensor(value) else value == other
            assert same, f"state {key!r} of parameter {index} differs"


def power_cut_at(
    step: int, dataset: TokenDataset, cfg: TrainConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Train a run of ``cfg`` until the power fails as step ``step`` + 1 begins."""
    original = Trainer._train_step

    def power_cut(self: Trainer) -> tuple[float, int]:
        if self.step == step:
            raise RuntimeError("power cut")
        return original(self)

    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "_train_step", power_cut)
        with pytest.raises(RuntimeError, match="power cut"):
            make_trainer(dataset, cfg).fit()


def test_loop_loss_decreases(tmp_path: Path, dataset: TokenDataset) -> None:
    cfg = config(tmp_path, max_steps=40, eval_interval=40, eval_steps=4)
    trainer = make_trainer(dataset, cfg).fit()
    first, last = trainer.history[0], trainer.history[-1]
    assert first["step"] == 0 and last["step"] == 40
    assert first["val_loss"] == pytest.approx(math.log(dataset.vocab_size), abs=0.3)
    assert last["val_loss"] < first["val_loss"] - 0.8
    assert last["train_loss"] < first["train_loss"] - 0.8


def test_loop_grad_accumulation_equals_one_big_batch(tmp_path: Path) -> None:
    """k micro-batches of b sequences give the same step as one batch of k * b."""
    k, b, steps, vocab = 4, 2, 3, 11
    generator = torch.Generator().manual_seed(0)
    xs = [torch.randint(vocab, (b, 5), generator=generator) for _ in range(k * steps)]
    micro = [(x, torch.roll(x, -1, dims=1)) for x in xs]
    big = [
        (torch.cat([x for x, _ in micro[i : i + k]]), torch.cat([y for _, y in micro[i : i + k]]))
        for i in range(0, len(micro), k)
    ]

    def run(batches: list[tuple[torch.Tensor, torch.Tensor]], size: int, accum: int) -> Trainer:
        stream = iter(batches)
        seed_everything(3)
        model = Bigram(vocab, dropout=0.0).double()  # float64: only rounding may differ
        cfg = config(
            tmp_path, f"accum{accum}", max_steps=steps, batch_size=size,
            grad_accum_steps=accum, eval_interval=0, grad_clip=0.5,
        )  # fmt: skip
        return Trainer(model, cfg, lambda split: next(stream), plot=False).fit()

    one = run(big, k * b, 1)
    many = run(micro, b, k)
    for key, value in weights(one).items():
        torch.testing.assert_close(weights(many)[key], value, rtol=1e-12, atol=1e-12)
    # and not trivially: the weights moved
    seed_everything(3)
    start = Bigram(vocab, dropout=0.0).double().state_dict()
    assert not torch.allclose(start["head.weight"], weights(one)["head.weight"])


def test_loop_resume_equals_uninterrupted_bit_for_bit(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    straight = make_trainer(dataset, config(tmp_path, "straight")).fit()

    cfg = config(tmp_path, "split")
    first = make_trainer(dataset, cfg).fit(until=6)
    assert first.step == 6
    # another initialisation and fresh generators: everything must come from ckpt.pt
    torch.manual_seed(999)
    resumed = make_trainer(dataset, cfg, model_seed=123, resume=True).fit()

    assert resumed.step == 12
    assert_same_weights(weights(straight), weights(resumed))
    assert_same_optimizer_state(straight, resumed)  # AdamW's moments and steps came back
    assert resumed.schedule.state_dict() == straight.schedule.state_dict()
    losses = [(r["step"], r["train_loss"], r["val_loss"], r["lr"]) for r in resumed.history]
    expected = [(r["step"], r["train_loss"], r["val_loss"], r["lr"]) for r in straight.history]
    assert losses == expected


def test_loop_resume_after_a_crash_drops_rows_past_the_checkpoint(
    tmp_path: Path, dataset: TokenDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, "crash", eval_interval=2, checkpoint_interval=4)
    straight = make_trainer(dataset, config(tmp_path, "straight", eval_interval=2)).fit()

    power_cut_at(6, dataset, cfg, monkeypatch)
    with open(cfg.path / "metrics.csv") as f:
        assert [row["step"] for row in csv.DictReader(f)] == ["0", "2", "4", "6"]
    assert load_checkpoint(cfg.path / "ckpt.pt")["step"] == 4

    resumed = make_trainer(dataset, cfg, model_seed=5, resume=True).fit()
    assert_same_weights(weights(straight), weights(resumed))
    key = ("step", "train_loss", "val_loss", "lr")
    assert [[r[k] for k in key] for r in resumed.history] == [
        [r[k] for k in key] for r in straight.history
    ]


def to_format_1(path: Path, cfg: TrainConfig) -> None:
    """Rewrite a checkpoint as the code before optimizer state_dicts wrote it (format 1)."""
    ckpt = torch.load(path, weights_only=True)
    saved = ckpt.pop("optimizer")
    del ckpt["optimizer_type"], ckpt["schedule"]
    count = sum(len(g["params"]) for g in saved["param_groups"])
    ckpt["optimizer"] = {
        "type": "AdamW",
        "groups": [  # no params, no initial_lr, the rate of the last step taken
            {k: v for k, v in g.items() if k not in ("params", "initial_lr")}
            | {"lr": learning_rate(ckpt["step"], cfg)}
            for g in saved["param_groups"]
        ],
        "state": [saved["state"].get(i, {}) for i in range(count)],
    }
    ckpt["format"] = "nlpjourney.train/1"
    torch.save(ckpt, path)


def test_loop_resumes_a_checkpoint_of_format_1(tmp_path: Path, dataset: TokenDataset) -> None:
    """Runs saved before optimizers had state_dict resume exactly (and a mismatch is named)."""
    straight = make_trainer(dataset, config(tmp_path, "straight")).fit()
    cfg = config(tmp_path, "old")
    make_trainer(dataset, cfg).fit(until=6)
    to_format_1(cfg.path / "ckpt.pt", cfg)
    assert load_checkpoint(cfg.path / "ckpt.pt")["format"] == "nlpjourney.train/1"

    resumed = make_trainer(dataset, cfg, model_seed=3, resume=True).fit()
    assert_same_weights(weights(straight), weights(resumed))
    assert_same_optimizer_state(straight, resumed)
    assert [r["lr"] for r in resumed.history] == [r["lr"] for r in straight.history]
    assert load_checkpoint(cfg.path / "ckpt.pt")["format"] == "nlpjourney.train/2"

    make_trainer(dataset, cfg.replace(out_dir=str(tmp_path / "older"))).fit(until=6)
    older = tmp_path / "older" / "ckpt.pt"
    to_format_1(older, cfg)
    ckpt = torch.load(older, weights_only=True)
    ckpt["optimizer"]["state"].pop()
    torch.save(ckpt, older)
    with pytest.raises(CheckpointError, match="holds 2 parameters in 2 groups, this model has 3"):
        make_trainer(dataset, cfg.replace(out_dir=str(tmp_path / "older")), resume=True).fit()
    # Same count, other shapes (the models of format 1's time ordered their weights
    # differently): the message says the weights still load but training cannot resume.
    make_trainer(dataset, cfg.replace(out_dir=str(tmp_path / "shuffled"))).fit(until=6)
    shuffled = tmp_path / "shuffled" / "ckpt.pt"
    to_format_1(shuffled, cfg)
    ckpt = torch.load(shuffled, weights_only=True)
    ckpt["optimizer"]["state"] = [
        {k: (v[..., :1] if torch.is_tensor(v) and v.ndim else v) for k, v in st.items()}
        for st in ckpt["optimizer"]["state"]
    ]
    torch.save(ckpt, shuffled)
    with pytest.raises(CheckpointError, match="earlier NLP Journey.*weights still load"):
        make_trainer(dataset, cfg.replace(out_dir=str(tmp_path / "shuffled")), resume=True).fit()


def make_sgd_trainer(
    dataset: TokenDataset, cfg: TrainConfig, kind: str, model_seed: int = 0, **options: object
) -> Trainer:
    """SGD with momentum and a step decay, from nlpjourney.optim (as factories) or torch."""
    seed_everything(model_seed)
    model = Bigram(dataset.vocab_size)
    if kind == "ours":
        optimizer: object = lambda m: optim.SGD(m.parameters(), lr=0.05, momentum=0.9)  # noqa: E731
        schedule: object = lambda o: optim.StepLR(o, step_size=4, gamma=0.5)  # noqa: E731
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    sampler = BatchSampler(dataset, cfg.batch_size, BLOCK, seed=7)
    return Trainer(
        model, cfg, sampler, optimizer=optimizer, schedule=schedule, plot=False,
        progress=False, **options,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["ours", "torch"])
def test_loop_trains_with_any_optimizer_and_schedule(
    tmp_path: Path, dataset: TokenDataset, kind: str
) -> None:
    cfg = config(tmp_path, kind, eval_interval=1, eval_steps=2)
    straight = make_sgd_trainer(dataset, cfg, kind).fit()
    assert type(straight.optimizer).__module__.startswith("torch" if kind == "torch" else "nlp")
    rates = [r["lr"] for r in straight.history[1:]]  # steps 1..12, torch's convention:
    expected = [0.05 * 0.5 ** ((t - 1) // 4) for t in range(1, 13)]  # halved after 4, 8
    assert rates == pytest.approx(expected, rel=1e-12)
    assert straight.history[-1]["train_loss"] < straight.history[0]["train_loss"]

    split = cfg.replace(out_dir=str(tmp_path / f"{kind}-split"))
    make_sgd_trainer(dataset, split, kind).fit(until=6)
    resumed = make_sgd_trainer(dataset, split, kind, model_seed=8, resume=True).fit()
    assert_same_weights(weights(straight), weights(resumed))
    assert_same_optimizer_state(straight, resumed)  # SGD's momentum buffers
    assert [r["lr"] for r in resumed.history] == [r["lr"] for r in straight.history]


def test_loop_lr_holds_at_min_lr_past_max_steps() -> None:
    """As nanoGPT's get_lr: after the decay, min_lr exactly (the cosine used to climb)."""
    cfg = TrainConfig(max_steps=20, lr=0.02, min_lr=0.002, warmup_steps=5)
    assert [learning_rate(t, cfg) for t in range(20, 80)] == [cfg.min_lr] * 60
    # the Trainer's default schedule sets these very rates, step after step
    p = torch.nn.Parameter(torch.zeros(2))
    opt = optim.AdamW([p], lr=cfg.lr)
    schedule = default_schedule(opt, cfg)
    for step in range(1, 80):
        assert opt.param_groups[0]["lr"] == learning_rate(step, cfg), step
        schedule.step()
    with pytest.raises(ValueError, match="min_lr"):
        default_schedule(optim.SGD([p], lr=0.001), cfg)


def test_loop_bad_optimizer_or_schedule_is_named(tmp_path: Path, dataset: TokenDataset) -> None:
    model = Bigram(dataset.vocab_size)
    sampler = BatchSampler(dataset, 4, BLOCK)
    cfg = config(tmp_path, max_steps=2)
    with pytest.raises(TypeError, match="optimizer must be an optimizer"):
        Trainer(model, cfg, sampler, optimizer=3)
    with pytest.raises(TypeError, match="not a class"):
        Trainer(model, cfg, sampler, schedule=optim.StepLR)
    foreign = optim.SGD(Bigram(dataset.vocab_size).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="not the model's"):
        Trainer(model, cfg, sampler, optimizer=foreign, plot=False).fit()
    mine = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="drives another optimizer"):
        Trainer(model, cfg, sampler, optimizer=mine, schedule=optim.StepLR(foreign, 2)).fit()

    make_trainer(dataset, cfg).fit()  # AdamW's checkpoint, resumed with SGD
    with pytest.raises(CheckpointError, match="optimizer is AdamW, this run uses SGD"):
        make_sgd_trainer(dataset, cfg, "ours", resume=True).fit()


def test_loop_seeded_runs_are_equal(tmp_path: Path, dataset: TokenDataset) -> None:
    a = make_trainer(dataset, config(tmp_path, "a", max_steps=6)).fit()
    b = make_trainer(dataset, config(tmp_path, "b", max_steps=6)).fit()
    assert_same_weights(weights(a), weights(b))
    assert [r["val_loss"] for r in a.history] == [r["val_loss"] for r in b.history]
    c = make_trainer(dataset, config(tmp_path, "c", max_steps=6, seed=2)).fit()
    # another config seed re-seeds torch: the dropout masks, hence the weights, differ
    assert not torch.equal(weights(a)["head.weight"], weights(c)["head.weight"])


def test_checkpoint_holds_everything_a_resume_needs(tmp_path: Path, dataset: TokenDataset) -> None:
    cfg = config(tmp_path, max_steps=6)
    trainer = make_trainer(dataset, cfg, meta={"model": {"vocab_size": dataset.vocab_size}})
    trainer.fit()
    assert sorted(p.name for p in cfg.path.iterdir()) == ["ckpt.pt", "metrics.csv"]  # no .tmp
    ckpt = load_checkpoint(cfg.path / "ckpt.pt")
    assert ckpt["step"] == 6
    assert ckpt["config"] == cfg.to_dict()
    assert ckpt["meta"] == {"model": {"vocab_size": dataset.vocab_size}}
    assert_same_weights(ckpt["model"], weights(trainer))
    optimizer = ckpt["optimizer"]  # torch.optim's state_dict layout
    assert ckpt["optimizer_type"] == "AdamW"
    count = len(list(trainer.model.parameters()))
    assert sorted(optimizer["state"]) == list(range(count))
    assert all(s["step"] == 6 for s in optimizer["state"].values())
    assert {"exp_avg", "exp_avg_sq"} <= set(optimizer["state"][0])
    groups = optimizer["param_groups"]
    assert [g["weight_decay"] for g in groups] == [cfg.weight_decay, 0.0]
    assert sorted(i for g in groups for i in g["params"]) == list(range(count))
    assert ckpt["schedule"]["last_epoch"] == 7  # one ahead: the next step is the 7th
    assert {"python", "numpy", "torch"} <= set(ckpt["rng"])
    assert set(ckpt["sampler"]) == {"train", "val"}
    assert ckpt["elapsed"] > 0


def test_checkpoint_corrupt_or_foreign_is_a_clear_error(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    cfg = config(tmp_path, max_steps=3)
    make_trainer(dataset, cfg).fit()
    ckpt = cfg.path / "ckpt.pt"
    good = ckpt.read_bytes()

    ckpt.write_bytes(good[: len(good) // 2])  # cut short, as by a full disk
    with pytest.raises(CheckpointError, match="corrupt"):
        make_trainer(dataset, cfg, resume=True).fit()
    ckpt.write_bytes(b"not a checkpoint at all")
    with pytest.raises(JourneyError, match="corrupt"):
        make_trainer(dataset, cfg, resume=True).fit()
    torch.save({"weights": torch.zeros(2)}, ckpt)
    with pytest.raises(CheckpointError, match="not a training checkpoint"):
        make_trainer(dataset, cfg, resume=True).fit()

    ckpt.write_bytes(good)  # a good checkpoint, for another model
    seed_everything(0)
    other = Bigram(dataset.vocab_size, dim=8)
    sampler = BatchSampler(dataset, cfg.batch_size, BLOCK)
    with pytest.raises(CheckpointError, match="does not fit this model"):
        Trainer(other, cfg, sampler, resume=True, plot=False).fit()


def test_loop_refuses_to_overwrite_a_run(tmp_path: Path, dataset: TokenDataset) -> None:
    cfg = config(tmp_path, max_steps=2)
    with pytest.raises(CheckpointError, match="no run to resume.*folder does not exist"):
        make_trainer(dataset, cfg, resume=True).fit()
    make_trainer(dataset, cfg).fit()
    with pytest.raises(JourneyError, match="resume=True"):
        make_trainer(dataset, cfg).fit()
    again = make_trainer(dataset, cfg, overwrite=True).fit()
    assert again.step == 2 and [r["step"] for r in again.history] == [0, 2]
    with pytest.raises(ValueError, match="not both"):
        make_trainer(dataset, cfg, resume=True, overwrite=True)


def test_loop_resume_of_a_finished_run_does_nothing(tmp_path: Path, dataset: TokenDataset) -> None:
    cfg = config(tmp_path, max_steps=3)
    done = weights(make_trainer(dataset, cfg).fit())
    again = make_trainer(dataset, cfg, model_seed=9, resume=True).fit()
    assert again.step == 3
    assert_same_weights(done, weights(again))
    with pytest.warns(UserWarning, match=r"other settings than the checkpoint's \(lr\)"):
        make_trainer(dataset, cfg.replace(lr=0.5), resume=True).fit()
    make_trainer(dataset, cfg.replace(max_steps=4), resume=True).fit()  # extending: no warning


def test_metrics_csv_and_loss_png_are_written(tmp_path: Path, dataset: TokenDataset) -> None:
    cfg = config(tmp_path, max_steps=7, eval_interval=3)
    seed_everything(0)
    sampler = BatchSampler(dataset, cfg.batch_size, BLOCK)
    Trainer(Bigram(dataset.vocab_size), cfg, sampler, progress=False).fit()
    with open(cfg.path / "metrics.csv", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == COLUMNS
    assert [r["step"] for r in rows] == ["0", "3", "6", "7"]  # 0, every 3, and the last
    assert rows[0]["tokens_per_s"] == ""  # nothing trained yet
    assert all(float(r["tokens_per_s"]) > 0 for r in rows[1:])
    assert all(float(r["val_loss"]) > 0 for r in rows)
    elapsed = [float(r["elapsed"]) for r in rows]
    assert elapsed == sorted(elapsed)
    png = (cfg.path / "loss.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


@pytest.mark.parametrize(("seconds", "drawn"), [(0.0, [1, 2, 3, 4, 5]), (math.inf, [1, 5])])
def test_loop_loss_png_is_redrawn_at_most_every_plot_seconds_and_at_the_end(
    tmp_path: Path, dataset: TokenDataset, monkeypatch: pytest.MonkeyPatch,
    seconds: float, drawn: list[int],
) -> None:  # fmt: skip
    """With no pause between draws every evaluation redraws; with an endless one only the
    first and the end do, and the end's picture holds every row."""
    calls: list[int] = []
    monkeypatch.setattr(loop, "PLOT_SECONDS", seconds)
    monkeypatch.setattr(loop, "plot_losses", lambda rows, path, title: calls.append(len(rows)))
    cfg = config(tmp_path, max_steps=8, eval_interval=2)
    sampler = BatchSampler(dataset, cfg.batch_size, BLOCK)
    Trainer(Bigram(dataset.vocab_size), cfg, sampler, progress=False).fit()
    assert calls == drawn  # rows of steps 0, 2, 4, 6, 8


def test_loop_lr_in_the_csv_warms_up_then_follows_a_cosine_to_min_lr(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    lr, min_lr, warmup, total = 0.02, 0.002, 3, 10
    cfg = config(
        tmp_path, max_steps=total, lr=lr, min_lr=min_lr, warmup_steps=warmup,
        eval_interval=1, eval_steps=1,
    )  # fmt: skip
    trainer = make_trainer(dataset, cfg).fit()
    rates = {int(r["step"]): r["lr"] for r in trainer.history}
    for t in range(1, total + 1):
        if t < warmup:
            expected = lr * t / warmup
        else:
            expected = min_lr + (lr - min_lr) * 0.5 * (
                1 + math.cos(math.pi * (t - warmup) / (total - warmup))
            )
        assert rates[t] == pytest.approx(expected, rel=1e-12), t
    assert rates[warmup] == pytest.approx(lr) and rates[total] == pytest.approx(min_lr)
    assert learning_rate(2, TrainConfig(max_steps=4, lr=1, min_lr=0.1, warmup_steps=2)) == 1.0


def test_loop_weight_decay_only_on_matrices() -> None:
    model = nn.Sequential(nn.Embedding(5, 4), nn.LayerNorm(4), nn.Linear(4, 5))
    decay, no_decay = decay_groups(model, 0.1)
    assert [tuple(p.shape) for p in decay["params"]] == [(5, 4), (5, 4)]
    assert [tuple(p.shape) for p in no_decay["params"]] == [(4,), (4,), (5,)]
    assert (decay["weight_decay"], no_decay["weight_decay"]) == (0.1, 0.0)


def test_loop_bad_batches_and_outputs_are_named(tmp_path: Path, dataset: TokenDataset) -> None:
    cfg = config(tmp_path, max_steps=2, batch_size=3)
    sampler = BatchSampler(dataset, 4, BLOCK)
    with pytest.raises(ValueError, match="config.batch_size is 3"):
        Trainer(Bigram(dataset.vocab_size), cfg, sampler, plot=False).fit()
    flat = nn.Sequential(nn.Embedding(dataset.vocab_size, 4), nn.Flatten())
    good = BatchSampler(dataset, 3, BLOCK)
    with pytest.raises(ValueError, match=r"must return logits \(B, T, V\)"):
        Trainer(flat, config(tmp_path, "flat", batch_size=3), good, plot=False).fit()
    with pytest.raises(TypeError, match="TrainConfig"):
        Trainer(flat, {"max_steps": 2}, good)  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_loop_mixed_precision_runs_where_asked(
    tmp_path: Path, dataset: TokenDataset, dtype: str
) -> None:
    """Autocast (and float16's gradient scaler) on the CPU when forced."""
    trainer = make_trainer(dataset, config(tmp_path, max_steps=4, dtype=dtype)).fit()
    assert all(math.isfinite(r["val_loss"]) for r in trainer.history)
    assert trainer.model.head.weight.dtype == torch.float32  # weights stay float32
    ckpt = load_checkpoint(trainer.config.path / "ckpt.pt")
    assert (ckpt["scaler"] is not None) == (dtype == "float16")


@pytest.mark.parametrize("fast_bf16", [False, True])
def test_loop_auto_dtype_takes_bfloat16_only_on_a_cpu_that_has_it(
    monkeypatch: pytest.MonkeyPatch, fast_bf16: bool
) -> None:
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: fast_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert cpu_has_fast_bfloat16() is fast_bf16
    expected = torch.bfloat16 if fast_bf16 else None
    assert autocast_dtype("auto", torch.device("cpu")) == expected
    assert autocast_dtype("float32", torch.device("cpu")) is None
    assert autocast_dtype("bfloat16", torch.device("cpu")) == torch.bfloat16


class Pairs(nn.Module):
    """Logits for ``b`` given ``a``, like an encoder-decoder given source and target."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.source = nn.Embedding(vocab_size, 8)
        self.target = nn.Embedding(vocab_size, 8)
        self.head = nn.Linear(8, vocab_size)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.head(self.source(a).mean(dim=1, keepdim=True) + self.target(b))


def test_loop_tuple_inputs_are_unpacked_into_the_model(tmp_path: Path) -> None:
    """``x = (a, b)`` is called as ``model(a, b)``; tokens/s counts the targets."""
    generator = torch.Generator().manual_seed(0)

    def get_batch(split: str) -> tuple[tuple[torch.Tensor, torch.Tensor], torch.Tensor]:
        a = torch.randint(9, (4, 1), generator=generator)
        b = torch.randint(9, (4, 5), generator=generator)
        return (a, b), a.expand(4, 5)  # learnable only through the first input

    cfg = config(tmp_path, max_steps=60, eval_interval=60, lr=0.1, min_lr=0.01, dtype="float32")
    seed_everything(0)
    trainer = Trainer(Pairs(9), cfg, get_batch, plot=False, progress=False).fit()
    first, last = trainer.history[0], trainer.history[-1]
    assert last["val_loss"] < first["val_loss"] - 1.0
    _, tokens = trainer._train_step()
    assert tokens == 4 * 5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_steps": 0}, "max_steps must be a positive int"),
        ({"min_lr": 1.0}, "min_lr"),
        ({"warmup_steps": 50, "max_steps": 10}, "warmup_steps"),
        ({"betas": (0.9, 1.0)}, r"betas must each be in \[0, 1\)"),
        ({"eval_interval": -1}, "0: never evaluate"),
        ({"dtype": "float8"}, "dtype must be one of"),
        ({"compile": "yes"}, "compile must be"),
        ({"grad_accum_steps": 1.5}, "grad_accum_steps"),
    ],
)
def test_config_bad_values_say_what_to_do(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)  # type: ignore[arg-type]


def test_config_defaults_and_round_trip() -> None:
    cfg = TrainConfig(max_steps=500, betas=[0.9, 0.95], out_dir=Path("runs/x"))  # type: ignore[arg-type]
    assert cfg.warmup_steps == 50 and cfg.betas == (0.9, 0.95) and cfg.out_dir == "runs/x"
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.replace(lr=3e-4).lr == 3e-4
    with pytest.raises(ValueError, match="unknown TrainConfig fields"):
        TrainConfig.from_dict({"max_iters": 5})


def test_loop_evaluate_needs_fit_and_returns_to_train_mode(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    trainer = make_trainer(dataset, config(tmp_path, max_steps=2))
    with pytest.raises(RuntimeError, match="call fit"):
        trainer.evaluate()
    trainer.fit()
    losses = trainer.evaluate()
    assert set(losses) == {"train", "val"} and all(v > 0 for v in losses.values())
    assert trainer.model.training  # back in training mode


@pytest.mark.slow
def test_loop_compiled_model_checkpoints_plain_keys_and_resumes(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    """torch.compile's wrapper prefixes keys with "_orig_mod."; checkpoints must not."""
    cfg = config(tmp_path, max_steps=4, eval_interval=0, compile=True)
    trainer = make_trainer(dataset, cfg).fit(until=2)
    ckpt = load_checkpoint(cfg.path / "ckpt.pt")
    assert list(ckpt["model"]) == list(trainer.model.state_dict())
    resumed = make_trainer(dataset, cfg, model_seed=4, resume=True).fit()
    # against a straight compiled run: compiled dropout draws other masks than eager.
    # subtle: not bit for bit: a model compiled again may get other kernels (dynamo
    # turns to dynamic shapes on a recompile), which round differently.
    straight = make_trainer(dataset, cfg.replace(out_dir=str(tmp_path / "straight"))).fit()
    for key, value in weights(straight).items():
        torch.testing.assert_close(weights(resumed)[key], value, rtol=1e-5, atol=1e-6)


def test_train_step_equals_a_hand_made_step_and_zeroes_grads() -> None:
    """train_step over k micro-batches: the hand-made step on the big batch, grads gone."""
    vocab, k = 9, 3
    generator = torch.Generator().manual_seed(1)
    xs = [torch.randint(vocab, (2, 6), generator=generator) for _ in range(k)]
    batches = [(x, torch.roll(x, -1, dims=1)) for x in xs]
    torch.manual_seed(0)
    ours = Bigram(vocab, dropout=0.0).double()
    theirs = Bigram(vocab, dropout=0.0).double()
    theirs.load_state_dict(ours.state_dict())

    loss = train_step(ours, torch.optim.AdamW(ours.parameters(), lr=0.1), batches, 0.05)

    x = torch.cat([x for x, _ in batches])
    y = torch.cat([y for _, y in batches])
    optimizer = torch.optim.AdamW(theirs.parameters(), lr=0.1)
    expected = next_token_loss(theirs(x), y)
    expected.backward()
    torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.05)
    optimizer.step()
    assert math.isclose(loss, float(expected.detach()), rel_tol=1e-12)
    for key, value in theirs.state_dict().items():
        torch.testing.assert_close(ours.state_dict()[key], value, rtol=1e-12, atol=1e-12)
    assert all(p.grad is None for p in ours.parameters())
    with pytest.raises(ValueError, match="non-empty"):
        train_step(ours, optimizer, [], 1.0)


class Payload:
    """Stands for an object that runs code when unpickled (here, harmlessly)."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("unpickled: this could have been any code",))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_loop_stop_signal_finishes_the_step_checkpoints_and_resumes_exactly(
    tmp_path: Path, dataset: TokenDataset, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    straight = make_trainer(dataset, config(tmp_path, "straight")).fit()
    cfg = config(tmp_path, "stopped")
    original = Trainer._train_step

    def signalled_mid_step(self: Trainer) -> tuple[float, int]:
        if self.step == 4:  # the signal comes while step 5 runs
            os.kill(os.getpid(), signum)
        return original(self)

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "_train_step", signalled_mid_step)
        with pytest.raises(TrainingInterrupted) as stopped:
            make_trainer(dataset, cfg).fit()
    assert stopped.value.step == 5 and stopped.value.exit_code == 128 + signum
    assert isinstance(stopped.value, KeyboardInterrupt)
    assert stopped.value.checkpoint == cfg.path / "ckpt.pt"
    assert load_checkpoint(cfg.path / "ckpt.pt")["step"] == 5  # not a checkpoint step
    assert {s: signal.getsignal(s) for s in handlers} == handlers  # put back

    resumed = make_trainer(dataset, cfg, model_seed=4, resume=True).fit()
    assert_same_weights(weights(straight), weights(resumed))
    key = ("step", "train_loss", "val_loss", "lr")
    assert [[r[k] for k in key] for r in resumed.history] == [
        [r[k] for k in key] for r in straight.history
    ]


def test_loop_checkpoints_by_the_clock_whatever_the_intervals(
    tmp_path: Path, dataset: TokenDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, eval_interval=0, checkpoint_interval=0, checkpoint_minutes=1e-9)
    power_cut_at(7, dataset, cfg, monkeypatch)
    assert load_checkpoint(cfg.path / "ckpt.pt")["step"] == 7
    # by the steps alone (no clock), the same run has nothing on disk when it dies
    no_clock = cfg.replace(out_dir=str(tmp_path / "no-clock"), checkpoint_minutes=0)
    power_cut_at(7, dataset, no_clock, monkeypatch)
    assert not (no_clock.path / "ckpt.pt").exists()


def test_loop_until_zero_still_writes_the_checkpoint_it_claims(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    cfg = config(tmp_path)
    trainer = make_trainer(dataset, cfg).fit(until=0)
    assert trainer.saved_step == 0 and load_checkpoint(cfg.path / "ckpt.pt")["step"] == 0
    straight = make_trainer(dataset, config(tmp_path, "straight")).fit()
    resumed = make_trainer(dataset, cfg, model_seed=2, resume=True).fit()
    assert_same_weights(weights(straight), weights(resumed))


def test_loop_folder_of_a_run_stopped_before_its_first_checkpoint_starts_afresh(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    cfg = config(tmp_path, max_steps=2)
    cfg.path.mkdir()
    (cfg.path / "metrics.csv").write_text("step,train_loss\n0,4.2\n")
    with pytest.warns(UserWarning, match="stopped before its first checkpoint"):
        fresh = make_trainer(dataset, cfg).fit()
    assert [r["step"] for r in fresh.history] == [0, 2]
    (cfg.path / "ckpt.pt").unlink()
    with pytest.warns(UserWarning, match="no ckpt.pt.*starting it afresh"):
        again = make_trainer(dataset, cfg, resume=True).fit()
    assert_same_weights(weights(fresh), weights(again))


def test_loop_out_dir_that_is_a_file_is_refused_before_training(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    (tmp_path / "taken").write_text("a file")
    trainer = make_trainer(dataset, config(tmp_path, "taken"))
    with pytest.raises(JourneyError, match="out_dir .*taken is a file, not a folder"):
        trainer.fit()
    assert trainer.step == 0


def test_checkpoint_with_code_in_it_is_refused_without_torchs_unsafe_advice(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ckpt.pt"
    torch.save({"format": "nlpjourney.train/2", "payload": Payload()}, path)
    with pytest.raises(CheckpointError) as refused:
        load_checkpoint(path)
    message = str(refused.value)
    assert "not a checkpoint NLP Journey wrote" in message and "will not be loaded" in message
    assert "weights_only" not in message and "succeed" not in message


def test_checkpoint_with_inconsistent_entries_is_refused(
    tmp_path: Path, dataset: TokenDataset
) -> None:
    cfg = config(tmp_path, max_steps=2)
    make_trainer(dataset, cfg).fit()
    path = cfg.path / "ckpt.pt"
    good = torch.load(path, weights_only=True)
    for change, problem in [
        ({"step": -3}, "step is -3"),
        ({"model": [1, 2]}, "model entry"),
        ({"config": "lr=1"}, "config entry"),
    ]:
        torch.save({**good, **change}, path)
        with pytest.raises(CheckpointError, match=f"damaged: its {problem}"):
            load_checkpoint(path)


@pytest.mark.parametrize("name", ["tpu", "cuda:x", "", "meta"])
def test_loop_unknown_device_is_one_clear_error(name: str) -> None:
    with pytest.raises(JourneyError, match="device"):
        resolve_device(name)
