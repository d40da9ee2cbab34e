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
# # 3.2 PyTorch fundamentals: tensors, autograd, modules, data, the training loop
#
# In 3.1 you built an autograd engine on NumPy. PyTorch is the industrial version of the
# same idea, and the rest of this course trains its models with it. This lesson walks
# through the parts you will use every day, each time on something small enough to check:
#
# 1. **tensors**: dtype, device, shape, broadcasting, and views that share memory;
# 2. **autograd**: `requires_grad`, `backward`, gradients that accumulate, `no_grad`;
# 3. **`nn.Module`**: parameters, `state_dict`;
# 4. **`Dataset` and `DataLoader`** over the scikit-learn digits;
# 5. **a clean training loop**: a train/test split, evaluation every epoch, a checkpoint
#    you can resume from exactly, and a loss curve;
# 6. **optimizers**: SGD, momentum, Adam and AdamW raced on one model, and AdamW's update
#    written out in cells and checked against `nlpjourney.optim.AdamW` and
#    `torch.optim.AdamW`;
# 7. **learning-rate schedules**: linear warm-up, then linear or cosine decay;
# 8. **the same model in our engine and in torch**, same weights, same losses;
# 9. **the same model in Keras and in JAX**, because you will meet both at work. These
#    cells run when the optional extra is installed (`pip install 'nlpjourney[frameworks]'`)
#    and print a note otherwise.
#
# Set `JOURNEY_QUICK=1` in the environment to run everything with fewer epochs.

# %%
import copy
import importlib.util
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

import nlpjourney.autograd.nn as our_nn
from nlpjourney import optim as our_optim
from nlpjourney.autograd import Tensor, functional
from nlpjourney.course import check
from nlpjourney.course.results import FullRun
from nlpjourney.optim import schedules

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("3.2")  # the lesson's stored full run: its numbers print beside this run's
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)
workdir = Path(tempfile.mkdtemp(prefix="journey-3.2-"))  # checkpoints and pictures go here
print("torch", torch.__version__, "on", device, "| files in", workdir)

# %% [markdown]
# ## 1. Tensors
#
# A tensor is an n-dimensional array, like a NumPy array, plus two things NumPy lacks:
# it can live on a GPU, and it can record the operations done to it so that gradients
# can be computed. Every tensor has a **dtype** (what kind of number), a **device**
# (where its memory is) and a **shape**.

# %%
counts = torch.tensor([[1, 0, 3], [0, 2, 0]])  # from Python ints
weights = torch.tensor([0.5, -1.0, 2.0])  # from Python floats
from_numpy = torch.from_numpy(np.array([1.0, 2.0]))
for name, t in [("counts", counts), ("weights", weights), ("from_numpy", from_numpy)]:
    print(f"{name:>10}: dtype {t.dtype}, device {t.device}, shape {tuple(t.shape)}")

# %% [markdown]
# Python floats become **float32**, torch's default, but a NumPy array keeps its dtype,
# and NumPy's default is float64. Mixing the two silently promotes to float64, which is
# twice the memory and, on a GPU, often many times slower. Say the dtype you want.
#
# An operation on two tensors needs both on the same device. `.to(device)` returns a copy
# on the target (or the tensor itself if it is already there); the usual pattern is to
# pick the device once, as the first cell did, and move the model and each batch to it.
#
# **Predict:** `counts` holds int64 and `weights` float32. What dtype is `counts + weights`?

# %%
print((counts.float() @ weights).dtype, "| int64 + float32 ->", (counts + weights).dtype)
on_device = weights.to(device)
print("on", on_device.device, "| float32 + float64 ->", (weights[:2] + from_numpy).dtype)

# %% [markdown]
# float32: an integer meeting a float takes the float's dtype, whatever the integer's
# width; two floats meet at the wider one, so float32 + float64 is float64.

# %% [markdown]
# **Broadcasting** follows NumPy's rule: line the shapes up from the right; two sizes
# match when they are equal or one of them is 1, and a missing axis counts as 1. A size-1
# axis is stretched without copying. A column of 3 plus a row of 4 gives a 3 x 4 table:

# %%
column = torch.arange(3.0).reshape(3, 1)  # (3, 1)
row = torch.tensor([0.0, 10.0, 20.0, 30.0])  # (4,) is treated as (1, 4)
table = column + row  # (3, 4)
print(table)
assert torch.equal(table, torch.from_numpy(np.arange(3.0)[:, None] + row.numpy()))

# %% [markdown]
# **Exercise: every distance at once.** Given `a` of shape (n, d) and `b` of shape (m, d),
# write `my_squared_distances(a, b)`, the (n, m) table of squared Euclidean distances
# between every row of `a` and every row of `b`, with broadcasting and no Python loop.


# %%
def my_squared_distances(a, b):
    return None  # your code


# %%
own = torch.Generator().manual_seed(7)  # its own generator: later cells' draws stay the same
points_a, points_b = torch.randn(5, 3, generator=own), torch.randn(4, 3, generator=own)
check(
    "squared distances by broadcasting",
    my_squared_distances(points_a, points_b),
    torch.cdist(points_a, points_b) ** 2,
    hint="give the two inputs shapes that line up as (n, 1, d) against (1, m, d), so their "
    "difference is every pair at once; then square and sum over d",
    rtol=1e-4,
    atol=1e-5,
)

# %% [markdown]
# A **view** is a tensor that reads someone else's memory with a different shape or
# stride. `view`, `transpose`, slicing and `expand` make views: no data is copied, and a
# write through the view changes the original. `reshape` gives a view when it can and a
# copy when it must; `view` refuses instead of copying.
#
# **Predict:** `grid = base.view(2, 3)`, then `grid[0, 0] = 100.0`. What is `base[0]` now?

# %%
base = torch.arange(6.0)
grid = base.view(2, 3)  # the same six numbers, read as two rows
grid[0, 0] = 100.0
print("base after writing into the view:", base)
print("shared memory:", grid.data_ptr() == base.data_ptr())

flipped = grid.T  # (3, 2): a view with swapped strides
print("strides of grid", grid.stride(), "and of its transpose", flipped.stride())
print("transpose is contiguous?", flipped.is_contiguous())
try:
    flipped.view(6)
except RuntimeError as error:
    print("view refused:", str(error)[:70], "...")
flat = flipped.reshape(6)  # copies, because no single stride reads the columns in order
print("reshape copied?", flat.data_ptr() != base.data_ptr(), flat)

# %% [markdown]
# `base[0]` is 100 too: the view and the base are one piece of memory, read two ways.
#
# The same holds for NumPy interop: `torch.from_numpy` and `.numpy()` share memory with
# the array (on the CPU), so changing one changes the other. Call `.clone()` when you want
# an independent copy.
#
# ## 2. Autograd
#
# Mark a tensor with `requires_grad=True` and torch records every operation that uses it.
# `backward()` on a scalar result walks that record backwards, exactly as your engine in
# 3.1 did, and leaves $\partial\,\text{result} / \partial x$ in `x.grad`.

# %%
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x**2).sum() + 3 * x[0]  # dy/dx = 2x + (3, 0, 0)
y.backward()
print("x.grad:", x.grad)
assert torch.equal(x.grad, 2 * x.detach() + torch.tensor([3.0, 0.0, 0.0]))

ours = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)  # the 3.1 engine agrees
((ours**2).sum() + 3 * ours[0]).backward()
np.testing.assert_allclose(ours.grad, x.grad.numpy())

# %% [markdown]
# Gradients **accumulate**: a second `backward()` *adds* to `x.grad` instead of replacing
# it. This is on purpose (a model used twice in one loss, or a batch too large for memory
# split into pieces, both need the sum), but it means the training loop must clear the
# gradients before each step. Forgetting to is a classic bug: the steps grow and grow.
#
# **Predict:** `x.grad` is now `[5, 4, 6]` (that is $2x + (3, 0, 0)$). After two more
# `backward()` calls of $\sum x^2$, what will it be?

# %%
for _ in range(2):
    ((x**2).sum()).backward()  # 2x each time
print("after two more backward passes:", x.grad)  # the old grad + 2x + 2x
x.grad = None  # what optimizer.zero_grad() does by default
((x**2).sum()).backward()
print("cleared, then one pass:        ", x.grad)

# %% [markdown]
# `[9, 12, 18]`: the old gradient plus $2x$ twice. Cleared, one pass gives $2x$ alone.

# %% [markdown]
# Inside `torch.no_grad()` nothing is recorded: results have `requires_grad=False`, and no
# memory is spent keeping the inputs for a backward pass. Use it for evaluation, and for
# updating weights by hand (the update itself must not become part of the graph).
# `detach()` does the same for one tensor: the same data, cut off from its history.

# %%
with torch.no_grad():
    doubled = 2 * x
print("inside no_grad:", doubled.requires_grad, "| outside:", (2 * x).requires_grad)
print("detached:", x.detach().requires_grad)

# %% [markdown]
# Those pieces are already enough to train something. Gradient descent on a line fit,
# with nothing but tensors: forward, loss, backward, update under `no_grad`, clear.

# %%
inputs = torch.linspace(-1, 1, 50)
targets = 3 * inputs - 0.5 + 0.1 * torch.randn(50)
slope = torch.zeros((), requires_grad=True)
intercept = torch.zeros((), requires_grad=True)
for _ in range(200):
    loss = ((slope * inputs + intercept - targets) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in (slope, intercept):
            p -= 0.3 * p.grad
            p.grad = None
print(f"fitted y = {slope.item():.3f} x + {intercept.item():.3f}   (true: 3 x - 0.5)")

# %% [markdown]
# ## 3. `nn.Module`
#
# A module bundles parameters with the code that uses them. Assign layers as attributes in
# `__init__` and torch registers them: `parameters()` finds every weight, `to(device)`
# moves them all, `state_dict()` names them for saving. Write the computation in
# `forward`, and call the module itself (`model(x)`), never `model.forward(x)`, so torch
# can run its hooks.


# %%
class MLP(nn.Module):
    """64 pixels -> hidden ReLU layer -> 10 digit scores (logits)."""

    def __init__(self, hidden: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # (B, 64) -> (B, 10)


model = MLP()
for name, p in model.named_parameters():
    print(f"{name:<14} {tuple(p.shape)!s:<10} requires_grad={p.requires_grad}")
print("parameters:", sum(p.numel() for p in model.parameters()))

# %% [markdown]
# The `state_dict` is an ordered dict from those names to tensors. Loading it into a fresh
# instance of the same class reproduces the model exactly; this is what a checkpoint
# stores. Our engine's `nlpjourney.autograd.nn` gives the same structure the same names,
# which section 8 uses to copy weights across.

# %%
twin = MLP()
twin.load_state_dict(model.state_dict())
probe = torch.randn(5, 64)
assert torch.equal(twin(probe), model(probe))
ours_mlp = our_nn.Sequential(our_nn.Linear(64, 64), our_nn.ReLU(), our_nn.Linear(64, 10))
print(list(model.state_dict()))
print(["net." + name for name in ours_mlp.state_dict()])

# %% [markdown]
# ## 4. `Dataset` and `DataLoader`
#
# Our data: 1797 handwritten digits, 8 x 8 grey levels from 0 to 16, flattened to 64
# numbers and scaled to [0, 1]. We hold out a fifth as a test set, stratified so every
# digit appears in the same proportion on both sides.
#
# A `Dataset` answers two questions: how many examples (`__len__`) and what example `i`
# is (`__getitem__`). A `DataLoader` does everything else: it shuffles the indices each
# epoch, fetches a batch of examples, and stacks them into tensors.

# %%
images, digits = load_digits(return_X_y=True)
images = (images / 16.0).astype(np.float32)
train_x, test_x, train_y, test_y = train_test_split(
    images, digits, test_size=0.2, random_state=0, stratify=digits
)
print(f"train {train_x.shape}, test {test_x.shape}")


class DigitsDataset(Dataset):
    """(pixels, label) pairs: pixels float32 of shape (64,), the label an int64 scalar."""

    def __init__(self, pixels: np.ndarray, labels: np.ndarray) -> None:
        self.pixels = torch.as_tensor(pixels, dtype=torch.float32)
        self.labels = torch.as_tensor(labels, dtype=torch.int64)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.pixels[i], self.labels[i]


train_set, test_set = DigitsDataset(train_x, train_y), DigitsDataset(test_x, test_y)
library_set = TensorDataset(torch.from_numpy(train_x), torch.from_numpy(train_y))
for i in (0, 7, len(train_set) - 1):  # ours agrees with torch's ready-made TensorDataset
    assert all(torch.equal(a, b) for a, b in zip(train_set[i], library_set[i], strict=True))

loader = DataLoader(
    train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(0)
)
batch_x, batch_y = next(iter(loader))
print(f"{len(loader)} batches per epoch; one batch: {tuple(batch_x.shape)} {batch_x.dtype}, "
      f"{tuple(batch_y.shape)} {batch_y.dtype}")  # fmt: skip
print("labels of the first batch:", batch_y[:16].tolist())

# %% [markdown]
# The loader gets its own seeded `torch.Generator`. Its state decides the order of every
# epoch, so saving that state is part of making a run resumable (section 5). For larger
# data, `num_workers=4` would load batches in background processes; for 1400 small
# images the main process is faster.
#
# **Exercise: two half-batches, one gradient.** When a batch does not fit in memory, run it
# in pieces and let the gradients accumulate. Write `my_accumulated_grad(model, x, y)`:
# split the batch into two halves of equal size, call `backward()` once per half, and
# return the first layer's weight gradient, `model.net[0].weight.grad`. It must equal the
# gradient of the mean cross-entropy over the whole batch.


# %%
def my_accumulated_grad(model, x, y):
    return None  # your code


# %%
torch.manual_seed(1)
half_model = MLP()
whole_model = copy.deepcopy(half_model)
nn.functional.cross_entropy(whole_model(batch_x), batch_y).backward()
check(
    "gradient accumulated over two halves",
    my_accumulated_grad(half_model, batch_x, batch_y),
    whole_model.net[0].weight.grad,
    hint="each half's loss is a mean over half the examples; the whole batch's mean is "
    "the average of the two, so scale each half's loss before backward",
    rtol=1e-4,
    atol=1e-6,
)

# %% [markdown]
#
# ## 5. A clean training loop
#
# Two functions carry the whole loop. `train_one_epoch` runs the five steps per batch
# (move to the device, forward, loss, backward, step) and `evaluate` measures loss and
# accuracy in evaluation mode without recording a graph. Keeping them separate means the
# same `evaluate` serves every epoch, the test set, and any model.


# %%
def train_one_epoch(model, loader, optimizer) -> float:
    """One pass over loader; returns the mean training loss."""
    model.train()
    total, seen = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        seen += len(y)
    return total / seen


@torch.no_grad()
def evaluate(model, loader) -> tuple[float, float]:
    """Mean cross-entropy and accuracy over loader, in eval mode."""
    model.eval()
    total, correct, seen = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        total += nn.functional.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total / seen, correct / seen


# %% [markdown]
# A **checkpoint** holds everything the next epoch depends on: the model's weights, the
# optimizer's state (Adam's moments and step counts: without them a resumed run restarts
# its bias correction and takes different steps), the epoch number, and the random state
# that shuffles the data. Everything is built by one function from a seed, so a resumed
# run can build the same objects and then overwrite their state.
#
# A habit to keep: `torch.save` writes a pickle, and unpickling can run any code its
# author put in the file. `torch.load(path, weights_only=True)` reads only tensors,
# numbers, strings and the plain containers around them, and refuses anything else, so
# a checkpoint from someone else cannot run code on your machine. Write the argument out
# every time, even where your torch version already defaults to it: the code then says
# what it trusts.


# %%
def make_run(seed: int = 0):
    """A fresh model, AdamW optimizer and shuffling train loader, all from one seed."""
    torch.manual_seed(seed)
    model = MLP().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    loader = DataLoader(
        train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    return model, optimizer, loader


def save_checkpoint(path, model, optimizer, loader, epoch) -> None:
    torch.save(
        {
            "epoch": epoch,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "shuffle_rng": loader.generator.get_state(),
            # Dropout and other random layers draw from the global generator.
            "torch_rng": torch.get_rng_state(),
        },
        path,
    )


def load_checkpoint(path, model, optimizer, loader) -> int:
    """Restores the states in place; returns the epoch to start from."""
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    loader.generator.set_state(checkpoint["shuffle_rng"])
    torch.set_rng_state(checkpoint["torch_rng"])
    return checkpoint["epoch"] + 1


test_loader = DataLoader(test_set, batch_size=256)
epochs = 6 if QUICK else 30
model, optimizer, loader = make_run(seed=0)
history = {"train loss": [], "test loss": [], "test accuracy": []}
for epoch in range(epochs):
    train_loss = train_one_epoch(model, loader, optimizer)
    test_loss, test_accuracy = evaluate(model, test_loader)
    for key, value in zip(history, (train_loss, test_loss, test_accuracy), strict=True):
        history[key].append(value)
    save_checkpoint(workdir / "last.pt", model, optimizer, loader, epoch)
    if epoch % 5 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d}  train loss {train_loss:.4f}  test loss {test_loss:.4f}  "
              f"test accuracy {test_accuracy:.1%}")  # fmt: skip

# %%
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_loss.plot(history["train loss"], label="train")
ax_loss.plot(history["test loss"], label="test")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("cross-entropy")
ax_loss.set_title("loss per epoch")
ax_loss.legend()
ax_acc.plot(history["test accuracy"], color="tab:green")
ax_acc.set_ylim(0.8, 1.0)
ax_acc.set_xlabel("epoch")
ax_acc.set_ylabel("accuracy")
ax_acc.set_title("test accuracy")
for ax in (ax_loss, ax_acc):
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(workdir / "loss_curve.png", dpi=100, bbox_inches="tight")
full.figure(fig, "loss-curve")
print("saved", workdir / "loss_curve.png")
plt.show()
full.keep("history", history)
full.show_figure("loss-curve", f"{len(full['history']['test accuracy'])} epochs")
full.table(
    {
        "epochs": epochs,
        "train loss at the end": history["train loss"][-1],
        "test loss at the end": history["test loss"][-1],
        "test accuracy at the end (%)": 100 * history["test accuracy"][-1],
    },
    title="section 5: AdamW at 3e-3, constant rate",
)

# %% [markdown]
# The curves are this run's; in quick mode the stored full run's follow them. The cell
# below reads the full run's history and prints what to look for in its picture.

# %%
run = full["history"]
accuracy_tail = run["test accuracy"][-20:]
best = int(np.argmin(run["test loss"]))
print(f"{full.label}, {len(run['test loss'])} epochs (numbered from 0, as in the plot):")
for epoch in (0, 4, 9, len(run["test loss"]) - 1):
    print(f"  epoch {epoch:2d}: train loss {run['train loss'][epoch]:.4f}, "
          f"test loss {run['test loss'][epoch]:.4f}")  # fmt: skip
print(f"  test accuracy over the last {len(accuracy_tail)} epochs: between "
      f"{min(accuracy_tail):.1%} and {max(accuracy_tail):.1%}")  # fmt: skip
print(f"  lowest test loss at epoch {best}: {run['test loss'][best]:.4f}")

# %% [markdown]
# In the full run the two losses fall together for about five epochs. Then a gap opens:
# the training loss keeps falling steeply, the test loss only slowly, because part of
# what the network now learns is particular to the training images. Test accuracy climbs
# quickly over the first ten epochs and then moves only within the narrow band printed
# above, while the training loss still falls severalfold. The test loss creeps down to
# the end in this run, so its lowest point comes late.
# Had the test loss started to rise, the epoch where it was lowest would be the one to
# keep, and a checkpoint per epoch is how you keep it.
#
# Now the proof that a checkpoint is complete. Train four epochs straight; separately,
# train two, save, throw everything away, build fresh objects, load, and train two more.
# If anything the next epoch depends on were missing from the checkpoint, the two runs
# would part ways.

# %%
straight_model, straight_optimizer, straight_loader = make_run(seed=1)
straight = [train_one_epoch(straight_model, straight_loader, straight_optimizer) for _ in range(4)]

first_model, first_optimizer, first_loader = make_run(seed=1)
resumed = [train_one_epoch(first_model, first_loader, first_optimizer) for _ in range(2)]
save_checkpoint(workdir / "epoch1.pt", first_model, first_optimizer, first_loader, epoch=1)
del first_model, first_optimizer, first_loader

model, optimizer, loader = make_run(seed=99)  # a different seed: everything must come from the file
start = load_checkpoint(workdir / "epoch1.pt", model, optimizer, loader)
resumed += [train_one_epoch(model, loader, optimizer) for _ in range(start, 4)]
print("straight:", np.round(straight, 6))
print("resumed: ", np.round(resumed, 6))
for (name, a), b in zip(
    straight_model.state_dict().items(), model.state_dict().values(), strict=True
):
    torch.testing.assert_close(a, b, rtol=0, atol=1e-6 if device == "cuda" else 0, msg=name)
print("weights after epoch 3 are identical")

# %% [markdown]
# Try it: delete the line of `load_checkpoint` that restores the shuffling state, or the
# one that restores the optimizer, and the last two losses part from the straight run.
#
# ## 6. Optimizers
#
# `torch.optim` holds the update rules; all share `zero_grad()` and `step()`. The four you
# will meet most, from the same starting weights on the same batches:
#
# - **SGD**: $w \leftarrow w - \eta g$;
# - **SGD with momentum**: a running sum of past gradients, $b \leftarrow \mu b + g$,
#   $w \leftarrow w - \eta b$, which builds speed along directions the gradients agree on;
# - **Adam**: per-coordinate steps scaled by running averages of $g$ and $g^2$;
# - **AdamW**: Adam with the weight decay taken out of the gradient (more below).


# %%
def race(make_optimizer, epochs: int, seed: int = 2) -> list[float]:
    """Per-step training losses of an MLP trained with make_optimizer(params)."""
    torch.manual_seed(seed)
    model = MLP().to(device)
    optimizer = make_optimizer(model.parameters())
    loader = DataLoader(
        train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    losses = []
    for _ in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x.to(device)), y.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


contestants = {
    "SGD lr 0.1": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "SGD + momentum 0.9, lr 0.1": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
    "Adam lr 1e-2": lambda ps: torch.optim.Adam(ps, lr=1e-2),
    "AdamW lr 1e-2, weight decay 0.01": lambda ps: torch.optim.AdamW(
        ps, lr=1e-2, weight_decay=1e-2
    ),
}
race_epochs = 4 if QUICK else 15
curves = {name: race(make, race_epochs) for name, make in contestants.items()}
epoch_means = {  # the mean training loss of each epoch, per optimizer
    name: np.mean(np.reshape(losses, (race_epochs, -1)), axis=1) for name, losses in curves.items()
}

fig, ax = plt.subplots(figsize=(7, 4))
window = 10  # a moving average: single batches are noisy
for name, losses in curves.items():
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
    ax.plot(np.arange(window - 1, len(losses)), smooth, label=name)
ax.set_yscale("log")
ax.set_xlabel("step (23 batches of 64 per epoch)")
ax.set_ylabel(f"training loss, mean of {window} steps")
ax.set_title("The same model, the same batches, four optimizers")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()
full.figure(fig, "optimizers")
plt.show()
full.show_figure("optimizers", "four optimizers, 15 epochs")
full.keep("epoch means", epoch_means)
full.table(
    {"epochs raced": race_epochs} | {name: means[-1] for name, means in epoch_means.items()},
    title="the race: mean training loss of the last epoch",
)

# %% [markdown]
# The cell below reads the full run's mean loss per epoch and prints when each optimizer
# first does better than plain SGD's last epoch, and the gap between Adam and AdamW.

# %%
means = {name: np.array(values) for name, values in full["epoch means"].items()}
sgd, momentum = means["SGD lr 0.1"], means["SGD + momentum 0.9, lr 0.1"]
adam, adamw = means["Adam lr 1e-2"], means["AdamW lr 1e-2, weight decay 0.01"]
print(f"{full.label}, {len(sgd)} epochs (numbered from 1):")
print(f"  plain SGD's last epoch: mean loss {sgd[-1]:.4f}")
for name, values in means.items():
    if values is not sgd:
        below = np.flatnonzero(values < sgd[-1])
        when = f"from epoch {below[0] + 1}" if len(below) else "in no epoch"
        print(f"  {name} is below that {when}")
print("  epoch means, epochs 1 to 4:")
for name, values in means.items():
    print(f"    {name:<34}" + " ".join(f"{v:.4f}" for v in values[:4]))
print(f"  Adam and AdamW differ by at most {np.max(np.abs(adam - adamw) / adam):.1%} in any epoch")
print(f"  section 5's AdamW at 3e-3, epoch {len(sgd)}: mean loss {run['train loss'][len(sgd) - 1]:.4f}, "
      f"momentum's {momentum[-1]:.4f}")  # fmt: skip

# %% [markdown]
# In the full run (the numbers above; in quick mode its picture is the second plot),
# plain SGD is far behind: its last epoch is about where the others were after three. Momentum,
# with the same learning rate, goes much further with each gradient. Adam and AdamW drop
# fastest over the first few dozen steps, because every coordinate takes a step of about
# the learning rate whatever the size of its gradient; momentum catches up over the third
# and fourth epochs, and from then on the three run together. Adam and AdamW lie almost
# on top of each other, a few percent apart at most: with a decay of 0.01 and a few
# hundred steps the weights shrink by only a few percent, which barely shows in the
# training loss. The decay earns its keep in long runs of large models, where it keeps
# the weights from growing without bound. Which optimizer "wins" also depends on the
# learning rate each is given: section 5's AdamW at 3e-3 (the last line above, another
# seed but the same data) is well behind momentum after as many epochs.
#
# ### AdamW's update, by hand
#
# Adam keeps two running averages per parameter, of the gradient $m$ and of its square
# $v$, and moves each coordinate by their ratio. With step number $t$ counted from 1:
#
# $$m \leftarrow \beta_1 m + (1 - \beta_1) g \qquad v \leftarrow \beta_2 v + (1 - \beta_2) g^2$$
# $$\hat m = \frac{m}{1 - \beta_1^t} \qquad \hat v = \frac{v}{1 - \beta_2^t} \qquad
#   w \leftarrow w - \eta \frac{\hat m}{\sqrt{\hat v} + \epsilon}$$
#
# **Bias correction.** Both averages start at zero, so after one step $m = (1 - \beta_1)g$
# is a tenth of the gradient and $v$ a thousandth of its square. Dividing by
# $1 - \beta^t$ undoes exactly that shrinkage; as $t$ grows the divisor tends to 1 and the
# correction fades away.
#
# **Decoupled weight decay.** Weight decay pulls every weight towards zero. Plain Adam
# adds it to the gradient as an L2 term, $g \leftarrow g + \lambda w$, but then it is
# divided by $\sqrt{\hat v}$ like the rest of the gradient, so a weight with large
# gradients barely decays. AdamW (Loshchilov and Hutter, 2019) applies it to the weight
# directly, $w \leftarrow w (1 - \eta\lambda)$, before the Adam step: every weight shrinks by
# the same factor, and $m$ and $v$ see only the loss's gradient.


# %%
def my_adamw_step(params, state, t, lr=3e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """One AdamW step on a list of torch parameters; state holds m and v per parameter."""
    beta1, beta2 = betas
    with torch.no_grad():
        for p in params:
            m, v = state.setdefault(id(p), (torch.zeros_like(p), torch.zeros_like(p)))
            p.mul_(1 - lr * weight_decay)  # decoupled decay, on the weight itself
            m.mul_(beta1).add_((1 - beta1) * p.grad)
            v.mul_(beta2).add_((1 - beta2) * p.grad**2)
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            p.sub_(lr * m_hat / (v_hat.sqrt() + eps))


# %% [markdown]
# Three copies of one model, three optimizers (ours in cells, the library's, torch's),
# the same five batches. Every weight must agree after every step, up to float32 rounding.

# %%
torch.manual_seed(3)
mine = MLP()
library_copy, torch_copy = copy.deepcopy(mine), copy.deepcopy(mine)
library_optimizer = our_optim.AdamW(library_copy.parameters(), lr=3e-3, weight_decay=1e-2)
torch_optimizer = torch.optim.AdamW(torch_copy.parameters(), lr=3e-3, weight_decay=1e-2)
my_state = {}
batches = iter(
    DataLoader(train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(3))
)
for t in range(1, 6):
    x, y = next(batches)
    for net in (mine, library_copy, torch_copy):
        net.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
    my_adamw_step(list(mine.parameters()), my_state, t)
    library_optimizer.step()
    torch_optimizer.step()
    for a, b, c in zip(
        mine.parameters(), library_copy.parameters(), torch_copy.parameters(), strict=True
    ):
        torch.testing.assert_close(a, b)
        torch.testing.assert_close(a, c)
print("5 steps: cell-built AdamW = nlpjourney.optim.AdamW = torch.optim.AdamW")

# %% [markdown]
# `nlpjourney.optim.AdamW` took torch parameters above, and it takes our engine's tensors
# too (section 8), through the same code. Exercise 3.2 asks you to write this update, and
# Adam's with L2, as NumPy functions; its reference is `nlpjourney.optim.functional`.
#
# ## 7. Learning-rate schedules
#
# A fixed learning rate is a compromise: large enough to make progress early, small
# enough to settle late. A schedule changes it as training goes. Transformers almost
# always start with a **linear warm-up** from 0: in the first steps Adam's $v$ rests on
# only a few gradients, so its steps are unreliable, and small ones do less harm. After
# the warm-up the rate decays, linearly or along half a cosine, to 0 at the last step.
# Both are a factor times the base rate.
#
# **Predict:** halfway through the decay (step 550 of 1000, after 100 of warm-up), which
# is higher, the linear or the cosine factor?

# %%
total_steps, warmup_steps = 1000, 100


def my_linear_warmup(step: int) -> float:
    if step < warmup_steps:
        return step / warmup_steps
    return max(0.0, (total_steps - step) / (total_steps - warmup_steps))


def my_cosine_warmup(step: int) -> float:
    if step < warmup_steps:
        return step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)  # 0 -> 1
    return 0.5 * (1 + np.cos(np.pi * progress))


steps = np.arange(total_steps + 1)
for mine_fn, library_fn in [
    (my_linear_warmup, schedules.linear_with_warmup),
    (my_cosine_warmup, schedules.cosine_with_warmup),
]:
    np.testing.assert_allclose(
        [mine_fn(s) for s in steps],
        [library_fn(s, warmup_steps, total_steps) for s in steps],
        atol=1e-12,
    )
print("cell-built factors equal nlpjourney.optim.schedules at every step")
for step in (325, 550, 775):
    print(f"step {step}: linear {my_linear_warmup(step):.3f}, cosine {my_cosine_warmup(step):.3f}")

# %% [markdown]
# The scheduler classes apply a factor to an optimizer: call `scheduler.step()` once per
# batch, after `optimizer.step()`, and it writes the new rate into
# `optimizer.param_groups`. They drive torch's optimizers and ours alike. Here they drive a
# torch AdamW with base rate 3e-3, and we record the rate the optimizer actually uses.

# %%
recorded = {}
for name, make_scheduler in [
    ("linear warm-up, linear decay", our_optim.LinearWithWarmup),
    ("linear warm-up, cosine decay", our_optim.CosineWithWarmup),
]:
    optimizer = torch.optim.AdamW(MLP().parameters(), lr=3e-3)
    scheduler = make_scheduler(optimizer, warmup_steps, total_steps)
    rates = []
    for _ in range(total_steps + 1):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # no gradients: nothing moves, only the rate is recorded
        scheduler.step()
    recorded[name] = rates

fig, ax = plt.subplots(figsize=(8, 4))
for name, rates in recorded.items():
    ax.plot(steps, rates, label=name)
ax.axvline(warmup_steps, color="grey", linestyle=":", label=f"end of warm-up (step {warmup_steps})")
ax.set_xlabel("step")
ax.set_ylabel("learning rate")
ax.set_title("Schedules: the rate rises for 100 steps, then decays to 0 at step 1000")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# The two share the warm-up. After it, the cosine stays near the peak longer, then falls
# faster in the middle, and flattens out again towards 0; the linear decay loses the same
# amount every step. Halfway through the decay (step 550) both are at half the peak, so
# the answer to the question is neither: they meet there, and the cosine is the higher
# before that step and the lower after it.
#
# Used in training, the schedule is one more line in the loop. A warm-up also makes a
# larger peak rate safe: here we use 3e-2, ten times section 5's, with one epoch of
# warm-up and a cosine decay to 0 at the end.
#
# One trap: building a scheduler already sets the rate to its value at step 0, which
# after a warm-up is 0. Forget `scheduler.step()` and the model never moves.

# %%
torch.manual_seed(4)
model = MLP().to(device)
schedule_epochs = 4 if QUICK else 15
loader = DataLoader(
    train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(4)
)
optimizer = our_optim.AdamW(model.parameters(), lr=3e-2, weight_decay=1e-2)
scheduler = our_optim.CosineWithWarmup(optimizer, len(loader), schedule_epochs * len(loader))
for _ in range(schedule_epochs):
    model.train()
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x.to(device)), y.to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()  # after the optimizer, once per batch
test_loss, test_accuracy = evaluate(model, test_loader)
print(f"final lr {scheduler.get_last_lr()[0]:.1e}\n")
full.table(
    {
        "epochs, warm-up + cosine": schedule_epochs,
        "test accuracy, warm-up + cosine (%)": 100 * test_accuracy,
        "epochs, constant rate (section 5)": epochs,
        "test accuracy, constant rate (%)": 100 * history["test accuracy"][-1],
    },
    title="peak rate 3e-2 with a schedule against section 5's constant 3e-3",
)

# %% [markdown]
# The table compares the scheduled run with section 5's constant rate, in this run and
# in the stored full run (15 scheduled epochs against 30 constant ones). In the full run
# the schedule ends with the higher test accuracy in half the epochs: big steps while the
# weights are far from good, small ones to settle at the end.

# %% [markdown]
# ## 8. One model, two engines
#
# Our engine from 3.1 has its own `Module`, `Linear` and `ReLU`, with torch's parameter
# names and shapes, and `nlpjourney.optim` updates its tensors with the same code it uses
# for torch's. So the same network can be trained in both: copy torch's initial weights
# across, feed both the same batches with the same optimizer settings, and the losses
# should agree step after step, up to float32 rounding.

# %%
torch.manual_seed(5)
torch_model = MLP()  # on the CPU: our engine runs on NumPy
engine_model = our_nn.Sequential(our_nn.Linear(64, 64), our_nn.ReLU(), our_nn.Linear(64, 10))
engine_model.load_state_dict(
    {name.removeprefix("net."): p.detach().numpy() for name, p in torch_model.state_dict().items()}
)
torch_optimizer = torch.optim.AdamW(torch_model.parameters(), lr=3e-3, weight_decay=1e-2)
engine_optimizer = our_optim.AdamW(engine_model.parameters(), lr=3e-3, weight_decay=1e-2)

pair_steps = 30 if QUICK else 100
order = np.random.default_rng(5)
batch_indices = [order.choice(len(train_x), 64, replace=False) for _ in range(pair_steps)]
torch_losses, engine_losses = [], []
for idx in batch_indices:
    x, y = train_x[idx], train_y[idx]
    loss = nn.functional.cross_entropy(torch_model(torch.from_numpy(x)), torch.from_numpy(y))
    torch_optimizer.zero_grad()
    loss.backward()
    torch_optimizer.step()
    torch_losses.append(loss.item())

    loss = functional.cross_entropy(engine_model(Tensor(x)), y)
    engine_optimizer.zero_grad()
    loss.backward()
    engine_optimizer.step()
    engine_losses.append(float(loss.data))

print("step   torch     ours")
for t in [0, 1, 2, pair_steps // 2, pair_steps - 1]:
    print(f"{t:4d}  {torch_losses[t]:.6f}  {engine_losses[t]:.6f}")
difference = np.max(np.abs(np.array(torch_losses) - np.array(engine_losses)))
full.table(
    {"steps": pair_steps, "largest loss difference": difference},
    title="torch against our engine, the same batches",
)
assert difference < 1e-4

# %% [markdown]
# The largest difference in the table is a few units in the sixth or seventh digit of a
# loss near 1 or 2: the two engines add the same numbers in slightly different orders,
# and float32 keeps about seven digits. Everything else (the graph, the
# backward rules, the optimizer) is the same mathematics.
#
# ## 9. The same model in Keras and in JAX
#
# You will meet two other frameworks at work. **Keras** is a high-level API: you declare
# the layers, `compile` with an optimizer and a loss, and it runs the loop for you. Keras 3
# runs on top of JAX, TensorFlow or PyTorch; we pick JAX. **JAX** is NumPy with
# transformations: `jax.grad(f)` returns a new function that computes the gradient of `f`,
# and `jax.jit` compiles a function. Nothing in JAX is mutable: parameters are plain
# arrays in a dict, and an update returns new ones.
#
# Both get the torch model's initial weights and the batches of section 8, so their losses
# can be compared with `torch_losses`. Keras stores a dense layer's kernel as
# (inputs, outputs), the transpose of torch's (outputs, inputs) weight.

# %%
os.environ.setdefault("KERAS_BACKEND", "jax")  # before the import: tensorflow is not installed
has_keras = importlib.util.find_spec("keras") is not None
has_jax = importlib.util.find_spec("jax") is not None
if not (has_keras and has_jax):
    print("Keras or JAX is not installed, so the cells below skip their work.")
    print("Install them with: pip install 'nlpjourney[frameworks]'")

torch.manual_seed(5)
initial = {name: p.detach().numpy().copy() for name, p in MLP().state_dict().items()}  # as in 8

# %%
if has_keras and has_jax:
    import keras

    keras_model = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)]
    )
    keras_model.set_weights(
        [
            initial["net.0.weight"].T,
            initial["net.0.bias"],
            initial["net.2.weight"].T,
            initial["net.2.bias"],
        ]
    )
    keras_model.compile(
        # Keras' defaults differ from torch's (epsilon 1e-7, weight decay 0.004): set them.
        optimizer=keras.optimizers.AdamW(learning_rate=3e-3, weight_decay=1e-2, epsilon=1e-8),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    keras_losses = [
        float(keras_model.train_on_batch(train_x[i], train_y[i])) for i in batch_indices
    ]
    keras_gap = np.max(np.abs(np.array(keras_losses) - np.array(torch_losses)))
    print(f"Keras {keras.__version__} on {keras.backend.backend()}: largest difference "
          f"from torch's losses {keras_gap:.1e}")  # fmt: skip
    assert keras_gap < 1e-2
else:
    print("skipped: Keras side by side (Keras 3 and JAX not installed)")

# %% [markdown]
# For a real run you would call `keras_model.fit(train_x, train_y, batch_size=64,
# epochs=10, validation_data=(test_x, test_y))`, which shuffles, batches and evaluates for
# you; `train_on_batch` is used here only to feed the exact batches torch saw. The cell
# prints how far its losses are from torch's: close, but not down to float32 rounding
# (the cell only asserts a gap under 0.01), because Keras adds $\epsilon$ to $\sqrt{v}$
# before the bias correction instead of after it, a variant that moves the first steps
# very slightly.
#
# In raw JAX you write what Keras and `torch.optim` hide: the loss as a function of the
# parameters, `jax.value_and_grad` for its gradient, and the AdamW update, applied to
# every array of the parameter dict with `jax.tree_util.tree_map`.

# %%
if has_jax:
    import jax
    import jax.numpy as jnp

    def jax_loss(params, x, y):
        hidden = jax.nn.relu(x @ params["net.0.weight"].T + params["net.0.bias"])
        logits = hidden @ params["net.2.weight"].T + params["net.2.bias"]  # (B, 10)
        log_probs = jax.nn.log_softmax(logits)
        return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))

    @jax.jit
    def jax_step(params, m, v, t, x, y, lr=3e-3, beta1=0.9, beta2=0.999, eps=1e-8, wd=1e-2):
        loss, grads = jax.value_and_grad(jax_loss)(params, x, y)
        m = jax.tree_util.tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: beta2 * v + (1 - beta2) * g**2, v, grads)

        def update(w, m, v):
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            return w * (1 - lr * wd) - lr * m_hat / (jnp.sqrt(v_hat) + eps)

        return jax.tree_util.tree_map(update, params, m, v), m, v, loss

    params = {name: jnp.asarray(value) for name, value in initial.items()}
    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    jax_losses = []
    for t, idx in enumerate(batch_indices, start=1):
        params, m, v, loss = jax_step(params, m, v, t, train_x[idx], train_y[idx])
        jax_losses.append(float(loss))
    jax_gap = np.max(np.abs(np.array(jax_losses) - np.array(torch_losses)))
    print(f"JAX {jax.__version__}: largest difference from torch's losses {jax_gap:.1e}")
    assert jax_gap < 1e-4
else:
    print("skipped: JAX side by side (JAX not installed)")

# %% [markdown]
# The JAX loop matches torch as closely as our engine does: it is the same update, written
# out. Side by side, the four versions of one training step:
#
# | | forward and loss | gradients | update |
# |---|---|---|---|
# | torch | `loss = F.cross_entropy(model(x), y)` | `loss.backward()` fills `p.grad` | `optimizer.step()` changes `p` in place |
# | our engine | `functional.cross_entropy(model(Tensor(x)), y)` | `loss.backward()` fills `p.grad` | `nlpjourney.optim.AdamW.step()`, in place |
# | Keras | declared in `compile(loss=...)` | hidden inside `train_on_batch`/`fit` | hidden, the `optimizer=` given to `compile` |
# | JAX | a pure function `loss(params, x, y)` | `jax.grad(loss)` returns them as a new dict | you write it, and it returns new arrays |
#
# The last column is the real difference: torch and our engine mutate objects, JAX passes
# values, and Keras does not show you the step at all.
#
# ## What you built
#
# - tensors with a dtype, a device and a shape; broadcasting; views that share memory,
#   and when `reshape` has to copy;
# - autograd's contract: `backward` accumulates into `.grad`, so clear it each step, and
#   `no_grad` for evaluation and hand-written updates;
# - an `nn.Module`, a `Dataset` and a `DataLoader`, and a training loop with evaluation
#   every epoch, a loss curve, and a checkpoint that resumes a run exactly;
# - SGD, momentum, Adam and AdamW on one model; AdamW's update with bias correction and
#   decoupled decay, equal to `nlpjourney.optim.AdamW` and `torch.optim.AdamW`;
# - warm-up schedules with linear and cosine decay;
# - one model trained in our engine, torch, Keras and JAX, with the same losses.
#
# Now do the exercise: `journey check 3.2` grades your `adamw_step` and `adam_step`.
