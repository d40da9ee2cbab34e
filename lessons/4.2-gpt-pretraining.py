# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4.2 GPT pretraining: from an empty file to Shakespeare-ish text
#
# Pretraining is one idea repeated a great many times: show the model a stretch of
# text, ask it to guess every next token, measure how surprised it was, and nudge every
# weight so that it will be a little less surprised next time. Nothing about grammar,
# characters or verse is told to it; all of that has to come out of the guessing game.
#
# This lesson walks the whole path on Tiny Shakespeare (about a million characters),
# and you build the model yourself, one piece at a time:
#
# 1. the vocabulary: every distinct character gets an id;
# 2. the data pipeline: text to ids to a file on disk to random (x, y) windows;
# 3. the training loop, written out in about thirty lines, and checked equal to the
#    library's `Trainer`;
# 4. the ladder: a bigram model grown into a GPT, one piece per step (attention, many
#    heads, a feed-forward layer, residuals, layer norm, dropout), each trained the same
#    way, with the validation loss after each step in one table and one plot;
# 5. the hand-over: the last step *is* `nlpjourney.models.GPT`, weight for weight;
# 6. gradient accumulation, and a longer run with `Trainer`;
# 7. samples at several temperatures, and the KV cache giving the same text;
# 8. the scaling-law sweep: models of several sizes on the same compute.
#
# Look for **Predict** cells: answer them in your head before you run the next cell.
# Two cells are **exercises** for you to fill in; a check cell under each says whether
# your answer is right (the lesson runs on while they are unsolved).
#
# Set `JOURNEY_QUICK=1` for short runs (seconds instead of minutes). Every number this
# lesson talks about is printed by a code cell. The prose describes the **full run**:
# `scripts/run_lessons.py` ran this lesson in full once and stored its numbers, samples
# and pictures in `lessons/results/4.2/`, and the cells print them beside your own run's
# (in quick mode the runs are very short, and your numbers will be worse).

# %%
import copy
import dataclasses
import math
import os
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

from nlpjourney import data
from nlpjourney.apps.sweep import (
    DEFAULT_BUDGET,
    SweepConfig,
    fit_laws,
    read_sweep,
    run_curves,
    run_sweep,
    size_config,
)
from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.course.training_diagrams import data_pipeline_figure, training_loop_figure
from nlpjourney.models.gpt import GPT, GPTConfig
from nlpjourney.optim import AdamW, clip_grad_norm_
from nlpjourney.train import (
    TrainConfig,
    Trainer,
    decay_groups,
    learning_rate,
    prepare_char,
    sample_windows,
    train_step,
)
from nlpjourney.train.scaling import fit_power_law, frontier

try:  # shows a bare matplotlib Figure in a notebook; a script just prints its size
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
MODE = "quick mode: short runs" if QUICK else "full mode"
torch.manual_seed(0)
if QUICK:  # small tensors: one thread beats several fighting over shared cores
    torch.set_num_threads(1)
WORK = tempfile.mkdtemp(prefix="lesson-4.2-")  # token files and the runs go here
full = FullRun("4.2")  # the stored full run of this lesson: its numbers, samples and pictures


def chinchilla_size(flops):
    """Chinchilla's best size for a budget: about 20 tokens per parameter, C = 6 N D."""
    return math.sqrt(flops / 120)


def beside(title, live, key):
    """Print this run's values (a dict) beside the full run's, stored under `key`."""
    full.keep(key, live)
    stored = full[key]
    mode = "this run (quick mode)" if QUICK else "this run"
    print(f"{title}\n{'':<22}{mode:>22}  {full.label}")
    for name in list(live) + [n for n in stored if n not in live]:
        mine = live.get(name, "-")
        theirs = stored.get(name, "-")
        mine, theirs = (f"{v:.3f}" if isinstance(v, float) else str(v) for v in (mine, theirs))
        print(f"{name:<22}{mine:>22}  {theirs}")


def show(fig, name):
    """Show a figure (pyplot's, or a bare diagram Figure) and keep a PNG copy in the temp folder."""
    is_pyplot = plt.fignum_exists(getattr(fig, "number", -1))
    if is_pyplot:
        fig.tight_layout()
    fig.savefig(os.path.join(tempfile.gettempdir(), name), dpi=100)
    plt.show() if is_pyplot else display(fig)


# %% [markdown]
# ## 1. The vocabulary of Tiny Shakespeare
#
# The simplest tokenizer there is: one token per character. We collect the distinct
# characters of the text, sort them so the numbering does not depend on the order they
# first turn up in, and use each one's position in that list as its id.

# %%
text = data.path("tinyshakespeare").read_text(encoding="utf-8")
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
print(f"{len(text):,} characters, {len(chars)} distinct")
print(repr("".join(chars)))
print(text[:200])

# %% [markdown]
# ## 2. The data pipeline: from a text file to (x, y) batches
#
# Training reads the text as ids, millions of times, in random places. So the text is
# encoded **once** into a file of ids and every batch is cut from that file:

# %%
show(data_pipeline_figure(), "lesson-4.2-data-pipeline.png")

# %% [markdown]
# `prepare_char` does the first three boxes: it collects the same characters as we did,
# encodes the whole text into `uint16` ids (two bytes each: any vocabulary under 65,536
# fits), writes `train.bin` and `val.bin` (the last 10% held out for validation) and
# opens them as NumPy **memory maps**: arrays whose bytes stay on disk until a slice of
# them is read, so a corpus larger than memory works the same way. Its tokenizer agrees
# with ours.

# %%
dataset = prepare_char(data.path("tinyshakespeare"), os.path.join(WORK, "tokens"))
tokenizer = dataset.tokenizer()
assert tokenizer.chars == chars
ids = [stoi[c] for c in "First Citizen"]
assert tokenizer.encode("First Citizen") == ids
V = dataset.vocab_size
print("First Citizen ->", ids)
print(f"train {len(dataset.train):,} ids, val {len(dataset.val):,} ids, "
      f"stored as {type(dataset.train).__name__} of {dataset.train.dtype}")  # fmt: skip

# %% [markdown]
# A window of `T + 1` consecutive ids gives `T` guessing problems at once: after the
# first id, guess the second; after the first two, the third; and so on. So the input
# `x` is the window without its last id and the target `y` is the window without its
# first. The causal mask of lesson 4.1 makes sure position `t` can only use `x[:t+1]`.

# %%
T = 8
start = 1000
window = torch.tensor(dataset.train[start : start + T + 1].astype("int64"))
x_hand, y_hand = window[:-1], window[1:]
for t in range(T):
    context = tokenizer.decode(x_hand[: t + 1].tolist())
    print(f"{context!r:>12} -> {tokenizer.decode([int(y_hand[t])])!r}")

# %% [markdown]
# ### Exercise 1: cut the windows
#
# The library's `sample_windows(tokens, batch_size, T, generator)` draws `batch_size`
# random starts with `generator.integers(0, len(tokens) - T, size=batch_size)` and cuts
# one window at each. Write the cutting: given the starts, return `x` and `y`, both
# int64 tensors of shape `(len(starts), T)`.


# %%
def my_windows(tokens, starts, block_size):
    """x[b] = the block_size ids from starts[b]; y[b] = the same, one id later."""
    return None, None  # your code


# %%
starts = np.random.default_rng(3).integers(0, len(dataset.train) - T, size=4)
want_x, want_y = sample_windows(dataset.train, 4, T, np.random.default_rng(3))
got_x, got_y = my_windows(dataset.train, starts, T)
check("my_windows: x", got_x, want_x,
      hint="one slice of block_size ids per start, stacked into rows; tensors of int64")  # fmt: skip
check("my_windows: y", got_y, want_y,
      hint="y is the window of x moved one id to the right")  # fmt: skip

# %% [markdown]
# ## 3. The training loop, written out
#
# One optimizer step is six moves, repeated:

# %%
show(training_loop_figure(), "lesson-4.2-training-loop.png")

# %% [markdown]
# The learning rate changes from step to step: a linear **warm-up** from 0 (the first
# steps' gradients come from a random model and are not to be trusted with big moves),
# then half a cosine down to `min_lr` (small steps at the end settle into a minimum
# instead of bouncing around it). Here it is as a function, and the whole loop under it.
# The settings come from a `TrainConfig`, the same object `Trainer` takes. AdamW gets
# two parameter groups, as nanoGPT does: weight decay for matrices and embeddings, none
# for biases and layer-norm gains (pulling those towards 0 only hurts).


# %%
def lr_at(step, cfg):
    """The learning rate of step `step` (counted from 1): warm-up, then cosine to min_lr."""
    if step < cfg.warmup_steps:
        return cfg.lr * step / cfg.warmup_steps
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    return cfg.min_lr + (cfg.lr - cfg.min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def train(model, cfg, get_batch):
    """Train `model` for cfg.max_steps steps on get_batch("train"); return each step's loss."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]  # fmt: skip
    optimizer = AdamW([g for g in groups if g["params"]], lr=cfg.lr, betas=cfg.betas,
                      weight_decay=cfg.weight_decay)  # fmt: skip
    model.train()  # dropout on
    losses = []
    for step in range(1, cfg.max_steps + 1):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, cfg)
        x, y = get_batch("train")  # 1. a batch: (B, T) ids each
        logits = model(x)  # 2. forward: (B, T, V)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))  # 3. mean surprise
        loss.backward()  # 4. gradients into every parameter's .grad
        clip_grad_norm_(params, cfg.grad_clip)  # 5. no step longer than grad_clip
        optimizer.step()  # 6. the AdamW update
        optimizer.zero_grad(set_to_none=True)  # .grad adds up: empty it for the next step
        losses.append(loss.item())
    return losses


@torch.no_grad()
def mean_loss(model, batches):
    """The mean cross-entropy over fixed batches, with dropout off."""
    model.eval()
    total = sum(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item() for x, y in batches)
    model.train()
    return total / len(batches)


# %% [markdown]
# The settings every model of the ladder below will train with. Quick mode takes
# 200 steps on windows of 32 characters with a narrow model; the full lesson five times
# as many steps, on windows of 64 characters, with a model twice as wide.

# %%
STEPS = 200 if QUICK else 1000
BLOCK, WIDTH, LAYERS, DROPOUT = (32 if QUICK else 64), (32 if QUICK else 64), 2, 0.1
HEADS = 2 if QUICK else 4
LADDER = TrainConfig(
    max_steps=STEPS, batch_size=16, lr=1e-2 if QUICK else 3e-3, min_lr=1e-3 if QUICK else 3e-4,
    eval_interval=0, device="cpu", dtype="float32", out_dir=os.path.join(WORK, "ladder"),
)  # fmt: skip
rates = [lr_at(step, LADDER) for step in range(1, STEPS + 1)]
assert all(math.isclose(r, learning_rate(s, LADDER)) for s, r in enumerate(rates, 1))
print(f"{MODE}: {STEPS} steps of {LADDER.batch_size} windows of {BLOCK} characters; "
      f"lr warms up over {LADDER.warmup_steps} steps to {LADDER.lr}, decays to {LADDER.min_lr}")  # fmt: skip

# %% [markdown]
# Is it the library's loop? The library's `train_step` does moves 2 to 6 for a batch
# it is handed, and `Trainer` calls it once per step with the schedule around it. From
# the same starting weights on the same batches, our loop and theirs must land on the
# same loss and the same weights. We check it on a small `GPT` (our own models come in
# the next section): one step against `train_step`, then five against `Trainer`, which
# checks the schedule too. (`dtype="float32"`: on CPUs with fast bfloat16 the Trainer's
# default would compute in bfloat16 and round the two apart.)

# %%
torch.manual_seed(0)
small = GPT(GPTConfig(vocab_size=V, block_size=BLOCK, n_layer=1, n_head=2, n_embd=32))
one = dataclasses.replace(LADDER, max_steps=1, warmup_steps=0)
x1, y1 = sample_windows(dataset.train, one.batch_size, BLOCK, np.random.default_rng(1))

mine = copy.deepcopy(small)
[my_loss] = train(mine, one, lambda split: (x1, y1))
theirs = copy.deepcopy(small)
optimizer = AdamW(decay_groups(theirs, one.weight_decay), lr=learning_rate(1, one),
                  betas=one.betas, weight_decay=one.weight_decay)  # fmt: skip
their_loss = train_step(theirs, optimizer, [(x1, y1)], one.grad_clip)
assert_close(my_loss, their_loss)
assert_close(mine.state_dict(), theirs.state_dict())
print(f"one step: loss {my_loss:.6f} (ours) = {their_loss:.6f} (train_step), same weights after")

five = dataclasses.replace(LADDER, max_steps=5, warmup_steps=2, out_dir=os.path.join(WORK, "five"))
mine, theirs = copy.deepcopy(small), copy.deepcopy(small)
train(mine, five, dataset.sampler(five.batch_size, BLOCK, seed=2))
Trainer(theirs, five, dataset.sampler(five.batch_size, BLOCK, seed=2), plot=False,
        progress=False).fit()  # fmt: skip
assert_close(mine.state_dict(), theirs.state_dict())
moved = (mine.transformer.wte.weight - small.transformer.wte.weight).abs().max()
print(f"five steps: same weights as Trainer's; the token table moved by up to {moved:.2e}")

# %% [markdown]
# ## 4. The ladder: from a bigram to a GPT
#
# Every model below trains with the loop above, on the same batches (the same sampler
# seed), for the same number of steps, from GPT-2's initialisation (every weight drawn
# from $N(0, 0.02)$, biases 0). After each we measure the loss on the same fixed
# validation batches. The only thing that changes is the model.

# %%
val_batches = [sample_windows(dataset.val, 32, BLOCK, np.random.default_rng(100 + i))
               for i in range(8 if QUICK else 40)]  # fmt: skip
train_batches = [sample_windows(dataset.train, 32, BLOCK, np.random.default_rng(200 + i))
                 for i in range(8 if QUICK else 40)]  # fmt: skip
ladder = []  # one row per step: name, parameters, train loss, val loss, seconds


def gpt2_init(module):
    """GPT-2's initialisation: weights N(0, 0.02), biases 0 (layer norms keep 1 and 0)."""
    if isinstance(module, nn.Linear | nn.Embedding):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if getattr(module, "bias", None) is not None:
            nn.init.zeros_(module.bias)


def climb(name, model):
    """Train `model` with the ladder's loop and settings; record and print its losses."""
    torch.manual_seed(0)
    model.apply(gpt2_init)
    started = time.perf_counter()
    train(model, LADDER, dataset.sampler(LADDER.batch_size, BLOCK, seed=1))
    row = {"step": name, "params": sum(p.numel() for p in model.parameters()),
           "train": mean_loss(model, train_batches), "val": mean_loss(model, val_batches),
           "seconds": time.perf_counter() - started}  # fmt: skip
    ladder[:] = [r for r in ladder if r["step"] != name] + [row]  # rerunning a cell replaces it
    print(
        f"{name}: {row['params']:,} parameters, val loss {row['val']:.3f} ({row['seconds']:.0f} s)"
    )
    return model


# %% [markdown]
# ### Step 1: the bigram model
#
# The simplest model that guesses at all: the next character from the current one
# alone. It is a $V \times V$ table; row $i$ holds the logits of what follows
# character $i$.
#
# **Predict:** before any training every entry of the table is tiny noise around 0.
# What loss does that untrained model score? (Think of what a softmax over $V$ nearly
# equal logits gives each character.)


# %%
class Bigram(nn.Module):
    """Step 1: the logits of the next character are a row of a V x V table."""

    def __init__(self, vocab_size):
        super().__init__()
        self.table = nn.Embedding(vocab_size, vocab_size)

    def forward(self, idx):  # (B, T) -> (B, T, V)
        return self.table(idx)


torch.manual_seed(0)
bigram = Bigram(V).apply(gpt2_init)
loss0 = mean_loss(bigram, val_batches)
print(f"untrained: loss {loss0:.4f}   ln(V) = ln({V}) = {math.log(V):.4f}")
assert abs(loss0 - math.log(V)) < 0.05

# %% [markdown]
# It sits at $\ln V$: near-equal logits give every character probability about $1/V$,
# and the cross-entropy is minus the log of the probability of the right answer,
# $-\ln(1/V) = \ln V$. A starting loss far above that means a model confidently wrong
# from birth, a sign of a bad initialisation. Now train it.

# %%
bigram = climb("1. bigram", Bigram(V))

# %% [markdown]
# ### Step 2: one head of self-attention
#
# The bigram sees one character. Attention lets every position look back at all the
# earlier ones. Each position gets a vector (the token's embedding plus its position's),
# and makes a query ("what am I looking for?"), a key ("what do I hold?") and a value
# ("what I pass on"). Position $t$ scores every earlier key against its query, turns
# the scores into weights with a softmax over positions $\le t$ (the future is masked
# out), and takes the weighted mean of the values. An output layer turns the result
# into logits; it reuses the token table, as GPT-2 does (**weight tying**).
#
# The pieces are written so that the next steps reuse them: `LM` is the shell
# (embeddings in, logits out) around a `body`, and every later step only changes the body.


# %%
class Head(nn.Module):
    """One head of causal self-attention: each position mixes the values of itself and the past."""

    def __init__(self, width, head_size, block_size, dropout=0.0):
        super().__init__()
        self.query = nn.Linear(width, head_size)
        self.key = nn.Linear(width, head_size)
        self.value = nn.Linear(width, head_size)
        self.drop = nn.Dropout(dropout)  # on the weights; p=0 does nothing until step 7
        self.register_buffer(
            "tril", torch.tril(torch.ones(block_size, block_size, dtype=torch.bool))
        )

    def forward(self, x):  # (B, T, C) -> (B, T, hs)
        T = x.shape[1]
        q, k, v = self.query(x), self.key(x), self.value(x)  # (B, T, hs) each
        scores = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5  # (B, T, T)
        scores = scores.masked_fill(~self.tril[:T, :T], float("-inf"))  # no peeking ahead
        return self.drop(scores.softmax(dim=-1)) @ v


class LM(nn.Module):
    """Steps 2-7: embed tokens and positions, run a body, score the vocabulary."""

    def __init__(self, body, final=None, dropout=0.0):
        super().__init__()
        self.wte = nn.Embedding(V, WIDTH)  # token embeddings
        self.wpe = nn.Embedding(BLOCK, WIDTH)  # position embeddings
        self.drop = nn.Dropout(dropout)
        self.body = body
        self.ln_f = final if final is not None else nn.Identity()
        self.lm_head = nn.Linear(WIDTH, V, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying

    def forward(self, idx):  # (B, T) -> (B, T, V)
        positions = torch.arange(idx.shape[1], device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(positions))  # (B, T, C)
        return self.lm_head(self.ln_f(self.body(x)))


# %% [markdown]
# **Predict:** if every score is equal (all zero, say), what weights does the masked
# softmax give? Work out row 2 of a 4 x 4 matrix before running.

# %%
tril = torch.tril(torch.ones(4, 4, dtype=torch.bool))
equal_scores = torch.zeros(4, 4).masked_fill(~tril, float("-inf"))
print(equal_scores.softmax(dim=-1))

# %% [markdown]
# Row $t$ gives each of the positions $0..t$ the weight $1/(t+1)$: with nothing to
# prefer, attention is the plain mean of the past. Learning the queries and keys is
# learning which parts of the past deserve more than their share.
#
# ### Exercise 2: the mean of the past, without a softmax
#
# Build the same `(T, T)` weights directly: ones on and below the diagonal, zeros above,
# each row summing to 1.


# %%
def uniform_weights(T):
    """(T, T) weights: row t gives 1 / (t + 1) to positions 0..t and 0 to later ones."""
    return None  # your code


# %%
expected = torch.zeros(6, 6).masked_fill(~torch.tril(torch.ones(6, 6, dtype=torch.bool)),
                                         float("-inf")).softmax(dim=-1)  # fmt: skip
check("uniform_weights(6)", uniform_weights(6), expected,
      hint="a lower-triangular matrix of ones, each row divided by how many ones it has")  # fmt: skip

# %%
one_head = climb("2. one head", LM(Head(WIDTH, WIDTH, BLOCK)))

# %% [markdown]
# ### Step 3: several heads
#
# One head computes one weighting of the past. Several smaller heads, side by side,
# can each attend to something else (the last letter, the start of the word, the
# previous line); their outputs are concatenated and mixed by one more linear layer.
# The width is shared out: `HEADS` heads of `WIDTH // HEADS` dimensions cost about what
# one wide head does.


# %%
class MultiHead(nn.Module):
    """Step 3: n_head heads side by side, concatenated, then one output projection."""

    def __init__(self, width, n_head, block_size, dropout=0.0):
        super().__init__()
        self.heads = nn.ModuleList(Head(width, width // n_head, block_size, dropout)
                                   for _ in range(n_head))  # fmt: skip
        self.out_proj = nn.Linear(width, width)

    def forward(self, x):  # (B, T, C) -> (B, T, C)
        return self.out_proj(torch.cat([head(x) for head in self.heads], dim=-1))


multi = climb("3. multi-head", LM(MultiHead(WIDTH, HEADS, BLOCK)))

# %% [markdown]
# ### Step 4: a feed-forward layer, in blocks
#
# Attention moves information between positions; it does little computing on what it
# gathered. A small MLP applied to every position on its own (widen 4 times, GELU,
# narrow back) does that computing. Attention then MLP is a **block**; we stack
# `LAYERS` of them.


# %%
class FeedForward(nn.Module):
    """Per position: widen to 4C, GELU (GPT-2's tanh form), narrow back to C."""

    def __init__(self, width):
        super().__init__()
        self.up = nn.Linear(width, 4 * width)
        self.down = nn.Linear(4 * width, width)

    def forward(self, x):  # (B, T, C) -> (B, T, C)
        return self.down(F.gelu(self.up(x), approximate="tanh"))


class PlainBlock(nn.Module):
    """Step 4: attention, then the feed-forward layer."""

    def __init__(self, width, n_head, block_size, dropout=0.0):
        super().__init__()
        self.attn = MultiHead(width, n_head, block_size, dropout)
        self.mlp = FeedForward(width)

    def forward(self, x):
        return self.mlp(self.attn(x))


def stack(block, dropout=0.0):
    """LAYERS blocks of one kind, one after another."""
    return nn.Sequential(*[block(WIDTH, HEADS, BLOCK, dropout) for _ in range(LAYERS)])


# %% [markdown]
# **Predict:** the blocks have about four times the parameters of step 3 and two
# layers of everything. Trained for the same number of steps, will the validation loss
# go down?

# %%
plain = climb("4. + feed-forward", LM(stack(PlainBlock)))
full.table({"val loss, step 3": ladder[-2]["val"], "val loss, step 4": ladder[-1]["val"]},
           title="Did the feed-forward blocks lower the validation loss?")  # fmt: skip
change = full["val loss, step 4"] - full["val loss, step 3"]
print(f"in the full run, step 4 is {'lower' if change < 0 else 'higher'} than step 3 "
      f"by {abs(change):.3f}")  # fmt: skip

# %% [markdown]
# More parameters are no promise of a lower loss in a fixed number of steps. A signal
# now passes through two attention layers and two MLPs in a row, and the gradient back
# through all of them; each layer it crosses can shrink or scramble it, so the deep
# stack learns slowly (the lines above say how it went in the full run and in yours).
# The next step fixes that without adding a single parameter.
#
# ### Step 5: residual connections
#
# Instead of replacing `x` by `attn(x)`, add the result to it: `x = x + attn(x)`. Each
# block then only writes a correction into a **residual stream** that runs from the
# embeddings to the output, and the gradient has a straight path back along it.


# %%
class ResidualBlock(PlainBlock):
    """Step 5: each sublayer adds to x instead of replacing it."""

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)


residual = climb("5. + residuals", LM(stack(ResidualBlock)))

# %% [markdown]
# ### Step 6: layer norm
#
# Along the residual stream the vectors' scale drifts as blocks add to them. A layer
# norm rescales each position's vector to mean 0 and variance 1 (then a learned gain and
# bias), so every sublayer reads inputs of the same size. GPT-2 puts it *before* each
# sublayer (pre-norm), which keeps the residual stream itself untouched, and adds one
# final norm before the output layer.


# %%
class NormBlock(ResidualBlock):
    """Step 6: pre-norm: each sublayer reads a layer-normed copy of the stream."""

    def __init__(self, width, n_head, block_size, dropout=0.0):
        super().__init__(width, n_head, block_size, dropout)
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


normed = climb("6. + layer norm", LM(stack(NormBlock), final=nn.LayerNorm(WIDTH)))

# %% [markdown]
# ### Step 7: dropout
#
# Dropout zeroes a random share `p` of activations in training (and scales the rest by
# $1/(1-p)$), so that no unit can rely on any one other: a regulariser against
# memorising the training text. GPT-2 drops on the embeddings, the attention weights
# (the `Head`s have carried a dropout since step 2, at `p = 0`) and each sublayer's
# output. At evaluation (`model.eval()`) it is off.
#
# **Predict:** dropout fights overfitting, a gap between train and validation loss. Look
# at step 6's two losses in the table below: is there a gap for dropout to close in a
# run this short? Will step 7's validation loss be lower than step 6's?


# %%
class DropoutBlock(NormBlock):
    """Step 7: dropout on each sublayer's output before it joins the stream."""

    def __init__(self, width, n_head, block_size, dropout=0.0):
        super().__init__(width, n_head, block_size, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.drop(self.attn(self.norm1(x)))
        return x + self.drop(self.mlp(self.norm2(x)))


final = climb("7. + dropout", LM(stack(DropoutBlock, DROPOUT), nn.LayerNorm(WIDTH), DROPOUT))
full.table({"step 6: val - train": ladder[-2]["val"] - ladder[-2]["train"],
            "step 7 - step 6, val": ladder[-1]["val"] - ladder[-2]["val"]},
           title=f"Was there a gap to close, and what did dropout {DROPOUT} do to val loss?")  # fmt: skip
moved = full["step 7 - step 6, val"]
print(
    f"in the full run, dropout {'raised' if moved > 0 else 'lowered'} the val loss by {abs(moved):.3f}"
)

# %% [markdown]
# Dropout pays off when the model would otherwise memorise: a val loss well above the
# train loss. When the model has seen each part of the text only a few times, that gap
# is small (the first row above), and then dropout mostly slows learning down (each step
# trains a thinned network), so it can raise the val loss instead of lowering it (the
# line under the table says which way it went in the full run); on long runs of bigger
# models the gap opens and dropout earns its place. Whatever it did here, it stays,
# because the GPT we hand over to has it.
#
# ### The whole ladder

# %%
print(f"{MODE}: {STEPS} steps each, batch {LADDER.batch_size} x {BLOCK}, width {WIDTH}")
print(f"{'step':<20}{'parameters':>11}{'train loss':>12}{'val loss':>10}{'seconds':>9}")
for row in ladder:
    print(f"{row['step']:<20}{row['params']:>11,}{row['train']:>12.3f}{row['val']:>10.3f}"
          f"{row['seconds']:>9.1f}")  # fmt: skip
best = min(ladder, key=lambda r: r["val"])
print(f"lowest val loss: {best['step']} ({best['val']:.3f}); ln V = {math.log(V):.3f}\n")
full.table({row["step"]: row["val"] for row in ladder}, title="validation loss after each step")

# %%
fig, ax = plt.subplots(figsize=(8.5, 3.6))
where = np.arange(len(ladder))
ax.bar(where - 0.2, [r["train"] for r in ladder], 0.4, label="train", color="tab:blue")
ax.bar(where + 0.2, [r["val"] for r in ladder], 0.4, label="validation", color="tab:orange")
ax.axhline(math.log(V), color="grey", ls=":", lw=1, label="ln V (uniform guess)")
ax.set_xticks(where, [r["step"].split(". ")[1] for r in ladder], rotation=15)
ax.set(xlabel="ladder step (each adds one piece)", ylabel="cross-entropy (nats)",
       title=f"What each piece buys: loss after {STEPS} steps ({MODE})",
       ylim=(min(r["train"] for r in ladder) - 0.3, math.log(V) + 0.1))  # fmt: skip
ax.legend(loc="upper right")
fig.tight_layout()
full.figure(fig, "ladder")
show(fig, "lesson-4.2-ladder.png")
full.show_figure("ladder", "what each piece buys")

# %% [markdown]
# Read the table from the top. Attention (step 2) is the first model that can use more
# than one character of context; the residual stream (5) and layer norm (6) add no
# capacity to speak of but make the stack trainable. How big each step's gain is
# depends on the budget, and not every piece pays for itself in a run this short: the
# cell below reads from the full run what each step bought over the one before.

# %%
names = [row["step"] for row in ladder]
for before, after in zip(names[:-1], names[1:], strict=True):
    change = full[after] - full[before]
    verdict = "helped" if change < -0.005 else "did not help" if change > 0.005 else "level"
    print(f"full run, {after:<18} val loss {change:+.3f} vs the step before: {verdict}")

# %% [markdown]
# A step that did not help is not a wrong step, only one whose payoff this budget does
# not reach. Feed-forward blocks stacked *without* residuals (step 4) make a deeper
# network that the gradient crosses badly; dropout (step 7) regularises a run too short
# to overfit; several heads (step 3) split the same width into smaller heads, which at a
# width this small can cost about what it gains. Each pays off in the complete design and
# on longer runs; residuals and layer norm (steps 5 and 6) show how much the deep stack
# had been held back. Rerun without `JOURNEY_QUICK` to get the full run's numbers yourself.
#
# ## 5. The hand-over: the last step is `nlpjourney.models.GPT`
#
# Step 7 is GPT-2's architecture at a small size. The library's `GPT` is the same
# computation with a few things named differently and the three projections of all
# heads stacked into one matrix (`qkv_proj`: all queries, then all keys, then all
# values). Same config, same parameter count:

# %%
gpt_config = GPTConfig(vocab_size=V, block_size=BLOCK, n_layer=LAYERS, n_head=HEADS,
                       n_embd=WIDTH, dropout=DROPOUT)  # fmt: skip
gpt = GPT(gpt_config)
ours = sum(p.numel() for p in final.parameters())
print(f"our step 7: {ours:,} parameters; GPT: {gpt.num_parameters():,}")
assert ours == gpt.num_parameters()

C, L = WIDTH, LAYERS
by_hand = V * C + BLOCK * C + L * (12 * C * C + 13 * C) + 2 * C
print(f"by hand: V*C + T*C + L*(12C^2 + 13C) + 2C = {by_hand:,}")
assert by_hand == ours

# %% [markdown]
# The count by hand: the token table $VC$ (the output layer reuses it), the position
# table $TC$; per block two layer norms ($2 \cdot 2C$), the query/key/value projections
# of all heads ($3C^2 + 3C$), the output projection ($C^2 + C$), the MLP up
# ($4C^2 + 4C$) and down ($4C^2 + C$): $12C^2 + 13C$; the final layer norm, $2C$.
#
# Equal counts could be a coincidence. Equal outputs are not: we copy our trained
# weights into `GPT` under its names and compare the logits on a validation batch.


# %%
def gpt_state_dict(model):
    """Our step-7 weights under GPT's names; the heads' q, k, v stack into qkv_proj."""
    state = {}
    for key, value in model.state_dict().items():
        if ".heads." in key:
            continue  # stacked below
        key = key.replace("body.", "h.")
        state[key if key.startswith("lm_head") else "transformer." + key] = value
    for i, block in enumerate(model.body):
        for part in ("weight", "bias"):
            state[f"transformer.h.{i}.attn.qkv_proj.{part}"] = torch.cat(
                [getattr(getattr(head, proj), part)
                 for proj in ("query", "key", "value") for head in block.attn.heads]
            )  # fmt: skip
    return state


gpt.load_state_dict(gpt_state_dict(final))
final.eval(), gpt.eval()
xv, yv = val_batches[0]
with torch.no_grad():
    assert_close(gpt(xv), final(xv), rtol=1e-4, atol=1e-4)
print(
    f"same logits; GPT's val loss {mean_loss(gpt, val_batches):.3f} = ours {ladder[-1]['val']:.3f}"
)

# %% [markdown]
# From here on the lesson uses the library's `GPT`, with the weights you trained.
#
# ## 6. Gradient accumulation, and a longer run with `Trainer`
#
# A batch that does not fit in memory can be split into `k` micro-batches. Gradients
# add up in `.grad` across calls to `backward()`, so if each micro-batch's loss is
# divided by `k`, the sum of their gradients is the gradient of the average loss, which
# is exactly what the big batch would have given. We check it in float64, where only
# rounding can differ, with dropout off (`eval()`): its random masks would differ
# between the two.

# %%
gpt.eval()
k, b = 4, 4
big_x, big_y = sample_windows(dataset.train, k * b, BLOCK, np.random.default_rng(5))

whole = copy.deepcopy(gpt).double()
F.cross_entropy(whole(big_x).view(-1, V), big_y.view(-1)).backward()

pieces = copy.deepcopy(gpt).double()
for i in range(k):
    xs, ys = big_x[i * b : (i + 1) * b], big_y[i * b : (i + 1) * b]
    (F.cross_entropy(pieces(xs).view(-1, V), ys.view(-1)) / k).backward()

worst = max(
    (p.grad - q.grad).abs().max().item()
    for p, q in zip(whole.parameters(), pieces.parameters(), strict=True)
)
print(f"largest gradient difference: {worst:.1e}")
assert worst < 1e-12

# %% [markdown]
# `train_step` packs this loop, the clipping, the step and the zeroing into one
# function (the one exercise 4.2 asks you to write). Fed the four micro-batches or the
# one big batch, it lands on the same weights and reports the same loss.

# %%
runs = {}
for name, batches in [("big", [(big_x, big_y)]),
                      ("micro", [(big_x[i * b:(i + 1) * b], big_y[i * b:(i + 1) * b])
                                 for i in range(k)])]:  # fmt: skip
    net = copy.deepcopy(gpt).double().eval()
    opt = AdamW(decay_groups(net, 0.1), lr=1e-3, weight_decay=0.1)
    runs[name] = (train_step(net, opt, batches, grad_clip=1.0), net)
print(f"loss: one batch {runs['big'][0]:.10f}, four micro-batches {runs['micro'][0]:.10f}")
for p, q in zip(runs["big"][1].parameters(), runs["micro"][1].parameters(), strict=True):
    assert_close(p, q, rtol=1e-10, atol=1e-12)

# %% [markdown]
# Now `Trainer` continues the training of our GPT: the loop you wrote, plus an
# evaluation every `eval_interval` steps, a `metrics.csv`, a `loss.png` and a
# checkpoint in its folder. It starts a fresh schedule (a warm-up, then the cosine).

# %%
more = TrainConfig(
    max_steps=60 if QUICK else 600, batch_size=LADDER.batch_size, lr=2e-3, min_lr=2e-4,
    eval_interval=20 if QUICK else 60, eval_steps=4 if QUICK else 10, device="cpu",
    out_dir=os.path.join(WORK, "run"),
)  # fmt: skip
gpt.train()
started = time.perf_counter()
trainer = Trainer(gpt, more, dataset.sampler(more.batch_size, BLOCK, seed=7), progress=False).fit()
seconds = time.perf_counter() - started
first, last = trainer.history[0], trainer.history[-1]
print(f"{MODE}: {more.max_steps} more steps in {seconds:.1f} s")
full.table({"val loss, first evaluation": first["val_loss"], "val loss, last": last["val_loss"],
            "train loss, last": last["train_loss"]}, title="Trainer's run")  # fmt: skip
print(sorted(os.listdir(more.out_dir)))

# %% [markdown]
# A yardstick for the curve: a model that knows only how often each character occurs,
# and nothing about context, scores the entropy of the character frequencies.

# %%
counts = np.bincount(dataset.train, minlength=V).astype(float)
freq = counts[counts > 0] / counts.sum()
unigram = float(-(freq * np.log(freq)).sum())
print(f"uniform guess {math.log(V):.3f} nats, character frequencies alone {unigram:.3f} nats")
for who, loss in (
    ("this run's", last["val_loss"]),
    (f"the {full.label}'s", full["val loss, last"]),
):
    print(f"{who} val loss {loss:.3f} is "
          + ("below it: it uses context" if loss < unigram else "not below it yet"))  # fmt: skip
seen = (STEPS + more.max_steps) * LADDER.batch_size * BLOCK
full.table({"passes over the training text": seen / len(dataset.train)},
           title="how often the model has seen the text (ladder + Trainer)")  # fmt: skip

# %%
steps = [row["step"] for row in trainer.history]
fig, (ax, ax_lr) = plt.subplots(1, 2, figsize=(10, 3.5))
ax.plot(steps, [row["train_loss"] for row in trainer.history], "o-", label="train")
ax.plot(steps, [row["val_loss"] for row in trainer.history], "s--", label="val")
ax.axhline(unigram, color="black", lw=0.8, ls="-.", label="character frequencies")
ax.set(xlabel="step (after the ladder's)", ylabel="cross-entropy (nats)",
       title=f"GPT {LAYERS}x{WIDTH}: loss ({MODE})")  # fmt: skip
ax.legend()
ax_lr.plot(steps, [row["lr"] for row in trainer.history], "o-", color="tab:green",
           label="learning rate")  # fmt: skip
ax_lr.set(xlabel="step", ylabel="learning rate", title="warm-up, then cosine decay")
ax_lr.legend()
show(fig, "lesson-4.2-loss.png")

# %% [markdown]
# Anything below the dash-dotted line can only come from context: which letters follow
# which, the shapes of short words, a capital after a newline. Train and val lie close
# together (compare the last two rows of the Trainer table): the model has read the
# training text only about as many times as the line above the picture says, too few to
# memorise it. The right panel shows the warm-up ramp and the cosine down to `min_lr`.

# %% [markdown]
# ## 7. Samples, temperature, and the KV cache
#
# To write, the model scores the next character, we draw one from the softmax, append
# it and repeat. Dividing the logits by a **temperature** before the softmax reshapes
# that draw: below 1 the likely characters get likelier (safer, more repetitive text),
# above 1 the distribution flattens (more adventurous, more misspelt), and 0 means
# always taking the top choice (greedy).
#
# **Predict:** greedy decoding takes the single likeliest character every time. Will
# the greedy line read better or worse than the sampled ones?

# %%
gpt.eval()
prompt = torch.tensor([tokenizer.encode("ROMEO:\n")])
length = 120 if QUICK else 200
samples = {}
for temperature in (0.0, 0.8, 1.2):
    gen = torch.Generator().manual_seed(7)
    out = gpt.generate(prompt, length, temperature=temperature, generator=gen)
    samples[temperature] = tokenizer.decode(out[0, prompt.shape[1] :].tolist())
    full.keep(f"sample, temperature {temperature}", samples[temperature])
    print(f"--- temperature {temperature}, this run" + (" (quick mode)" if QUICK else ""))
    print("ROMEO:\n" + samples[temperature])
    if QUICK:  # the prose below describes the full run's samples: show them too
        print(f"--- temperature {temperature}, the {full.label}")
        print("ROMEO:\n" + full[f"sample, temperature {temperature}"])


def longest_repeat(s, size=8):
    """How many times the commonest stretch of `size` characters occurs in s."""
    pieces = [s[i : i + size] for i in range(len(s) - size + 1)]
    return max(pieces.count(p) for p in set(pieces)) if pieces else 0


stats = {}
for temperature, sample in samples.items():
    top = max(set(sample), key=sample.count)
    stats[f"T={temperature}: distinct chars"] = len(set(sample))
    stats[f"T={temperature}: top char {top!r}"] = f"{sample.count(top) / len(sample):.0%}"
    stats[f"T={temperature}: 8-char repeats"] = longest_repeat(sample)
beside("the samples: distinct characters, commonest character's share, "
       "how often the commonest 8-character stretch occurs", stats, "sample statistics")  # fmt: skip

# %% [markdown]
# The statistics under the samples tell what happened in each run. A young model's
# single best guess is often the same few characters (a space, a newline, `e`), and once
# greedy decoding has written a stretch that makes the same stretch the likeliest again,
# it loops: few distinct characters, one stretch repeated many times. Sampling breaks
# the loop because it sometimes takes a less likely character; too hot (1.2) and it
# takes unlikely ones often enough to misspell.
#
# Generating token by token with the full forward pass redoes the keys and values of
# every earlier position at each step. The KV cache keeps them per layer, so each step
# feeds only the newest token. It is a speed trick, not a different model: with the
# same random draws, the text must be identical. Whether it is faster depends on the
# size: for our tiny model and a context of a few dozen characters, recomputing is cheap
# and the cache's bookkeeping can cost as much as it saves (the timings below say which
# won here); for long contexts and big models, the saving grows with every token.

# %%
timings, texts = {}, {}
for use_cache in (True, False):
    gen = torch.Generator().manual_seed(11)
    started = time.perf_counter()
    out = gpt.generate(prompt, BLOCK - prompt.shape[1], temperature=1.0, generator=gen,
                       use_cache=use_cache)  # fmt: skip
    timings[use_cache] = time.perf_counter() - started
    texts[use_cache] = tokenizer.decode(out[0].tolist())
assert texts[True] == texts[False]
print(f"same {len(texts[True])} characters with and without the cache")
full.table({"with the KV cache, ms": timings[True] * 1e3,
            "without it, ms": timings[False] * 1e3}, title="time to generate them")  # fmt: skip

# %% [markdown]
# ## 8. The scaling-law sweep
#
# How much better does a model get if it is made bigger? Kaplan et al. (2020) trained
# hundreds of language models and found the answer to be remarkably regular: the loss
# falls as a **power** of the model's size, $L(N) \approx (N_c / N)^{\alpha_N}$ with
# $\alpha_N \approx 0.076$, over more than six orders of magnitude, as long as the data
# and the training time are not what holds the model back. A power law is a straight
# line on log-log axes; its slope is $-\alpha$.
#
# Two quantities measure a run:
#
# - $N$, the parameters **without** the embedding tables. Kaplan et al. count it this
#   way because the tables are look-ups, not computation, and the laws come out cleaner
#   without them (for our character models the tables are a big share of tiny models).
# - $C$, the training compute in FLOPs. Each parameter takes part in one multiply-add
#   (2 FLOPs) per token in the forward pass and about two more in the backward pass
#   (one for the gradient of the input, one for the weight), so training costs
#   $6N$ FLOPs per token, and $C \approx 6ND$ for $D$ training tokens. Attention adds
#   a term that grows with the context, $12\,L\,C_{\text{model}}\,T$ per token (the
#   scores $QK^\top$ and the weighted sum, forward and backward).
#
# We count it for our GPT and check against the library.

# %%
matmul_params = gpt.num_parameters(non_embedding=True) + V * C  # + the tied output layer
per_token = 6 * matmul_params + 12 * L * C * BLOCK
print(f"GPT {L}x{C}: N = {gpt.num_parameters(non_embedding=True):,} (without embeddings)")
print(
    f"6 N' = {6 * matmul_params:,} + attention {12 * L * C * BLOCK:,} = {per_token:,} FLOPs/token"
)
assert per_token == gpt.estimate_flops_per_token()

# %% [markdown]
# A **sweep** trains models of several sizes on the *same* compute $C$. A size is
# written `LxC`: `L` layers of width `C` (heads of 32 dimensions), so `2x64` is two
# blocks 64 wide. Equal compute means a small model takes many cheap steps and a big one
# few expensive ones:
# $$\text{steps} = \frac{C}{\text{FLOPs per token} \times \text{tokens per step}}.$$
# The table shows the plan: the tokens $D$ each size gets, and $D/N$, the tokens per
# parameter. Hoffmann et al. (2022, "Chinchilla") found that for a fixed budget the best
# size sees about 20 tokens per parameter.
#
# The lesson reads the sweep that `journey train sweep` writes to `runs/sweep` when
# there is one. Otherwise quick mode runs three tiny sizes on a very small budget, and
# the full lesson four sizes on a budget of its own, far smaller than the command's
# default (which takes hours on a CPU).

# %%
SWEEP_DIR = "runs/sweep"  # where `journey train sweep` writes, relative to where you run
if os.path.isfile(os.path.join(SWEEP_DIR, "sweep.csv")):
    sweep_config = None  # read the finished sweep below
elif QUICK:
    sweep_config = SweepConfig(sizes=("1x32", "2x32", "2x64"), flops_budget=2e9, batch_size=8,
                               block_size=32, evals_per_run=4, eval_steps=4)  # fmt: skip
else:
    sweep_config = SweepConfig(sizes=("1x32", "2x32", "2x64", "3x96"), flops_budget=5e11,
                               evals_per_run=10, eval_steps=5)  # fmt: skip
if sweep_config is not None:
    for name in sweep_config.sizes:
        probe = GPT(size_config(name, V, sweep_config.block_size))
        n = probe.num_parameters(non_embedding=True)
        per_step = probe.estimate_flops_per_token() * sweep_config.tokens_per_step
        steps = round(sweep_config.flops_budget / per_step)
        tokens = steps * sweep_config.tokens_per_step
        print(
            f"{name:>6}: N = {n:>9,}  {steps:>6,} steps  D = {tokens:>11,}  D/N = {tokens / n:7.1f}"
        )

# %%
if sweep_config is None:
    results = read_sweep(SWEEP_DIR)
    print(f"read the finished sweep in {SWEEP_DIR}")
else:
    SWEEP_DIR = os.path.join(WORK, "sweep")
    started = time.perf_counter()
    results = run_sweep(sweep_config, SWEEP_DIR, dataset=dataset, progress=False, echo=print)
    print(f"sweep done in {time.perf_counter() - started:.0f} s")
for r in results:
    print(f"{r.name:>6}: N = {r.params:>9,}  C = {r.flops:.2e}  val loss {r.val_loss:.4f}")
print()
beside("validation loss of each size", {r.name: r.val_loss for r in results}, "sweep val loss")
full.keep("sweep budget", results[0].flops)
print(f"budget per run: {results[0].flops:.1e} FLOPs here, "
      f"{full['sweep budget']:.1e} in the {full.label}")  # fmt: skip

# %% [markdown]
# Now the fit. Taking logs turns $L = a N^{-\alpha}$ into the line
# $\log L = \log a - \alpha \log N$, so an ordinary least-squares line through the points
# $(\log N, \log L)$ gives both numbers at once, with no starting guess. We fit only the
# sizes up to the one with the lowest loss; the next cells explain why. `fit_power_law`
# does the same and must agree.
#
# **Predict:** on the same compute, will the biggest model have the lowest loss?

# %%
by_size = sorted(results, key=lambda r: r.params)
lowest = min(range(len(by_size)), key=lambda i: by_size[i].val_loss)
branch = by_size[: lowest + 1]
print(f"lowest loss: {by_size[lowest].name}; fitting on {[r.name for r in branch]}")
if len(branch) >= 2:
    slope, intercept = np.polyfit(np.log([r.params for r in branch]),
                                  np.log([r.val_loss for r in branch]), 1)  # fmt: skip
    law = fit_power_law([r.params for r in branch], [r.val_loss for r in branch])
    assert math.isclose(law.alpha, -slope, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(law.a, math.exp(intercept), rel_tol=1e-9)
    print(f"L(N) = {law.a:.3g} * N^-{law.alpha:.3f}   (Kaplan et al.: alpha_N ~ 0.076)")
    print(f"this sweep shows a U: the loss falls from {by_size[0].name} to "
          f"{by_size[lowest].name}, " + ("then rises" if lowest < len(by_size) - 1
                                         else "and the biggest size is still the best"))  # fmt: skip
else:
    print(f"in this sweep the smallest size, {by_size[0].name}, has the lowest loss: no left "
          "branch to fit; the budget is too small for any of these sizes (see below)")  # fmt: skip
full.keep("sweep: lowest size", by_size[lowest].name)
full.keep("sweep: alpha_N", law.alpha if len(branch) >= 2 else None)
alpha_n = full["sweep: alpha_N"]
print(f"the {full.label}: lowest loss at {full['sweep: lowest size']}, "
      + (f"alpha_N = {alpha_n:.3f}" if alpha_n is not None else "no left branch to fit"))  # fmt: skip

# %% [markdown]
# The right panel of the picture puts every run's loss curve on one compute axis. At
# each amount of compute, the lowest curve is the best model one could have had for
# that money; those lowest points form the **compute frontier**, and a line through
# them on log-log axes is $L(C) = a C^{-\alpha_C}$ (Kaplan et al.: $\alpha_C \approx 0.050$).

# %%
curves = run_curves(SWEEP_DIR, results)
points = [(c, v) for flops, losses in curves for c, v in zip(flops, losses, strict=True) if c > 0]
edge = frontier(points)
print(f"{len(edge)} of {len(points)} evaluation points lie on the frontier")
size_law, fitted, compute_law = fit_laws(results, curves)
if compute_law is not None:
    print(f"L(C) = {compute_law.a:.3g} * C^-{compute_law.alpha:.3f}   (Kaplan et al.: ~0.050)")
full.keep("sweep: alpha_C", compute_law.alpha if compute_law is not None else None)
if full["sweep: alpha_C"] is not None:
    print(f"the {full.label}: alpha_C = {full['sweep: alpha_C']:.3f}")

# %%
image = plt.imread(os.path.join(SWEEP_DIR, "scaling.png"))
fig, ax = plt.subplots(figsize=(11, 4.6))
ax.imshow(image)
ax.axis("off")
ax.set_title(f"the sweep ({MODE}; drawn by run_sweep; {len(results)} sizes)")
fig.tight_layout()
full.figure(fig, "scaling")
show(fig, "lesson-4.2-scaling.png")
full.show_figure("scaling", "the sweep")

# %% [markdown]
# How to read it. Along the left panel, moving right means a bigger model *on the same
# compute*, so fewer tokens for it. Two forces pull against each other: a bigger model
# can represent more, but it sees less text. At small sizes the first force wins and the
# loss falls with $N$, close to the power law (these models have seen their data many
# times over: their size is what limits them). Past some size the second wins: the
# model stops before it has learned what it could, and the loss goes up again. The
# curve of loss against size at one budget is therefore a U (Chinchilla's "IsoFLOP
# profile"), and only its left branch says anything about $L(N)$; that is why the fit
# stops at the lowest loss (hollow points are not fitted), and why there is no fit at
# all when the smallest size has the lowest loss.
#
# Where the bottom of the U lies depends on the budget: Chinchilla's rule of about 20
# tokens per parameter puts it near $N \approx \sqrt{C / 120}$. A budget too small for
# every size we tried puts the bottom left of the smallest one, and the sweep shows
# only the right branch, rising; a budget big enough for every size shows only the left
# branch. The next cell compares your sweep and the full run's with that rule, and says
# which part of the U each of them shows. The full lesson's budget is kept small so that
# it runs in minutes, and our smallest size cannot shrink below one block 32 wide (one
# head of 32 dimensions); the default budget of `journey train sweep` is sixteen times
# bigger, and the rule puts its bottom at the size the cell prints last. The rule was
# fitted on models of many millions of parameters with tuned schedules; for ours, trained
# for minutes, it is a rough guide, and the cell shows how far the measured bottom lies
# from it.

# %%
budget = results[0].flops
print(f"your sweep: C = {budget:.1e} FLOPs per run; Chinchilla's best size ~ {chinchilla_size(budget):,.0f} "
      f"parameters; the sizes run from {by_size[0].params:,} to {by_size[-1].params:,}")  # fmt: skip
print(f"the lowest loss is at {by_size[lowest].name} (N = {by_size[lowest].params:,})")
stored = full["sweep val loss"]
full_sizes = sorted(
    stored, key=lambda n: GPT(size_config(n, V, 64)).num_parameters(non_embedding=True)
)
bottom = full_sizes.index(full["sweep: lowest size"])
shape = ("a U: the loss falls to that size and rises after it" if 0 < bottom < len(full_sizes) - 1
         else "only the right branch, rising from the smallest size" if bottom == 0
         else "only the left branch, falling to the biggest size")  # fmt: skip
print(f"the {full.label}: C = {full['sweep budget']:.1e} FLOPs per run; Chinchilla's best size "
      f"~ {chinchilla_size(full['sweep budget']):,.0f}; lowest loss at {full_sizes[bottom]} "
      f"of {full_sizes}: {shape}")  # fmt: skip
print(f"`journey train sweep`'s default budget, {DEFAULT_BUDGET:.0e} FLOPs per run: Chinchilla's "
      f"best size ~ {chinchilla_size(DEFAULT_BUDGET):,.0f} parameters")  # fmt: skip

# %% [markdown]
# What the exponent means: $\alpha_N = 0.076$ says that doubling the model lowers the
# loss by a factor $2^{-0.076} \approx 0.95$, 5%, and that a tenfold bigger model buys
# about 16%. That small exponent is why language models grew by factors of a thousand:
# each constant step of improvement costs a constant *factor* of size. Our exponents
# (where a sweep yields one) are measured on character-level Shakespeare with models of
# thousands to millions of parameters trained for minutes, from a handful of points over
# a decade or two of $N$, a far cry from Kaplan's web text, BPE tokens and models up to a billion parameters:
# expect the same shape, not the same number. With a power law without a floor, the
# loss would go to zero; real curves bend towards the entropy of the text itself, which
# is why Chinchilla adds a constant $E$. Over our two or three decades the floor cannot
# be told apart from the slope, so we leave it out.
#
# The command trains the default sweep (six sizes from 13 thousand to 2.7 million
# parameters, the same 8·10¹² FLOPs each: sixteen times the full lesson's budget for
# each of six sizes, so expect hours on a CPU; add `--threads 1` when others are using
# the machine) and can be stopped and started again: finished sizes are kept. A bigger
# budget moves the bottom of the U to bigger sizes.
#
# ```
# journey train sweep                 # runs/sweep/sweep.csv and scaling.png
# journey train sweep --minutes 5     # a budget that fits five minutes on this machine
# journey sample runs/sweep/2x64      # every run of the sweep is a model you can sample
# ```

# %% [markdown]
# ## Where next
#
# The runs of this lesson are short on purpose. To train the `shakespeare-char-cpu`
# recipe (4 blocks, 4 heads, width 128) for its full length, with a progress bar,
# checkpoints you can resume and a `loss.png` in the run folder:
#
# ```
# journey train gpt --preset shakespeare-char-cpu
# journey sample runs/shakespeare-char-cpu
# ```
#
# (`--max-steps` shortens it, `--stop-after` with `--resume` splits it into sessions.)
