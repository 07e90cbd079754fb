"""Does a Keras LSTM or GRU layer run on a fused kernel (cuDNN on a GPU), or step by step?

Keras 3 (3.15) decides in two places, read from its source:

1. **The layer.** ``keras.layers.LSTM`` and ``keras.layers.GRU`` (not
   ``keras.layers.RNN(LSTMCell(...))`` or any other cell in ``RNN``) call the backend's
   fused function ``backend.lstm`` / ``backend.gru``, unless ``use_cudnn=False`` or
   ``recurrent_dropout > 0``. Input ``dropout`` is applied before the call and is allowed.
2. **The backend's function.** It either runs a fused computation or raises
   ``NotImplementedError``, and the layer then runs the generic step loop
   (``tf.while_loop``, ``lax.scan`` or a Python loop on PyTorch). cuDNN needs a GPU,
   ``activation="tanh"``, ``recurrent_activation="sigmoid"``, ``unroll=False``,
   ``use_bias=True`` and, for a GRU, ``reset_after=True``. Masks differ per backend:
   TensorFlow accepts a strictly right-padded mask with no fully masked row (any other
   mask fails inside ``fit``/``predict``, with a message suggesting ``use_cudnn=False``);
   JAX and PyTorch send every masked call to the loop.

Besides cuDNN, two backends have a fused path that runs without a GPU: on PyTorch,
``LSTM`` and ``GRU(reset_after=True)`` (since Keras 3.14) compute the input projections
of all steps in one matrix product and loop over steps in PyTorch, with any activations;
on JAX, ``GRU(reset_after=True, unroll=False)`` is a ``lax.scan`` with the input
projections precomputed, on any device (JAX has no cuDNN GRU). TensorFlow has no
fused CPU path.

The same rules explain ``use_cudnn=True``: it raises a ``ValueError`` exactly when the
layer would otherwise fall back to the loop, so on a CPU it raises on TensorFlow for
both layers, on JAX for ``LSTM`` only, and on PyTorch for neither. It is therefore no
probe for cuDNN; :func:`fast_path_report` is.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from seqlab.checks import one_of

BACKENDS = ("tensorflow", "jax", "torch")
"""The backends :func:`fast_path_report` knows the rules of."""

DEVICES = ("gpu", "cpu")
"""The devices :func:`fast_path_report` answers for."""

PATHS = ("cudnn", "fused", "loop", "error")
"""What a report's ``path`` can be: the cuDNN kernel, a fused kernel without cuDNN, the
generic step loop, or an error at run time (TensorFlow's cuDNN path given a mask that is
not right-padded)."""


@dataclass(frozen=True)
class FastPathReport:
    """Where a recurrent layer runs, and what keeps it off cuDNN.

    Attributes:
        layer: the layer, as written: ``"LSTM"``, ``"GRU"``, ``"RNN(LSTMCell)"``...
        backend: ``"tensorflow"``, ``"jax"`` or ``"torch"``.
        device: ``"gpu"`` or ``"cpu"``.
        path: one of :data:`PATHS`.
        reasons: every setting that keeps the layer off the cuDNN kernel on this
            backend and device, one sentence each; empty when ``path == "cudnn"``.
    """

    layer: str
    backend: str
    device: str
    path: str
    reasons: tuple[str, ...] = ()

    @property
    def uses_cudnn(self) -> bool:
        """True when the layer runs on the cuDNN kernel."""
        return self.path == "cudnn"

    @property
    def fused(self) -> bool:
        """True when the layer avoids the generic step loop (cuDNN or another fused path)."""
        return self.path in ("cudnn", "fused")

    def __str__(self) -> str:
        head = f"{self.layer} on {self.backend} ({self.device}): {self.path}"
        return "\n".join([head] + [f"  - {reason}" for reason in self.reasons])


def _natives(backend, name):
    """The backend's own tanh/sigmoid that Keras also accepts, if the library is loaded."""
    if backend == "tensorflow" and "tensorflow" in sys.modules:
        return [getattr(sys.modules["tensorflow"], name)]
    if backend == "jax" and name == "tanh" and "jax" in sys.modules:
        import jax.numpy as jnp

        return [jnp.tanh]
    if backend == "torch" and "torch" in sys.modules:
        return [getattr(sys.modules["torch"], name)]
    return []


def _is_activation(function, name, backend):
    import keras

    accepted = [getattr(keras.activations, name), getattr(keras.ops, name)]
    return any(function is candidate for candidate in accepted + _natives(backend, name))


def _activation_name(function):
    return getattr(function, "__name__", type(function).__name__)


def _mask_kind(mask):
    """None, ``"right-padded"`` or the reason a mask is not strictly right-padded."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"mask must be a 2-D boolean array (batch, time) or None, "
                         f"got shape {mask.shape}")
    mask = mask.astype(bool)
    if not mask[:, 0].all():
        return "a sequence whose first step is masked (fully masked or left-padded)"
    if np.any(mask[:, 1:] & ~mask[:, :-1]):
        return "a step kept after a masked one (not right-padding)"
    return "right-padded"


def fast_path_report(layer, *, backend=None, device="gpu", mask=None) -> FastPathReport:
    """Say whether Keras runs ``layer`` on the cuDNN kernel, another fused path or a loop.

    The rules are Keras 3.15's (see the module docstring); only the layer's settings
    matter, so the layer need not be built, and the answer for another backend can be
    asked for without switching backends.

    Args:
        layer: a ``keras.layers.LSTM``, ``keras.layers.GRU`` or ``keras.layers.RNN``.
        backend: ``"tensorflow"``, ``"jax"`` or ``"torch"``; the active backend when None.
        device: ``"gpu"`` (a CUDA GPU with cuDNN is visible) or ``"cpu"``.
        mask: the boolean mask of shape ``(batch, time)`` that reaches the layer (from a
            ``Masking`` layer, ``Embedding(mask_zero=True)`` or ``mask=``), or None.

    Returns:
        A :class:`FastPathReport`.

    Raises:
        TypeError: if ``layer`` is not a Keras recurrent layer.
        ValueError: for an unknown ``backend`` or ``device``, or a mask that is not 2-D.

    Example:

    >>> import keras
    >>> fast_path_report(keras.layers.LSTM(8), backend="tensorflow").path
    'cudnn'
    >>> report = fast_path_report(keras.layers.GRU(8, reset_after=False),
    ...                           backend="tensorflow")
    >>> report.path, report.reasons
    ('loop', ('reset_after=False (cuDNN computes the reset_after=True form)',))
    """
    import keras

    if backend is None:
        backend = keras.backend.backend()
    one_of("backend", backend, BACKENDS)
    one_of("device", device, DEVICES)
    if not isinstance(layer, keras.layers.RNN):
        raise TypeError("layer must be a Keras recurrent layer (keras.layers.LSTM, GRU or "
                        f"RNN), got {type(layer).__name__}")
    mask_kind = _mask_kind(mask)
    cell = layer.cell
    is_lstm = isinstance(layer, keras.layers.LSTM)
    is_gru = isinstance(layer, keras.layers.GRU)
    name = type(layer).__name__ if (is_lstm or is_gru) else f"RNN({type(cell).__name__})"

    def report(path, reasons):
        return FastPathReport(name, backend, device, path, tuple(reasons))

    if not (is_lstm or is_gru):
        return report("loop", [f"{name} runs the generic step loop: only the LSTM and GRU "
                               "layers call the fused kernels, whatever the cell"])

    # 1. The layer: does it call backend.lstm / backend.gru at all?
    layer_reasons = []
    if layer.use_cudnn is False:
        layer_reasons.append("use_cudnn=False")
    if layer.recurrent_dropout:
        layer_reasons.append(f"recurrent_dropout={layer.recurrent_dropout} (the fused "
                             "kernels cannot drop units of the state)")

    # 2. What cuDNN itself needs.
    kernel_reasons = []
    if not _is_activation(cell.activation, "tanh", backend):
        kernel_reasons.append(f"activation={_activation_name(cell.activation)} "
                              "(cuDNN needs tanh)")
    if not _is_activation(cell.recurrent_activation, "sigmoid", backend):
        kernel_reasons.append(
            f"recurrent_activation={_activation_name(cell.recurrent_activation)} "
            "(cuDNN needs sigmoid)")
    if layer.unroll:
        kernel_reasons.append("unroll=True")
    if not cell.use_bias:
        kernel_reasons.append("use_bias=False")
    reset_after = getattr(cell, "reset_after", True)
    if is_gru and not reset_after:
        kernel_reasons.append("reset_after=False (cuDNN computes the reset_after=True form)")
    if device == "cpu":
        kernel_reasons.append("no GPU (cuDNN runs on CUDA GPUs only)")
    mask_reason = None
    if mask_kind is not None and (backend != "tensorflow" or mask_kind != "right-padded"):
        where = "the " + ("LSTM" if is_lstm else "GRU")
        mask_reason = (f"a mask: the {backend} backend runs {where} step by step whenever "
                       "a mask reaches it" if backend != "tensorflow" else
                       f"a mask with {mask_kind}: TensorFlow's cuDNN path accepts only "
                       "right-padded masks with no fully masked sequence")
        kernel_reasons.append(mask_reason)
    if is_gru and backend == "jax":
        kernel_reasons.append("the JAX backend has no cuDNN GRU")

    reasons = layer_reasons + kernel_reasons
    if layer_reasons:
        return report("loop", reasons)
    if not kernel_reasons:
        return report("cudnn", reasons)
    if backend == "tensorflow":
        if mask_reason is not None and kernel_reasons == [mask_reason]:
            return report("error", reasons + [
                "inside fit/predict this is an error (pass use_cudnn=False); only an "
                "eager call falls back to the loop"])
        return report("loop", reasons)
    if backend == "jax":
        fused = is_gru and reset_after and not layer.unroll and mask_kind is None
        return report("fused" if fused else "loop", reasons)
    # torch: a fused path with any activations, unless a mask or reset_after=False
    fused = mask_kind is None and (is_lstm or reset_after)
    return report("fused" if fused else "loop", reasons)
