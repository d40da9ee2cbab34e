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
# # 0.1 Math for ML with NumPy
#
# Almost everything later in this course (word vectors, classifiers, attention, training a
# GPT) is built from five ideas: **vectors**, **matrices**, **derivatives**, **gradients**
# and **probability**. In this lesson you build each one in a few lines of NumPy, check
# your version against the project's library, `nlpjourney.ml.math`, and from then on use
# the library's.
#
# You will meet two traps that catch real code: `exp` overflowing inside a softmax, and
# finite differences taken with the wrong step. Both have one-line fixes once you see them.
#
# Set `JOURNEY_QUICK=1` in the environment to run everything with smaller samples.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import nlpjourney.ml.math as ml_math
from nlpjourney.course.results import FullRun

QUICK = os.environ.get("JOURNEY_QUICK") == "1"
full = FullRun("0.1")  # the full run's stored numbers, shown beside this run's own
rng = np.random.default_rng(0)  # one seeded generator: every run prints the same numbers
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Vectors: documents as word counts
#
# A vector is a list of numbers with a fixed meaning for each position. Here each
# position is a word of a tiny vocabulary, and a document becomes the vector of how often
# it uses each word: a *bag of words*, which topic 1.3 develops properly.

# %%
vocabulary = ["cat", "dog", "sat", "mat", "stock", "market"]
documents = {
    "pets": "the cat sat on the mat the dog sat too",
    "pets twice": "the cat sat on the mat the dog sat too " * 2,
    "finance": "the stock market fell and the market sat still",
}


def count_vector(text: str) -> np.ndarray:
    words = text.split()
    return np.array([words.count(word) for word in vocabulary], dtype=float)


vectors = {name: count_vector(text) for name, text in documents.items()}
for name, vector in vectors.items():
    print(f"{name:>10}: {vector}")

# %% [markdown]
# The **dot product** multiplies matching positions and adds them up:
# $a \cdot b = \sum_i a_i b_i$. It is large when both vectors are large in the same places,
# so it measures overlap. The **length** (Euclidean norm) is $\|a\| = \sqrt{a \cdot a}$.


# %%
def my_dot(a, b):
    total = 0.0
    for a_i, b_i in zip(a, b, strict=True):
        total += a_i * b_i
    return total


def my_length(a):
    return my_dot(a, a) ** 0.5


pets, twice, finance = vectors["pets"], vectors["pets twice"], vectors["finance"]
print("pets . pets twice =", my_dot(pets, twice))
print("pets . finance    =", my_dot(pets, finance))

# %% [markdown]
# The raw dot product has a flaw: repeating a document doubles it, although the document
# says nothing new. Dividing by both lengths removes the scale and leaves the **cosine of
# the angle** between the vectors: 1 for the same direction, 0 for no overlap at all.
#
# $$\cos(a, b) = \frac{a \cdot b}{\|a\|\,\|b\|}$$
#
# **Predict, then run.** "pets twice" is the pets document written out twice. Will
# cos(pets, pets twice) be exactly 1, or a little less? And cos(pets, finance): 0, since
# one is about animals and the other about money?


# %%
def my_cosine(a, b):
    return my_dot(a, b) / (my_length(a) * my_length(b))


print("cos(pets, pets twice) =", round(my_cosine(pets, twice), 4))
print("cos(pets, finance)    =", round(my_cosine(pets, finance), 4))

# %% [markdown]
# Doubling a vector does not change its direction, so the first is exactly 1. The second
# is not 0: both documents use "sat", and a bag of words sees shared words, not topics.

# %% [markdown]
# Now check these against the library, then use the library. Its `cosine_similarity`
# also compares every row of one matrix with every row of another in one call, which is
# how a search engine scores a query against a whole collection.

# %%
np.testing.assert_allclose(my_dot(pets, finance), ml_math.dot(pets, finance))
np.testing.assert_allclose(my_length(pets), ml_math.norm(pets))
np.testing.assert_allclose(my_cosine(pets, finance), ml_math.cosine_similarity(pets, finance))

matrix = np.stack(list(vectors.values()))  # (3 documents, 6 words)
print(list(vectors))
print(ml_math.cosine_similarity(matrix, matrix))  # (3, 3): every document against every one

# %% [markdown]
# ## 2. Matrices are linear maps
#
# A matrix $A$ turns a vector $v$ into $Av$. Read it column by column: $Av$ is
# $v_1$ times the first column plus $v_2$ times the second, and so on. So the columns
# say where the axis directions $(1, 0)$ and $(0, 1)$ land, and everything else follows.

# %%
A = np.array([[2.0, 1.0], [0.5, 1.5]])


def my_matvec(matrix, v):
    out = np.zeros(matrix.shape[0])
    for j in range(matrix.shape[1]):
        out += v[j] * matrix[:, j]  # add v_j copies of column j
    return out


v = np.array([1.0, -2.0])
np.testing.assert_allclose(my_matvec(A, v), A @ v)
print("A @ v =", A @ v)

# %% [markdown]
# **Your turn: the row view.** The same product read row by row: entry $i$ of $Av$ is the
# dot product of row $i$ of $A$ with $v$. Replace the `None` so that `my_matvec_rows`
# builds $Av$ that way (a loop over the rows and `my_dot` are all you need).


# %%
def my_matvec_rows(matrix, v):
    return None  # your code: one dot product per row of the matrix


# %%
from nlpjourney.course import check  # noqa: E402

w = np.array([3.0, 0.5])
check(
    "A v, one row at a time",
    my_matvec_rows(A, w),
    A @ w,
    hint="each output number pairs one row of the matrix with the whole vector",
)

# %% [markdown]
# Applying $A$ to every point of the unit circle shows the whole map at once: the circle
# becomes an ellipse, and the two axis arrows go to the columns of $A$.

# %%
angles = np.linspace(0, 2 * np.pi, 200)
circle = np.stack([np.cos(angles), np.sin(angles)])  # (2, 200): one point per column
ellipse = A @ circle  # one matrix product maps all 200 points

fig, ax = plt.subplots(figsize=(6, 4.5))
ax.plot(*circle, color="grey", label="unit circle")
ax.plot(*ellipse, color="tab:blue", label="A applied to it")
for number, (column, color) in enumerate(zip(A.T, ["tab:red", "tab:green"], strict=True), 1):
    ax.annotate("", xy=column, xytext=(0, 0), arrowprops={"color": color, "width": 1.5})
    ax.plot([], [], color=color, linewidth=3, label=f"column {number} of A = {column}")  # legend
ax.set_title("Each axis direction lands on a column of A")
ax.set_xlabel("first coordinate")
ax.set_ylabel("second coordinate")
ax.set_aspect("equal")
ax.grid(alpha=0.3)
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## 3. Derivatives, first by measuring
#
# The derivative $f'(x)$ is the slope of $f$ at $x$. We can *measure* it: nudge $x$ by a
# small step $h$ and see how much $f$ moves. The **central difference** nudges both ways:
#
# $$f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}$$
#
# Take $f(x) = x^3 - 2x$, whose derivative we also know by the rules: $f'(x) = 3x^2 - 2$.


# %%
def f(x):
    return x**3 - 2 * x


def f_prime(x):
    return 3 * x**2 - 2


def my_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)


print("measured:", my_derivative(f, 1.5), " by the rules:", f_prime(1.5))

# %% [markdown]
# How small should $h$ be? Too large and the curve bends within the step; too small and
# the two values of $f$ agree in almost all their digits, so subtracting them leaves
# rounding noise. The one-sided difference $(f(x+h) - f(x))/h$ is worse on the first
# count: its error shrinks like $h$, the central one's like $h^2$.

# **Predict, then run.** The table below shrinks $h$ from $10^{-1}$ to $10^{-11}$. Will the
# central difference's error keep falling all the way down, or is there a best $h$?

# %%
central_errors = {}
print(f"{'h':>8} {'one-sided error':>16} {'central error':>14}")
for h in [1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11]:
    one_sided = (f(1.5 + h) - f(1.5)) / h
    central_errors[h] = abs(my_derivative(f, 1.5, h) - f_prime(1.5))
    print(f"{h:8.0e} {abs(one_sided - f_prime(1.5)):16.2e} {central_errors[h]:14.2e}")
best_h = min(central_errors, key=central_errors.get)
print(f"smallest central error at h = {best_h:.0e}")

# %% [markdown]
# There is a best $h$ (printed above): below it the central error grows again, and that
# is the rounding. The library's `numerical_gradient` uses central differences with a step of
# $10^{-6}$, a safe choice for float64 values of size about 1.
#
# Here is $f$ with its derivative. Where $f'$ crosses zero, $f$ is flat: a peak or a valley.

# %%
xs = np.linspace(-2, 2, 200)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(xs, f(xs), label="$f(x) = x^3 - 2x$")
ax.plot(xs, f_prime(xs), label="$f'(x) = 3x^2 - 2$")
ax.plot(xs[::12], my_derivative(f, xs[::12]), "o", color="tab:orange", label="central differences")
ax.axhline(0, color="grey", linewidth=0.8)
for flat in [-np.sqrt(2 / 3), np.sqrt(2 / 3)]:
    ax.axvline(flat, color="grey", linestyle=":")
ax.set_xlabel("x")
ax.set_ylabel("value")
ax.set_title("f is flat exactly where f' is zero (dotted lines)")
ax.legend()
plt.show()

# %% [markdown]
# ## 4. Gradients and gradient descent
#
# For a function of several numbers, $f(v_1, \dots, v_n)$, the **gradient** $\nabla f$ is
# the vector of its partial derivatives: nudge one coordinate at a time. It points
# uphill, the direction of steepest increase, so a step *against* it goes downhill.
#
# Our test function is a 2-D bowl, $f(v) = \tfrac12 v^\top Q v - b^\top v$, with $Q$
# symmetric positive definite. By the rules its gradient is $Qv - b$, so the bottom of
# the bowl is where $Qv = b$.

# %%
Q = np.array([[3.0, 1.0], [1.0, 1.0]])
b = np.array([1.0, -1.0])


def bowl(v):
    return 0.5 * v @ Q @ v - b @ v


def my_gradient(func, v, h=1e-6):
    grad = np.zeros_like(v)
    for i in range(len(v)):
        step = np.zeros_like(v)
        step[i] = h
        grad[i] = (func(v + step) - func(v - step)) / (2 * h)
    return grad


v0 = np.array([-2.0, 2.5])
print("measured:     ", my_gradient(bowl, v0))
print("by the rules: ", Q @ v0 - b)
np.testing.assert_allclose(my_gradient(bowl, v0), Q @ v0 - b, atol=1e-6)
np.testing.assert_allclose(my_gradient(bowl, v0), ml_math.numerical_gradient(bowl, v0), atol=1e-8)

# %% [markdown]
# **Gradient descent** repeats one move: $v \leftarrow v - \eta \nabla f(v)$ with a
# learning rate $\eta$. Every model in this course is trained by some version of it.

# %%
learning_rate = 0.3
steps = 40
path = [v0]
for _ in range(steps):
    v = path[-1]
    path.append(v - learning_rate * ml_math.numerical_gradient(bowl, v))
path = np.array(path)  # (steps + 1, 2)

minimum = np.linalg.solve(Q, b)
print("after", steps, "steps:", path[-1], " exact minimum:", minimum)

# %%
grid = np.linspace(-3, 3, 60 if QUICK else 200)
G1, G2 = np.meshgrid(grid, grid)
heights = 0.5 * (Q[0, 0] * G1**2 + 2 * Q[0, 1] * G1 * G2 + Q[1, 1] * G2**2) - b[0] * G1 - b[1] * G2

fig, ax = plt.subplots(figsize=(6.5, 5))
contours = ax.contour(G1, G2, heights, levels=20, cmap="viridis")
fig.colorbar(contours, ax=ax, label="height of the bowl, f(v)")
ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=3, label="gradient descent")
ax.plot(*minimum, "*", color="black", markersize=14, label="minimum: Qv = b")
ax.set_title(f"{steps} steps of gradient descent, learning rate {learning_rate}")
ax.set_xlabel("$v_1$")
ax.set_ylabel("$v_2$")
ax.set_aspect("equal")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# The gradient is perpendicular to the contour lines, so each step heads straight
# across them. The first step drops almost to the valley floor, because the bowl is steep
# in that direction; the rest crawl along the floor, where it is nearly flat. How much
# steeper one direction is than the other (the ratio of $Q$'s eigenvalues) sets how slow
# gradient descent is.
#
# **Predict, then run.** Double the learning rate from 0.3 to 0.6: does gradient descent
# get to the minimum in fewer steps, about as fast, or not at all?

# %%
largest_eigenvalue = np.linalg.eigvalsh(Q).max()
print(f"2 / largest eigenvalue of Q = {2 / largest_eigenvalue:.3f}")
fig, ax = plt.subplots(figsize=(7, 4))
for rate in (0.3, 0.5, 0.6):
    v, distances = v0, []
    for _ in range(steps):
        v = v - rate * (Q @ v - b)  # the exact gradient: same steps, no finite differences
        distances.append(np.linalg.norm(v - minimum))
    print(f"learning rate {rate}: distance to the minimum after {steps} steps {distances[-1]:.2e}")
    ax.semilogy(range(1, steps + 1), distances, "o-", markersize=3, label=f"learning rate {rate}")
ax.set_xlabel("step")
ax.set_ylabel("distance to the minimum (log scale)")
ax.set_title("Gradient descent on the bowl at three learning rates")
ax.legend()
plt.show()

# %% [markdown]
# 0.6 is past $2 / \lambda_{\max}(Q)$ (printed above): along the steep direction every
# step overshoots the valley floor by more than the last, and the path flies off. 0.5 is
# just below that limit: it zigzags across the valley, yet ends closer than 0.3 (compare
# the printed distances), because it also crawls faster along the flat floor. The best
# rate sits close to the edge where training diverges, a lesson every later topic repeats.

# %% [markdown]
# ## 5. Softmax, and why it needs a trick
#
# A classifier or a language model produces one score (a *logit*) per class or word. The
# **softmax** turns scores into probabilities: exponentiate, so everything is positive,
# then divide by the total.
#
# $$\operatorname{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}$$


# %%
def naive_softmax(x):
    e = np.exp(x)
    return e / e.sum()


print(naive_softmax(np.array([1.0, 2.0, 3.0])))

# %% [markdown]
# Now give it scores of realistic size for a large model's logits.
#
# **Predict, then run.** Only the differences between scores should matter, so will
# `naive_softmax([1000, 1001, 1002])` print the same probabilities as for `[1, 2, 3]`?

# %%
big = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):  # silence the warnings; look at the result
    print("exp(1000) =", np.exp(1000.0), "  softmax:", naive_softmax(big))

# %% [markdown]
# Not the same: `exp(1000)` is beyond the largest float64 (about $1.8 \times 10^{308}$), so it becomes
# `inf`, and `inf / inf` is `nan`. The fix: subtracting the same number $c$ from every
# score changes nothing, because $e^{x_i - c} / \sum_j e^{x_j - c}$ has the factor
# $e^{-c}$ above and below the line. Choose $c = \max(x)$: every exponent is then at most
# 0, so nothing overflows, and the largest term is exactly $e^0 = 1$, so the sum cannot
# underflow to 0 either.


# %%
def my_softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


print(my_softmax(big))
print(my_softmax(np.array([1.0, 2.0, 3.0])))  # the same: only the differences matter
np.testing.assert_allclose(my_softmax(big), ml_math.softmax(big))
np.testing.assert_allclose(my_softmax(-big), ml_math.softmax(-big))

# %% [markdown]
# The same trick gives a stable $\log \sum_i e^{x_i} = c + \log \sum_i e^{x_i - c}$, the
# library's `logsumexp`, and with it `log_softmax(x) = x - logsumexp(x)`. Use
# `log_softmax` whenever you want log-probabilities (every cross-entropy loss does):
# taking the log of a softmax turns probabilities that underflowed to 0 into `-inf`.
#
# One more fact to keep: the gradient of `logsumexp` *is* the softmax. You can measure it.

# %%
scores = np.array([2.0, -1.0, 0.5])
with np.errstate(divide="ignore"):
    print("log(softmax):", np.log(ml_math.softmax(np.array([0.0, -800.0]))))
print("log_softmax: ", ml_math.log_softmax(np.array([0.0, -800.0])))
np.testing.assert_allclose(
    ml_math.numerical_gradient(ml_math.logsumexp, scores), ml_math.softmax(scores), atol=1e-8
)

# %% [markdown]
# ## 6. Probability: sampling a categorical
#
# Softmax gives a distribution over words; generating text means *drawing* from it. The
# **inverse CDF** method: lay the probabilities end to end along $[0, 1)$, so word $k$
# owns an interval as long as its probability, throw a uniform random number $u$, and
# take the word whose interval it lands in.

# %%
words = ["the", "cat", "sat", "on", "mat"]
probs = ml_math.softmax(np.array([2.0, 1.0, 0.5, 0.5, -1.0]))
cdf = np.cumsum(probs)  # right ends of the intervals
print("probs:", probs)
print("cdf:  ", cdf)


def my_sample(probs, n, rng):
    cdf = np.cumsum(probs)
    u = rng.random(n)
    # The interval of u: the first k whose right end is beyond u.
    return np.searchsorted(cdf, u, side="right")


print([words[k] for k in my_sample(probs, 8, rng)])

# %% [markdown]
# Are the frequencies right? The count of word $k$ in $n$ draws is binomial, so its
# frequency has standard deviation $\sqrt{p_k(1-p_k)/n}$: the error shrinks like
# $1/\sqrt{n}$. Four times the draws halve it. Both samplers should land within a few
# standard deviations of the truth.

# %%
n = 20_000 if QUICK else 500_000
print(f"{n:,} draws" + (" (quick mode: the full run draws 500,000)" if QUICK else ""))
mine = np.bincount(my_sample(probs, n, rng), minlength=len(probs)) / n
library = np.bincount(ml_math.sample_categorical(probs, n, rng), minlength=len(probs)) / n
sd = np.sqrt(probs * (1 - probs) / n)
print("mine:    ", mine)
print("library: ", library)
print("in sds:  ", (mine - probs) / sd)
print("How far the sampled frequencies land from the probabilities")
full.table(
    {
        "draws": n,
        "largest error, mine (sds)": np.abs((mine - probs) / sd).max(),
        "largest error, library (sds)": np.abs((library - probs) / sd).max(),
        "largest error, mine (frequency)": np.abs(mine - probs).max(),
    },
)
assert np.all(np.abs(mine - probs) < 5 * sd) and np.all(np.abs(library - probs) < 5 * sd)

# %% [markdown]
# Watching a running frequency settle makes the $1/\sqrt{n}$ visible: wild at first, then
# ever closer to the dashed line of the true probability.

# %%
draws = ml_math.sample_categorical(probs, n, rng)
counts_so_far = np.cumsum(np.eye(len(probs))[draws], axis=0)  # (n, K): running counts
# Plot at 300 points spread evenly on the log axis, not at all n draws.
seen = np.unique(np.geomspace(1, n, 300).astype(int))
frequencies = counts_so_far[seen - 1] / seen[:, None]  # (300, K)

fig, ax = plt.subplots(figsize=(7, 4))
for k, word in enumerate(words):
    line = ax.plot(seen, frequencies[:, k], label=word)[0]
    ax.axhline(probs[k], color=line.get_color(), linestyle="--", linewidth=0.8)
ax.set_xscale("log")
ax.set_xlabel("number of draws")
ax.set_ylabel("running frequency")
ax.set_title("Frequencies converge to the probabilities (dashed)")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# ## 7. Mean, variance and friends
#
# Summaries of a sample: the **mean** is its centre, the **variance** the average squared
# distance from it, $\frac{1}{n}\sum_i (x_i - \bar x)^2$. Dividing by $n - 1$ instead
# (`ddof=1`) corrects for measuring the distances from the sample's own mean, when you
# want the variance of the population it came from.
#
# For a categorical, take the draws' indices as numbers: the expected value is
# $\sum_k k\,p_k$ and the variance $\sum_k (k - \mu)^2 p_k$. The sample agrees.

# %%
values = np.arange(len(probs))
mu = np.sum(values * probs)
var = np.sum((values - mu) ** 2 * probs)
print(f"mean:     exact {mu:.4f}   variance: exact {var:.4f}")
print(f"The moments of {n:,} draws")
full.table(
    {"sample mean": draws.mean(), "sample variance": ml_math.variance(draws)},
)
np.testing.assert_allclose(ml_math.variance(draws, ddof=1), np.var(draws, ddof=1))

# %% [markdown]
# **Your turn: the variance by its definition.** Replace the `None` so that `my_variance`
# returns $\frac{1}{n}\sum_i (x_i - \bar x)^2$ for a 1-D array, using only sums, `len` and
# arithmetic (no `np.var`).


# %%
def my_variance(x):
    return None  # your code: the mean squared distance from the mean


# %%
check(
    "variance of the draws",
    my_variance(draws),
    ml_math.variance(draws),
    hint="find the centre first, then average the squared distances from it (divide by n)",
)

# %% [markdown]
# Two more moments describe shape. **Skewness** is 0 for symmetric data and positive for
# a long right tail; **excess kurtosis** is 0 for the normal distribution and positive
# for heavier tails. An exponential distribution has skewness 2 and excess kurtosis 6; a
# sample's moments only approach these, the closer the more draws.

# %%
normal = rng.normal(size=n)
exponential = rng.exponential(size=n)
print(f"Shape of {n:,} draws (exact: normal 0 and 0, exponential 2 and 6)")
full.table(
    {
        f"{name}: {moment}": function(sample)
        for name, sample in [("normal", normal), ("exponential", exponential)]
        for moment, function in [
            ("skewness", ml_math.skewness),
            ("excess kurtosis", ml_math.kurtosis),
        ]
    },
)

# %% [markdown]
# Finally, matrices and probability meet. If $z$ has independent standard-normal
# coordinates and $x = Az$, then the **covariance** of $x$ is $AA^\top$: the matrix that
# stretched the circle into an ellipse in section 2 also shapes the cloud of points.

# %%
z = rng.normal(size=(n, 2))  # one observation per row
x = z @ A.T  # applies A to every row
print("sample covariance:\n", ml_math.covariance(x))
print("A A^T:\n", A @ A.T)

# %% [markdown]
# ## What you built
#
# - dot products, norms and cosine similarity: how close two documents are;
# - matrices as maps, applied to many vectors in one product;
# - derivatives and gradients measured by central differences, and checked against the
#   rules: this is how every backward pass in the course is tested;
# - gradient descent, the loop under all training;
# - a softmax that survives large scores, and `logsumexp` / `log_softmax`;
# - sampling by inverse CDF, with errors that shrink like $1/\sqrt{n}$, and the moments
#   that summarise a sample.
#
# Now do the exercise: `journey check 0.1` grades `exercise.py`.
