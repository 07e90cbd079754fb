"""The chapter 11 checkers accept right answers, report placeholders and name each mistake."""

import re

import numpy as np
import pytest

import seqlab  # noqa: F401

from seqlab.exercises import NOT_DONE
from seqlab.exercises import ch11


def placeholder(*args):
    raise NotImplementedError


def last_batch(n, batch_size):
    return n if n < batch_size else (n % batch_size or batch_size)


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda n, b: n % b, "zero_when_divides"),
    (lambda n, b: b, "always_full"),
    (lambda n, b: last_batch(n, b) + 1, "wrong_value"),
    (lambda n, b: float(last_batch(n, b)), "wrong_type"),
    (lambda n, b: n[0], "raised"),
])
def test_last_batch_checker(answer, diagnosis):
    assert ch11.check_last_batch(last_batch)
    feedback = ch11.check_last_batch(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


def trim(X, y, batch_size, n_devices):
    # An independent version: drop instances from the end until every batch divides.
    keep = len(X)
    while any(len(range(s, min(s + batch_size, keep))) % n_devices
              for s in range(0, keep, batch_size)):
        keep -= 1
    return X[:keep], y[:keep]


def keep_full_batches(X, y, b, d):
    keep = len(X) // b * b
    return X[:keep], y[:keep]


def drop_start(X, y, b, d):
    keep = len(trim(X, y, b, d)[0])
    return X[len(X) - keep:], y[len(X) - keep:]


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (keep_full_batches, "drops_last_batch"),
    (drop_start, "drops_the_start"),
    (lambda X, y, b, d: (trim(X, y, b, d)[0], y), "x_y_mismatch"),
    (lambda X, y, b, d: (X[:4], y[:4]), "wrong_value"),
    (lambda X, y, b, d: X, "wrong_type"),
])
def test_trim_checker(answer, diagnosis):
    assert ch11.check_trim(trim)
    feedback = ch11.check_trim(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


def combine(gradients, sizes):
    return np.average(gradients, axis=0, weights=sizes)


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda g, s: g.mean(axis=0), "plain_mean"),
    (lambda g, s: g.sum(axis=0), "sum"),
    (lambda g, s: g, "wrong_shape"),
    (lambda g, s: combine(g, s) * 2, "wrong_value"),
    (lambda g, s: object(), "wrong_type"),
])
def test_combined_gradient_checker(answer, diagnosis):
    assert ch11.check_combined_gradient(combine)
    feedback = ch11.check_combined_gradient(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


@pytest.mark.parametrize("pattern, diagnosis", [
    (None, NOT_DONE),
    (".*kernel", "matches_recurrent_kernel"),
    (".*/kernel", "matches_dense"),
    ("gru_cell/kernel", "misses_kernels"),
    ("(", "bad_regex"),
    (3, "wrong_type"),
])
def test_kernel_regex_checker(pattern, diagnosis):
    assert ch11.check_kernel_regex(r".*_cell/kernel")
    feedback = ch11.check_kernel_regex(pattern)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


def test_kernel_regex_rule_is_keras_layout_map_rule():
    # The checker's rule is LayoutMap's own, on the paths of a real model's weights.
    import keras

    model = keras.Sequential([keras.Input((5, 1)), keras.layers.GRU(3),
                              keras.layers.Dense(1)])
    mesh = keras.distribution.DeviceMesh((1,), ["model"], ["cpu:0"])
    for pattern in (r".*_cell/kernel", ".*kernel", ".*/kernel"):
        layout_map = keras.distribution.LayoutMap(mesh)
        layout_map[pattern] = (None, "model")
        taken = [w.path for w in model.weights if layout_map[w.path] is not None]
        picked = [w.path for w in model.weights if re.fullmatch(pattern, w.path)]
        assert taken == picked and taken
        assert bool(ch11.check_kernel_regex(pattern)) == (
            taken == [w.path for w in model.weights if w.path.endswith("_cell/kernel")])
