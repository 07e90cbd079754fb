"""Output length and time alignment of ``keras.layers.Conv1D``.

A Conv1D layer with kernel size ``k``, dilation rate ``d`` and stride ``s`` reads the
input steps ``start_j, start_j + d, ..., start_j + (k - 1) * d`` for its output ``j``,
with ``start_j = j * s - left`` where ``left`` is the number of zeros padded on the
left:

- ``"valid"``: no padding, ``left = 0``;
- ``"causal"``: ``left = (k - 1) * d``, so output ``j`` ends at input step ``j * s``;
- ``"same"``: ``ceil(T / s)`` outputs; the total padding
  ``max((n_out - 1) * s + (k - 1) * d + 1 - T, 0)`` is split with
  ``left = total // 2`` (the larger half on the right), as TensorFlow, JAX and
  PyTorch all do under Keras 3.

:func:`last_input_step` says which input step each output sees last: the step whose
value a sequence-to-sequence target must not come before.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import one_of, positive_int

PADDINGS = ("valid", "same", "causal")


def _geometry(n_steps, kernel_size, strides, dilation_rate, padding):
    n_steps = positive_int("n_steps", n_steps)
    kernel_size = positive_int("kernel_size", kernel_size)
    strides = positive_int("strides", strides)
    dilation_rate = positive_int("dilation_rate", dilation_rate)
    one_of("padding", padding, PADDINGS)
    reach = (kernel_size - 1) * dilation_rate
    if padding == "valid":
        if n_steps <= reach:
            raise ValueError(
                f"n_steps={n_steps} is too short for padding='valid': a window of "
                f"kernel_size={kernel_size} with dilation_rate={dilation_rate} spans "
                f"{reach + 1} steps, so there is no output")
        n_out, left = (n_steps - reach - 1) // strides + 1, 0
    elif padding == "causal":
        n_out, left = (n_steps - 1) // strides + 1, reach
    else:
        n_out = -(-n_steps // strides)
        left = max((n_out - 1) * strides + reach + 1 - n_steps, 0) // 2
    return n_steps, kernel_size, strides, dilation_rate, n_out, left


def conv_output_length(n_steps, kernel_size, *, strides=1, dilation_rate=1, padding="valid"):
    """Number of time steps ``keras.layers.Conv1D`` outputs for ``n_steps`` inputs.

    ``"valid"``: ``floor((T - (k - 1) * d - 1) / s) + 1``; ``"same"`` and ``"causal"``:
    ``ceil(T / s)``.

    Args:
        n_steps: input length T (>= 1).
        kernel_size: kernel size k (>= 1).
        strides: stride s (>= 1).
        dilation_rate: dilation rate d (>= 1).
        padding: ``"valid"``, ``"same"`` or ``"causal"``.

    Returns:
        The output length, an int >= 1.

    Raises:
        TypeError: for a non-integer length, size, stride or rate.
        ValueError: for a value below 1, an unknown padding, or a ``"valid"``
            convolution whose window is longer than the input (no output).

    Example:

    >>> conv_output_length(20, 4, strides=2)
    9
    >>> conv_output_length(20, 4, strides=2, padding="causal")
    10
    """
    return _geometry(n_steps, kernel_size, strides, dilation_rate, padding)[4]


def last_input_step(n_steps, kernel_size, *, strides=1, dilation_rate=1, padding="valid"):
    """For each output of ``keras.layers.Conv1D``, the last input step it sees.

    Padded zeros are not input steps: near the end of a ``"same"`` convolution the
    last tap can fall in the right padding, and the last real step read is returned.
    With ``"same"`` padding and a kernel wider than 1, output ``j`` sees steps after
    ``j * s``: the future, for a forecaster. To train a sequence-to-sequence model on
    a strided convolution, output ``j``'s target must come after this step (for
    instance the value at step ``last_input_step[j] + 1``).

    Args:
        n_steps: input length T (>= 1).
        kernel_size: kernel size k (>= 1).
        strides: stride s (>= 1).
        dilation_rate: dilation rate d (>= 1).
        padding: ``"valid"``, ``"same"`` or ``"causal"``.

    Returns:
        A 1-D NumPy int array of length :func:`conv_output_length`.

    Raises:
        TypeError, ValueError: as :func:`conv_output_length`.

    Example:

    >>> last_input_step(12, 4, strides=2).tolist()
    [3, 5, 7, 9, 11]
    >>> last_input_step(6, 3, padding="same").tolist()
    [1, 2, 3, 4, 5, 5]
    """
    n_steps, kernel_size, strides, dilation_rate, n_out, left = _geometry(
        n_steps, kernel_size, strides, dilation_rate, padding)
    taps = (np.arange(n_out)[:, None] * strides - left
            + np.arange(kernel_size)[None, :] * dilation_rate)
    taps = np.where(taps < n_steps, taps, -1)
    return taps.max(axis=1)
