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
# # 0.3 A neural network in plain NumPy: perceptron, MLP, backprop
#
# A neural network is matrix products with a bend between them, and training it is
# gradient descent with the chain rule doing the bookkeeping. This lesson builds one
# from the ground up, with nothing but NumPy, on 8x8 pictures of handwritten digits:
#
# 1. the **perceptron**: one linear unit that learns from its mistakes, which succeeds
#    whenever a straight cut separates the classes and fails forever on XOR;
# 2. a **hidden layer**, which bends the cut and solves XOR;
# 3. the **forward pass** of a multilayer perceptron (MLP), and **softmax with
#    cross-entropy** on its output;
# 4. **backpropagation** derived on paper, worked through with numbers on a network of
#    2-2-2 units, then written in code and checked three ways (finite differences,
#    PyTorch autograd, the library's `MLP.backward`);
# 5. **minibatch SGD** on the digits to high test accuracy (section 8 prints it), and a
#    look at the mistakes that remain.
#
# Every piece is built in cells first, compared with `nlpjourney.ml.mlp`, and from then
# on the library's version is used. Set `JOURNEY_QUICK=1` in the environment to train for
# fewer epochs.

# %%
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nlpjourney.ml.math as ml_math
from nlpjourney.course.results import FullRun
from nlpjourney.ml.mlp import MLP, Perceptron, cross_entropy, relu

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("0.3")  # the full run's stored numbers and pictures, shown beside this run's
rng = np.random.default_rng(0)  # one seeded generator: every run prints the same numbers
np.set_printoptions(precision=4, suppress=True)
torch.set_default_dtype(torch.float64)  # compare gradients with torch at full precision


def show(fig, name):
    """Show a figure, and keep a copy as a PNG in the temp folder."""
    fig.tight_layout()
    fig.savefig(os.path.join(tempfile.gettempdir(), name), dpi=80)
    plt.show()


# %% [markdown]
# ## 1. The digits
#
# scikit-learn ships a small scan of handwritten digits (the UCI "optdigits" set): 1797
# images of 8x8 pixels, each pixel a darkness from 0 to 16, with the digit it shows.
# Flattened row by row, an image is a vector of 64 numbers, the only view a network has
# of it. We scale the pixels to [0, 1] and hold back a quarter of the images, split so
# every digit is as common in the test set as in the training set.

# %%
digits = load_digits()
X_all, y_all = digits.data / 16.0, digits.target  # (1797, 64) floats, (1797,) ints
X_train, X_test, y_train, y_test = train_test_split(
    X_all, y_all, test_size=0.25, random_state=0, stratify=y_all
)
print(f"{len(X_train)} training and {len(X_test)} test images of {X_all.shape[1]} pixels")
print("images per digit:", np.bincount(y_all))

# %% [markdown]
# Four examples of each digit. Handwriting varies more than you might expect: some 1s
# have a base and some do not, and a 9 with a flat top is close to a 5. Images like these
# will be among the network's mistakes at the end.

# %%
fig, axes = plt.subplots(4, 10, figsize=(9, 4))
for digit in range(10):
    for row, index in enumerate(np.flatnonzero(y_all == digit)[:4]):
        ax = axes[row, digit]
        ax.imshow(digits.images[index], cmap="gray_r", vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
        if row == 0:
            ax.set_title(str(digit))
fig.suptitle("Handwritten digits: 8 x 8 pixels, 17 shades")
show(fig, "lesson-0.3-digits-grid.png")

# %% [markdown]
# ## 2. The perceptron
#
# Rosenblatt's perceptron (1958) is one linear unit. It gives each pixel a weight, adds
# them up with a bias, and answers with the sign:
#
# $$\hat y = \operatorname{sign}(w \cdot x + b), \qquad y \in \{-1, +1\}.$$
#
# It learns from its mistakes only. Visit the examples one by one; whenever
# $y\,(w \cdot x + b) \le 0$ (the wrong sign, or exactly on the fence), move the weights
# towards the right answer:
#
# $$w \leftarrow w + \eta\, y\, x, \qquad b \leftarrow b + \eta\, y.$$
#
# Why this helps: after the update the score of the same example grows by
# $\eta\, y\,(\|x\|^2 + 1)$ in the direction of $y$, so it is less wrong than before.
# Stop after the first pass over the data (an *epoch*) with no mistake.
#
# We try it on two digits that a straight cut can tell apart but not trivially: 1 and 8.


# %%
def my_perceptron(X, y, epochs=100, lr=1.0):
    """Rosenblatt's rule, in the order of the data; y holds -1 and +1."""
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes_per_epoch = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y, strict=True):
            if y_i * (x_i @ w + b) <= 0:  # a mistake: nudge towards y_i
                w += lr * y_i * x_i
                b += lr * y_i
                mistakes += 1
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return w, b, mistakes_per_epoch


pair = (y_all == 1) | (y_all == 8)
X_pair, y_pair = X_all[pair], y_all[pair]
signs = np.where(y_pair == 8, 1.0, -1.0)  # 8 is the positive class
w, b, mistakes = my_perceptron(X_pair, signs)
print(f"1 vs 8: {len(X_pair)} images, mistakes per epoch: {mistakes}")
print("training accuracy:", np.mean(np.sign(X_pair @ w + b) == signs))

# %% [markdown]
# The library's `Perceptron` runs the same rule (it takes any two labels and makes the
# larger one positive), so the weights and the mistake counts must agree exactly.

# %%
perceptron = Perceptron().fit(X_pair, y_pair, epochs=100)
np.testing.assert_allclose(perceptron.coef_, w)
np.testing.assert_allclose(perceptron.intercept_, b)
assert perceptron.mistakes_ == mistakes and perceptron.converged_

# %% [markdown]
# **Novikoff's theorem** (1962) says this always ends when the data can be separated: if
# some unit vector $u$ gives every example a margin $y\,(u \cdot x) \ge \gamma > 0$ and
# every $\|x\| \le R$ (fold the bias in as an extra input fixed at 1), the perceptron
# makes at most $(R/\gamma)^2$ mistakes in total. It says nothing helpful when no
# separating cut exists. The smallest such case is **XOR**: the output is 1 when exactly
# one of two inputs is 1. No line puts $(0, 1)$ and $(1, 0)$ on one side and $(0, 0)$
# and $(1, 1)$ on the other.
#
# **Predict, then run.** The perceptron below gets 50 epochs on XOR's four points, in a
# new order each epoch. Will any epoch end with 0 mistakes? If not, how few can it get?

# %%
X_xor = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y_xor = np.array([0, 1, 1, 0])
xor_perceptron = Perceptron().fit(X_xor, y_xor, epochs=50, seed=3)  # a new order each epoch
print("XOR mistakes per epoch:", xor_perceptron.mistakes_[:12], "...")
print("fewest mistakes in an epoch:", min(xor_perceptron.mistakes_))
print("converged:", xor_perceptron.converged_, " accuracy:", xor_perceptron.score(X_xor, y_xor))

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(range(1, len(mistakes) + 1), mistakes, "o-")
left.set_title("1 vs 8: separable, the mistakes reach 0")
right.plot(range(1, 51), xor_perceptron.mistakes_, "o-", color="tab:red", markersize=3)
right.set_title("XOR: not separable, mistakes forever")
for ax in (left, right):
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes in the epoch")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
show(fig, "lesson-0.3-perceptron-mistakes.png")

# %% [markdown]
# On 1 vs 8 the count falls unevenly (a fix for one image can break another) and
# reaches 0. On XOR it never does: the weights wander among a few small values, and no
# epoch has fewer mistakes than the minimum printed above. (Without the shuffling it is starker still: in the
# order 00, 01, 10, 11 each epoch makes four mistakes and ends with $w$ and $b$ back at
# exactly 0.) This is the limit Minsky and Papert made famous in 1969: one linear unit
# can only draw one straight line.
#
# ## 3. Why hidden layers: XOR with two layers
#
# The way out is to compute new features first and draw the line in their space. Two
# hidden ReLU units, $\mathrm{relu}(z) = \max(0, z)$, are enough:
#
# - $h_1 = \mathrm{relu}(x_1 + x_2)$ counts the ones: 0, 1, 1, 2;
# - $h_2 = \mathrm{relu}(x_1 + x_2 - 1)$ fires only when both are on: 0, 0, 0, 1;
# - the score $h_1 - 2 h_2$ is then 0, 1, 1, 0, which is XOR.
#
# Written as matrices, with a row of inputs times a weight matrix plus a bias, and two
# output scores (one per class) so that the larger one wins:

# %%
W1_xor = np.array([[1.0, 1.0], [1.0, 1.0]])
b1_xor = np.array([0.0, -1.0])
W2_xor = np.array([[-1.0, 1.0], [2.0, -2.0]])  # class-1 score minus class-0 score: 2 h1 - 4 h2
b2_xor = np.array([0.5, -0.5])

hidden = relu(X_xor @ W1_xor + b1_xor)  # (4, 2)
scores = hidden @ W2_xor + b2_xor  # (4, 2)
print("hidden features:\n", hidden)
print("predicted:", scores.argmax(axis=1), " truth:", y_xor)
assert np.array_equal(scores.argmax(axis=1), y_xor)

# %% [markdown]
# **Your turn: one unit that computes AND.** XOR needs a hidden layer, but AND (1 only when
# both inputs are 1) does not. Choose a weight vector `w_and` (two numbers) and a bias
# `b_and` so that $\operatorname{sign}(w \cdot x + b)$ is $+1$ on $(1, 1)$ and $-1$ on the
# other three corners.

# %%
w_and, b_and = None, None  # your code: two weights and a bias

# %%
from nlpjourney.course import check  # noqa: E402

and_truth = np.where(X_xor.all(axis=1), 1.0, -1.0)  # AND of the two inputs, as -1 / +1
and_answer = None if w_and is None else np.sign(X_xor @ np.asarray(w_and, dtype=float) + b_and)
check(
    "a single unit computes AND",
    and_answer,
    and_truth,
    hint="only (1, 1) should score above 0: the bias must outweigh one input but not two",
)

# %% [markdown]
# Nobody hand-picks weights for real data; gradient descent finds them. The library's
# `MLP` with one hidden layer of 8 units learns XOR in a few hundred epochs. Colouring
# the plane by each model's answer shows the difference: the perceptron has one straight
# boundary, the MLP bends its boundary around the two corners.

# %%
xor_net = MLP([2, 8, 2], "tanh", seed=0).fit(X_xor, y_xor, epochs=300, lr=0.1, batch_size=4)
print("MLP on XOR:", xor_net.predict(X_xor), " accuracy:", xor_net.score(X_xor, y_xor))

grid = np.linspace(-0.5, 1.5, 120)
G1, G2 = np.meshgrid(grid, grid)
plane = np.column_stack([G1.ravel(), G2.ravel()])
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, model, title in [
    (axes[0], xor_perceptron, "perceptron after 50 epochs"),
    (axes[1], xor_net, "MLP with 8 hidden units"),
]:
    regions = model.predict(plane).reshape(G1.shape)
    ax.contourf(G1, G2, regions, levels=[-0.5, 0.5, 1.5], colors=["#cfe2f3", "#f4cccc"])
    for label, colour in ((1, "tab:red"), (0, "tab:blue")):
        ax.scatter(
            *X_xor[y_xor == label].T, c=colour, s=120, edgecolors="k", label=f"true class {label}"
        )
    ax.set_title(f"{title}: {model.score(X_xor, y_xor):.0%} right")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.legend(loc="center", fontsize=8)  # the background colour is the predicted class
show(fig, "lesson-0.3-xor-regions.png")

# %% [markdown]
# Red points are class 1, blue points class 0, and each background colour is the class
# the model predicts there. The perceptron's line always leaves at least one point on
# the wrong side; the MLP gets all four.
#
# ## 4. The forward pass of an MLP
#
# A multilayer perceptron stacks such layers. With the examples as the rows of a matrix
# $A^{(0)} = X$ of shape (n, d), layer $\ell$ computes
#
# $$Z^{(\ell)} = A^{(\ell-1)} W^{(\ell)} + b^{(\ell)}, \qquad A^{(\ell)} = f(Z^{(\ell)}),$$
#
# with $W^{(\ell)}$ of shape (fan_in, fan_out), the bias added to every row, and $f$ the
# activation (ReLU here). The last layer has no activation: its outputs $Z^{(L)}$ are the
# **logits**, one score per class. Without the activations the layers would collapse:
# a product of matrices is one matrix, so the whole network would still draw straight
# lines.


# %%
def my_forward(X, weights, biases):
    """Returns every layer's input (X, then the hidden activations) and the logits."""
    inputs = [X]
    for W, b in zip(weights[:-1], biases[:-1], strict=True):
        inputs.append(relu(inputs[-1] @ W + b))  # (n, fan_out)
    logits = inputs[-1] @ weights[-1] + biases[-1]  # (n, classes)
    return inputs, logits


net = MLP([64, 32, 16, 10], seed=1)  # random weights, not trained yet
inputs, logits = my_forward(X_train[:5], net.weights, net.biases)
cache = net.forward(X_train[:5])
np.testing.assert_allclose(logits, cache.logits)
for mine, library in zip(inputs, cache.inputs, strict=True):
    np.testing.assert_allclose(mine, library)
print("layer input shapes:", [a.shape for a in inputs], " logits:", logits.shape)

# %% [markdown]
# The forward pass keeps every layer's input: the backward pass will need them. The
# library's `ForwardCache` holds exactly these.
#
# ## 5. Softmax and cross-entropy
#
# Logits are any real numbers. The **softmax** (lesson 0.1) turns a row of them into
# probabilities, $p_k = e^{z_k} / \sum_j e^{z_j}$, and the **cross-entropy** charges the
# model $-\log p_y$, minus the log of the probability it gave the right class: 0 for
# certainty, $\log 10 \approx 2.30$ for a uniform guess among ten digits, and without
# limit for confidence in a wrong answer. Over a batch we take the mean.
#
# Compute it through `log_softmax`, never as `log(softmax(z))`: a confident wrong answer
# has a probability that underflows to 0, and its log becomes `-inf`.
#
# **Predict, then run.** (1) The network below has random weights and has never seen a
# digit: will its loss on five images be near $\log 10$, far above it, or near 0? (2) A
# two-class model scores the wrong class 800 and the right one 0: what is its loss?


# %%
def my_cross_entropy(logits, y):
    log_p = ml_math.log_softmax(logits, axis=1)  # (n, classes), stable
    return -log_p[np.arange(len(y)), y].mean()  # pick each row's true class


print(f"untrained network: loss {my_cross_entropy(logits, y_train[:5]):.3f}, log 10 = 2.303")
np.testing.assert_allclose(
    my_cross_entropy(logits, y_train[:5]), cross_entropy(logits, y_train[:5])
)

confident_and_wrong = np.array([[800.0, 0.0]])
print("confident and wrong:", my_cross_entropy(confident_and_wrong, np.array([1])))

# %% [markdown]
# Random weights give logits that are small and similar, so the probabilities are close
# to uniform and the loss is near $\log 10$. The confident wrong answer costs 800, the
# margin by which it was wrong, a finite number because `log_softmax` never forms the
# probability $e^{-800}$, which is 0 in float64.

# %% [markdown]
# ## 6. Backpropagation on paper
#
# To train, we need the gradient of the loss with respect to every weight. Take a pencil:
# the whole derivation is three rules, each one line of the chain rule. For one example,
# write $a$ for a layer's input row, $z = aW + b$ for its output and
# $\delta = \partial L / \partial z$ for the gradient arriving at that output.
#
# **Rule 1: the loss gives $\delta = p - y$ at the logits.** With the one-hot vector
# $y$ of the true class $c$,
#
# $$L = -\log p_c = -z_c + \log \sum_j e^{z_j}
# \quad\Rightarrow\quad
# \frac{\partial L}{\partial z_k} = -[k = c] + \frac{e^{z_k}}{\sum_j e^{z_j}} = p_k - y_k.$$
#
# The model's probabilities minus the truth: a miss by 0.3 pushes back with 0.3. The
# exponential and the log cancel, which is why softmax and cross-entropy are always
# differentiated as one piece.
#
# **Rule 2: a weight's gradient is its input times the gradient at its output.** Since
# $z_k = \sum_i a_i W_{ik} + b_k$, the weight $W_{ik}$ touches only $z_k$, with slope $a_i$:
#
# $$\frac{\partial L}{\partial W_{ik}} = a_i\, \delta_k
# \quad\Rightarrow\quad
# \frac{\partial L}{\partial W} = a^\top \delta, \qquad
# \frac{\partial L}{\partial b} = \delta.$$
#
# $a^\top \delta$ is a column times a row, a matrix shaped like $W$.
#
# **Rule 3: pass $\delta$ back through the weights, then through the activation.** The
# input $a_i$ reaches every $z_k$ through $W_{ik}$, so its gradient sums those paths;
# and $a_i = f(z^{\text{prev}}_i)$ multiplies by the activation's slope:
#
# $$\frac{\partial L}{\partial a} = \delta W^\top, \qquad
# \delta^{\text{prev}} = \left(\delta W^\top\right) \odot f'(z^{\text{prev}}).$$
#
# For ReLU, $f'(z)$ is 1 where $z > 0$ and 0 elsewhere: a unit that was off passes no
# gradient back, and its incoming weights do not learn from this example.
#
# **A batch.** The loss is the mean over n rows, so each row's $\delta$ at the logits
# carries a factor $1/n$. Stacking the rows, $A^\top \Delta$ sums the n outer products
# for us, and the bias gradient is the sum of the rows of $\Delta$.
#
# ### Worked through: a 2-2-2 network
#
# Try this one yourself before reading the answers. Input $x = (1, 2)$, true class 0,
#
# $$W^{(1)} = \begin{pmatrix} 1 & 1 \\ 0.5 & -1 \end{pmatrix},\;
# b^{(1)} = (0, 0), \qquad
# W^{(2)} = \begin{pmatrix} 1 & 0.5 \\ -1 & 2 \end{pmatrix},\;
# b^{(2)} = (-1, 0).$$
#
# *Forward.* $z^{(1)} = (1 \cdot 1 + 2 \cdot 0.5,\; 1 \cdot 1 + 2 \cdot (-1)) = (2, -1)$,
# so $h = \mathrm{relu}(z^{(1)}) = (2, 0)$: the second hidden unit is off. Then
# $z^{(2)} = (2 \cdot 1 + 0 - 1,\; 2 \cdot 0.5 + 0 + 0) = (1, 1)$: the logits tie, so
# $p = (0.5, 0.5)$ and $L = -\log 0.5 = \log 2 \approx 0.693$.
#
# *Backward.*
#
# | step | rule | value |
# |---|---|---|
# | $\delta^{(2)} = p - y$ | 1 | $(0.5 - 1,\; 0.5 - 0) = (-0.5,\; 0.5)$ |
# | $\partial L / \partial W^{(2)} = h^\top \delta^{(2)}$ | 2 | $\begin{pmatrix} 2 \\ 0 \end{pmatrix} (-0.5,\; 0.5) = \begin{pmatrix} -1 & 1 \\ 0 & 0 \end{pmatrix}$ |
# | $\partial L / \partial b^{(2)}$ | 2 | $(-0.5,\; 0.5)$ |
# | $\partial L / \partial h = \delta^{(2)} W^{(2)\top}$ | 3 | $(-0.5 + 0.25,\; 0.5 + 1) = (-0.25,\; 1.5)$ |
# | $\delta^{(1)} = \partial L / \partial h \odot [z^{(1)} > 0]$ | 3 | $(-0.25,\; 1.5) \odot (1, 0) = (-0.25,\; 0)$ |
# | $\partial L / \partial W^{(1)} = x^\top \delta^{(1)}$ | 2 | $\begin{pmatrix} 1 \\ 2 \end{pmatrix} (-0.25,\; 0) = \begin{pmatrix} -0.25 & 0 \\ -0.5 & 0 \end{pmatrix}$ |
# | $\partial L / \partial b^{(1)}$ | 2 | $(-0.25,\; 0)$ |
#
# Read the signs as advice. Gradient descent subtracts the gradient, so $W^{(2)}_{11}$
# goes up and $W^{(2)}_{12}$ down: the hidden unit that fired now votes more for class
# 0, the right answer. The second hidden unit had a large gradient waiting, 1.5, but it
# was off, so the ReLU blocked it and nothing feeding it changes.
#
# ## 7. Backpropagation in code
#
# The three rules, applied from the last layer to the first. The loop is the table above
# turned on its side.


# %%
def my_backward(inputs, logits, y, weights):
    """Gradients of the mean cross-entropy for every weight and bias, last layer first."""
    n = len(y)
    delta = ml_math.softmax(logits, axis=1)  # rule 1: p - onehot(y), over n for the mean
    delta[np.arange(n), y] -= 1.0
    delta /= n
    grad_w, grad_b = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        grad_w[layer] = inputs[layer].T @ delta  # rule 2: (fan_in, n) @ (n, fan_out)
        grad_b[layer] = delta.sum(axis=0)
        if layer > 0:  # rule 3; inputs[layer] = relu(z), so "> 0" is "z > 0"
            delta = (delta @ weights[layer].T) * (inputs[layer] > 0)
    return grad_w, grad_b


paper_weights = [np.array([[1.0, 1.0], [0.5, -1.0]]), np.array([[1.0, 0.5], [-1.0, 2.0]])]
paper_biases = [np.array([0.0, 0.0]), np.array([-1.0, 0.0])]
x_paper, y_paper = np.array([[1.0, 2.0]]), np.array([0])
inputs, logits = my_forward(x_paper, paper_weights, paper_biases)
grad_w, grad_b = my_backward(inputs, logits, y_paper, paper_weights)
print("logits:", logits, " loss:", my_cross_entropy(logits, y_paper))
print("dL/dW2:\n", grad_w[1], "\ndL/dW1:\n", grad_w[0])
np.testing.assert_allclose(grad_w[1], [[-1.0, 1.0], [0.0, 0.0]])
np.testing.assert_allclose(grad_b[1], [-0.5, 0.5])
np.testing.assert_allclose(grad_w[0], [[-0.25, 0.0], [-0.5, 0.0]])
np.testing.assert_allclose(grad_b[0], [-0.25, 0.0])

# %% [markdown]
# The code agrees with the paper. One example with round numbers is a weak test,
# though; now a random network with two hidden layers and a batch of real digits, three
# ways.
#
# **Finite differences** (lesson 0.1) measure each partial derivative by nudging one
# weight at a time. They are slow, two forward passes per weight, but they need no
# calculus, so they catch a wrong formula.

# %%
net = MLP([64, 12, 8, 10], seed=2)
net.biases = [rng.normal(scale=0.1, size=b.shape) for b in net.biases]  # not all zero
X_batch, y_batch = X_train[:16], y_train[:16]
inputs, logits = my_forward(X_batch, net.weights, net.biases)
grad_w, grad_b = my_backward(inputs, logits, y_batch, net.weights)


def loss_with(params, index, value):
    """The loss with parameter number `index` replaced by `value`."""
    params = list(params)
    params[index] = value
    k = len(params) // 2
    return my_cross_entropy(my_forward(X_batch, params[:k], params[k:])[1], y_batch)


params = [*net.weights, *net.biases]
for index, (param, grad) in enumerate(zip(params, [*grad_w, *grad_b], strict=True)):
    measured = ml_math.numerical_gradient(lambda v, i=index: loss_with(params, i, v), param)
    np.testing.assert_allclose(grad, measured, rtol=1e-5, atol=1e-8)
print(f"finite differences agree on all {sum(p.size for p in params)} parameters")

# %% [markdown]
# **PyTorch autograd** builds the same network from the same weights and differentiates
# it automatically (lesson 3.1 shows how). In float64 the two must agree to rounding.

# %%
torch_params = [torch.tensor(p, requires_grad=True) for p in params]
k = len(params) // 2
h = torch.tensor(X_batch)
for layer in range(k):
    h = h @ torch_params[layer] + torch_params[k + layer]
    if layer < k - 1:
        h = torch.relu(h)
torch_loss = torch.nn.functional.cross_entropy(h, torch.tensor(y_batch))
torch_loss.backward()
for tensor, grad in zip(torch_params, [*grad_w, *grad_b], strict=True):
    np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-10, atol=1e-14)
print(f"torch agrees: loss {torch_loss.item():.6f} vs ours {my_cross_entropy(logits, y_batch):.6f}")

# %% [markdown]
# **The library.** `MLP.backward` takes the forward cache and the labels and returns the
# same lists of gradients.

# %%
library_w, library_b = net.backward(net.forward(X_batch), y_batch)
for mine, library in zip([*grad_w, *grad_b], [*library_w, *library_b], strict=True):
    np.testing.assert_allclose(mine, library)

# %% [markdown]
# ## 8. Training on the digits with minibatch SGD
#
# Gradient descent on all 1347 training images at once would take one careful step per
# pass. **Minibatch SGD** shuffles the images each epoch, cuts them into batches of 32,
# and steps after every batch: many noisy steps per pass instead of one exact one.
# The noise averages out, and the many steps win.


# %%
def my_sgd(weights, biases, X, y, epochs, lr, batch_size, seed):
    weights = [W.copy() for W in weights]  # leave the caller's arrays alone
    biases = [b.copy() for b in biases]
    order_rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = order_rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            inputs, logits = my_forward(X[batch], weights, biases)
            total += my_cross_entropy(logits, y[batch]) * len(batch)
            grad_w, grad_b = my_backward(inputs, logits, y[batch], weights)
            for param, grad in zip([*weights, *biases], [*grad_w, *grad_b], strict=True):
                param -= lr * grad  # in place, so the lists see the step
        losses.append(total / len(X))
    return weights, biases, losses


print(f"{len(X_train)} training images in batches of 32: {-(-len(X_train) // 32)} steps per epoch")
start = MLP([64, 64, 10], seed=3)
my_weights, my_biases, my_losses = my_sgd(
    start.weights, start.biases, X_train, y_train, epochs=3, lr=0.1, batch_size=32, seed=4
)
print("my SGD, mean loss per epoch:", np.round(my_losses, 4))

# %% [markdown]
# `MLP.fit` does the same, with two additions that we switch off for the comparison:
# **momentum**, which keeps a running sum of past gradients so that steps build up speed
# along directions they agree on, and **weight decay**, which pulls every weight a little
# towards 0. With both off and the same seeds, the two must end at the same weights.

# %%
library_net = MLP([64, 64, 10], seed=3).fit(
    X_train, y_train, epochs=3, lr=0.1, batch_size=32, seed=4, momentum=0.0
)
np.testing.assert_allclose(library_net.history_, my_losses)
for mine, library in zip(
    my_weights + my_biases, library_net.weights + library_net.biases, strict=True
):
    np.testing.assert_allclose(mine, library, rtol=1e-10, atol=1e-12)

# %% [markdown]
# Now the real run, with the library: 256 hidden ReLUs, momentum 0.9, a little weight
# decay, 50 epochs (8 in quick mode, so quick-mode numbers below are from a shortened
# run; the table shows the full run's beside them). It takes a few seconds on a laptop CPU.

# %%
epochs = 8 if QUICK else 50
model = MLP([64, 256, 10], "relu", seed=0)
model.fit(X_train, y_train, epochs=epochs, lr=0.05, batch_size=32, weight_decay=1e-3, seed=0)
test_accuracy = model.score(X_test, y_test)
print(f"MLP 64-256-10, tested on {len(X_test)} images never seen in training")
full.table(
    {
        "epochs": epochs,
        "training loss, epoch 1": model.history_[0],
        "training loss, last epoch": model.history_[-1],
        "loss fell by a factor of": model.history_[0] / model.history_[-1],
        "test accuracy (%)": 100 * test_accuracy,
    },
)
if not QUICK:
    assert test_accuracy >= 0.97

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.semilogy(range(1, epochs + 1), model.history_, "o-", markersize=3)
ax.set_xlabel("epoch")
ax.set_ylabel("mean training loss (log scale)")
ax.set_title(f"MLP 64-256-10 on digits: test accuracy {test_accuracy:.1%}")
ax.grid(alpha=0.3, which="both")
fig.tight_layout()
full.figure(fig, "digits-loss")
show(fig, "lesson-0.3-digits-loss.png")
full.show_figure("digits-loss", "the training loss over 50 epochs")

# %% [markdown]
# In the full run's curve the loss drops fast in the first few epochs, then levels off
# (quick mode stops after 8 epochs, before the flat part): weight decay
# stops the weights from growing without bound just to make the training loss a little
# smaller. What matters is the test accuracy, on images the network never saw.
#
# ## 9. What the network gets wrong
#
# A **confusion matrix** counts, for each true digit (row), how often each digit was
# predicted (column). A perfect model has numbers only on the diagonal; every
# off-diagonal count is a kind of mistake.

# %%
predicted = model.predict(X_test)
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)  # one count per (truth, prediction) pair

fig, ax = plt.subplots(figsize=(5.5, 5))
ax.imshow(np.log1p(confusion), cmap="Blues")  # log colours, so single mistakes show
for true in range(10):
    for guess in range(10):
        if confusion[true, guess]:
            colour = "white" if true == guess else "black"
            ax.text(guess, true, confusion[true, guess], ha="center", va="center", color=colour)
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
ax.set_title(f"Confusion matrix, {np.trace(confusion)} of {len(y_test)} right")
show(fig, "lesson-0.3-digits-confusion.png")

# %% [markdown]
# **Your turn: the recall of each digit.** A row of the confusion matrix holds every test
# image of one true digit. Replace the `None` so that `recall_per_digit(confusion)`
# returns, for each digit, the share of its images that the network got right (ten
# numbers between 0 and 1).


# %%
def recall_per_digit(confusion):
    return None  # your code: right answers of each true digit / images of that digit


# %%
check(
    "recall of each digit",
    recall_per_digit(confusion),
    np.array([np.mean(predicted[y_test == digit] == digit) for digit in range(10)]),
    hint="the right answers sit on the diagonal; each row's total counts that digit's images",
)

# %% [markdown]
# **Predict, then run.** Below are the test images the network gets wrong. Is it less
# sure of its wrong answers than of its right ones? Guess the median confidence (the
# probability of its chosen digit) in each case, and how confident its surest mistake is.

# %% [markdown]
# The mistakes themselves, most common confusions first. Under each image: the true
# digit, the prediction, and the probability the network gave its (wrong) answer.

# %%
wrong = np.flatnonzero(predicted != y_test)
off_diagonal = confusion - np.diag(np.diag(confusion))
pairs = sorted({(y_test[i], predicted[i]) for i in wrong}, key=lambda p: -off_diagonal[p[0], p[1]])
most_confused = [(int(t), int(g), int(off_diagonal[t, g])) for t, g in pairs[:5]]
print("most confused (true, predicted, count):", most_confused)
full.keep("most confused (true, predicted, count)", most_confused)
if QUICK:
    print("the full run's:", [tuple(x) for x in full["most confused (true, predicted, count)"]])
ordered = [i for t, g in pairs for i in wrong if (y_test[i], predicted[i]) == (t, g)][:16]
probabilities = model.predict_proba(X_test)

columns = 8
rows = max(1, -(-len(ordered) // columns))
fig, axes = plt.subplots(rows, columns, figsize=(9, 1.5 * rows + 0.4), squeeze=False)
for ax in axes.ravel():
    ax.axis("off")
for ax, i in zip(axes.ravel(), ordered, strict=False):
    ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{y_test[i]} as {predicted[i]}\n{probabilities[i, predicted[i]]:.0%}", fontsize=9)
fig.suptitle("Test images the network gets wrong (true as predicted, confidence)")
fig.tight_layout()
full.figure(fig, "digits-mistakes")
show(fig, "lesson-0.3-digits-mistakes.png")
full.show_figure("digits-mistakes", "the test images the full run's network gets wrong")

confidence = probabilities.max(axis=1)
right = predicted == y_test
print("How sure the network is")
full.table(
    {
        "test images wrong": int((~right).sum()),
        "median confidence when right (%)": 100 * np.median(confidence[right]),
        "median confidence when wrong (%)": 100 * np.median(confidence[~right]),
        "the surest mistake (%)": 100 * confidence[~right].max() if (~right).any() else 0.0,
    },
)

# %% [markdown]
# Several of the full run's mistakes are hard for a person too at 8x8 pixels. The network
# is less sure of its wrong answers than of its right ones, which is useful, but far from
# unsure: look at the surest mistake's confidence in the table above. Cross-entropy
# rewards confidence on the training set,
# and nothing in it teaches the network to say "I do not know" on an odd image.
#
# ## Summary
#
# - A **perceptron** is one linear unit trained on its mistakes; it converges exactly
#   when a straight cut separates the classes, and never on XOR.
# - A **hidden layer** with a nonlinearity computes new features in which a straight
#   cut is enough; a stack of such layers is an **MLP**.
# - **Softmax with cross-entropy** turns logits into a loss whose gradient is simply
#   $p - y$.
# - **Backprop** is three rules applied from the top: $\delta = p - y$,
#   $\partial L/\partial W = a^\top \delta$,
#   $\delta^{\text{prev}} = (\delta W^\top) \odot f'(z)$. Check any hand-written version
#   against finite differences and an autograd library before trusting it.
# - **Minibatch SGD** with momentum trains a 64-256-10 MLP on the digits to the test
#   accuracy in section 8's table (the full run's column).
#
# **Exercise 0.3** (`journey check 0.3`): write `softmax_cross_entropy`, `forward` and
# `backward` for a two-layer ReLU network yourself; the checks start from the 2-2-2
# example above.
#
# Things to try: replace ReLU by tanh or sigmoid (`MLP(..., activation="tanh")`) and
# compare the loss curves; train with `momentum=0.0` and see how many more epochs it
# needs; shrink the hidden layer to 16 units, or drop it (`MLP([64, 10])`, which is
# multinomial logistic regression), and see how much accuracy each layer buys.
