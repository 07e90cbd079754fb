"""Training the course's models on several devices: device counts, batch checks, scenarios.

Keras 3 distributes training with the engines it already supports: on JAX, a
``keras.distribution.DataParallel`` (or ``ModelParallel``) distribution over a mesh of
devices; on TensorFlow, a ``tf.distribute`` strategy such as ``MirroredStrategy``; on
PyTorch, ``DistributedDataParallel`` around the model with a hand-written loop. Under data
parallelism every batch is split evenly across the devices, so every batch (the last
training batch, the validation, evaluation and prediction batches) must hold a multiple of
the device count. JAX raises deep inside the sharding code when one does not (and the model
is left half-traced); TensorFlow silently reweights the uneven batch. This module makes the
rule explicit:

- :func:`device_count`: how many replicas the active distribution splits a batch into
  (1 when none is active);
- :func:`check_splits`: a clear error naming the split, its size, the batch size and the
  device count when a batch would not divide (:func:`seqlab.training.fit_and_evaluate`
  calls it when a distribution is active);
- :func:`trim_to_devices`: drops the last few instances of a split so that it divides;
- :func:`use_virtual_cpu_devices`: splits the CPU into ``n`` virtual devices (JAX) or
  logical devices (TensorFlow); it must run before the backend's first operation;
- :func:`run_scenario`: runs a script in a fresh Python process (the device count is fixed
  at start-up, so every scenario needs its own process) and returns the JSON it prints;
  :func:`start_scenario` starts one without waiting.

Virtual CPU devices share the same cores: they show that the result matches one device,
not a speed-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np

from seqlab.checks import one_of, positive_int, positive_number

BACKENDS = ("tensorflow", "jax", "torch")
"""The Keras backends :func:`run_scenario` accepts."""


def device_count() -> int:
    """The number of replicas the active distribution splits each batch into.

    On JAX, the size of the batch axis of the mesh of ``keras.distribution.distribution()``
    (for several processes, this process's share of it); on TensorFlow,
    ``tf.distribute.get_strategy().num_replicas_in_sync`` (1 outside a strategy's scope);
    on PyTorch, 1 (``model.fit`` does not synchronise gradients there: data parallelism is
    a hand-written loop around ``DistributedDataParallel``, one process per device).

    Returns:
        An int, 1 when no distribution is active.

    Example:

    >>> device_count()
    1
    """
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        distribution = keras.distribution.distribution()
        if distribution is None:
            return 1
        mesh = distribution.device_mesh
        batch_axis = getattr(distribution, "batch_dim_name", None)
        if batch_axis not in mesh.axis_names:
            return 1
        replicas = int(mesh.shape[list(mesh.axis_names).index(batch_axis)])
        import jax

        return max(1, replicas // jax.process_count())
    if backend == "tensorflow":
        import tensorflow as tf

        return int(tf.distribute.get_strategy().num_replicas_in_sync)
    return 1


def _length(name: str, split) -> int:
    if isinstance(split, (int, np.integer)) and not isinstance(split, bool):
        return positive_int(name, split, minimum=0)
    if isinstance(split, (tuple, list)) and len(split) == 2:
        split = split[0]
    try:
        return len(split)
    except TypeError:
        raise TypeError(
            f"{name} must be a number of instances, an array or an (X, y) pair, "
            f"got {type(split).__name__}"
        ) from None


def check_splits(n_devices: int, batch_size: int, *, eval_batch_size: int | None = None,
                 **splits) -> None:
    """Raise a clear error if some batch of a split does not divide by ``n_devices``.

    The split called ``train`` is cut into batches of ``batch_size``; every other split
    (``valid``, ``test``, ``predict``...) into batches of ``eval_batch_size`` (default
    ``batch_size``, as ``model.fit`` does for its validation data). Each full batch and
    the last, shorter one must hold a multiple of ``n_devices`` instances.

    Args:
        n_devices: the number of replicas, e.g. :func:`device_count`.
        batch_size: the global training batch size (all devices together).
        eval_batch_size: the batch size of the other splits; ``batch_size`` when None.
        **splits: name to split: a number of instances, an array or an ``(X, y)`` pair.

    Raises:
        ValueError: a batch size or the last batch of a split does not divide by
            ``n_devices``; the message names the split and its sizes and suggests
            :func:`trim_to_devices`.
        TypeError: a split is not a count, an array or a pair.

    Example:

    >>> check_splits(4, 32, train=128, valid=64)  # divides: nothing happens
    >>> check_splits(4, 32, train=130)
    Traceback (most recent call last):
    ...
    ValueError: train: 130 instances in batches of 32 leave a last batch of 2, which does not divide by 4 devices; ...
    """
    n_devices = positive_int("n_devices", n_devices)
    batch_size = positive_int("batch_size", batch_size)
    eval_batch_size = batch_size if eval_batch_size is None else positive_int(
        "eval_batch_size", eval_batch_size)
    for name, split in splits.items():
        size = batch_size if name == "train" else eval_batch_size
        what = "batch_size" if name == "train" else "eval_batch_size"
        n = _length(name, split)
        if n == 0:
            continue
        if size % n_devices and n >= size:
            raise ValueError(
                f"{name}: {what}={size} does not divide by {n_devices} devices; use a "
                f"multiple of {n_devices} (each device gets {what} / {n_devices} instances)"
            )
        last = n % size if n > size else n
        if last % n_devices:
            raise ValueError(
                f"{name}: {n} instances in batches of {size} leave a last batch of {last}, "
                f"which does not divide by {n_devices} devices; drop "
                f"{last % n_devices} instances (seqlab.distributed.trim_to_devices) or "
                f"choose sizes that divide"
            )


def trim_to_devices(X, y=None, *, batch_size: int, n_devices: int):
    """Drop the last instances of a split so that every batch divides by ``n_devices``.

    Keeps all full batches and the largest multiple of ``n_devices`` of the last batch, so
    at most ``n_devices - 1`` instances are dropped.

    Args:
        X: the inputs, an array with the instances on its first axis.
        y: the targets, with the same first axis, or None.
        batch_size: the global batch size; must itself divide by ``n_devices``.
        n_devices: the number of replicas.

    Returns:
        ``(X, y)`` trimmed (views of the inputs), or ``X`` alone when ``y`` is None.

    Raises:
        ValueError: ``batch_size`` does not divide by ``n_devices``, a size is not a
            positive int, or ``X`` and ``y`` have different lengths.

    Example:

    >>> import numpy as np
    >>> X, y = trim_to_devices(np.zeros((130, 5, 1)), np.zeros(130), batch_size=32, n_devices=4)
    >>> len(X), len(y)
    (128, 128)
    """
    n_devices = positive_int("n_devices", n_devices)
    batch_size = positive_int("batch_size", batch_size)
    if batch_size % n_devices:
        raise ValueError(
            f"batch_size={batch_size} does not divide by n_devices={n_devices}; use a "
            f"multiple of {n_devices}"
        )
    n = len(X)
    if y is not None and len(y) != n:
        raise ValueError(
            f"X and y must have the same number of instances, got {n} and {len(y)}"
        )
    keep = n // batch_size * batch_size + (n % batch_size) // n_devices * n_devices
    if y is None:
        return X[:keep]
    return X[:keep], y[:keep]


def use_virtual_cpu_devices(n: int) -> list:
    """Split the CPU into ``n`` devices for the active backend, and list them.

    On JAX, sets ``jax_num_cpu_devices`` (the same as
    ``XLA_FLAGS=--xla_force_host_platform_device_count=n``); on TensorFlow, gives the
    first CPU ``n`` logical devices. Both must happen before the backend's first operation
    (in a notebook, in the first cells, or in a fresh process: :func:`run_scenario`). The
    devices share the same cores: they are for checking results, not for speed.

    Args:
        n: the number of devices wanted.

    Returns:
        The device names (JAX: ``keras.distribution.list_devices()``; TensorFlow: the
        logical CPU devices' names).

    Raises:
        RuntimeError: the backend has already initialised its devices with another count,
            or the backend is PyTorch (one process per device there).
    """
    import keras

    n = positive_int("n", n)
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        try:
            jax.config.update("jax_num_cpu_devices", n)
        except RuntimeError as error:
            if len(jax.devices("cpu")) != n:
                raise RuntimeError(
                    f"JAX already started with {len(jax.devices('cpu'))} CPU devices; set "
                    f"the count ({n}) before its first operation: {error}"
                ) from None
        devices = keras.distribution.list_devices()
    elif backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
        except RuntimeError as error:
            raise RuntimeError(
                f"TensorFlow already initialised its devices; configure the {n} logical "
                f"devices before its first operation: {error}"
            ) from None
        devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    else:
        raise RuntimeError(
            "on PyTorch, data parallelism runs one process per device "
            "(torch.distributed with DistributedDataParallel); there are no virtual devices"
        )
    if len(devices) != n:
        raise RuntimeError(f"asked for {n} devices, got {len(devices)}: {devices}")
    return devices


class Scenario:
    """A scenario started by :func:`start_scenario`, running in its own process."""

    def __init__(self, code: str, environment: dict, timeout: float):
        self.timeout = timeout
        self._started = time.perf_counter()
        self._process = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)], env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result(self) -> dict:
        """Wait for the process and return the JSON object it printed last.

        Raises:
            RuntimeError: the process failed, timed out or printed no JSON; the message
                holds the end of its standard error.
        """
        left = max(0.1, self.timeout - (time.perf_counter() - self._started))
        try:
            stdout, stderr = self._process.communicate(timeout=left)
        except subprocess.TimeoutExpired:
            self._process.kill()
            stdout, stderr = self._process.communicate()
            raise RuntimeError(f"scenario timed out after {self.timeout} s; stderr ends:\n"
                               f"{stderr[-2000:]}") from None
        if self._process.returncode != 0:
            raise RuntimeError(
                f"scenario failed (exit status {self._process.returncode}); stderr ends:\n"
                f"{stderr[-3000:]}"
            )
        lines = [line for line in stdout.splitlines() if line.strip()]
        try:
            result = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            raise RuntimeError(
                f"scenario printed no JSON object on its last line; stdout ends:\n"
                f"{stdout[-2000:]}"
            ) from None
        if not isinstance(result, dict):
            raise RuntimeError(f"scenario's last line is not a JSON object: {lines[-1]!r}")
        return result


def start_scenario(code: str, *, backend: str, n_devices: int = 1, timeout: float = 180,
                   env: dict | None = None) -> Scenario:
    """Start ``code`` in a fresh Python process and return at once.

    The same as :func:`run_scenario` (see there for the arguments), except that it does
    not wait: call ``.result()`` on the returned :class:`Scenario` to get the JSON
    object. Several scenarios can run side by side this way.

    Example:

    >>> scenario = start_scenario("import json; print(json.dumps({'ok': 2}))",
    ...                           backend="jax")
    >>> scenario.result()
    {'ok': 2}
    """
    one_of("backend", backend, BACKENDS)
    n_devices = positive_int("n_devices", n_devices)
    timeout = positive_number("timeout", timeout)
    environment = dict(os.environ)
    environment.update({
        "KERAS_BACKEND": backend,
        "SEQLAB_DEVICES": str(n_devices),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
    })
    if backend == "jax":
        flags = environment.get("XLA_FLAGS", "").split()
        flags = [f for f in flags if not f.startswith("--xla_force_host_platform_device_count")]
        environment["XLA_FLAGS"] = " ".join(
            flags + [f"--xla_force_host_platform_device_count={n_devices}"])
    environment.update(env or {})
    return Scenario(code, environment, timeout)


def run_scenario(code: str, *, backend: str, n_devices: int = 1, timeout: float = 180,
                 env: dict | None = None) -> dict:
    """Run ``code`` in a fresh Python process and return the JSON object it prints last.

    The device count of JAX and TensorFlow is fixed when they start, so each scenario
    (one device, four devices, two processes...) runs in its own process. The process gets
    ``KERAS_BACKEND=backend``, ``SEQLAB_DEVICES=n_devices`` and, on JAX,
    ``XLA_FLAGS=--xla_force_host_platform_device_count=n_devices``; its standard error is
    captured (never shown unless it fails). :func:`start_scenario` does the same without
    waiting.

    Args:
        code: the Python source to run; its last line of output must be a JSON object.
        backend: ``"tensorflow"``, ``"jax"`` or ``"torch"``.
        n_devices: the number of virtual CPU devices the process should see.
        timeout: seconds before the process is killed.
        env: extra environment variables (strings).

    Returns:
        The dict printed (as JSON) on the last line of the process's standard output.

    Raises:
        ValueError: an unknown backend, or a count or timeout that is not positive.
        RuntimeError: the process failed, timed out or printed no JSON; the message holds
            the end of its standard error.

    Example:

    >>> run_scenario("import json; print(json.dumps({'ok': 1}))", backend="jax")
    {'ok': 1}
    """
    return start_scenario(code, backend=backend, n_devices=n_devices, timeout=timeout,
                          env=env).result()
