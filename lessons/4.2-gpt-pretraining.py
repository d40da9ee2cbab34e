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
# This lesson walks the whole path on Tiny Shakespeare (about a million characters):
#
# 1. the vocabulary: every distinct character gets an id;
# 2. inputs and targets: the same window of text, shifted by one;
# 3. a GPT built from a config, its parameters counted by hand;
# 4. the loss of an untrained model, and why it sits at $\ln V$;
# 5. one training step written out in cells, matched against `Trainer`'s step;
# 6. gradient accumulation: several small batches make one big one;
# 7. a short training run with `Trainer`, and its loss curve;
# 8. samples at several temperatures, and the KV cache giving the same text faster;
# 9. the scaling-law sweep: models of several sizes on the same compute, and the power
#    laws their losses follow.
#
# Set `JOURNEY_QUICK=1` for a smaller model and a 60-step run (seconds instead of minutes).

# %%
import copy
import math
import os
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from nlpjourney import data
from nlpjourney.apps.sweep import (
    SweepConfig,
    fit_laws,
    read_sweep,
    run_curves,
    run_sweep,
    size_config,
)
from nlpjourney.models.gpt import GPT, GPTConfig
from nlpjourney.optim import AdamW
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

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
torch.manual_seed(0)
if QUICK:  # small tensors: one thread beats several fighting over shared cores
    torch.set_num_threads(1)
WORK = tempfile.mkdtemp(prefix="lesson-4.2-")  # token files and the run go here


def show(fig, name):
    """Show a figure, and keep a copy as a PNG in the temp folder."""
    fig.tight_layout()
    fig.savefig(os.path.join(tempfile.gettempdir(), name), dpi=80)
    plt.show()


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
# Sixty-five symbols: the 52 letters, a single digit (`3`), ten punctuation marks, the
# space and the newline. `prepare_char` does the same counting,
# encodes the whole text once into a file of `uint16` ids and splits off the last 10%
# for validation. Its tokenizer agrees with ours.

# %%
dataset = prepare_char(data.path("tinyshakespeare"), os.path.join(WORK, "tokens"))
tokenizer = dataset.tokenizer()
assert tokenizer.chars == chars
ids = [stoi[c] for c in "First Citizen"]
assert tokenizer.encode("First Citizen") == ids
print("First Citizen ->", ids)
print(f"train {len(dataset.train):,} tokens, val {len(dataset.val):,} tokens")

# %% [markdown]
# ## 2. Inputs and targets: one window, shifted by one
#
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
# The library's `sample_windows` picks random starts and cuts the same way; we check the
# shift on a batch it draws.

# %%
generator = np.random.default_rng(0)
xb, yb = sample_windows(dataset.train, 4, T, generator)
assert torch.equal(xb[:, 1:], yb[:, :-1])  # y is x moved one step left
print(xb.shape, yb.shape)

# %% [markdown]
# ## 3. A GPT from its config, and its size by hand
#
# `shakespeare-char-cpu` is nanoGPT's small recipe for a laptop: 4 blocks, 4 heads,
# 128-wide vectors, a context of 64 characters. (Quick mode uses `tiny`: 2 blocks,
# 32 wide.) The vocabulary comes from the data.
#
# Counting by hand, with width $C$, context $T$, vocabulary $V$ and $L$ blocks:
#
# - token table $VC$ and position table $TC$; the output layer reuses the token table
#   (weight tying), so it adds nothing;
# - per block: two layer norms ($2 \cdot 2C$), the query/key/value projection
#   ($3C^2 + 3C$), the attention output ($C^2 + C$), the MLP up ($4C^2 + 4C$) and down
#   ($4C^2 + C$): $12C^2 + 13C$ in all;
# - the final layer norm, $2C$.

# %%
preset = "tiny" if QUICK else "shakespeare-char-cpu"
config = GPTConfig.from_name(preset).replace(vocab_size=dataset.vocab_size)
torch.manual_seed(1337)
model = GPT(config)

V, C, L, ctx = config.vocab_size, config.n_embd, config.n_layer, config.block_size
by_hand = V * C + ctx * C + L * (12 * C * C + 13 * C) + 2 * C
print(f"{preset}: V={V} C={C} L={L} T={ctx}")
print(f"by hand {by_hand:,}   num_parameters() {model.num_parameters():,}")
assert by_hand == model.num_parameters()
print(f"without the embeddings: {model.num_parameters(non_embedding=True):,}")

# %% [markdown]
# ## 4. The loss before any training: about $\ln V$
#
# Every matrix and embedding starts as small Gaussian noise (standard deviation 0.02,
# biases at zero), so the logits at the end are all close to zero. A softmax over near-equal logits is close to the
# uniform distribution, which gives each of the $V$ characters probability $1/V$. The
# cross-entropy is minus the log of the probability given to the right answer, so it
# starts near $-\ln(1/V) = \ln V$. A starting loss far above that means the model is
# confidently wrong from birth, a sign of a bad initialisation.

# %%
xb, yb = sample_windows(dataset.train, 8, ctx, generator)
with torch.no_grad():
    logits = model(xb)
    loss0 = F.cross_entropy(logits.view(-1, V), yb.view(-1))
print(f"logits: mean {logits.mean():.4f}, std {logits.std():.4f}")
print(f"loss at init {loss0:.4f}   ln(V) = ln({V}) = {math.log(V):.4f}")
assert abs(loss0.item() - math.log(V)) < 0.1

# %% [markdown]
# ## 5. One training step, written out
#
# Here is every piece of an optimizer step in its own line. The settings come from a
# `TrainConfig` of one step at a constant learning rate. AdamW gets
# two parameter groups, as nanoGPT does: weight decay for matrices and embeddings, none
# for biases and layer-norm gains.

# %%
# dtype="float32": our cells compute in float32, and on CPUs with fast bfloat16 the
# Trainer's default is bfloat16 autocast, which would round the two steps apart.
one_step = TrainConfig(
    max_steps=1, batch_size=8, lr=1e-3, min_lr=1e-3, eval_interval=0, device="cpu",
    dtype="float32", out_dir=os.path.join(WORK, "one-step"),
)  # fmt: skip
x1, y1 = sample_windows(dataset.train, one_step.batch_size, ctx, generator)
start_state = copy.deepcopy(model.state_dict())

mine = copy.deepcopy(model)
optimizer = AdamW(
    decay_groups(mine, one_step.weight_decay),
    lr=learning_rate(1, one_step),
    betas=one_step.betas,
    weight_decay=one_step.weight_decay,
)
logits = mine(x1)  # forward: (B, T, V)
loss = F.cross_entropy(logits.view(-1, V), y1.view(-1))  # mean surprise over B*T guesses
loss.backward()  # gradients into every parameter's .grad
norm = torch.nn.utils.clip_grad_norm_(mine.parameters(), one_step.grad_clip)
optimizer.step()  # the AdamW update
optimizer.zero_grad(set_to_none=True)
print(f"loss {loss.item():.4f}, gradient norm before clipping {norm:.3f}")
print(f"groups: {[len(g['params']) for g in optimizer.param_groups]} tensors "
      f"with weight decay {[g['weight_decay'] for g in optimizer.param_groups]}")  # fmt: skip

# %% [markdown]
# Now `Trainer` takes one step from the same weights on the same batch (its `get_batch`
# hands it our batch). If our cells do what it does, the weights after the step agree.

# %%
theirs = GPT(config)
theirs.load_state_dict(start_state)
Trainer(theirs, one_step, lambda split: (x1, y1), plot=False, progress=False).fit()
for name, value in theirs.state_dict().items():
    assert_close(mine.state_dict()[name], value)
moved = (mine.transformer.wte.weight - start_state["transformer.wte.weight"]).abs().max()
print(f"same weights after one step; the token table moved by up to {moved:.2e}")

# %% [markdown]
# ## 6. Gradient accumulation: four small batches are one big batch
#
# A batch that does not fit in memory can be split into `k` micro-batches. Gradients
# add up in `.grad` across calls to `backward()`, so if each micro-batch's loss is
# divided by `k`, the sum of their gradients is the gradient of the average loss, which
# is exactly what the big batch would have given. We check it in float64, where only
# rounding can differ.

# %%
k, b = 4, 4
big_x, big_y = sample_windows(dataset.train, k * b, ctx, generator)

whole = copy.deepcopy(model).double()
F.cross_entropy(whole(big_x).view(-1, V), big_y.view(-1)).backward()

pieces = copy.deepcopy(model).double()
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
# The library packs this loop, the clipping, the step and the zeroing into one
# function, `train_step` (the one `Trainer` calls, and the one exercise 4.2 asks you
# to write). Fed the four micro-batches or the one big batch, it lands on the same
# weights and reports the same loss.

# %%
runs = {}
for name, batches in [("big", [(big_x, big_y)]),
                      ("micro", [(big_x[i * b:(i + 1) * b], big_y[i * b:(i + 1) * b])
                                 for i in range(k)])]:  # fmt: skip
    net = copy.deepcopy(model).double()
    opt = AdamW(decay_groups(net, 0.1), lr=1e-3, weight_decay=0.1)
    runs[name] = (train_step(net, opt, batches, grad_clip=1.0), net)
print(f"loss: one batch {runs['big'][0]:.10f}, four micro-batches {runs['micro'][0]:.10f}")
for p, q in zip(runs["big"][1].parameters(), runs["micro"][1].parameters(), strict=True):
    assert_close(p, q, rtol=1e-10, atol=1e-12)

# %% [markdown]
# ## 7. Training with `Trainer`
#
# The loop: warm the learning rate up, decay it along a cosine, and every
# `eval_interval` steps measure the loss on held-out batches of both splits. The
# trainer also writes `metrics.csv`, `loss.png` and a checkpoint into its folder.

# %%
train_config = TrainConfig(
    max_steps=60 if QUICK else 400,
    batch_size=8 if QUICK else 12,
    lr=2e-3 if QUICK else 1e-3,
    min_lr=2e-4 if QUICK else 1e-4,
    eval_interval=10 if QUICK else 50,
    eval_steps=2 if QUICK else 10,
    device="cpu",
    out_dir=os.path.join(WORK, "run"),
)
sampler = dataset.sampler(train_config.batch_size, ctx, seed=1)
started = time.perf_counter()
trainer = Trainer(model, train_config, sampler, progress=False).fit()
seconds = time.perf_counter() - started
last = trainer.history[-1]
print(f"{train_config.max_steps} steps in {seconds:.1f} s; "
      f"train loss {last['train_loss']:.3f}, val loss {last['val_loss']:.3f}")  # fmt: skip
print(sorted(os.listdir(train_config.out_dir)))

# %% [markdown]
# A yardstick for the curve: a model that knows only how often each character occurs,
# and nothing about context, scores the entropy of the character frequencies.

# %%
counts = np.bincount(dataset.train, minlength=V).astype(float)
freq = counts[counts > 0] / counts.sum()
unigram = float(-(freq * np.log(freq)).sum())
print(f"uniform guess {math.log(V):.3f} nats, character frequencies alone {unigram:.3f} nats")

# %%
steps = [row["step"] for row in trainer.history]
fig, (ax, ax_lr) = plt.subplots(1, 2, figsize=(10, 3.5))
ax.plot(steps, [row["train_loss"] for row in trainer.history], "o-", label="train")
ax.plot(steps, [row["val_loss"] for row in trainer.history], "s--", label="val")
ax.axhline(math.log(V), color="grey", lw=0.8, ls=":", label="ln V (uniform guess)")
ax.axhline(unigram, color="black", lw=0.8, ls="-.", label="character frequencies")
ax.set(xlabel="step", ylabel="cross-entropy (nats)", title=f"{preset}: loss")
ax.legend()
ax_lr.plot(steps, [row["lr"] for row in trainer.history], "o-", color="tab:green")
ax_lr.set(xlabel="step", ylabel="learning rate", title="warm-up, then cosine decay")
show(fig, "lesson-4.2-loss.png")

# %% [markdown]
# The curve starts at $\ln V \approx 4.17$ and drops fast. Most of that first drop is
# the cheap lesson: which characters are common (spaces, `e`, `t`, newlines), which by
# itself brings the loss down to the dash-dotted line. The 60 quick steps end about
# there. The longer run goes below it, and that part can only come from context: which
# letters follow which, the shapes of short words, a capital after a newline. The
# slope flattens as the learning rate decays. Train and val lie on top of each other:
# this model has seen only a small part of the text, once, and cannot have memorised
# it. The right panel shows the warm-up ramp and the cosine down to `min_lr`.

# %% [markdown]
# ## 8. Samples, temperature, and the KV cache
#
# To write, the model scores the next character, we draw one from the softmax, append
# it and repeat. Dividing the logits by a **temperature** before the softmax reshapes
# that draw: below 1 the likely characters get likelier (safer, more repetitive text),
# above 1 the distribution flattens (more adventurous, more misspelt), and 0 means
# always taking the top choice. Watch the greedy line: a young model's single best
# guess tends to repeat itself, a loop that sampling breaks.

# %%
prompt = torch.tensor([tokenizer.encode("ROMEO:\n")])
length = 80 if QUICK else 200
for temperature in (0.0, 0.8, 1.2):
    gen = torch.Generator().manual_seed(7)
    out = model.generate(prompt, length, temperature=temperature, generator=gen)
    print(f"--- temperature {temperature}")
    print(tokenizer.decode(out[0].tolist()))

# %% [markdown]
# Generating token by token with the full forward pass redoes the keys and values of
# every earlier position at each step. The KV cache keeps them per layer, so each step
# feeds only the newest token. It is a speed trick, not a different model: with the
# same random draws, the text must be identical.

# %%
timings, texts = {}, {}
for use_cache in (True, False):
    gen = torch.Generator().manual_seed(11)
    started = time.perf_counter()
    out = model.generate(prompt, ctx - prompt.shape[1], temperature=1.0, generator=gen,
                         use_cache=use_cache)  # fmt: skip
    timings[use_cache] = time.perf_counter() - started
    texts[use_cache] = tokenizer.decode(out[0].tolist())
assert texts[True] == texts[False]
print(f"same {len(texts[True])} characters; cached {timings[True] * 1e3:.0f} ms, "
      f"uncached {timings[False] * 1e3:.0f} ms")  # fmt: skip

# %% [markdown]
# ## 9. The scaling-law sweep
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
# We count it for the model of section 3 and check against the library.

# %%
T_ctx = config.block_size
matmul_params = model.num_parameters(non_embedding=True) + V * C  # + the tied output layer
per_token = 6 * matmul_params + 12 * L * C * T_ctx
print(f"{preset}: N = {model.num_parameters(non_embedding=True):,} (without embeddings)")
print(
    f"6 N' = {6 * matmul_params:,} + attention {12 * L * C * T_ctx:,} = {per_token:,} FLOPs/token"
)
assert per_token == model.estimate_flops_per_token()

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
# Quick mode runs four tiny sizes on a very small budget; otherwise the lesson reads the
# sweep that `journey train sweep` writes to `runs/sweep`, or runs a smaller one of its own.

# %%
SWEEP_DIR = "runs/sweep"  # where `journey train sweep` writes, relative to where you run
if QUICK:
    sweep_config = SweepConfig(sizes=("1x32", "2x32", "2x64", "3x96"), flops_budget=5e9,
                               batch_size=8, block_size=32, evals_per_run=6, eval_steps=4)  # fmt: skip
elif os.path.isfile(os.path.join(SWEEP_DIR, "sweep.csv")):
    sweep_config = None  # read the finished sweep below
else:
    sweep_config = SweepConfig(flops_budget=5e11)  # the six default sizes, about a minute
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
else:
    SWEEP_DIR = os.path.join(WORK, "sweep")
    started = time.perf_counter()
    results = run_sweep(sweep_config, SWEEP_DIR, dataset=dataset, progress=False, echo=print)
    print(f"sweep done in {time.perf_counter() - started:.0f} s")
for r in results:
    print(f"{r.name:>6}: N = {r.params:>9,}  C = {r.flops:.2e}  val loss {r.val_loss:.4f}")

# %% [markdown]
# Now the fit. Taking logs turns $L = a N^{-\alpha}$ into the line
# $\log L = \log a - \alpha \log N$, so an ordinary least-squares line through the points
# $(\log N, \log L)$ gives both numbers at once, with no starting guess. We fit only the
# sizes up to the one with the lowest loss; the next cells explain why. `fit_power_law`
# does the same and must agree.

# %%
by_size = sorted(results, key=lambda r: r.params)
best = min(range(len(by_size)), key=lambda i: by_size[i].val_loss)
branch = by_size[: best + 1]
print(f"lowest loss: {by_size[best].name}; fitting on {[r.name for r in branch]}")
if len(branch) >= 2:
    slope, intercept = np.polyfit(np.log([r.params for r in branch]),
                                  np.log([r.val_loss for r in branch]), 1)  # fmt: skip
    law = fit_power_law([r.params for r in branch], [r.val_loss for r in branch])
    assert math.isclose(law.alpha, -slope, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(law.a, math.exp(intercept), rel_tol=1e-9)
    print(f"L(N) = {law.a:.3g} * N^-{law.alpha:.3f}   (Kaplan et al.: alpha_N ~ 0.076)")
else:
    print("the smallest model has the lowest loss: no left branch to fit at this budget")

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
    print(f"L(C) = {compute_law.a:.3g} * C^-{compute_law.alpha:.3f}")

# %%
image = plt.imread(os.path.join(SWEEP_DIR, "scaling.png"))
fig, ax = plt.subplots(figsize=(13, 5.5))
ax.imshow(image)
ax.axis("off")
show(fig, "lesson-4.2-scaling.png")

# %% [markdown]
# How to read it. Along the left panel, moving right means a bigger model *on the same
# compute*, so fewer tokens for it. Two forces pull against each other: a bigger model
# can represent more, but it sees less text. At small sizes the first force wins and the
# loss falls with $N$, close to the power law (these models have seen their data many
# times over: their size is what limits them). Past some size the second wins: the
# model stops before it has learned what it could, and the loss goes up again. The
# curve of loss against size at one budget is therefore a U (Chinchilla's "IsoFLOP
# profile"), and only its left branch says anything about $L(N)$; that is why the fit
# stops at the lowest loss (hollow points are not fitted).
#
# At the tiny budgets of quick mode, the smallest model usually wins outright: even
# a model of 25 thousand parameters is too big for a budget of a few billion FLOPs, and
# the U's left branch lies below the sizes we tried. The bigger budget of the full
# sweep moves the bottom of the U to larger models; Chinchilla's rule of about 20
# tokens per parameter puts it near $N \approx \sqrt{C / 120}$.
#
# What the exponent means: $\alpha_N = 0.076$ says that doubling the model lowers the
# loss by a factor $2^{-0.076} \approx 0.95$, 5%, and that a tenfold bigger model buys
# about 16%. That small exponent is why language models grew by factors of a thousand:
# each constant step of improvement costs a constant *factor* of size. Our exponent is
# measured on character-level Shakespeare with models of thousands to millions of
# parameters trained for minutes, a far cry from Kaplan's web text, BPE tokens and
# models up to a billion parameters; expect the same shape, not the same number. With
# a power law without a floor, the loss would go to zero; real curves bend towards the
# entropy of the text itself, which is why Chinchilla adds a constant $E$. Over our two
# or three decades the floor cannot be told apart from the slope, so we leave it out.
#
# For scale, the default sweep measured on two busy CPU cores (8·10¹² FLOPs per run):
# validation losses 1.86, 1.76, **1.67**, 1.80, 1.96 and 2.29 from `1x32` to `6x192`.
# The bottom of the U is `2x64` (100 thousand parameters, 110 tokens per parameter);
# Chinchilla's rule puts the best size near 260 thousand, between `2x64` and `3x96`, so
# our tiny models and the big experiments agree on where the bottom is, give or take a
# size. The three sizes left of it give $\alpha_N \approx 0.050$, two thirds of
# Kaplan's 0.076, but over a single decade of $N$ and from three points: the same order
# of magnitude, not a measurement of the same number. The frontier gives
# $\alpha_C \approx 0.154$, steeper than Kaplan's 0.050: at budgets this small the loss
# is still in its fast early fall.
#
# The command trains the default sweep (six sizes from 13 thousand to 2.7 million
# parameters, the same 8·10¹² FLOPs each, about ten minutes on two quiet cores; add
# `--threads 1` when others are using the machine) and can be stopped and started
# again: finished sizes are kept.
#
# ```
# journey train sweep                 # runs/sweep/sweep.csv and scaling.png
# journey train sweep --minutes 5     # a budget that fits five minutes on this machine
# journey sample runs/sweep/2x64      # every run of the sweep is a model you can sample
# ```

# %% [markdown]
# ## Where next
#
# The run of section 7 is short on purpose. To train the same recipe for its full length, with a
# progress bar, checkpoints you can resume and a `loss.png` in the run folder:
#
# ```
# journey train gpt --preset shakespeare-char-cpu
# journey sample runs/shakespeare-char-cpu
# ```
#
# (`--max-steps` shortens it, `--stop-after` with `--resume` splits it into sessions.)
