"""Windowing throughput: seqlab.windows.make_windows against keras.utils.timeseries_dataset_from_array.

Three ways to produce the same (inputs, next value) windows of one series, and the
same batches of 32, all measured in the same run:

- ``make_windows``: the zero-copy views only;
- ``make_windows + batches``: the views, then every batch of 32 copied out as a
  contiguous array (what a training loop would feed a model);
- ``keras timeseries_dataset_from_array``: the tf.data pipeline, iterated to the end
  (needs TensorFlow).

Each is repeated ``repeats`` times; the rows report the median, windows per second and
the ratio to the Keras pipeline's median. Importing this module runs nothing;
``bench/run.py`` calls :func:`run_windowing_benchmark`.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

KERAS_METHOD = "keras timeseries_dataset_from_array"


def _median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _numpy_batches(series, input_length, batch_size):
    from seqlab.windows import make_windows

    X, y = make_windows(series, input_length, 1, target="next")
    count = 0
    for start in range(0, len(X), batch_size):
        batch_X = np.ascontiguousarray(X[start:start + batch_size])
        batch_y = np.ascontiguousarray(y[start:start + batch_size])
        count += min(len(batch_X), len(batch_y))
    return count


def _keras_batches(series, input_length, batch_size):
    import keras

    dataset = keras.utils.timeseries_dataset_from_array(
        series[:-1], series[input_length:, 0], sequence_length=input_length,
        batch_size=batch_size, shuffle=False)
    count = 0
    for batch_X, _ in dataset:
        count += int(batch_X.shape[0])
    return count


def run_windowing_benchmark(repeats: int = 7, *, n_steps: int = 10_000, input_length: int = 64,
                            batch_size: int = 32, seed: int = 0) -> list[dict]:
    """Measure windowing throughput; return one dict per method.

    Args:
        repeats: timed repetitions of each method (the median is reported).
        n_steps: length of the float32 series (one feature).
        input_length: steps per input window; the target is the next value.
        batch_size: batch size of the batched methods.
        seed: seed of the random series.

    Returns:
        A list of rows with keys ``benchmark``, ``method``, ``backend``, ``n_steps``,
        ``input_length``, ``batch_size``, ``n_windows``, ``repeats``, ``median_s``,
        ``windows_per_s``, ``time_ratio_to_keras`` (median over the Keras median:
        below 1 is faster) and ``speedup_vs_keras`` (its inverse). Without TensorFlow,
        the Keras row has ``median_s`` None and the ratios are None.
    """
    import seqlab  # noqa: F401  (quiets TensorFlow before keras is imported)
    import keras

    from seqlab.checks import positive_int
    from seqlab.windows import make_windows, n_windows

    repeats = positive_int("repeats", repeats)
    series = np.random.default_rng(seed).normal(size=(n_steps, 1)).astype(np.float32)
    count = n_windows(n_steps, input_length, 1)

    # Every method must produce the same windows, or the comparison means nothing.
    X, y = make_windows(series, input_length, 1)
    if _numpy_batches(series, input_length, batch_size) != count:
        raise RuntimeError("make_windows batching produced the wrong number of windows")

    methods = {
        "make_windows": lambda: make_windows(series, input_length, 1),
        "make_windows + batches": lambda: _numpy_batches(series, input_length, batch_size),
    }
    try:
        import tensorflow  # noqa: F401

        have_tensorflow = True
    except ImportError:
        have_tensorflow = False
    if have_tensorflow:
        first = next(iter(keras.utils.timeseries_dataset_from_array(
            series[:-1], series[input_length:, 0], sequence_length=input_length,
            batch_size=batch_size, shuffle=False)))
        np.testing.assert_array_equal(first[0].numpy(), X[:batch_size])
        np.testing.assert_array_equal(first[1].numpy(), y[:batch_size, 0])
        if _keras_batches(series, input_length, batch_size) != count:
            raise RuntimeError("the Keras pipeline produced a different number of windows")
        methods[KERAS_METHOD] = lambda: _keras_batches(series, input_length, batch_size)

    medians = {name: _median_seconds(function, repeats) for name, function in methods.items()}
    baseline = medians.get(KERAS_METHOD)
    rows = []
    for name in ["make_windows", "make_windows + batches", KERAS_METHOD]:
        median = medians.get(name)
        rows.append({
            "benchmark": "windowing",
            "method": name,
            "backend": keras.backend.backend(),
            "n_steps": n_steps,
            "input_length": input_length,
            "batch_size": batch_size if name != "make_windows" else None,
            "n_windows": count,
            "repeats": repeats,
            "median_s": median,
            "windows_per_s": None if not median else count / median,
            "time_ratio_to_keras": None if not (median and baseline) else median / baseline,
            "speedup_vs_keras": None if not (median and baseline) else baseline / median,
        })
    return rows


if __name__ == "__main__":
    for row in run_windowing_benchmark():
        print(row)
