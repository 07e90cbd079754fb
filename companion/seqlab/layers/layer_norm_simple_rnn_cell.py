"""A simple recurrent cell with layer normalisation of its pre-activation."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqlab")
class LayerNormSimpleRNNCell(keras.layers.Layer):
    """Simple RNN cell that layer-normalises the pre-activation at every step.

    At each time step, for a mini-batch,

    ``a_t = x_t @ kernel + h_{t-1} @ recurrent_kernel (+ bias)``, shape ``(m, units)``

    ``h_t = activation(gamma * (a_t - mean(a_t)) / sqrt(var(a_t) + epsilon) + beta)``

    where the mean and variance are taken over the ``units`` axis of each sequence
    separately (layer normalisation, Ba et al. 2016), not over the batch. ``beta``
    plays the role of the bias, so ``use_bias`` defaults to False.

    All weights (``kernel``, ``recurrent_kernel``, ``gamma``, ``beta`` and the
    optional ``bias``) are created in :meth:`build`, so the wrapping
    ``keras.layers.RNN`` tracks every one of them from the moment the model is built.
    (A common version of this cell creates a ``SimpleRNNCell`` and a
    ``LayerNormalization`` inside ``__init__`` and calls them from ``call``; with
    Keras 3.15 their weights only appear when the model is first run, so
    ``summary()`` and ``count_params()`` miss them before that; see
    ``tests/test_backends.py``.)

    Args:
        units: positive integer, size of the state and of the output.
        activation: activation applied after the normalisation (default ``"tanh"``).
        use_bias: add a bias before normalising (redundant with ``beta`` up to a
            shift, hence False by default).
        epsilon: added to the variance; 1e-3 like ``keras.layers.LayerNormalization``.
        kernel_initializer: for ``kernel``, shape ``(n_inputs, units)``.
        recurrent_initializer: for ``recurrent_kernel``, shape ``(units, units)``.
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ``dtype``...).

    Call arguments:
        inputs: the inputs at one step, shape ``(m, n_inputs)``.
        states: a list holding the previous state, shape ``(m, units)``.
        training: unused; accepted for the ``RNN`` interface.

    Returns:
        ``(output, [new_state])``, the output and the new state being the same
        tensor of shape ``(m, units)``.

    Example:

    >>> import keras
    >>> layer = keras.layers.RNN(LayerNormSimpleRNNCell(8))
    >>> tuple(layer(keras.ops.ones((2, 5, 3))).shape)
    (2, 8)
    """

    def __init__(self, units, activation="tanh", use_bias=False, epsilon=1e-3,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        if not epsilon > 0:
            raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.epsilon = float(epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        n_inputs = input_shape[-1]
        self.kernel = self.add_weight(shape=(n_inputs, self.units), name="kernel",
                                      initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel",
                                                initializer=self.recurrent_initializer)
        self.bias = (self.add_weight(shape=(self.units,), name="bias", initializer="zeros")
                     if self.use_bias else None)
        self.gamma = self.add_weight(shape=(self.units,), name="gamma", initializer="ones")
        self.beta = self.add_weight(shape=(self.units,), name="beta", initializer="zeros")
        self.built = True

    def call(self, inputs, states, training=None):
        previous = states[0] if isinstance(states, (list, tuple)) else states
        pre_activation = ops.matmul(inputs, self.kernel) + ops.matmul(previous, self.recurrent_kernel)
        if self.bias is not None:
            pre_activation = pre_activation + self.bias
        mean = ops.mean(pre_activation, axis=-1, keepdims=True)
        variance = ops.var(pre_activation, axis=-1, keepdims=True)
        normalised = (pre_activation - mean) / ops.sqrt(variance + self.epsilon)
        output = self.activation(self.gamma * normalised + self.beta)
        return output, [output]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "epsilon": self.epsilon,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
        })
        return config
