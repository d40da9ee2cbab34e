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
# # 3.1 Neural-network fundamentals: autograd and backprop
#
# Training a network means nudging every weight against the gradient of the loss. A
# network has thousands to billions of weights, and measuring each partial derivative
# separately would take one forward pass per weight. **Backpropagation** gets all of them
# for the price of about one extra pass, by applying the chain rule from the loss back to
# the inputs. An **autograd engine** does this automatically: it records every operation
# as the forward pass runs, then walks that record backwards.
#
# In this lesson you build that machinery, then use it:
#
# 1. derivatives measured by finite differences, and the chain rule worked by hand;
# 2. a scalar autograd engine of your own in two cells, checked against
#    `nlpjourney.autograd.Value` and against PyTorch;
# 3. the same rules for whole arrays: the backward of a matrix product, of a broadcast
#    addition and of softmax with cross-entropy, checked against
#    `nlpjourney.autograd.Tensor` and finite differences;
# 4. activations and losses, and what their derivatives do to the gradient;
# 5. why deep networks need careful initialisation: gradients that vanish or explode
#    through 20 layers;
# 6. gradient clipping rescuing a training run that blows up;
# 7. a small network trained on handwritten digits with the engine.
#
# Set `JOURNEY_QUICK=1` in the environment to run everything with fewer training steps.

# %%
import math
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.special import ndtr
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nlpjourney.ml.math as ml_math
from nlpjourney.autograd import Tensor, Value, functional, gradcheck, nn, no_grad
from nlpjourney.autograd.nn import init
from nlpjourney.course import check, diagrams
from nlpjourney.course.results import FullRun
from nlpjourney.optim import SGD, clip_grad_norm_

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("3.1")  # the lesson's stored full run: its numbers print beside this run's
rng = np.random.default_rng(0)  # one seeded generator: every run prints the same numbers
np.set_printoptions(precision=4, suppress=True)
torch.set_default_dtype(torch.float64)

# %% [markdown]
# ## 1. A derivative, measured
#
# Take one artificial neuron with a single input: it multiplies the input $a$ by a weight
# $b$, adds a bias $c$ and squashes the sum with $\tanh$:
#
# $$f(a, b, c) = \tanh(a b + c)$$
#
# Lesson 0.1 measured slopes by nudging: move one input by $\pm h$, watch the output,
# divide. That works for any function and needs no calculus, which makes it the
# referee for everything that follows.
#
# **Predict:** at $a_0 = 0.8$, $b_0 = -1.5$, $c_0 = 0.4$, is $\partial f / \partial a$
# positive or negative? (No calculus needed: what happens to $ab$ when $a$ grows?)

# %%
a0, b0, c0 = 0.8, -1.5, 0.4


def f(a, b, c):
    return math.tanh(a * b + c)


def nudge(func, args, i, h=1e-6):
    """Central difference of func in its i-th argument."""
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (func(*up) - func(*down)) / (2 * h)


measured = [nudge(f, (a0, b0, c0), i) for i in range(3)]
print(f"f = {f(a0, b0, c0):.6f}")
print("df/da, df/db, df/dc measured:", np.round(measured, 6))

# %% [markdown]
# Negative: with $b < 0$, a larger $a$ makes $ab$ smaller, and $\tanh$ follows it down.
#
# A derivative is a local promise: near $a_0$, the function moves like the straight line
# through $f(a_0)$ with that slope. Plotting $f$ against $a$ alone (with $b$ and $c$ held
# fixed) shows the promise kept close by and broken further away.

# %%
a_grid = np.linspace(a0 - 2, a0 + 2, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(a_grid, [f(v, b0, c0) for v in a_grid], label="f(a, b0, c0)")
tangent = f(a0, b0, c0) + measured[0] * (a_grid - a0)
ax.plot(a_grid, tangent, "--", label=f"slope {measured[0]:.3f} at a0 (measured)")
ax.plot([a0], [f(a0, b0, c0)], "o", color="black")
ax.set_ylim(-1.2, 1.2)
ax.set_xlabel("a")
ax.set_ylabel("f(a, b0, c0)")
ax.set_title("the derivative at a0: the slope of the tangent")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# ## 2. The chain rule, by hand
#
# Split $f$ into steps, giving each intermediate result a name:
#
# $$p = a b, \qquad n = p + c, \qquad o = \tanh(n).$$
#
# Each step is simple on its own: $\partial p / \partial a = b$, $\partial p/\partial b = a$,
# $\partial n / \partial p = \partial n / \partial c = 1$, and
# $\partial o / \partial n = 1 - \tanh^2(n) = 1 - o^2$. The **chain rule** multiplies the
# local slopes along the path from the output down to an input:
#
# $$\frac{\partial o}{\partial a} = \frac{\partial o}{\partial n}\,
#   \frac{\partial n}{\partial p}\,\frac{\partial p}{\partial a} = (1 - o^2) \cdot 1 \cdot b.$$
#
# Notice the order in which the work is cheapest: start from the output with
# $\partial o / \partial o = 1$ and move towards the inputs, so every product along the
# way ($\partial o / \partial n$, then $\partial o / \partial p$) is computed once and
# shared by all the inputs below it. That is backpropagation.

# %%
p = a0 * b0
n = p + c0
o = math.tanh(n)

do_do = 1.0
do_dn = do_do * (1 - o**2)  # through tanh
do_dp = do_dn * 1.0  # through "+ c"
do_dc = do_dn * 1.0
do_da = do_dp * b0  # through "a * b"
do_db = do_dp * a0
by_hand = [do_da, do_db, do_dc]
print("by the chain rule:", np.round(by_hand, 6))
np.testing.assert_allclose(by_hand, measured, atol=1e-8)

# %% [markdown]
# ## 3. An autograd engine in two cells
#
# Doing this by hand for a network is hopeless, but every step above followed one
# pattern, which a program can follow too:
#
# - **forward**: each operation creates a node that stores its result, the nodes it was
#   computed from, and a small function that knows the operation's local slopes;
# - **backward**: visit the nodes from the output back to the inputs; each node takes
#   its own gradient (the output's slope with respect to it) and hands each of its
#   inputs its share: *own gradient times local slope*.
#
# The first cell is the forward half: a `Scalar` class that supports `+`, `*` and `tanh`.


# %%
class Scalar:
    def __init__(self, data, inputs=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs  # the nodes this one was computed from
        self.op = op
        self.pass_back = lambda: None  # a leaf has no inputs to pass anything to

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data + other.data, (self, other), "+")

        def pass_back():
            # Both local slopes are 1. Use +=: a node feeding two places collects both.
            self.grad += out.grad
            other.grad += out.grad

        out.pass_back = pass_back
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data * other.data, (self, other), "*")

        def pass_back():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out.pass_back = pass_back
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Scalar(t, (self,), "tanh")

        def pass_back():
            self.grad += (1 - t * t) * out.grad

        out.pass_back = pass_back
        return out

    def __repr__(self):
        return f"Scalar({self.data:.4f}, grad={self.grad:.4f})"


# %% [markdown]
# The backward half has one subtlety: a node may pass its gradient on only once it is
# *complete*, that is, once every node that uses it has already contributed. A
# **topological order** guarantees that: list the nodes so that each comes after all of
# its inputs (a depth-first search does it), then walk that list in reverse.


# %%
def topological_order(root):
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.inputs:
            visit(parent)
        order.append(node)  # after all its inputs

    visit(root)
    return order


def backprop(root):
    root.grad = 1.0  # d root / d root
    for node in reversed(topological_order(root)):
        node.pass_back()


a, b, c = Scalar(a0), Scalar(b0), Scalar(c0)
out = (a * b + c).tanh()
backprop(out)
print(out, "\n", [a, b, c])
np.testing.assert_allclose([a.grad, b.grad, c.grad], by_hand, atol=1e-12)

# %% [markdown]
# Why `+=`? Take $q = x \cdot x + x$, where $x$ feeds three places. Its derivative
# $2x + 1$ is the sum of the three paths; with `=` each contribution would overwrite the
# previous one and only the last path would count.
#
# Now hold the cell-built engine against the library's `Value` (the same idea with more
# operations, labels for pictures and a non-recursive sort) and against PyTorch, on a
# slightly longer expression where a node is reused.

# %%
x_mine = Scalar(1.5)
q = x_mine * x_mine + x_mine
backprop(q)
assert x_mine.grad == 2 * 1.5 + 1


def expression(a, b, c):
    """Works on Scalar, Value and torch tensors alike: the same graph in three engines."""
    n = a * b + c
    hidden = n.tanh()
    return hidden * n + hidden * a  # n and a are each used twice


mine = [Scalar(v) for v in (a0, b0, c0)]
backprop(expression(*mine))

library = [Value(v) for v in (a0, b0, c0)]
expression(*library).backward()

leaves = [torch.tensor(v, requires_grad=True) for v in (a0, b0, c0)]
expression(*leaves).backward()

print("mine:   ", [round(v.grad, 6) for v in mine])
print("library:", [round(v.grad, 6) for v in library])
print("torch:  ", [round(v.grad.item(), 6) for v in leaves])
np.testing.assert_allclose([v.grad for v in mine], [v.grad for v in library], rtol=1e-12)
np.testing.assert_allclose([v.grad for v in mine], [v.grad.item() for v in leaves], rtol=1e-12)

# %% [markdown]
# From here on, the library's `Value`. `nlpjourney.autograd.draw_graph` pictures a
# computation after `backward()`: each box is a node with its data and gradient, each
# arrow an input (it uses Graphviz when installed; `diagrams.computation_graph` below
# draws the same graph with matplotlib alone). Here is a neuron with two inputs,
# $\tanh(x_1 w_1 + x_2 w_2 + b)$.
#
# **Predict:** $x_1 = 2$ and $x_2 = -1$. Which weight gets the larger gradient in size,
# $w_1$ or $w_2$, and by what factor?

# %%
x1, x2 = Value(2.0, label="x1"), Value(-1.0, label="x2")
w1, w2 = Value(-0.6, label="w1"), Value(0.9, label="w2")
bias = Value(1.2, label="b")
neuron = (x1 * w1 + x2 * w2 + bias).tanh()
neuron.label = "out"
neuron.backward()
diagrams.computation_graph(neuron)  # a Figure, shown as the cell's value

# %% [markdown]
# Read the picture from the right. The output's gradient is 1; `tanh` scales it by
# $1 - \text{out}^2$; each `+` copies the gradient it gets to both inputs unchanged; each
# `*` hands each factor the *other* factor times the gradient. So $w_1$'s gradient is
# $x_1$ times the gradient arriving at the product: an input of 2 makes its weight's
# gradient twice as large. In a network the inputs of a layer are the activations of the
# previous one, and that observation returns in section 6.
#
# **Exercise: one gradient by the chain rule.** Write `my_grad_w1`, which returns
# $\partial\,\text{out} / \partial w_1$ computed from the data of the nodes alone (no
# `backward()`); it must equal the gradient the engine left in `w1.grad`.


# %%
def my_grad_w1(out, x1):
    return None  # your code: use out.data and x1.data


# %%
check(
    "d out / d w1 by the chain rule",
    my_grad_w1(neuron, x1),
    w1.grad,
    hint="walk from the output back to w1: tanh's local slope written with its output, "
    "then each + passes the gradient on unchanged, then * hands w1 the other factor",
)

# %% [markdown]

# ## 4. From numbers to arrays: matrix calculus
#
# A network does not multiply numbers one at a time but whole matrices. Writing one
# `Scalar` per entry would work and would be hopelessly slow; instead, an array engine
# keeps one node per array and needs a backward rule per array operation.
#
# The rules follow from one bookkeeping trick. Whatever happens after an operation
# $C = \mathrm{op}(A, B)$, the final loss $L$ depends on $C$, and to first order it moves
# like $\sum_{ij} G_{ij}\,\delta C_{ij}$ with $G = \partial L/\partial C$, an array of
# $C$'s shape. So the backward rule of `op` only has to answer: given $G$, what are
# $\partial L/\partial A$ and $\partial L / \partial B$? Each has the shape of its input.
#
# **Matrix product.** $C = AB$ means $C_{ij} = \sum_k A_{ik} B_{kj}$. The entry $A_{ik}$
# appears in every $C_{ij}$ of row $i$, with slope $B_{kj}$, so
#
# $$\frac{\partial L}{\partial A_{ik}} = \sum_j G_{ij} B_{kj} = (G B^\top)_{ik}, \qquad
#   \frac{\partial L}{\partial B_{kj}} = \sum_i G_{ij} A_{ik} = (A^\top G)_{kj}.$$
#
# A quick sanity test: $A$ is $(n, k)$, $B$ is $(k, m)$ and $G$ is $(n, m)$; $GB^\top$
# is $(n, k)$ and $A^\top G$ is $(k, m)$. The shapes alone almost force the formula.

# %%
A = rng.normal(size=(3, 4))
B = rng.normal(size=(4, 5))
G = rng.normal(size=(3, 5))  # stands in for dL/dC from whatever comes next


def loss_of_A(A_):
    return np.sum(G * (A_ @ B))  # a loss whose gradient at C = A @ B is exactly G


def loss_of_B(B_):
    return np.sum(G * (A @ B_))


grad_A, grad_B = G @ B.T, A.T @ G
np.testing.assert_allclose(grad_A, ml_math.numerical_gradient(loss_of_A, A), atol=1e-8)
np.testing.assert_allclose(grad_B, ml_math.numerical_gradient(loss_of_B, B), atol=1e-8)

A_t, B_t = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
(A_t @ B_t).backward(G)  # backward(G): start the walk from dL/dC = G
np.testing.assert_allclose(A_t.grad, grad_A, rtol=1e-12)
np.testing.assert_allclose(B_t.grad, grad_B, rtol=1e-12)
print("dL/dA = G B^T and dL/dB = A^T G agree with finite differences and with Tensor")

# %% [markdown]
# **Broadcast addition.** A layer adds one bias vector $b$ of shape $(m,)$ to every row
# of $XW$, shape $(n, m)$: NumPy *broadcasts* $b$, using each entry $n$ times. An entry
# used $n$ times collects $n$ contributions, exactly like `x` in $x \cdot x + x$ above.
# So the bias gradient is $G$ summed over the rows. In general: sum the gradient over
# every axis along which the input was stretched, and the result has the input's shape
# again. (The exercise asks you to write this for any pair of shapes.)

# %%
X = rng.normal(size=(6, 5))
bias_vector = rng.normal(size=5)
G = rng.normal(size=(6, 5))

grad_bias = G.sum(axis=0)
numeric = ml_math.numerical_gradient(lambda v: np.sum(G * (X + v)), bias_vector)
np.testing.assert_allclose(grad_bias, numeric, atol=1e-8)

X_t, bias_t = Tensor(X, requires_grad=True), Tensor(bias_vector, requires_grad=True)
(X_t + bias_t).backward(G)
np.testing.assert_allclose(bias_t.grad, grad_bias, rtol=1e-12)
np.testing.assert_allclose(X_t.grad, G, rtol=1e-12)
print("bias gradient = G summed over the rows:", grad_bias)

# %% [markdown]
# **Softmax.** Each output of $y = \mathrm{softmax}(z)$ depends on every score, so its
# local slopes form a matrix, the Jacobian: differentiating
# $y_i = e^{z_i} / \sum_k e^{z_k}$ gives $\partial y_i / \partial z_j = y_i(1 - y_j)$ when
# $i = j$ and $-y_i y_j$ otherwise, that is $J = \mathrm{diag}(y) - y y^\top$. The
# gradient passed back is $J^\top G$. Building $J$ costs $C^2$ numbers per row, far too
# many for a vocabulary of 50,000 words; the exercise asks you to multiply it out on
# paper into a rule that never builds it.
#
# **Predict:** what does each row of the softmax Jacobian add up to?

# %%
z = rng.normal(size=4)
y = ml_math.softmax(z)
jacobian = np.diag(y) - np.outer(y, y)
numeric_jacobian = np.stack(
    [ml_math.numerical_gradient(lambda v, i=i: ml_math.softmax(v)[i], z) for i in range(4)]
)
np.testing.assert_allclose(jacobian, numeric_jacobian, atol=1e-8)

g = rng.normal(size=4)
z_t = Tensor(z, requires_grad=True)
z_t.softmax().backward(g)
np.testing.assert_allclose(z_t.grad, jacobian.T @ g, rtol=1e-10)
print("each row of the Jacobian sums to", jacobian.sum(axis=1))

# %% [markdown]
# The rows sum to 0 because adding the same number to every score leaves the softmax
# unchanged: there is no direction "all scores up" for the gradient to point along.
#
# **Softmax with cross-entropy.** A classifier's loss is $L = -\log y_t$ for the true
# class $t$. Then $G = \partial L / \partial y$ is $-1/y_t$ at $t$ and 0 elsewhere, and
# multiplying by the Jacobian, almost everything cancels:
#
# $$\frac{\partial L}{\partial z_j} = y_j - [j = t].$$
#
# The gradient of a logit is *predicted probability minus target*: push the true class up
# by how much it is missing, push every other class down by how much it has. For a batch
# averaged over $N$ rows, divide by $N$. Libraries fuse the two steps into one operation
# for exactly this reason: the fused backward is one subtraction, and computing
# $\log y$ through `log_softmax` never takes the log of an underflowed 0.

# %%
logits = rng.normal(size=(8, 5)) * 2
targets = rng.integers(0, 5, size=8)

probs = ml_math.softmax(logits, axis=-1)
onehot = np.eye(5)[targets]
grad_logits = (probs - onehot) / len(targets)


def mean_cross_entropy(z_):
    return -np.mean(np.log(ml_math.softmax(z_, axis=-1)[np.arange(8), targets]))


np.testing.assert_allclose(
    grad_logits, ml_math.numerical_gradient(mean_cross_entropy, logits), atol=1e-8
)
logits_t = Tensor(logits, requires_grad=True)
loss = functional.cross_entropy(logits_t, targets)
loss.backward()
np.testing.assert_allclose(loss.item(), mean_cross_entropy(logits), rtol=1e-12)
np.testing.assert_allclose(logits_t.grad, grad_logits, rtol=1e-10)
print("(p - onehot) / N equals finite differences and functional.cross_entropy's backward")

# %% [markdown]
# The library's `gradcheck` automates such comparisons for any function of tensors: it
# runs `backward()` once and compares it, entry by entry, with central differences. Here
# it checks a whole little network, linear layer, $\tanh$, linear layer, cross-entropy,
# with respect to every weight and bias at once.

# %%
inputs = Tensor(rng.normal(size=(4, 3)))
params = [Tensor(rng.normal(size=s), requires_grad=True) for s in [(3, 6), (6,), (6, 2), (2,)]]


def tiny_net(W1, b1, W2, b2):
    hidden = (inputs @ W1 + b1).tanh()
    return functional.cross_entropy(hidden @ W2 + b2, [0, 1, 1, 0])


result = gradcheck(tiny_net, params)
print(result)
assert result.passed

# %% [markdown]
# ## 5. Activations and losses
#
# Between two linear layers sits a nonlinearity; without one, a stack of linear layers
# collapses into a single linear map. Backprop multiplies the gradient by the
# activation's derivative at every layer, so the *shape of that derivative* matters as
# much as the function:
#
# - **sigmoid** $\sigma(x) = 1/(1 + e^{-x})$: derivative $\sigma(1-\sigma)$, at most
#   $0.25$, and nearly 0 once $|x|$ is a few units;
# - **tanh**: derivative $1 - \tanh^2$, at most 1, also flat for large $|x|$;
# - **ReLU** $\max(0, x)$: derivative exactly 1 for $x > 0$ and 0 below: no shrinking at
#   all where it is active, nothing at all where it is not;
# - **GELU** $x\,\Phi(x)$ ($\Phi$ the normal CDF): a smooth ReLU, used by GPT and BERT.
#
# The derivatives below come from the engine (`backward()` of a sum gives every
# $f'(x_i)$ at once) and are checked against the formulas.

# %%
xs = np.linspace(-5, 5, 401)
activations = {
    "sigmoid": (lambda t: t.sigmoid(), lambda s: s * (1 - s)),
    "tanh": (lambda t: t.tanh(), lambda s: 1 - s**2),
    "ReLU": (lambda t: t.relu(), lambda s: (xs > 0).astype(float)),
    "GELU": (lambda t: t.gelu(), None),
}
normal_pdf = np.exp(-(xs**2) / 2) / np.sqrt(2 * np.pi)
normal_cdf = ndtr(xs)

fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(11, 4))
for name, (apply, derivative) in activations.items():
    x_t = Tensor(xs, requires_grad=True)
    out_t = apply(x_t)
    out_t.sum().backward()
    formula = normal_cdf + xs * normal_pdf if derivative is None else derivative(out_t.data)
    np.testing.assert_allclose(x_t.grad, formula, atol=1e-12)
    ax_f.plot(xs, out_t.data, label=name)
    ax_d.plot(xs, x_t.grad, label=name)
ax_f.set_title("activations")
ax_f.set_ylim(-1.5, 3)
ax_d.set_title("their derivatives: what backprop multiplies by")
ax_d.axhline(0.25, color="grey", linestyle=":", linewidth=1)
ax_d.annotate("sigmoid's maximum, 0.25", (-4.8, 0.28), color="grey")
ax_f.set_ylabel("f(x)")
ax_d.set_ylabel("f'(x)")
for ax in (ax_f, ax_d):
    ax.set_xlabel("x")
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

# %% [markdown]
# A loss is the last function in the chain, and its derivative is where every gradient
# starts. Take a binary classifier that outputs $p = \sigma(z)$, for an example whose
# true label is 1, and compare two losses as the logit $z$ varies:
#
# - squared error $(p - 1)^2$, whose gradient with respect to $z$ is $2(p - 1)\,p(1-p)$;
# - cross-entropy $-\log p$, whose gradient is $p - 1$ (the rule of section 4).
#
# When the model is confidently wrong ($z \ll 0$, so $p \approx 0$), squared error's
# gradient carries the factor $p(1 - p) \approx 0$ from the sigmoid and all but vanishes:
# the worst mistakes are corrected the slowest. Cross-entropy's $\log$ cancels that
# factor, and the gradient stays near $-1$: the worse the mistake, the harder the push.
#
# **Predict:** at $z = -6$ (confidently wrong), about how many times larger is the
# cross-entropy gradient than the squared-error one: 2, 20 or 200?

# %%
zs = Tensor(np.linspace(-8, 8, 321), requires_grad=True)
p_t = zs.sigmoid()
squared = (p_t - 1.0) ** 2
squared.sum().backward()
grad_squared = zs.grad
zs.zero_grad()
crossent = -(p_t.log())
crossent.sum().backward()
grad_crossent = zs.grad
p_np = p_t.data
np.testing.assert_allclose(grad_squared, 2 * (p_np - 1) * p_np * (1 - p_np), atol=1e-12)
np.testing.assert_allclose(grad_crossent, p_np - 1, atol=1e-12)

fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=(11, 4))
ax_l.plot(zs.data, squared.data, label="squared error $(p - 1)^2$")
ax_l.plot(zs.data, crossent.data, label="cross-entropy $-\\log p$")
ax_l.set_title("loss for a true label of 1, p = sigmoid(z)")
ax_l.set_ylim(0, 5)
ax_l.set_ylabel("loss")
ax_g.set_ylabel("d loss / d z")
ax_g.plot(zs.data, grad_squared, label="squared error")
ax_g.plot(zs.data, grad_crossent, label="cross-entropy")
ax_g.set_title("d loss / d z: squared error stalls when confidently wrong")
for ax in (ax_l, ax_g):
    ax.set_xlabel("logit z")
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()
at_minus_6 = int(np.argmin(np.abs(zs.data + 6)))
print(f"at z = -6: cross-entropy {grad_crossent[at_minus_6]:.4f}, "
      f"squared error {grad_squared[at_minus_6]:.4f}, "
      f"ratio {grad_crossent[at_minus_6] / grad_squared[at_minus_6]:.0f}")  # fmt: skip

# %% [markdown]
# About 200: squared error's gradient carries $p(1 - p) \approx e^{-6}$, so it has all but
# stopped pushing; cross-entropy pushes with almost full force.
#
# **Exercise: the gradient of the mean squared error.** For predictions `pred` and targets
# `target` (arrays of one shape), write the gradient of
# $L = \frac{1}{N}\sum_i (\text{pred}_i - \text{target}_i)^2$ with respect to `pred`. The
# check compares it with what the engine's `backward()` gives.


# %%
def my_mse_grad(pred, target):
    return None  # your code


# %%
own_rng = np.random.default_rng(31)  # not the lesson's rng: later sections draw the same
pred, target = own_rng.normal(size=(4, 3)), own_rng.normal(size=(4, 3))
pred_t = Tensor(pred, requires_grad=True)
((pred_t - target) ** 2).mean().backward()
check(
    "gradient of the mean squared error",
    my_mse_grad(pred, target),
    pred_t.grad,
    hint="differentiate one term of the sum, then remember the mean divides by the number "
    "of entries, all of them, not the rows",
)

# %% [markdown]
# ## 6. Initialisation, and gradients that vanish or explode
#
# In a deep network the gradient reaching the first layer has been multiplied by one
# weight matrix and one activation derivative per layer above it. Twenty factors that are
# each a little below 1 give almost nothing; twenty a little above 1 give an enormous
# number. Which it is depends on the activation and on the scale of the initial weights.
#
# The scale can be chosen by a variance argument. A unit of a linear layer computes
# $\sum_{i=1}^{n} w_i x_i$ over $n$ inputs (the *fan-in*); with independent, zero-mean
# weights of variance $v$, its variance is $n\,v\,\mathbb{E}[x^2]$. To keep the signal's
# size the same from layer to layer, choose $n v \approx 1$:
#
# - **Xavier** (Glorot): $v = 2 / (n_\text{in} + n_\text{out})$, a compromise between
#   keeping the forward signal and the backward gradient steady, for $\tanh$-like units
#   (with a gain of $5/3$ for $\tanh$, which shrinks its inputs a little);
# - **Kaiming** (He): $v = 2 / n_\text{in}$. ReLU zeroes half of its inputs, which halves
#   $\mathbb{E}[x^2]$; the factor 2 puts it back.
#
# The experiment: 20 hidden layers of 128 units on a batch of digit images, one forward
# and one backward pass, recording two things per layer: the spread (standard deviation)
# of the activations going forward, and the size (norm) of the gradient of the loss with
# respect to those activations coming back. `retain_grad()` keeps the gradient of an
# intermediate tensor, which the engine otherwise frees.
#
# **Predict:** sigmoid's derivative is at most 0.25. Through 20 sigmoid layers, does the
# gradient reaching layer 1 come out about as large as at layer 20, 100 times smaller, or
# more than a million times smaller?

# %%
digits = load_digits()
features = (digits.data - digits.data.mean(axis=0)) / (digits.data.std(axis=0) + 1e-8)
labels = digits.target
batch = rng.choice(len(features), size=256, replace=False)
depth, width = 20, 128

setups = {
    "sigmoid, Xavier": (Tensor.sigmoid, lambda w, g: init.xavier_normal_(w, generator=g)),
    "tanh, Xavier (gain 5/3)": (
        Tensor.tanh,
        lambda w, g: init.xavier_normal_(w, gain=5 / 3, generator=g),
    ),
    "ReLU, Kaiming": (
        Tensor.relu,
        lambda w, g: init.kaiming_normal_(w, nonlinearity="relu", generator=g),
    ),
    "ReLU, too small (std 0.05)": (Tensor.relu, lambda w, g: init.normal_(w, 0.0, 0.05, g)),
    "ReLU, too large (std 0.2)": (Tensor.relu, lambda w, g: init.normal_(w, 0.0, 0.2, g)),
}


def deep_probe(activation, initialise, seed=1):
    """Activation spread and gradient norm at each hidden layer of a fresh deep MLP."""
    generator = np.random.default_rng(seed)
    layers = []
    for i in range(depth):
        layer = nn.Linear(64 if i == 0 else width, width, dtype=np.float64, generator=generator)
        initialise(layer.weight, generator)
        init.zeros_(layer.bias)
        layers.append(layer)
    head = nn.Linear(width, 10, dtype=np.float64, generator=generator)

    h = Tensor(features[batch])
    hidden = []
    for layer in layers:
        h = activation(layer(h)).retain_grad()
        hidden.append(h)
    loss = functional.cross_entropy(head(h), labels[batch])
    loss.backward()
    spread = [float(h.data.std()) for h in hidden]
    grad_norm = [float(np.linalg.norm(h.grad)) for h in hidden]
    return spread, grad_norm


probes = {name: deep_probe(*setup) for name, setup in setups.items()}
for name, (spread, grad_norm) in probes.items():
    ratio = grad_norm[0] / grad_norm[-1]
    print(f"{name:>27}: gradient at layer 1 / at layer {depth} = {ratio:9.2e}, "
          f"activation std at layer {depth} {spread[-1]:9.3g}")  # fmt: skip

# %%
layer_numbers = np.arange(1, depth + 1)
fig, (ax_s, ax_g) = plt.subplots(1, 2, figsize=(12, 4.5))
for name, (spread, grad_norm) in probes.items():
    ax_s.plot(layer_numbers, spread, "o-", markersize=3, label=name)
    ax_g.plot(layer_numbers, grad_norm, "o-", markersize=3, label=name)
ax_s.set_title("forward: std of each layer's activations")
ax_g.set_title("backward: norm of dL/d(activations) per layer")
ax_s.set_ylabel("std of activations")
ax_g.set_ylabel("norm of dL/d(activations)")
for ax in (ax_s, ax_g):
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer (1 = nearest the input)")
    ax.set_xticks(layer_numbers[::2])
    ax.grid(alpha=0.3, which="both")
ax_g.legend(fontsize=8)
plt.show()

# %% [markdown]
# Read the right panel from right to left, the way the gradient travels:
#
# - **sigmoid**: the forward signal keeps a steady spread, yet the gradient shrinks by a
#   factor of 4 or more per layer (sigmoid's derivative is at most 0.25) and reaches
#   layer 1 about $10^{12}$ times smaller than it left layer 20. The early layers would not
#   learn at all. This is the *vanishing gradient* problem that held deep networks back
#   for years.
# - **tanh with Xavier** and **ReLU with Kaiming**: both curves stay flat, within a
#   factor of ten from end to end, in both directions. The initialisation matched the activation.
# - **ReLU with too small weights**: the activations fade layer by layer going forward,
#   and the gradient fades the same way going back: vanishing again, now caused by the
#   scale alone.
# - **ReLU with too large weights**: the mirror image; activations grow to thousands (the
#   last column above) and the gradient grows layer after layer on its way down:
#   *exploding gradients*.
#
# A gradient that explodes makes one update step so large that it wrecks the weights,
# which is the next section. Beyond initialisation, the cures you will meet later are
# normalisation layers (LayerNorm in every transformer), residual connections (which
# give the gradient a path around each layer) and, for the explosions that remain,
# clipping.
#
# ## 7. Gradient clipping
#
# Even a well-initialised network sometimes meets a batch whose gradient is huge. With
# momentum, such a step keeps going for several steps afterwards, and the loss can jump
# to `inf` and then `nan`, from which training never recovers. **Clipping by global
# norm** treats all gradients of the model as one long vector $g$; if its length exceeds
# a threshold $c$, it scales every gradient by $c / \|g\|$. The direction of the step is
# kept, only its length is capped.


# %%
def my_clip(parameters, max_norm):
    grads = [p.grad for p in parameters if p.grad is not None]
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))  # the 1e-6 avoids dividing by a zero norm
    for g in grads:
        g *= scale
    return total


# Same random gradients twice: mine clips one copy, the library the other.
first = [Tensor(np.zeros(s), requires_grad=True) for s in [(3, 4), (4,)]]
second = [Tensor(np.zeros(s), requires_grad=True) for s in [(3, 4), (4,)]]
for p_mine, p_lib in zip(first, second, strict=True):
    p_mine.grad = rng.normal(size=p_mine.shape) * 10
    p_lib.grad = p_mine.grad.copy()
norm_mine, norm_lib = my_clip(first, 1.0), clip_grad_norm_(second, 1.0)
np.testing.assert_allclose(norm_mine, norm_lib, rtol=1e-12)
for p_mine, p_lib in zip(first, second, strict=True):
    np.testing.assert_allclose(p_mine.grad, p_lib.grad, rtol=1e-12)
print(
    f"norm before: {norm_lib:.3f}; after: {math.sqrt(sum((p.grad**2).sum() for p in second)):.3f}"
)

# %% [markdown]
# The experiment: an 8-layer ReLU network with Kaiming initialisation, trained on digits
# by SGD with momentum 0.9 and a learning rate of 0.1, aggressive but not absurd. Two runs
# from the same weights and the same batches, one clipped at norm 1.


# %%
def make_mlp(sizes, seed):
    """Linear-ReLU-...-Linear in float64, Kaiming-initialised, biases zero."""
    generator = np.random.default_rng(seed)
    modules = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layer = nn.Linear(n_in, n_out, dtype=np.float64, generator=generator)
        init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=generator)
        init.zeros_(layer.bias)
        modules.append(layer)
        if i < len(sizes) - 2:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def train_run(max_norm, steps=300, seed=0):
    model = make_mlp([64] + [64] * 8 + [10], seed)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    batches = np.random.default_rng(seed)
    losses, norms = [], []
    for _ in range(steps):
        index = batches.integers(0, len(features), size=64)
        loss = functional.cross_entropy(model(Tensor(features[index])), labels[index])
        model.zero_grad()
        loss.backward()
        if max_norm is None:
            norm = math.sqrt(sum(float(np.sum(p.grad**2)) for p in model.parameters()))
        else:
            norm = clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        losses.append(loss.item())
        norms.append(norm)
    return np.array(losses), np.array(norms)


with np.errstate(all="ignore"):  # the unclipped run overflows; that is the point
    runs = {"no clipping": train_run(None), "clipped at norm 1": train_run(1.0)}
for name, (losses, _) in runs.items():
    broke = np.flatnonzero(~np.isfinite(losses))
    when = f"loss is nan from step {broke[0]}" if len(broke) else "loss stays finite"
    print(f"{name:>17}: {when}; mean loss of the last 50 steps {np.mean(losses[-50:]):.3f}")
losses, norms = runs["no clipping"]
finite = np.isfinite(losses)
low = int(np.argmin(np.where(finite, losses, np.inf)))
print(f"no clipping: lowest loss {losses[low]:.3f} at step {low}, largest finite loss "
      f"{losses[finite].max():.1e}, gradient norms from {norms[finite].min():.2g} to "
      f"{norms[np.isfinite(norms)].max():.2g}")  # fmt: skip
clipped_norms = runs["clipped at norm 1"][1]
print(f"clipped: raw gradient norm above 1 at {np.mean(clipped_norms > 1):.0%} of the steps, "
      f"median {np.median(clipped_norms):.2g}")  # fmt: skip

# %%
fig, (ax_l, ax_n) = plt.subplots(1, 2, figsize=(12, 4.5))
for name, (losses, norms) in runs.items():
    ax_l.plot(losses, label=name, linewidth=1)
    ax_n.plot(norms, label=name, linewidth=1)
broke = np.flatnonzero(~np.isfinite(runs["no clipping"][0]))
for ax in (ax_l, ax_n):
    if len(broke):
        ax.axvline(broke[0], color="tab:blue", linestyle=":", label="no clipping: nan from here")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1e5)  # the explosion goes far beyond; the cap keeps the rest readable
    ax.set_xlabel("step")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right")
ax_l.set_title("training loss")
ax_n.set_title("gradient norm before clipping")
ax_l.set_ylabel("cross-entropy")
ax_n.set_ylabel("global gradient norm")
plt.show()

# %% [markdown]
# These runs do not depend on the mode, and the lines printed above the picture give
# the steps and sizes this paragraph talks about. Without clipping the loss falls for
# some 20 steps; then the long steps throw the
# network back to guessing (a loss near $\ln 10 \approx 2.3$), the gradient norm swings
# over three orders of magnitude, and around step 80 one step goes so far that the next
# gradient is larger still: within a few steps the loss passes $10^{50}$ and becomes
# `nan` (the dotted line), and the run is lost. The clipped run starts from the same
# weights and sees the same batches. Its raw gradients are often longer than 1 too (the
# right panel shows them before clipping, mostly between 1 and 10), but every step is
# capped, momentum never builds up a runaway step, and the loss keeps falling. Clipping
# does not make large gradients rarer; it stops any one of them from doing lasting
# damage. Large language models are routinely trained with it, typically at norm 1.
#
# ## 8. A digit classifier trained with the engine
#
# Everything together: a 64-128-64-10 ReLU network with Kaiming initialisation,
# minibatch SGD with momentum, cross-entropy loss, trained on 8x8 images of handwritten
# digits and tested on images it never saw. First one plain SGD step written inline,
# checked against the library's `SGD`, which we then use.

# %%
step_model = make_mlp([64, 8, 10], seed=3)
twin = make_mlp([64, 8, 10], seed=3)
for model in (step_model, twin):
    functional.cross_entropy(model(Tensor(features[:16])), labels[:16]).backward()
for p in step_model.parameters():
    p.data -= 0.05 * p.grad  # w <- w - learning rate * dL/dw
SGD(twin.parameters(), lr=0.05).step()
for p_mine, p_lib in zip(step_model.parameters(), twin.parameters(), strict=True):
    np.testing.assert_allclose(p_mine.data, p_lib.data, rtol=1e-12)

# %%
train_x, test_x, train_y, test_y = train_test_split(
    features, labels, test_size=0.25, random_state=0, stratify=labels
)
model = make_mlp([64, 128, 64, 10], seed=0)
optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
epochs = 3 if QUICK else 20
batch_size = 64
order = np.random.default_rng(0)


def accuracy(x, y):
    with no_grad():
        return float(np.mean(model(Tensor(x)).data.argmax(axis=1) == y))


step_losses, test_accuracy = [], []
for _ in range(epochs):
    shuffled = order.permutation(len(train_x))
    for start in range(0, len(shuffled), batch_size):
        index = shuffled[start : start + batch_size]
        loss = functional.cross_entropy(model(Tensor(train_x[index])), train_y[index])
        model.zero_grad()
        loss.backward()
        optimizer.step()
        step_losses.append(loss.item())
    test_accuracy.append(accuracy(test_x, test_y))
full.table(
    {
        "epochs": epochs,
        "steps": len(step_losses),
        "test accuracy at the end (%)": 100 * test_accuracy[-1],
    },
    title="the digit classifier",
)
assert test_accuracy[-1] > (0.9 if QUICK else 0.95)

# %%
steps_per_epoch = len(step_losses) / epochs
window = 20
smooth = np.convolve(step_losses, np.ones(window) / window, mode="valid")
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(step_losses, color="tab:blue", alpha=0.3, linewidth=0.8, label="loss per batch")
ax.plot(np.arange(window - 1, len(step_losses)), smooth, color="tab:blue", label="moving average")
ax.set_yscale("log")
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy")
ax_acc = ax.twinx()
ax_acc.plot(
    steps_per_epoch * np.arange(1, epochs + 1),
    test_accuracy,
    "o-",
    color="tab:red",
    label="test accuracy",
)
ax_acc.set_ylabel("test accuracy", color="tab:red")
ax_acc.set_ylim(0.8, 1.0)
ax.set_title(f"64-128-64-10 ReLU network on digits: {test_accuracy[-1]:.1%} on unseen images")
lines = ax.get_lines() + ax_acc.get_lines()  # the two axes' lines in one legend
ax.legend(lines, [line.get_label() for line in lines], loc="lower left")
ax.grid(alpha=0.3)
fig.tight_layout()
full.figure(fig, "classifier")
plt.show()
full.show_figure("classifier", "20 epochs")

# %% [markdown]
# The picture above is this run's; in quick mode the stored full run's follows it. The
# cell below prints, from the full run, the test accuracy and the mean training loss of
# every epoch.

# %%
epoch_losses = np.mean(np.reshape(step_losses, (epochs, -1)), axis=1)
full.keep("test accuracy per epoch", test_accuracy)
full.keep("mean training loss per epoch", epoch_losses)
stored_accuracy = full["test accuracy per epoch"]
stored_losses = full["mean training loss per epoch"]
best = int(np.argmax(stored_accuracy))
print(f"{full.label}:")
print("epoch  test accuracy  mean training loss")
for epoch, (acc, loss) in enumerate(zip(stored_accuracy, stored_losses, strict=True), start=1):
    print(f"{epoch:5d}  {acc:13.1%}  {loss:18.4f}")
print(f"best test accuracy first reached at epoch {best + 1}; the training loss falls "
      f"{stored_losses[best] / stored_losses[-1]:.0f}-fold after it")  # fmt: skip

# %% [markdown]
# In the full run the test accuracy levels off within the first ten epochs, while the
# mean training loss keeps falling, several-fold, after the best epoch (the last line
# says by how much): from then on the network mostly memorises its training images. The
# cures for that (weight decay, dropout, stopping early on a validation set) belong to
# training, later in the course. What matters here is that the backward rules of this
# lesson, on NumPy arrays, are enough to train a real classifier.
#
# ## What you built
#
# - finite differences as the referee, and the chain rule as a walk from the output back;
# - a scalar autograd engine: nodes that remember their inputs, gradients that add up
#   (`+=`), and a topological order so each node passes its gradient on only when it is
#   complete; it agrees with `nlpjourney.autograd.Value` and with PyTorch;
# - the array rules: $GB^\top$ and $A^\top G$ for a matrix product, a sum over the
#   broadcast axes for an addition, the softmax Jacobian, and $p - \text{onehot}$ for
#   softmax with cross-entropy;
# - why the derivative of the activation and of the loss decide how well a gradient
#   travels, and how Xavier and Kaiming initialisation keep it steady through 20 layers;
# - clipping by global norm, which turns a run that diverges into one that trains;
# - a digit classifier trained end to end on the engine.
#
# Now do the exercise: `journey check 3.1` grades your backward rules for matmul
# (including batches of matrices), broadcast addition and softmax.
