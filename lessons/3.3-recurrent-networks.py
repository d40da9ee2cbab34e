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
# # 3.3 Recurrent networks: a loop with memory, why it forgets, and the LSTM
#
# An n-gram model (topic 1.6) sees a fixed window of the past: two or three words, and
# nothing before. A **recurrent network** reads a sequence one step at a time and carries
# a vector, the **hidden state**, from each step to the next. In principle that vector
# can remember anything it has read; in practice a plain recurrent network forgets
# within a few dozen steps, and seeing *why* leads straight to the LSTM. You build:
#
# 1. the recurrence by hand: one step of a plain (Elman) RNN, then the loop over time,
#    checked equal to `nlpjourney.rnn.RNN` and to `torch.nn.RNN`;
# 2. the step's gradient by hand, checked against autograd and finite differences;
# 3. **vanishing gradients**, measured: how much of the gradient of the last prediction
#    reaches each earlier step, for the plain RNN, the GRU and the LSTM;
# 4. the **LSTM cell** by hand, its gates shown on numbers, and why its cell state lets
#    gradients through;
# 5. a **character model that learns to write**: Tiny Shakespeare, truncated
#    backpropagation through time, gradient clipping, samples after each stage of
#    training and at several temperatures;
# 6. RNN, GRU and LSTM of the same size trained the same way on the same data: one
#    table, one plot.
#
# Look for **Predict, then run** questions: answer them in your head before you run the
# next cell. Two cells are **exercises** with a check cell under each; the lesson runs on
# while they are unsolved. Exercise 3.3 (`journey check 3.3`) then asks for the LSTM
# cell's forward *and backward* in NumPy, with a gradient check.
#
# Set `JOURNEY_QUICK=1` for a fast run: tiny models and a few dozen training steps.
# `scripts/run_lessons.py` ran this lesson in full once and stored its numbers, samples
# and pictures in `lessons/results/3.3/`; the cells print them beside your run's, and the
# prose quotes only numbers that a cell prints.

# %%
import math
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

import nlpjourney.data
from nlpjourney import rnn
from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.course.rnn_diagrams import lstm_cell, unrolled_rnn

try:  # shows a bare matplotlib Figure in a notebook; a script prints instead
    from IPython.display import display
except ImportError:  # pragma: no cover - IPython comes with the course extra
    display = print

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
MODE = "quick mode" if QUICK else "full run"
full = FullRun("3.3")  # the stored full run of this lesson: its numbers, beside this run's
torch.manual_seed(0)

# %% [markdown]
# ## 1. The data, and the recurrence by hand
#
# Tiny Shakespeare: about a million characters of plays. Every distinct character gets
# an id; the last tenth of the text is held out for validation.

# %%
text = nlpjourney.data.path("tinyshakespeare").read_text(encoding="utf-8")
chars = sorted(set(text))
V = len(chars)
stoi = {ch: i for i, ch in enumerate(chars)}
ids = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
split = int(0.9 * len(ids))
train_ids, val_ids = ids[:split], ids[split:]
print(f"{len(text):,} characters, {V} distinct; train {len(train_ids):,}, val {len(val_ids):,}")
print(repr(text[:120]))

# %% [markdown]
# A plain recurrent network, the **Elman RNN**, has one step function. It reads the
# input vector $x_t$ and the previous hidden state $h_{t-1}$ and writes the next one:
#
# $$h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$$
#
# The same weights are used at every step: the network is one cell applied again and
# again, which the picture unrolls in time. A prediction (here, the next character) is
# read from each $h_t$ by a linear layer. Training pushes the error of the last
# prediction back along the red arrows: that road is where the trouble of section 3 is.

# %%
display(unrolled_rnn("to be", title="one cell, applied at every step of 'to be'"))


# %% [markdown]
# Write the step and the loop in plain torch. The input is (T, B, I): time first, as
# `torch.nn.RNN` takes it by default.


# %%
def my_rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):
    """One Elman step: x (B, I), h (B, H) -> h' (B, H)."""
    return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def my_rnn(xs, h, W_ih, W_hh, b_ih, b_hh):
    """The loop over time: xs (T, B, I), h (B, H) -> (every h_t stacked (T, B, H), h_T)."""
    outputs = []
    for x in xs:  # one step per time position, the state carried along
        h = my_rnn_step(x, h, W_ih, W_hh, b_ih, b_hh)
        outputs.append(h)
    return torch.stack(outputs), h


# %% [markdown]
# The library's `RNN` takes the same arguments as `torch.nn.RNN` and names its weights
# the same way (`weight_ih_l0`, `weight_hh_l0`, ...), so torch's weights load into it
# unchanged. Run all three on the same input:

# %%
torch_rnn = nn.RNN(input_size=5, hidden_size=7, dtype=torch.float64)
our_rnn = rnn.RNN(input_size=5, hidden_size=7, dtype=torch.float64)
our_rnn.load_state_dict(torch_rnn.state_dict())
xs, h0 = torch.randn(12, 3, 5, dtype=torch.float64), torch.zeros(3, 7, dtype=torch.float64)
weights = [
    getattr(torch_rnn, n) for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
]
mine_out, mine_h = my_rnn(xs, h0, *weights)
lib_out, lib_h = our_rnn(xs)
torch_out, torch_h = torch_rnn(xs)
assert_close(mine_out, lib_out)
assert_close(mine_out, torch_out)
assert_close(mine_h, torch_h[0])
print(
    "my loop == nlpjourney.rnn.RNN == torch.nn.RNN on a (12, 3, 5) batch; output",
    tuple(lib_out.shape),
)

# %% [markdown]
# ## 2. The step's gradient by hand
#
# To train the loop, autograd runs it backward. One step backward needs only the chain
# rule. Write $a = W_{ih} x + b_{ih} + W_{hh} h + b_{hh}$ and $h' = \tanh(a)$. Given the
# gradient $\delta = \partial L / \partial h'$ of some loss:
#
# - $\partial L / \partial a = \delta \odot (1 - h'^2)$, since $\tanh' = 1 - \tanh^2$;
# - then $a$ is affine: $\partial L/\partial W_{hh} = (\partial L/\partial a)^\top h$,
#   $\partial L/\partial b = \sum_{\text{batch}} \partial L/\partial a$, and the gradient
#   passed to the previous step is $(\partial L/\partial a)\, W_{hh}$.
#
# That last line is the one that matters in section 3: it is how the gradient travels
# back in time. You write it.
#
# ### Exercise 1: the gradient a step sends back
#
# Write `grad_to_previous_h(dh_new, h_new, W_hh)`: the gradient of the loss with respect
# to the previous hidden state $h$, given the gradient `dh_new` with respect to the new
# one, the new state `h_new` and the recurrent weights `W_hh` (H, H).


# %%
def grad_to_previous_h(dh_new, h_new, W_hh):
    """dL/dh from dL/dh' for h' = tanh(W_ih x + b_ih + W_hh h + b_hh); all (B, H) but W_hh."""
    return torch.zeros_like(dh_new)  # your code


# %%
x1, h1 = (
    torch.randn(4, 5, dtype=torch.float64),
    torch.randn(4, 7, dtype=torch.float64, requires_grad=True),
)
h_next = my_rnn_step(x1, h1, *weights)
upstream = torch.randn(4, 7, dtype=torch.float64)
(autograd_dh,) = torch.autograd.grad(h_next, h1, upstream)
check("grad_to_previous_h equals autograd's gradient",
      grad_to_previous_h(upstream, h_next.detach(), weights[1].detach()), autograd_dh,
      hint="go back through the tanh first (its derivative, written with its output), "
           "then through the matrix that multiplied h")  # fmt: skip

# %% [markdown]
# Autograd is itself code that could be wrong; the independent test of any gradient is
# **finite differences**: nudge one number up and down by a small $\varepsilon$ and
# measure the change of the loss, $(L(w+\varepsilon) - L(w-\varepsilon)) / 2\varepsilon$.
# Here, every entry of $W_{hh}$ against autograd's gradient of a loss over the whole
# 12-step loop (in float64, where a step of $10^{-6}$ leaves about ten correct digits).

# %%
W_hh = weights[1].detach().clone().requires_grad_(True)
probe = torch.randn(12, 3, 7, dtype=torch.float64)  # a fixed random loss: sum(probe * outputs)


def loop_loss(W):
    out, _ = my_rnn(xs, h0, weights[0].detach(), W, weights[2].detach(), weights[3].detach())
    return (probe * out).sum()


(analytic,) = torch.autograd.grad(loop_loss(W_hh), W_hh)
numeric = torch.zeros_like(analytic)
eps = 1e-6
with torch.no_grad():
    for k in range(W_hh.numel()):
        step = torch.zeros(W_hh.numel(), dtype=torch.float64)
        step[k] = eps
        step = step.view_as(W_hh)
        numeric.view(-1)[k] = (loop_loss(W_hh + step) - loop_loss(W_hh - step)) / (2 * eps)
relative = (analytic - numeric).norm() / (analytic.norm() + numeric.norm())
print(f"dL/dW_hh through 12 steps: autograd vs central differences, relative error {relative:.1e}")

# %% [markdown]
# A relative error near $10^{-10}$ says the two agree to the precision finite
# differences can see; a mistake in a gradient shows as $10^{-2}$ or worse. Exercise 3.3
# asks you to do this for the LSTM cell in NumPy: its backward written by hand, checked
# this way.
#
# ## 3. Vanishing gradients, measured
#
# The gradient of the last prediction reaches step $t$ only by passing back through
# every step after it, and each step multiplies it by $\mathrm{diag}(1 - h'^2)\,W_{hh}$.
# If those factors shrink the vector, the product of $d$ of them shrinks it
# exponentially in the distance $d$: what happened 50 characters ago cannot change the
# weights, so the network never learns to use it.
#
# Measure it. Take a real stretch of Shakespeare, embed its characters, run a network
# over it, and take the gradient of the **last** step's output with respect to the
# input at every earlier step. Its norm, against the distance back, says how much each
# past character can still influence learning.
#
# **Predict, then run.** For a freshly initialised plain RNN with 128 hidden units, how
# much smaller is the gradient reaching 30 steps back than the one reaching 1 step back:
# about the same, ten times smaller, or smaller by a factor of a million or more?

# %%
HIDDEN = 32 if QUICK else 128
EMBED = 16 if QUICK else 48
DISTANCE = 32 if QUICK else 80
torch.manual_seed(1)
stretch = train_ids[1000 : 1000 + DISTANCE + 1]


def gradient_by_distance(embedding, layer, ids_):
    """||d h_T / d x_t|| (summed over a random projection of h_T) for each step t, by
    distance T - t: index 0 is the last step itself."""
    x = embedding(ids_)[None].detach().requires_grad_(True)  # one sequence: (1, T, E)
    out, _ = layer(x if layer.batch_first else x.transpose(0, 1))
    last = out[0, -1] if layer.batch_first else out[-1, 0]  # h_T, (H,)
    probe_ = torch.randn(last.shape[-1], generator=torch.Generator().manual_seed(0))
    (grad,) = torch.autograd.grad((last * probe_).sum(), x)
    return grad[0].norm(dim=-1).flip(0).detach()  # distance 0, 1, 2, ...


kinds = {"RNN": rnn.RNN, "GRU": rnn.GRU, "LSTM": rnn.LSTM}
at_init = {}
for name, Layer in kinds.items():
    torch.manual_seed(2)
    at_init[name] = gradient_by_distance(nn.Embedding(V, EMBED), Layer(EMBED, HIDDEN), stretch)
for name, norms in at_init.items():
    print(f"{name:<5} at init: gradient norm at distance 1 {norms[1]:.2e}, at 30 "
          f"{norms[30]:.2e}, ratio {norms[30] / norms[1]:.1e}")  # fmt: skip
full.table({f"{name} at init, grad(30) / grad(1)": float(n[30] / n[1]) for name, n in at_init.items()},
           "how much gradient reaches 30 steps back, at initialisation")  # fmt: skip

# %% [markdown]
# The plain RNN's gradient dies exponentially: each step multiplies it by roughly the
# same factor below one. But look at the LSTM at initialisation: it also fades fast.
# The LSTM is not immune by construction; it has a *road* along which the gradient can
# survive, and whether the road is open depends on its gates. Section 4 opens it up.
#
# ## 4. The LSTM cell: gates on a memory line
#
# The LSTM keeps a second state, the **cell** $c$, and changes it only by an elementwise
# multiply and an add:
#
# $$c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t)$$
#
# with the **forget gate** $f$, **input gate** $i$, **output gate** $o$ (sigmoids, between
# 0 and 1) and the **candidate** $g$ (a tanh), each computed from $x_t$ and $h_{t-1}$ as
# the RNN computes its state. torch stacks the four gates' weights in the order
# *i, f, g, o*, so one matrix product gives all four.

# %%
display(lstm_cell(title="one LSTM step: gates read [x, h]; the cell line has one ×, one +"))


# %%
def my_lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step: x (B, I), h and c (B, H) -> (h', c'); gates i, f, g, o."""
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (B, 4H): all four gates at once
    i, f, g, o = a.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g  # keep a share of the old memory, write a share of the candidate
    return o * torch.tanh(c), c


torch_cell = nn.LSTMCell(5, 7, dtype=torch.float64)
our_cell = rnn.LSTMCell(5, 7, dtype=torch.float64)
our_cell.load_state_dict(torch_cell.state_dict())
x1 = torch.randn(3, 5, dtype=torch.float64)
h1, c1 = torch.randn(3, 7, dtype=torch.float64), torch.randn(3, 7, dtype=torch.float64)
cell_weights = [torch_cell.weight_ih, torch_cell.weight_hh, torch_cell.bias_ih, torch_cell.bias_hh]
mine = my_lstm_step(x1, h1, c1, *cell_weights)
assert_close(mine, our_cell(x1, (h1, c1)))
assert_close(mine, torch_cell(x1, (h1, c1)))
print("my LSTM step == nlpjourney.rnn.LSTMCell == torch.nn.LSTMCell")

# %% [markdown]
# The gates on numbers. A cell holding $c = 2$, with the candidate $g = 0.9$ on offer:
# what each setting of the gates does to the memory, and how much of a gradient
# arriving at the new cell goes back to the old one ($\partial c_t / \partial c_{t-1} = f$,
# nothing else: no weight matrix, no squashing derivative on this path).

# %%
print(f"{'gates':<32}{'f':>5}{'i':>5}{'o':>5}{'c_new':>8}{'h_new':>8}{'dc/dc_old':>11}")
for label, f_, i_, o_ in [("keep the memory, hide it", 1.0, 0.0, 0.0),
                          ("keep the memory, show it", 1.0, 0.0, 1.0),
                          ("overwrite with the candidate", 0.0, 1.0, 1.0),
                          ("half and half (at init)", 0.5, 0.5, 0.5)]:  # fmt: skip
    c_new = f_ * 2.0 + i_ * 0.9
    print(
        f"{label:<32}{f_:>5.1f}{i_:>5.1f}{o_:>5.1f}{c_new:>8.2f}{o_ * math.tanh(c_new):>8.3f}{f_:>11.1f}"
    )

# %% [markdown]
# Along the cell line, the gradient $d$ steps back is multiplied by the product of the
# forget gates it passed, $f_t f_{t-1} \cdots$. A freshly initialised LSTM has gates near
# one half (their pre-activations are small), so that product halves every step: the
# fast fade of section 3. When the forget gates sit near one, the gradient survives.
# A common trick starts them there: a **forget-gate bias** of 1 or more
# (Jozefowicz et al., 2015); training also learns to open them where memory pays.
#
# **Predict, then run.** Set the LSTM's forget-gate biases to 3 (so $f \approx 0.95$ at
# the start). At distance 30, will its gradient be closer to the plain RNN's, or to
# that at distance 1?


# %%
def with_forget_bias(layer, value):
    """Set the forget gate's share (the second quarter) of both biases of layer 0."""
    hidden = layer.hidden_size
    with torch.no_grad():
        for name in ("bias_ih_l0", "bias_hh_l0"):
            getattr(layer, name)[hidden : 2 * hidden] = value / 2
    return layer


torch.manual_seed(2)
at_init["LSTM, forget bias 3"] = gradient_by_distance(
    nn.Embedding(V, EMBED), with_forget_bias(rnn.LSTM(EMBED, HIDDEN), 3.0), stretch
)
norms = at_init["LSTM, forget bias 3"]
full.table({"LSTM forget bias 3 at init, grad(30) / grad(1)": float(norms[30] / norms[1])},
           "the same LSTM with its forget gates open")  # fmt: skip

# %% [markdown]
# ## 5. A character model that learns to write
#
# The model: an embedding of each character, a recurrent layer from `nlpjourney.rnn`,
# and a linear layer giving a score for each possible next character. The loss is the
# cross-entropy of the next character, in nats per character; guessing uniformly over
# the characters would score $\ln V$.
#
# **Truncated backpropagation through time.** The text is cut into `BATCH` long streams
# read side by side. Each training step reads the next `BPTT` characters of every stream,
# starting from the hidden state the previous step ended with, so the state carries
# memory across the whole text; but the state is **detached** first, so the gradient
# stops at the chunk's start and one step costs `BPTT` steps of backward, not the whole
# text. **Gradient clipping** rescales the gradient when its norm exceeds 1: an RNN's
# gradient can also *explode* (factors above one, multiplied), and one huge step would
# undo training.


# %%
class CharModel(nn.Module):
    """Embedding -> recurrent layer (nlpjourney.rnn) -> linear scores for the next character."""

    def __init__(self, kind, vocab, embed, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.rnn = kinds[kind](embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def streams(ids_, batch):
    """The text as `batch` contiguous streams side by side: (batch, length)."""
    length = len(ids_) // batch
    return ids_[: batch * length].view(batch, length)


@torch.no_grad()
def evaluate(model, ids_, batch=32, bptt=128):
    """Mean cross-entropy (nats per character) over the whole of ids_, state carried."""
    model.eval()
    data, total, count, state = streams(ids_, batch), 0.0, 0, None
    for start in range(0, data.shape[1] - 1, bptt):
        x, y = data[:, start : start + bptt], data[:, start + 1 : start + bptt + 1]
        x = x[:, : y.shape[1]]
        logits, state = model(x, state)
        total += F.cross_entropy(logits.reshape(-1, V), y.reshape(-1), reduction="sum").item()
        count += y.numel()
    model.train()
    return total / count


# %% [markdown]
# Sampling: feed a prompt, then repeatedly draw the next character from the softmax of
# the scores and feed it back. Dividing the scores by a **temperature** $T$ before the
# softmax sharpens the distribution ($T < 1$) or flattens it ($T > 1$).
#
# ### Exercise 2: probabilities at a temperature
#
# Write `probs_at_temperature(logits, temperature)`: the probabilities of the next
# character, a tensor shaped like `logits` whose last axis sums to one.


# %%
def probs_at_temperature(logits, temperature):
    """softmax(logits / temperature) over the last axis."""
    return torch.full_like(logits, 1.0 / logits.shape[-1])  # your code


# %%
scores = torch.tensor([[2.0, 1.0, 0.0, -1.0], [0.5, 0.5, 3.0, 0.0]])
check("probs_at_temperature at 0.5, 1 and 2",
      [probs_at_temperature(scores, t) for t in (0.5, 1.0, 2.0)],
      [torch.softmax(scores / t, dim=-1) for t in (0.5, 1.0, 2.0)],
      hint="a softmax of the scores after each is divided by the temperature; subtract "
           "the largest score first so nothing overflows")  # fmt: skip


# %%
@torch.no_grad()
def sample(model, prompt, length, temperature=1.0, seed=0):
    """Continue `prompt` by `length` characters drawn at `temperature`."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    x = torch.tensor([[stoi[ch] for ch in prompt]])
    logits, state = model(x)
    out = []
    for _ in range(length):
        probs = torch.softmax(logits[0, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        out.append(chars[nxt.item()])
        logits, state = model(nxt.view(1, 1), state)
    model.train()
    return prompt + "".join(out)


# %% [markdown]
# The training loop: every model below trains the same way, for the same number of
# steps, with Adam and clipping. It records the training loss of each step.

# %%
BATCH, BPTT = (8, 24) if QUICK else (32, 64)
STEPS = 8 if QUICK else 1200
SAMPLE_AT = (0, 8) if QUICK else (0, 30, 100, 300, 1200)
# quick mode measures on the first 2,000 validation characters, the full run on all
val_eval = val_ids[:2_000] if QUICK else val_ids
PROMPT = "ROMEO:"
train_streams = streams(train_ids, BATCH)


def train(kind, steps=STEPS, seed=0, samples_at=()):
    torch.manual_seed(seed)
    model = CharModel(kind, V, EMBED, HIDDEN)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses, samples, state, started = [], {}, None, time.perf_counter()
    for step in range(steps + 1):
        if step in samples_at:
            samples[step] = sample(model, PROMPT, 40 if QUICK else 200, temperature=0.8)
        if step == steps:
            break
        start = (step * BPTT) % (train_streams.shape[1] - BPTT - 1)
        if start < BPTT:  # a new pass over the streams: start from a zero state
            state = None
        x = train_streams[:, start : start + BPTT]
        y = train_streams[:, start + 1 : start + BPTT + 1]
        logits, state = model(x, state)
        state = detach(state)  # truncated BPTT: the gradient stops at the chunk's start
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - started
    return model, losses, samples, seconds


lstm_model, lstm_losses, lstm_samples, lstm_seconds = train("LSTM", samples_at=SAMPLE_AT)
lstm_val = evaluate(lstm_model, val_eval)
print(f"LSTM ({sum(p.numel() for p in lstm_model.parameters()):,} parameters): {STEPS} steps "
      f"of {BATCH} x {BPTT} characters in {lstm_seconds:.0f} s; validation loss "
      f"{lstm_val:.3f} nats/char (ln V = {math.log(V):.3f})")  # fmt: skip
full.keep("lstm samples", {str(k): v for k, v in lstm_samples.items()})

# %% [markdown]
# **What it writes after each stage of training** (at temperature 0.8, the same prompt
# and seed each time; the full run's, stored):

# %%
for step, text_ in sorted(full["lstm samples"].items(), key=lambda item: int(item[0])):
    print(f"--- after {step} steps ({full.label}) ---\n{text_}\n")

# %% [markdown]
# At step 0 the characters are drawn from an untrained network: noise. Look for the order
# in which structure appears in the later samples: frequent letters and spaces first,
# then short real words and line breaks, then the layout of a play (a name in capitals,
# a colon, a new line). None of that was told to the model; it came from guessing the
# next character.
#
# **Predict, then run.** The same trained LSTM, the same prompt, at temperatures 0.5,
# 1.0 and 1.5. Which gives real words most often, and which invents the most?

# %%
if not QUICK:
    full.keep("temperature samples",
              {str(t): sample(lstm_model, PROMPT, 200, temperature=t, seed=1) for t in (0.5, 1.0, 1.5)})  # fmt: skip
for t, text_ in full["temperature samples"].items():
    print(f"--- temperature {t} ({full.label}) ---\n{text_}\n")

# %% [markdown]
# Low temperature picks the likeliest characters: common words, often repeated. High
# temperature flattens the distribution: more surprising text, more misspelt words.
#
# ## 6. RNN, GRU and LSTM: the same data, the same size, the same steps
#
# The GRU (Cho et al., 2014) is a lighter gated cell: two gates, no separate memory
# line, $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$, so it too has a path along
# which $h$ is copied forward. Train a plain RNN and a GRU exactly as the LSTM was.
#
# **Predict, then run.** After the same number of steps, which of the three reaches the
# lowest validation loss, and is the plain RNN far behind?

# %%
runs = {"LSTM": (lstm_model, lstm_losses, lstm_seconds, lstm_val)}
for kind in ("RNN", "GRU"):
    model, losses, _, seconds = train(kind)
    runs[kind] = (model, losses, seconds, evaluate(model, val_eval))
print(f"{'cell':<6}{'parameters':>12}{'seconds':>9}{'val loss':>10}")
for kind in ("RNN", "GRU", "LSTM"):
    model, losses, seconds, val = runs[kind]
    print(f"{kind:<6}{sum(p.numel() for p in model.parameters()):>12,}{seconds:>9.0f}{val:>10.3f}")
full.table({f"{kind} validation loss": runs[kind][3] for kind in ("RNN", "GRU", "LSTM")},
           f"validation loss (nats/char; full run: the whole split) after {STEPS} steps")  # fmt: skip


# %%
def smooth(values, window):
    values = np.asarray(values)
    window = max(1, min(window, len(values)))
    return np.convolve(values, np.ones(window) / window, mode="valid")


fig, (ax, ax_grad) = plt.subplots(1, 2, figsize=(11, 3.8))
for kind, colour in (("RNN", "tab:red"), ("GRU", "tab:green"), ("LSTM", "tab:blue")):
    curve = smooth(runs[kind][1], 5 if QUICK else 20)
    ax.plot(
        np.arange(len(curve)) + (len(runs[kind][1]) - len(curve)), curve, color=colour, label=kind
    )
ax.axhline(math.log(V), color="grey", ls=":", lw=1, label="ln V (uniform)")
ax.set(xlabel="training step", ylabel="training loss (nats/char)",
       title=f"Same size, same data ({MODE})")  # fmt: skip
ax.legend()

# gradient against distance, at initialisation and after this training
trained = {kind: gradient_by_distance(runs[kind][0].embed, runs[kind][0].rnn, stretch)
           for kind in ("RNN", "GRU", "LSTM")}  # fmt: skip
distance = np.arange(DISTANCE + 1)
for kind, colour in (("RNN", "tab:red"), ("GRU", "tab:green"), ("LSTM", "tab:blue")):
    ax_grad.semilogy(distance, at_init[kind] / at_init[kind][0], color=colour, ls="--", lw=1,
                     label=f"{kind}, at init")  # fmt: skip
    ax_grad.semilogy(distance, trained[kind] / trained[kind][0], color=colour,
                     label=f"{kind}, trained")  # fmt: skip
ax_grad.semilogy(distance, at_init["LSTM, forget bias 3"] / at_init["LSTM, forget bias 3"][0],
                 color="tab:purple", ls=":", label="LSTM, forget bias 3, at init")  # fmt: skip
ax_grad.set(xlabel="distance back in time (characters)",
            ylabel="gradient norm / norm at distance 0", ylim=(1e-12, 10),
            title="How far back the gradient reaches")  # fmt: skip
ax_grad.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
fig.tight_layout()
full.figure(fig, "rnn_gru_lstm")
plt.show()
full.show_figure("rnn_gru_lstm", "loss curves and gradient against distance")
full.table({f"{kind} trained, grad(30) / grad(1)": float(trained[kind][30] / trained[kind][1])
            for kind in ("RNN", "GRU", "LSTM")}, "after training: gradient 30 steps back")  # fmt: skip

# %%
stored = {kind: full[f"{kind} validation loss"] for kind in ("RNN", "GRU", "LSTM")}
order = sorted(stored, key=stored.get)
print(f"{full.label}: lowest validation loss {order[0]} ({stored[order[0]]:.3f}), then "
      f"{order[1]} ({stored[order[1]]:.3f}), then {order[2]} ({stored[order[2]]:.3f}); "
      f"LSTM minus RNN: {stored['LSTM'] - stored['RNN']:+.3f} nats/char")  # fmt: skip

# %% [markdown]
# Read the table and the two panels together. On the left, the training loss of each
# cell, step by step; the printout above ranks them on the validation split. On the
# right, the dashed lines (at initialisation) fall away within a few characters for
# every cell, and the dotted line shows that opening the LSTM's forget gates alone keeps
# its gradient alive across tens of characters. After training (solid lines), compare
# how far back each cell's gradient now reaches: that is the memory it can learn to use.
# 1,200 steps of 32 x 64 characters (about two and a half passes over the text) are
# still a short training, and most of what a character model learns first (letters,
# words, spacing) needs only a few characters of memory; the plain RNN's vanishing
# gradient matters more the longer the dependencies a model must learn, and the gated
# cells pull ahead as training goes on.
#
# The full run stops there to stay within minutes. For a longer run,
# `journey train char-rnn --cell lstm` (or `gru`, `rnn`) trains the library's character
# model by the same recipe and writes the usual run folder: metrics, a loss picture and a
# checkpoint that `journey sample` reads.
#
# ## What you built
#
# - the recurrence: one step function, applied along the sequence with its state
#   carried, equal to `nlpjourney.rnn.RNN` and `torch.nn.RNN`;
# - the gradient a step sends back, checked by autograd and by finite differences;
# - a measurement of vanishing gradients: the plain RNN's dies exponentially with the
#   distance; the LSTM's cell line passes the gradient times the forget gates, so it
#   survives where those gates stay open;
# - the LSTM cell, equal to `nlpjourney.rnn.LSTMCell` and `torch.nn.LSTMCell`;
# - a character model trained by truncated backpropagation through time with clipping,
#   sampled at several temperatures, and the RNN, GRU and LSTM compared.
#
# Next: exercise 3.3 (`journey check 3.3`), the LSTM cell forward and backward in NumPy
# with its gradient check; then topic 3.4, convolutions over text, and 3.5, where an
# encoder-decoder of these cells learns to translate and attention removes the need to
# squeeze a sentence into one vector.
