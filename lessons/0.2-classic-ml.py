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
# # 0.2 Classic machine learning: regression, classification, and how to trust a score
#
# Before neural networks, a text classifier was a linear model on word counts, and it is
# still the baseline every new model has to beat. This lesson builds the classic models
# from NumPy, one idea at a time, on small real datasets that ship with scikit-learn:
#
# 1. **linear regression**, solved exactly (the normal equations) and by **gradient
#    descent**, with a learning rate too small, right, and too big;
# 2. **ridge regression**, and how its penalty shrinks the coefficients;
# 3. **logistic regression**: the sigmoid, the log-loss, its gradient by hand, and the
#    gradient step that trains it; its **decision boundary** on two features of iris;
# 4. **train/test splits**, **under- and over-fitting** (the U-shaped test curve),
#    **cross-validation** and a small **grid search**;
# 5. a **decision tree** (Gini and the best split by hand), a **random forest** (why
#    averaging helps) and **k nearest neighbours** (distances, and what k does);
# 6. a **linear SVM**: the hinge loss, the margin, and Pegasos in a few lines;
# 7. learning without labels: **k-means** (Lloyd's two steps, k-means++) and **PCA**
#    (centre, SVD, explained variance; the digits in two dimensions);
# 8. **metrics**: accuracy, precision, recall, F1 and the confusion matrix.
#
# Each model is first written in cells, then checked equal to the library's version in
# `nlpjourney.ml` (and to scikit-learn's), and from then on the library's is used. Set
# `JOURNEY_QUICK=1` in the environment for a quick run: fewer gradient steps, a smaller
# grid; its tables show the stored full run's numbers beside its own.

# %%
import os
import tempfile
import warnings

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display
from sklearn import cluster as sk_cluster
from sklearn import datasets
from sklearn import decomposition as sk_decomposition
from sklearn import ensemble as sk_ensemble
from sklearn import linear_model as sk_linear
from sklearn import model_selection as sk_selection
from sklearn import neighbors as sk_neighbors
from sklearn import svm as sk_svm
from sklearn import tree as sk_tree

from nlpjourney.course import check
from nlpjourney.course.ml_diagrams import cross_validation_folds, decision_tree, logistic_unit
from nlpjourney.course.results import FullRun
from nlpjourney.evaluate import classification as metrics
from nlpjourney.ml.base import ConvergenceWarning
from nlpjourney.ml.decomposition import PCA
from nlpjourney.ml.ensemble import RandomForestClassifier
from nlpjourney.ml.kmeans import KMeans
from nlpjourney.ml.linear import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    logistic_gradient_step,
    logistic_loss_and_grad,
)
from nlpjourney.ml.model_selection import GridSearchCV, KFold, cross_val_score, train_test_split
from nlpjourney.ml.neighbors import KNeighborsClassifier
from nlpjourney.ml.svm import LinearSVC, svm_objective
from nlpjourney.ml.tree import DecisionTreeClassifier

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("0.2")  # the full run's stored numbers, shown beside this run's
rng = np.random.default_rng(0)  # one seeded generator: every run prints the same numbers
np.set_printoptions(precision=4, suppress=True)
warnings.simplefilter("ignore", ConvergenceWarning)  # short quick-mode runs stop early


def show(fig, name):
    """Show a figure, and keep a copy as a PNG in the temp folder."""
    fig.tight_layout()
    fig.savefig(os.path.join(tempfile.gettempdir(), name), dpi=80)
    plt.show()


def standardise(X, reference=None):
    """Centre each column and divide it by its spread (of ``reference``'s rows, if given)."""
    reference = X if reference is None else reference
    return (X - reference.mean(axis=0)) / reference.std(axis=0)


# %% [markdown]
# ## 1. Linear regression by the normal equations
#
# The diabetes dataset holds 442 patients, 10 measurements each (age, sex, body-mass
# index, blood pressure and six blood values, already centred and scaled), and a number
# that measures how far the disease progressed a year later. A linear model predicts it
# as a weighted sum:
#
# $$\hat y = X w + b .$$
#
# Fold the bias into the weights by giving every row an extra feature fixed at 1:
# $\tilde X = [X\ \ 1]$, $\theta = (w, b)$. The squared error
# $\|\tilde X\theta - y\|^2$ is a bowl in $\theta$; at its bottom the gradient
# $2\tilde X^\top(\tilde X\theta - y)$ is zero, which gives the **normal equations**
#
# $$\tilde X^\top \tilde X\, \theta = \tilde X^\top y .$$

# %%
X_dia, y_dia = datasets.load_diabetes(return_X_y=True)  # (442, 10), (442,)
X_tilde = np.hstack([X_dia, np.ones((len(X_dia), 1))])  # the column of ones carries b
theta = np.linalg.solve(X_tilde.T @ X_tilde, X_tilde.T @ y_dia)
w_normal, b_normal = theta[:-1], theta[-1]
print("weights:", w_normal.round(1))
print(f"bias: {b_normal:.2f} (the mean target is {y_dia.mean():.2f})")

# %% [markdown]
# The library's `LinearRegression` solves the same least-squares problem (by an SVD of
# the centred data, which stays accurate when columns are nearly collinear, instead of
# forming $X^\top X$), and so does scikit-learn's. All three must agree.

# %%
ours = LinearRegression().fit(X_dia, y_dia)
theirs = sk_linear.LinearRegression().fit(X_dia, y_dia)
np.testing.assert_allclose(ours.coef_, w_normal, rtol=1e-8)
np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
np.testing.assert_allclose([ours.intercept_, theirs.intercept_], b_normal, rtol=1e-10)
print(f"R² on the training rows: {ours.score(X_dia, y_dia):.4f}")

# %% [markdown]
# ## 2. The same fit by gradient descent
#
# Solving the normal equations costs about $p^3$ for $p$ features, and most models have
# no closed form at all. **Gradient descent** needs only the gradient: start at zero and
# repeat $\theta \leftarrow \theta - \eta\, \nabla L(\theta)$. With the mean squared error
# $L = \frac{1}{2n}\|\tilde X\theta - y\|^2$ the gradient is
# $\frac{1}{n}\tilde X^\top(\tilde X\theta - y)$.
#
# The step size $\eta$ (the **learning rate**) decides everything. The gradient of this
# loss changes at most by a factor $L_{\max} = \lambda_{\max}(\tilde X^\top \tilde X)/n$
# (its largest curvature). Every step with $\eta < 2/L_{\max}$ lowers the loss; a larger
# step overshoots the bottom of the bowl by more than it started from, and the loss grows
# without bound. We standardise the columns first (mean 0, spread 1), so that one step
# size suits every weight.

# %%
Z_dia = standardise(X_dia)
Z_tilde = np.hstack([Z_dia, np.ones((len(Z_dia), 1))])
n_dia = len(y_dia)
curvature = np.linalg.eigvalsh(Z_tilde.T @ Z_tilde / n_dia)[-1]  # L_max


def mse(theta):
    return float(np.sum((Z_tilde @ theta - y_dia) ** 2) / (2 * n_dia))


def gradient_descent(lr, steps):
    theta, losses = np.zeros(Z_tilde.shape[1]), []
    for _ in range(steps):
        losses.append(mse(theta))
        theta -= lr * Z_tilde.T @ (Z_tilde @ theta - y_dia) / n_dia
    return theta, losses


gd_steps = 150 if QUICK else 2000
print(f"largest curvature L_max = {curvature:.3f}; {gd_steps} steps for each learning rate")

# %% [markdown]
# **Predict, then run.** We try three learning rates: $0.05/L_{\max}$, $1/L_{\max}$ and
# $2.05/L_{\max}$. Which one ends with the lowest loss? What does the loss of the third
# do over the first few steps?

# %%
rates = {"0.05 / L (too small)": 0.05, "1 / L (right)": 1.0, "2.05 / L (too big)": 2.05}
runs = {}
for label, fraction in rates.items():
    with np.errstate(over="ignore", invalid="ignore"):  # the too-big rate overflows
        runs[label] = gradient_descent(fraction / curvature, steps=gd_steps)
    print(f"{label:>22}: loss after {gd_steps} steps = {runs[label][1][-1]:.6g}")
best = mse(np.linalg.lstsq(Z_tilde, y_dia, rcond=None)[0])
print(f"{'the exact optimum':>22}: loss = {best:.6g}")

# %%
checkpoints = np.unique(np.geomspace(1, gd_steps, 40).astype(int)) - 1  # a log-spaced sample
for label, (_, losses) in runs.items():
    kept = np.nan_to_num(np.clip([losses[i] for i in checkpoints], None, 1e9), nan=1e9)
    full.keep(f"gd loss curve, {label}", kept)  # diverged values capped: JSON has no inf
full.keep("gd loss curve, steps", checkpoints + 1)
fig, ax = plt.subplots(figsize=(8, 4))
colours = ["tab:blue", "tab:green", "tab:red"]
for colour, (label, (_, losses)) in zip(colours, runs.items(), strict=True):
    ax.plot(range(1, len(losses) + 1), np.clip(losses, None, 1e9), color=colour, label=label)
    if QUICK:  # the stored full run's curve, longer, dashed
        ax.plot(full["gd loss curve, steps"], np.clip(full[f"gd loss curve, {label}"], None, 1e9),
                "--", color=colour, alpha=0.6, label=f"{label}, {full.label}")  # fmt: skip
ax.axhline(best, color="black", linestyle=":", label="exact optimum (normal equations)")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_ylim(best * 0.9, 1e9)
ax.set_xlabel("gradient step")
ax.set_ylabel("mean squared error / 2 (log scale)")
ax.set_title("Gradient descent on diabetes: the learning rate decides")
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")
show(fig, "lesson-0.2-gd-learning-rates.png")

# %% [markdown]
# The right rate reaches the optimum's loss; the small one is still on its way (it moves
# 20 times less per step). The big one is the surprise: it falls at first, faster than
# the right one, then turns and grows without bound. The loss is a bowl that is steep in
# a few directions and shallow in the rest; the big step makes fast progress along the
# shallow ones while it overshoots along the steepest, where each step lands farther
# from the bottom than the last, and that part soon dominates.
#
# `LinearRegression(solver="gd")` runs this loop with the step $1/L_{\max}$ and stops
# when the gradient is close to zero; its weights must equal the normal equations'.

# %%
theta_gd, _ = runs["1 / L (right)"]
gd_model = LinearRegression(solver="gd").fit(X_dia, y_dia)
np.testing.assert_allclose(gd_model.coef_, w_normal, rtol=1e-4)
full.table(
    {
        "gd steps at 1/L": gd_steps,
        "loss gap to the optimum, 1/L": mse(theta_gd) - best,
        "loss gap to the optimum, 0.05/L": runs["0.05 / L (too small)"][1][-1] - best,
        "library gd steps to tol 1e-8": gd_model.n_iter_,
    },
    title="Gradient descent on diabetes",
)

# %% [markdown]
# ## 3. Ridge regression: a penalty that shrinks the weights
#
# With many features and few rows, least squares fits noise: weights grow large to
# explain small wiggles. **Ridge** adds a price on the squared size of the weights
# (not the bias):
#
# $$\min_{w,b}\ \|Xw + b - y\|^2 + \alpha\,\|w\|^2 .$$
#
# On centred data (subtract the column means from $X$ and the mean from $y$, which takes
# care of the bias) setting the gradient to zero gives
# $(X_c^\top X_c + \alpha I)\,w = X_c^\top y_c$, and $b = \bar y - \bar x \cdot w$.


# %%
def my_ridge(X, y, alpha):
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return w, y_mean - x_mean @ w


w_ridge, b_ridge = my_ridge(X_dia, y_dia, alpha=0.1)
library_ridge = Ridge(alpha=0.1).fit(X_dia, y_dia)
np.testing.assert_allclose(library_ridge.coef_, w_ridge, rtol=1e-10)
np.testing.assert_allclose(sk_linear.Ridge(alpha=0.1).fit(X_dia, y_dia).coef_, w_ridge, rtol=1e-8)
print("ridge weights, alpha = 0.1:", w_ridge.round(1))

# %% [markdown]
# As $\alpha$ grows, every weight is pulled towards zero: the curves below are the
# **ridge path**. At $\alpha \to 0$ they start at the least-squares weights; the weights
# that the data support least shrink first.

# %%
alphas = np.logspace(-4, 3, 40)
path = np.array([Ridge(alpha=a).fit(X_dia, y_dia).coef_ for a in alphas])
names = datasets.load_diabetes().feature_names
fig, ax = plt.subplots(figsize=(8, 4.2))
for j, name in enumerate(names):
    ax.plot(alphas, path[:, j], label=name)
ax.set_xscale("log")
ax.set_xlabel("alpha (penalty strength, log scale)")
ax.set_ylabel("weight")
ax.set_title("Ridge on diabetes: the weights shrink as alpha grows")
ax.legend(ncol=5, fontsize=8, loc="upper right")
ax.grid(alpha=0.3)
show(fig, "lesson-0.2-ridge-path.png")

# %% [markdown]
# ## 4. Logistic regression: from a score to a probability
#
# For classification we want a probability, not any real number. Logistic regression
# keeps the linear score $z = w \cdot x + b$ and squashes it with the **sigmoid**
# $\sigma(z) = 1/(1 + e^{-z})$ into $(0, 1)$: $p = P(y = 1 \mid x) = \sigma(z)$.
# It is trained by the **log-loss**, minus the log of the probability given to the true
# label, added up over the rows:
#
# $$\ell_i = -\big(y_i \log p_i + (1 - y_i)\log(1 - p_i)\big).$$
#
# Its gradient is the reason the model is so convenient. Since $\sigma'(z) = \sigma(z)(1 -
# \sigma(z))$, the chain rule collapses to $\partial \ell_i/\partial z_i = p_i - y_i$:
# the error of the probability. Then $\partial \ell_i/\partial w = (p_i - y_i)\,x_i$ and
# $\partial \ell_i/\partial b = p_i - y_i$. Like ridge, we add $\|w\|^2/(2C)$, where a
# larger $C$ means a weaker penalty (scikit-learn's convention).

# %%
logistic_unit()  # drawn by nlpjourney.course.ml_diagrams

# %% [markdown]
# The breast-cancer dataset: 569 tumours, 30 measurements of cell nuclei each, labelled
# malignant (0) or benign (1). We hold back a quarter of the rows for testing (section 6
# says why), and standardise with the training rows' means and spreads only.

# %%
cancer = datasets.load_breast_cancer()
X_tr_raw, X_te_raw, y_tr, y_te = train_test_split(
    cancer.data, cancer.target, test_size=0.25, random_state=0, stratify=cancer.target
)
X_tr, X_te = standardise(X_tr_raw), standardise(X_te_raw, reference=X_tr_raw)
print(f"{len(X_tr)} training and {len(X_te)} test tumours, {X_tr.shape[1]} features")
print("the same rows as scikit-learn's split:",
      np.array_equal(y_te, sk_selection.train_test_split(
          cancer.data, cancer.target, test_size=0.25, random_state=0,
          stratify=cancer.target)[3]))  # fmt: skip


# %%
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def my_loss_and_grad(w, b, X, y, C):
    """Summed log-loss + ‖w‖²/(2C) and its gradient, straight from the formulas."""
    p = sigmoid(X @ w + b)
    loss = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) + w @ w / (2 * C)
    error = p - y  # ∂loss/∂z for every row
    return loss, X.T @ error + w / C, error.sum()


w0, b0, C = rng.normal(size=X_tr.shape[1]) * 0.1, 0.3, 1.0
loss0, grad_w0, grad_b0 = my_loss_and_grad(w0, b0, X_tr, y_tr, C)

# The derivative along one weight, by a central finite difference, must agree.
h, j = 1e-6, 3
bump = np.eye(len(w0))[j] * h
numeric = (my_loss_and_grad(w0 + bump, b0, X_tr, y_tr, C)[0]
           - my_loss_and_grad(w0 - bump, b0, X_tr, y_tr, C)[0]) / (2 * h)  # fmt: skip
print(
    f"loss {loss0:.4f}; ∂loss/∂w[{j}] by hand {grad_w0[j]:.6f}, by finite difference {numeric:.6f}"
)

# %% [markdown]
# The library's `logistic_loss_and_grad(W, b, X, Y, C)` computes the same objective with
# weights as a matrix (one row for two classes, one row per class for more) and a
# stable log: our `np.log(p)` becomes $-\infty$ once a score passes about 37 and $p$
# rounds to 1. Checked equal:

# %%
lib_loss, lib_grad_W, lib_grad_b = logistic_loss_and_grad(
    w0[None, :], np.array([b0]), X_tr, y_tr[:, None].astype(float), C
)
np.testing.assert_allclose(lib_loss, loss0, rtol=1e-12)
np.testing.assert_allclose(lib_grad_W[0], grad_w0, rtol=1e-10)
np.testing.assert_allclose(lib_grad_b[0], grad_b0, rtol=1e-10)
print("the library's loss and gradient equal ours")

# %% [markdown]
# **Your turn: a stable log-loss for one row.** For a score $z$ and a label $y = 1$, the
# loss is $-\log\sigma(z) = \log(1 + e^{-z})$. For $z = -800$, `np.log(1 + np.exp(800))`
# overflows to infinity although the answer is about 800. Write `stable_log_loss(z)` that
# returns $\log(1 + e^{-z})$ for an array of scores, finite for every $z$.


# %%
def stable_log_loss(z):
    return None  # your code: log(1 + exp(-z)) without overflow, for any z


# %%
scores = np.array([-800.0, -30.0, -1.0, 0.0, 2.0, 40.0, 800.0])
check(
    "log(1 + e^-z) without overflow",
    stable_log_loss(scores),
    np.logaddexp(0.0, -scores),
    hint="for large negative z the answer is close to -z; split off that part before exponentiating",
)

# %% [markdown]
# ## 5. Training it: the gradient step
#
# Training is the loop of section 2 on this loss: $W \leftarrow W - \eta\,\nabla_W$,
# $b \leftarrow b - \eta\,\nabla_b$. The loss is a sum over rows, so its curvature is at
# most $\lambda_{\max}(\tilde X^\top\tilde X)/4 + 1/C$ (the sigmoid's slope is at most
# 1/4), and one over that is a step that always descends. The library's
# `logistic_gradient_step` is exactly one such step; first we check it against ours.

# %%
Y_tr = y_tr[:, None].astype(float)  # one 0/1 column: two classes, one weight row
X_tr_tilde = np.hstack([X_tr, np.ones((len(X_tr), 1))])
lr = 1.0 / (np.linalg.eigvalsh(X_tr_tilde.T @ X_tr_tilde)[-1] / 4 + 1.0 / C)
W_step, b_step, loss_step = logistic_gradient_step(w0[None, :], np.array([b0]), X_tr, Y_tr, C, lr)
np.testing.assert_allclose(W_step[0], w0 - lr * grad_w0, rtol=1e-12)
np.testing.assert_allclose(b_step[0], b0 - lr * grad_b0, rtol=1e-12)
assert np.isclose(loss_step, loss0)  # the loss before the step

logistic_steps = 300 if QUICK else 5000
W, b, logistic_losses = np.zeros((1, X_tr.shape[1])), np.zeros(1), []
for _ in range(logistic_steps):
    W, b, loss = logistic_gradient_step(W, b, X_tr, Y_tr, C, lr)
    logistic_losses.append(loss)

fitted = LogisticRegression(C=C, tol=1e-10, max_iter=1000).fit(X_tr, y_tr)
reference = sk_linear.LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X_tr, y_tr)
np.testing.assert_allclose(fitted.coef_, reference.coef_, atol=1e-5)  # L-BFGS: same optimum
optimum = logistic_loss_and_grad(fitted.coef_, fitted.intercept_, X_tr, Y_tr, C)[0]
full.table(
    {
        "gradient steps": logistic_steps,
        "loss after the steps": logistic_losses[-1],
        "loss at the optimum (L-BFGS)": optimum,
        "L-BFGS iterations to that optimum": int(fitted.n_iter_[0]),
        "largest weight gap to scikit-learn": np.abs(W - reference.coef_).max(),
        "test accuracy, gradient steps (%)": 100 * np.mean(((X_te @ W[0] + b[0]) > 0) == y_te),
        "test accuracy, scikit-learn (%)": 100 * reference.score(X_te, y_te),
    },
    title="Logistic regression on breast cancer, C = 1",
)

# %%
logistic_marks = np.unique(np.geomspace(1, logistic_steps, 40).astype(int)) - 1
full.keep("logistic loss curve, steps", logistic_marks + 1)
full.keep("logistic loss curve", [logistic_losses[i] for i in logistic_marks])
fig, ax = plt.subplots(figsize=(8, 3.8))
ax.plot(range(1, logistic_steps + 1), np.array(logistic_losses) - optimum, label="this run")
if QUICK:
    ax.plot(full["logistic loss curve, steps"], np.array(full["logistic loss curve"]) - optimum,
            "--", alpha=0.7, label=full.label)  # fmt: skip
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("gradient step")
ax.set_ylabel("loss minus the optimum's (log scale)")
ax.set_title("Gradient steps on the logistic loss close in on the optimum")
ax.legend()
ax.grid(alpha=0.3, which="both")
show(fig, "lesson-0.2-logistic-steps.png")

# %% [markdown]
# The gap to the optimum falls by a steady factor per step once the steps are close:
# plain gradient descent converges, but slowly when the loss is a long narrow valley.
# L-BFGS, which `LogisticRegression` uses, estimates the valley's shape from the last few
# gradients and needs far fewer iterations (the table above counts them). Exercise 0.2
# (`journey check 0.2`) asks you to write both functions, for two classes and for many.
#
# ## 6. Decision boundaries, and why we hold data back
#
# With three classes the model keeps one weight row per class and turns the three
# scores into probabilities with a **softmax**; the predicted class is the largest
# score. On two features of iris (petal length and width) we can draw it: the boundary
# between two classes is where their scores are equal, a straight line.

# %%
iris = datasets.load_iris()
X_iris = iris.data[:, 2:4]  # petal length and width, cm
iris_model = LogisticRegression(C=10.0).fit(X_iris, iris.target)
grid_x, grid_y = np.meshgrid(np.linspace(0.5, 7.5, 300), np.linspace(-0.2, 2.8, 200))
regions = iris_model.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.contourf(grid_x, grid_y, regions.reshape(grid_x.shape), levels=[-0.5, 0.5, 1.5, 2.5],
            colors=["#c6dbef", "#c7e9c0", "#fdd0a2"], alpha=0.8)  # fmt: skip
for label, colour in zip(range(3), ["tab:blue", "tab:green", "tab:orange"], strict=True):
    rows = iris.target == label
    ax.scatter(*X_iris[rows].T, s=18, color=colour, edgecolor="black", linewidth=0.4,
               label=iris.target_names[label])  # fmt: skip
ax.set_xlabel("petal length (cm)")
ax.set_ylabel("petal width (cm)")
ax.set_title(f"Logistic regression on iris, 2 features: {iris_model.score(X_iris, iris.target):.0%} "
             "of the flowers right")  # fmt: skip
ax.legend(title="species (regions: the prediction)", loc="upper left")
show(fig, "lesson-0.2-iris-boundary.png")

# %% [markdown]
# That score was measured on the flowers the model was fitted on. A model can do well
# on its training rows by memorising them, and that says nothing about new ones. So we
# split once, fit on one part and score on the other, which stands in for the future.
# The split must be random (the rows of a dataset are often sorted by class, as iris's
# are) and, for classification, **stratified**: each class as common in both parts.
#
# ## 7. Under- and over-fitting
#
# A model's **capacity** is how many shapes it can fit. Too little and it misses the
# pattern (**under-fitting**: both errors high); too much and it fits the noise of its
# training rows (**over-fitting**: training error low, test error high). We fit
# polynomials of growing degree to 30 noisy samples of a smooth curve, and score each on
# 200 fresh samples.
#
# **Predict, then run.** The training error can only fall as the degree grows (a higher
# degree can copy any lower one). What shape will the test error curve have, and at
# roughly which degree will it be lowest?


# %%
def true_curve(x):
    return np.sin(2.5 * x) + 0.5 * x


def noisy_samples(n, generator):
    x = generator.uniform(-1.0, 1.0, size=n)
    return x, true_curve(x) + generator.normal(scale=0.3, size=n)


def powers(x, degree):
    return np.column_stack([x**k for k in range(1, degree + 1)])  # the bias is the model's own


x_fit, y_fit = noisy_samples(30, np.random.default_rng(1))
x_new, y_new = noisy_samples(200, np.random.default_rng(2))
degrees = range(1, 16)
train_error, test_error = [], []
for degree in degrees:
    model = LinearRegression().fit(powers(x_fit, degree), y_fit)
    train_error.append(np.mean((model.predict(powers(x_fit, degree)) - y_fit) ** 2))
    test_error.append(np.mean((model.predict(powers(x_new, degree)) - y_new) ** 2))
best_degree = degrees[int(np.argmin(test_error))]
print(f"lowest test error at degree {best_degree}: {min(test_error):.4f} (noise variance 0.09)")

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.plot(degrees, train_error, "o-", label="training error (30 points)")
left.plot(degrees, test_error, "s-", label="test error (200 new points)")
left.axhline(0.09, color="grey", linestyle=":", label="the noise's variance")
left.set_yscale("log")
left.set_xlabel("polynomial degree (capacity)")
left.set_ylabel("mean squared error (log scale)")
left.set_title("Training error falls; test error is U-shaped")
left.legend(fontsize=8)
left.grid(alpha=0.3, which="both")
xs = np.linspace(-1, 1, 300)
right.scatter(x_fit, y_fit, s=14, color="black", label="training points")
right.plot(xs, true_curve(xs), color="grey", linestyle=":", label="the true curve")
for degree, colour in [(1, "tab:blue"), (best_degree, "tab:green"), (15, "tab:red")]:
    model = LinearRegression().fit(powers(x_fit, degree), y_fit)
    right.plot(xs, model.predict(powers(xs, degree)), color=colour, label=f"degree {degree}")
right.set_ylim(-2.5, 2.5)
right.set_xlabel("x")
right.set_ylabel("y")
right.set_title("Under-fit (1), about right, over-fit (15)")
right.legend(fontsize=8)
show(fig, "lesson-0.2-under-over-fitting.png")

# %% [markdown]
# Degree 1 is a straight line through a curve: under-fitting. The highest degrees pass
# close to every training point and swing wildly between them: over-fitting. The best
# degree sits at the bottom of the U, and its test error approaches the variance of the
# noise, which no model can remove. Ridge's $\alpha$ and logistic regression's $C$ are
# the same dial turned smoothly: they limit how large, and so how wiggly, the weights
# may become.
#
# ## 8. Cross-validation and a grid search
#
# To choose such a dial we need a score for each setting, but the test set must stay
# untouched until the end, or it stops measuring the future. **k-fold cross-validation**
# reuses the training rows instead: cut them into $k$ folds, fit on $k - 1$, score on the
# one left out, and repeat so each fold is left out once. The mean of the $k$ scores is
# the estimate; their spread says how much to trust it.

# %%
cross_validation_folds(n_rows=20, n_splits=5)  # drawn by nlpjourney.course.ml_diagrams

# %% [markdown]
# **Your turn: the folds' test rows.** Write `my_kfold(n, k)` that returns a list of $k$
# arrays, the test rows of each fold in order, without shuffling: consecutive blocks,
# the first `n % k` blocks one row longer than the rest (the rule of the picture, and of
# scikit-learn's `KFold`).


# %%
def my_kfold(n, k):
    return None  # your code: a list of k arrays of row indices


# %%
folds = my_kfold(23, 5)
check(
    "k-fold test rows",
    None if folds is None else [np.asarray(f).tolist() for f in folds],
    [test.tolist() for _, test in KFold(n_splits=5).split(np.zeros(23))],
    hint="23 rows in 5 folds give sizes 5, 5, 5, 4, 4; each block starts where the last ended",
)

# %% [markdown]
# Cross-validation is then a loop over the folds: fit a fresh model on the other rows,
# score it on the fold. The library's `cross_val_score` is that loop, checked equal:

# %%
hand_scores = []
for train_rows, test_rows in KFold(n_splits=5).split(X_tr):
    fold_model = LogisticRegression().fit(X_tr[train_rows], y_tr[train_rows])
    hand_scores.append(fold_model.score(X_tr[test_rows], y_tr[test_rows]))
library_scores = cross_val_score(LogisticRegression(), X_tr, y_tr, cv=KFold(n_splits=5))
np.testing.assert_allclose(library_scores, hand_scores)
print("accuracy of each fold:", np.round(hand_scores, 4), f"mean {np.mean(hand_scores):.4f}")

# %% [markdown]
# Now the library's `GridSearchCV`. We look for the $C$ of
# logistic regression on the breast-cancer training rows; the folds are stratified by
# class (the library does that for classifiers, as scikit-learn does), and the best $C$
# is then refitted on all training rows and scored once on the test rows.

# %%
C_grid = (
    [0.001, 0.01, 0.1, 1.0, 10.0]
    if QUICK
    else [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0]
)
n_folds = 3 if QUICK else 5
search = GridSearchCV(LogisticRegression(max_iter=1000), {"C": C_grid}, cv=n_folds).fit(X_tr, y_tr)
sk_search = sk_selection.GridSearchCV(
    sk_linear.LogisticRegression(max_iter=1000), {"C": C_grid}, cv=n_folds
).fit(X_tr, y_tr)
assert search.best_params_ == sk_search.best_params_
np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                           sk_search.cv_results_["mean_test_score"], atol=1e-9)  # fmt: skip
means = np.array(search.cv_results_["mean_test_score"])
spreads = np.array(search.cv_results_["std_test_score"])
for c, m, s in zip(C_grid, means, spreads, strict=True):
    print(f"C = {c:>7}: cross-validated accuracy {m:.4f} ± {s:.4f}")
full.table(
    {
        "folds": n_folds,
        "best C": search.best_params_["C"],
        "best cross-validated accuracy (%)": 100 * search.best_score_,
        "test accuracy at the best C (%)": 100 * search.score(X_te, y_te),
    },
    title="Grid search for C (scikit-learn's GridSearchCV picks the same C)",
)

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.errorbar(C_grid, 100 * means, yerr=100 * spreads, fmt="o-", capsize=3,
            label=f"mean of {n_folds} folds ± spread")  # fmt: skip
ax.axvline(search.best_params_["C"], color="tab:green", linestyle=":", label="the chosen C")
ax.set_xscale("log")
ax.set_xlabel("C (inverse penalty, log scale)")
ax.set_ylabel("cross-validated accuracy (%)")
ax.set_title("Logistic regression on breast cancer: choosing C")
ax.legend()
ax.grid(alpha=0.3)
show(fig, "lesson-0.2-grid-search.png")

# %% [markdown]
# Small $C$ (a strong penalty) under-fits; past the best value the curve is flat or
# falls slowly, and the fold-to-fold spread is about as large as the differences between
# neighbouring settings: several values of $C$ are about equally good, and the grid
# search's pick among them is partly luck of the folds.

# %% [markdown]
# ## 9. A decision tree: questions that split the rows
#
# A decision tree asks one yes/no question at a time, "is feature $j$ at most $t$?",
# and sends each row left or right until it reaches a leaf, which answers with the
# majority class of its training rows. It is grown greedily from the root: at each node,
# try every feature and every threshold between two neighbouring values, and keep the
# split whose children are purest. Purity is measured by the **Gini impurity** of the
# class shares $p_c$ in a node, $G = 1 - \sum_c p_c^2$: 0 for a pure node, 0.5 for a
# 50/50 node of two classes. A split is scored by $n_L G_L + n_R G_R$, lower is better.
#
# A tiny table first: ten iris flowers of two species, two features, chosen where the
# species overlap so that no cut separates them completely.

# %%
table_rows = [58, 63, 70, 75, 78, 126, 127, 133, 138, 145]  # 5 versicolor, 5 virginica
X_small, y_small = iris.data[table_rows][:, 2:4], iris.target[table_rows]
for (length, width), label in zip(X_small, y_small, strict=True):
    print(f"petal length {length:.1f}  width {width:.1f}  {iris.target_names[label]}")


def gini(labels):
    if len(labels) == 0:
        return 0.0
    shares = np.bincount(labels) / len(labels)
    return 1.0 - np.sum(shares**2)


def best_split(X, y):
    """(score, feature, threshold) of the split with the lowest n_L·G_L + n_R·G_R."""
    best = (np.inf, None, None)
    for feature in range(X.shape[1]):
        values = np.unique(X[:, feature])
        for threshold in (values[:-1] + values[1:]) / 2:  # midpoints between neighbours
            left = X[:, feature] <= threshold
            score = left.sum() * gini(y[left]) + (~left).sum() * gini(y[~left])
            best = min(best, (score, feature, threshold), key=lambda s: s[0])
    return best


score, feature, threshold = best_split(X_small, y_small)
print(f"root Gini {gini(y_small):.3f}; best split: {['length', 'width'][feature]} <= "
      f"{threshold:.2f}, weighted Gini {score:.3f}")  # fmt: skip

# %% [markdown]
# The library's `DecisionTreeClassifier` runs the same search (one sort and one sweep
# per feature, compiled); at depth 1 it must choose our split, as scikit-learn's does.

# %%
stump = DecisionTreeClassifier(max_depth=1).fit(X_small, y_small)
sk_stump = sk_tree.DecisionTreeClassifier(max_depth=1).fit(X_small, y_small)
assert stump.tree_.feature[0] == feature == sk_stump.tree_.feature[0]
assert np.isclose(stump.tree_.threshold[0], threshold)
assert np.isclose(sk_stump.tree_.threshold[0], threshold)
print(stump.describe(feature_names=["petal length", "petal width"]))

# %% [markdown]
# Grown without limit, a tree splits until every leaf is pure: it can memorise any
# training set, which is over-fitting again. The **depth limit** is its capacity dial.
# Below: the regions of trees of growing depth on the two petal features of all 150
# flowers, and train and test accuracy against depth on breast cancer.

# %%
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4), sharey=True)
for ax, depth in zip(axes, [1, 2, 3, None], strict=True):
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_iris, iris.target)
    regions = tree.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    ax.contourf(grid_x, grid_y, regions.reshape(grid_x.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                colors=["#c6dbef", "#c7e9c0", "#fdd0a2"], alpha=0.8)  # fmt: skip
    for label, colour in zip(range(3), ["tab:blue", "tab:green", "tab:orange"], strict=True):
        rows = iris.target == label
        ax.scatter(*X_iris[rows].T, s=10, color=colour, edgecolor="black", linewidth=0.3,
                   label=iris.target_names[label])  # fmt: skip
    ax.set_title(f"depth {tree.get_depth()}{' (no limit)' if depth is None else ''}: "
                 f"{tree.get_n_leaves()} leaves")  # fmt: skip
    ax.set_xlabel("petal length (cm)")
axes[0].set_ylabel("petal width (cm)")
axes[0].legend(fontsize=7, loc="upper left")
fig.suptitle("Decision-tree regions on iris: every split is a cut parallel to an axis")
show(fig, "lesson-0.2-tree-regions.png")

# %% [markdown]
# The same tree of depth 3, drawn node by node (by `nlpjourney.course.ml_diagrams`): each
# split's test and the rows that reach it, each leaf's class and how pure it is.

# %%
depth_3 = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_iris, iris.target)
decision_tree(depth_3.tree_, ["petal length", "petal width"], list(iris.target_names))

# %%
depths = range(1, 11)
tree_train, tree_test = [], []
for depth in depths:
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_tr, y_tr)
    tree_train.append(tree.score(X_tr, y_tr))
    tree_test.append(tree.score(X_te, y_te))
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(depths, 100 * np.array(tree_train), "o-", label="training accuracy")
ax.plot(depths, 100 * np.array(tree_test), "s-", label="test accuracy")
ax.set_xlabel("max_depth (capacity)")
ax.set_ylabel("accuracy (%)")
ax.set_title("A tree on breast cancer: deeper fits the training rows, not the test rows")
ax.legend()
ax.grid(alpha=0.3)
show(fig, "lesson-0.2-tree-depth.png")
print(
    f"training accuracy reaches {max(tree_train):.0%}; the best test accuracy, "
    f"{max(tree_test):.1%}, comes at depth {depths[int(np.argmax(tree_test))]}"
)

# %% [markdown]
# ## 10. A random forest: many trees, averaged
#
# A deep tree has low bias but high variance: grown on slightly different rows it comes
# out very different. Averaging $B$ models whose errors are independent divides the
# variance by $B$; trees grown on the same rows are far from independent, so a forest
# makes them differ in two ways. Each tree sees a **bootstrap** sample (n rows drawn with
# replacement, about 63 % of them distinct), and each split considers only a random
# subset of the features ($\sqrt{30} \approx 5$ here). The forest averages the trees'
# class probabilities. We build one from the library's tree.

# %%
n_trees = 15 if QUICK else 100
forest_rng = np.random.default_rng(0)
single_scores, probability_sum, forest_curve = [], np.zeros((len(X_te), 2)), []
for t in range(n_trees):
    rows = forest_rng.integers(0, len(X_tr), size=len(X_tr))  # a bootstrap sample
    tree = DecisionTreeClassifier(max_features="sqrt", random_state=t).fit(X_tr[rows], y_tr[rows])
    single_scores.append(tree.score(X_te, y_te))
    probability_sum += tree.predict_proba(X_te)
    forest_curve.append(np.mean(probability_sum.argmax(axis=1) == y_te))
print(f"distinct rows in the last bootstrap sample: {len(np.unique(rows)) / len(X_tr):.0%}")
forest = RandomForestClassifier(n_estimators=n_trees, random_state=0).fit(X_tr, y_tr)
sk_forest_scores = [sk_ensemble.RandomForestClassifier(n_estimators=n_trees, random_state=s)
                    .fit(X_tr, y_tr).score(X_te, y_te) for s in range(3)]  # fmt: skip
full.table(
    {
        "trees": n_trees,
        "one tree, mean test accuracy (%)": 100 * np.mean(single_scores),
        "one tree, spread (std, %)": 100 * np.std(single_scores),
        "our hand-made forest (%)": 100 * forest_curve[-1],
        "library RandomForestClassifier (%)": 100 * forest.score(X_te, y_te),
        "scikit-learn's, mean of 3 seeds (%)": 100 * np.mean(sk_forest_scores),
    },
    title="Trees and forests on breast cancer (test accuracy)",
)

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(range(1, n_trees + 1), 100 * np.array(forest_curve), label="forest of the first n trees")
ax.scatter(range(1, n_trees + 1), 100 * np.array(single_scores), s=10, color="tab:grey",
           label="each tree alone")  # fmt: skip
ax.set_xlabel("number of trees")
ax.set_ylabel("test accuracy (%)")
ax.set_title("A forest of the first n trees, and each tree alone")
ax.legend(loc="lower right")
ax.grid(alpha=0.3)
show(fig, "lesson-0.2-forest.png")

# %% [markdown]
# The trees alone scatter over several points of accuracy (the table's spread); the
# forest's curve wobbles while it holds a few trees and then settles, above the trees'
# mean. The library's forest (bootstrap counts as row weights, probabilities averaged)
# and scikit-learn's land close to each other; their random draws differ, so they are
# compared on average, not tree by tree.
#
# ## 11. k nearest neighbours: no training at all
#
# The k-NN classifier keeps the training rows and, for a new row, lets the $k$ nearest
# of them vote. Everything is in the distance; the Euclidean distance between every test
# row and every training row is one matrix product away, since
# $\|a - b\|^2 = \|a\|^2 + \|b\|^2 - 2\,a\cdot b$. Standardised columns matter here:
# otherwise the feature with the largest numbers decides alone.


# %%
def my_knn_predict(X_train, y_train, X_query, k):
    squared = ((X_query**2).sum(1)[:, None] + (X_train**2).sum(1)[None, :]
               - 2 * X_query @ X_train.T)  # fmt: skip
    nearest = np.argsort(squared, axis=1, kind="stable")[:, :k]  # (n_query, k) row indices
    votes = np.apply_along_axis(np.bincount, 1, y_train[nearest], minlength=2)
    return votes.argmax(axis=1)


mine = my_knn_predict(X_tr, y_tr, X_te, k=5)
knn = KNeighborsClassifier(n_neighbors=5).fit(X_tr, y_tr)
assert np.array_equal(mine, knn.predict(X_te))
assert np.array_equal(mine, sk_neighbors.KNeighborsClassifier(5).fit(X_tr, y_tr).predict(X_te))
print(
    f"5-NN test accuracy: {np.mean(mine == y_te):.4f} (ours, the library's and scikit-learn's agree)"
)

# %% [markdown]
# Here $k$ is the dial, turned the other way: $k = 1$ follows every training point
# (each is its own region, over-fitting), a large $k$ smooths the boundary towards the
# majority class.

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
for ax, k in zip(axes, [1, 15, 75], strict=True):
    model = KNeighborsClassifier(n_neighbors=k).fit(X_iris, iris.target)
    regions = model.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    ax.contourf(grid_x, grid_y, regions.reshape(grid_x.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                colors=["#c6dbef", "#c7e9c0", "#fdd0a2"], alpha=0.8)  # fmt: skip
    for label, colour in zip(range(3), ["tab:blue", "tab:green", "tab:orange"], strict=True):
        rows = iris.target == label
        ax.scatter(*X_iris[rows].T, s=10, color=colour, edgecolor="black", linewidth=0.3,
                   label=iris.target_names[label])  # fmt: skip
    ax.set_title(f"k = {k}: training accuracy {model.score(X_iris, iris.target):.0%}")
    ax.set_xlabel("petal length (cm)")
axes[0].set_ylabel("petal width (cm)")
axes[0].legend(fontsize=7, loc="upper left")
fig.suptitle("k-NN regions on iris: small k follows single points, large k smooths")
show(fig, "lesson-0.2-knn-regions.png")

# %% [markdown]
# ## 12. A linear SVM: the hinge loss and the margin
#
# A support vector machine keeps the linear score but changes the loss. With labels
# $y \in \{-1, +1\}$ and the **margin** $m = y\,(w \cdot x + b)$, the **hinge loss** is
# $\max(0, 1 - m)$: zero for a row on the right side with margin at least 1, growing
# linearly otherwise. The log-loss never reaches zero; the hinge does, so only the rows
# near the boundary (the **support vectors**) shape the solution. The SVM minimises
# $\frac{\lambda}{2}\|w\|^2 + \frac{1}{n}\sum_i \max(0, 1 - m_i)$: among the lines that
# separate the classes with margin 1, the smallest $\|w\|$ means the widest gap
# $2/\|w\|$ between the classes.

# %%
m = np.linspace(-2.5, 3, 300)
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.plot(m, np.maximum(0, 1 - m), label="hinge: max(0, 1 - m)")
ax.plot(m, np.logaddexp(0, -m) / np.log(2), label="log-loss / log 2")
ax.plot(m, (m <= 0).astype(float), label="0-1 loss (a mistake)")
ax.set_xlabel("margin m = y (w·x + b)")
ax.set_ylabel("loss of one row")
ax.set_title("Three losses of one row, by its margin")
ax.legend()
ax.grid(alpha=0.3)
show(fig, "lesson-0.2-losses.png")

# %% [markdown]
# **Pegasos** (Shalev-Shwartz et al., 2007) minimises it by stochastic sub-gradient
# steps: at step $t$, take one random row, step size $\eta_t = 1/(\lambda t)$; shrink $w$
# by $(1 - \eta_t\lambda)$, and if the row's margin is below 1 add $\eta_t\, y\, x$. As
# the library does, we fold the bias in as a constant feature 1.
#
# **Predict, then run.** Pegasos touches one row per step. After one pass over the
# rows, and after many, how close will its test accuracy be to the exact solver's?


# %%
def my_pegasos(X, y, lam, epochs, seed=0):
    X1 = np.hstack([X, np.ones((len(X), 1))])  # the bias as a constant feature
    signs = np.where(y == 1, 1.0, -1.0)
    w, t = np.zeros(X1.shape[1]), 0
    order_rng = np.random.default_rng(seed)
    for _ in range(epochs):
        for i in order_rng.permutation(len(X1)):
            t += 1
            eta = 1.0 / (lam * t)
            margin = signs[i] * (X1[i] @ w)
            w *= 1.0 - eta * lam
            if margin < 1.0:
                w += eta * signs[i] * X1[i]
    return w[:-1], w[-1]


svm_C = 0.1
lam = 1.0 / (svm_C * len(X_tr))  # the same objective as C = 0.1 in liblinear's form
epoch_counts = [1, 5] if QUICK else [1, 5, 20, 50]
svm = LinearSVC(C=svm_C, loss="hinge", random_state=0).fit(X_tr, y_tr)
sk_svc = sk_svm.LinearSVC(C=svm_C, loss="hinge", dual=True, max_iter=100_000).fit(X_tr, y_tr)
exact_objective = svm_objective(svm.coef_, svm.intercept_, X_tr, y_tr, svm_C, loss="hinge")
sk_objective = svm_objective(sk_svc.coef_, sk_svc.intercept_, X_tr, y_tr, svm_C, loss="hinge")
pegasos_rows = {}
for epochs in epoch_counts:
    w_p, b_p = my_pegasos(X_tr, y_tr, lam, epochs)
    objective = svm_objective(w_p[None, :], np.array([b_p]), X_tr, y_tr, svm_C, loss="hinge")
    accuracy = np.mean(((X_te @ w_p + b_p) > 0) == y_te)
    pegasos_rows[epochs] = (objective, accuracy)
    print(f"Pegasos, {epochs:>2} epochs: objective {objective:8.3f}, test accuracy {accuracy:.4f}")
print(
    f"dual coordinate descent (ours): objective {exact_objective:.3f}, "
    f"test accuracy {svm.score(X_te, y_te):.4f}"
)
print(
    f"scikit-learn's LinearSVC:       objective {sk_objective:.3f}, "
    f"test accuracy {sk_svc.score(X_te, y_te):.4f}"
)
assert abs(exact_objective - sk_objective) <= 1e-3 * sk_objective
last = epoch_counts[-1]
full.table(
    {
        "Pegasos epochs": last,
        "Pegasos objective / exact objective": pegasos_rows[last][0] / exact_objective,
        "Pegasos test accuracy (%)": 100 * pegasos_rows[last][1],
        "exact solver test accuracy (%)": 100 * svm.score(X_te, y_te),
    },
    title="Linear SVM on breast cancer, C = 0.1, hinge loss",
)

# %% [markdown]
# Pegasos's objective approaches the exact one slowly (its step shrinks like $1/t$), yet
# its accuracy is close after a pass or two: a classifier needs the boundary roughly
# right, not the last digit of the objective. The library's `LinearSVC(solver="dual_cd")`
# solves the same problem exactly, by coordinate descent on its dual, as liblinear (the
# engine behind scikit-learn's `LinearSVC`) does; `solver="pegasos"` is the loop above.

# %% [markdown]
# ## 13. k-means: finding groups without labels
#
# Everything so far learned from labels. **k-means** gets rows only and looks for $k$
# centres that minimise the **inertia**, the summed squared distance of each row to its
# nearest centre. Lloyd's algorithm alternates two steps, and neither can raise the
# inertia:
#
# 1. **assign** each row to its nearest centre;
# 2. **update** each centre to the mean of its rows.
#
# We run it by hand on the four iris measurements, from three rows as starting centres.

# %%
X_flowers = iris.data  # (150, 4), no labels used
start = X_flowers[[0, 1, 2]]  # three setosa flowers: a poor start, on purpose


def my_lloyd(X, centres, max_steps=100):
    inertias = []
    for _ in range(max_steps):
        squared = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)  # (n, k)
        labels = squared.argmin(axis=1)  # step 1: assign
        inertias.append(squared[np.arange(len(X)), labels].sum())
        new = np.array([X[labels == c].mean(axis=0) for c in range(len(centres))])  # step 2
        if np.allclose(new, centres):
            break
        centres = new
    return centres, labels, inertias


centres, clusters, inertias = my_lloyd(X_flowers, start)
print("inertia after each assignment:", np.round(inertias, 2))
km = KMeans(n_clusters=3, init=start, n_init=1).fit(X_flowers)
np.testing.assert_allclose(km.cluster_centers_, centres, rtol=1e-10)
assert np.array_equal(km.labels_, clusters)
sk_km = sk_cluster.KMeans(n_clusters=3, init=start, n_init=1).fit(X_flowers)
np.testing.assert_allclose(sk_km.cluster_centers_, centres, rtol=1e-8)
print(f"inertia {km.inertia_:.3f} (the library's and scikit-learn's centres equal ours)")

# %% [markdown]
# Lloyd's algorithm only finds a local minimum, and which one depends on the start.
# **k-means++** picks starting centres that are spread out: the first one is a random
# row, and each next one is a row drawn with probability proportional to its squared
# distance to the nearest centre chosen so far, so far-away groups are likely to get a
# centre. The library's `KMeans` uses it by default.
#
# How many clusters? The inertia always falls as $k$ grows (with $k = n$ it is 0), so
# the lowest inertia is no guide. A common heuristic looks for the **elbow**: the $k$
# after which adding a centre buys little. On the 8x8 digits:

# %%
X_digits, y_digits = datasets.load_digits(return_X_y=True)
ks = range(1, 21) if not QUICK else range(1, 13, 2)
inertia_by_k = [KMeans(n_clusters=k, random_state=0).fit(X_digits).inertia_ for k in ks]
ten = KMeans(n_clusters=10, random_state=0).fit(X_digits)
sk_ten = sk_cluster.KMeans(n_clusters=10, random_state=0, n_init=1).fit(X_digits)
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(list(ks), inertia_by_k, "o-", label="our KMeans (k-means++ start)")
ax.axvline(10, color="grey", linestyle=":", label="10 digits")
ax.set_xlabel("number of clusters k")
ax.set_ylabel("inertia")
ax.set_title("k-means on digits: inertia against k")
ax.legend()
ax.grid(alpha=0.3)
show(fig, "lesson-0.2-kmeans-inertia.png")
full.table(
    {
        "inertia at k = 10, ours": ten.inertia_,
        "inertia at k = 10, scikit-learn": sk_ten.inertia_,
    },
    title="k-means on digits, k = 10",
)

# %% [markdown]
# The curve bends smoothly, without a sharp elbow at 10: the digits do not fall into ten
# round, well-separated groups in pixel space, and the elbow heuristic is often this
# vague on real data.
#
# ## 14. PCA: the directions of largest spread
#
# **Principal component analysis** finds the directions along which the rows spread the
# most. Centre the columns, take the singular value decomposition $X_c = U \Sigma V^\top$;
# the rows of $V^\top$ are the directions (the **components**), and the variance along
# component $i$ is $\sigma_i^2/(n - 1)$. Projecting onto the first two gives the best
# two-dimensional picture of the data, in the sense of keeping the most variance.

# %%
Xc_digits = X_digits - X_digits.mean(axis=0)
_, singular, Vt = np.linalg.svd(Xc_digits, full_matrices=False)
explained = singular**2 / (len(X_digits) - 1)
ratio = explained / explained.sum()
pca = PCA(n_components=2).fit(X_digits)
np.testing.assert_allclose(pca.explained_variance_, explained[:2], rtol=1e-10)
# An SVD fixes each direction only up to its sign; compare the directions up to sign.
np.testing.assert_allclose(np.abs(pca.components_), np.abs(Vt[:2]), atol=1e-10)
sk_pca = sk_decomposition.PCA(n_components=2).fit(X_digits)
np.testing.assert_allclose(pca.components_, sk_pca.components_, atol=1e-8)  # same sign rule
print(
    f"the first two components explain {ratio[:2].sum():.1%} of the variance; "
    f"{np.searchsorted(np.cumsum(ratio), 0.9) + 1} components explain 90 %"
)

# %%
projected = pca.transform(X_digits)
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
scatter = left.scatter(*projected.T, c=y_digits, cmap="tab10", s=6)
left.legend(*scatter.legend_elements(), title="digit", fontsize=7, ncol=2, loc="upper right")
left.set_xlabel("first principal component")
left.set_ylabel("second principal component")
left.set_title("1797 digits, 64 pixels each, projected to 2-D")
right.plot(range(1, len(ratio) + 1), np.cumsum(ratio) * 100, label="cumulative")
right.bar(range(1, len(ratio) + 1), ratio * 100, color="tab:orange", label="each component")
right.set_xlabel("number of components")
right.set_ylabel("variance explained (%)")
right.set_title("Explained variance of the digits' components")
right.legend()
right.grid(alpha=0.3)
show(fig, "lesson-0.2-pca-digits.png")

# %% [markdown]
# PCA never saw the labels, yet several digits form visible groups in two dimensions
# (0s at the bottom, 3s and 9s on the left, 4s and 6s on the right), while others (2s,
# 5s, 7s, 8s) overlap in the middle. The variance is spread over many
# directions: a few components describe the digits roughly, not exactly.
#
# ## 15. Metrics: what accuracy hides
#
# Accuracy counts right answers. When one class is rare or one kind of mistake costs more
# (calling a malignant tumour benign), we need to count the mistakes by kind. With the
# malignant class as the one we are looking for (positive):
#
# - **precision** = of the rows called malignant, the share that are;
# - **recall** = of the malignant rows, the share that were found;
# - **F1** = their harmonic mean, $2PR/(P + R)$.
#
# The **confusion matrix** holds all four counts (rows: truth, columns: prediction).

# %%
best_model = search.best_estimator_
predicted = best_model.predict(X_te)
malignant = 0  # the dataset's label 0
tp = np.sum((predicted == malignant) & (y_te == malignant))
fp = np.sum((predicted == malignant) & (y_te != malignant))
fn = np.sum((predicted != malignant) & (y_te == malignant))
precision, recall = tp / (tp + fp), tp / (tp + fn)
f1 = 2 * precision * recall / (precision + recall)
print(f"by hand: precision {precision:.4f}, recall {recall:.4f}, F1 {f1:.4f}")
library = metrics.precision_recall_fscore_support(y_te, predicted, pos_label=malignant,
                                                  average="binary")  # fmt: skip
np.testing.assert_allclose(library[:3], [precision, recall, f1], rtol=1e-12)
print(
    metrics.classification_report(y_te, predicted, target_names=list(cancer.target_names), digits=3)
)
cm = metrics.confusion_matrix(y_te, predicted)
picture = metrics.plot_confusion_matrix(
    cm, list(cancer.target_names), os.path.join(tempfile.gettempdir(), "lesson-0.2-confusion.png"),
    title="Breast cancer, logistic regression at the best C",
)  # fmt: skip
display(Image(filename=str(picture)))
full.table(
    {
        "test tumours": len(y_te),
        "malignant missed (false negatives)": int(fn),
        "benign called malignant (false positives)": int(fp),
        "malignant recall (%)": 100 * recall,
    },
    title="Mistakes by kind on the test tumours",
)

# %% [markdown]
# Read the two kinds of mistakes in the table and the picture. Moving the threshold of
# the probability (0.5 by default) trades one kind for the other: a screening test would
# lower it to miss fewer malignant tumours, at the price of more false alarms.
#
# ## Summary
#
# - **Linear regression** has an exact solution (the normal equations; in practice an
#   SVD) and an iterative one (gradient descent), which needs a learning rate below
#   $2/L_{\max}$ to converge.
# - **Ridge** and the $C$ of logistic regression penalise large weights; the penalty
#   shrinks the weights and limits over-fitting.
# - **Logistic regression** scores linearly and squashes with the sigmoid (or softmax);
#   the gradient of the log-loss with respect to the score is $p - y$.
# - Test error is **U-shaped** in model capacity; the training error is not a guide.
#   Choose settings by **cross-validation** on the training rows and score the test rows
#   once at the end.
# - A **decision tree** splits greedily on the purest cut (Gini); its depth is its
#   capacity. A **random forest** averages trees made different by bootstrap samples and
#   feature subsets, which cancels much of their variance. **k-NN** learns nothing and
#   votes among the nearest rows; $k$ is its dial.
# - A **linear SVM** uses the hinge loss, which is zero beyond the margin; Pegasos
#   reaches a good boundary in a few passes, an exact dual solver the optimum.
# - **k-means** alternates assigning rows to centres and moving centres to means;
#   **PCA** is an SVD of the centred data, and its explained variance says how many
#   directions the data really use.
# - **Precision, recall and F1** count the kinds of mistakes that accuracy mixes.
