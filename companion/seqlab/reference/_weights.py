"""The logistic function shared by the NumPy references of gated layers.

Their argument checks are in :mod:`seqlab.checks` (``gate_weights``,
``recurrent_state``), with every other check of the package.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, elementwise, on a NumPy array.

    Example:

    >>> float(sigmoid(np.float64(0.0)))
    0.5
    """
    return 1.0 / (1.0 + np.exp(-z))
