"""Classic machine-learning foundations.

The mathematics every later area leans on (vectors, matrices, derivatives, gradients,
probability) and, from topic 0.2 on, the classic learners built on it. Everything here
is plain NumPy, so it can be read top to bottom and checked line by line against NumPy,
SciPy and scikit-learn.
"""
