"""plots.plot_gates draws what lstm_gates computed, where the steps are marked."""

import numpy as np
import pytest

from seqlab import plots
from seqlab.reference import lstm_gates


def test_plot_gates_draws_the_values_of_the_chosen_unit(rng):
    x = rng.normal(size=(3, 6, 2))
    gates = lstm_gates(x, rng.normal(size=(2, 8)), rng.normal(size=(2, 8)))
    marked = np.zeros(6, bool)
    marked[[1, 4]] = True
    fig = plots.plot_gates(gates, index=2, unit=1, marked=marked)
    top, bottom = fig.axes[:2]
    lines = {line.get_label(): line.get_ydata() for line in top.lines + bottom.lines}
    for name in ("input", "forget", "output", "c", "h", "candidate"):
        np.testing.assert_allclose(lines[name], gates[name][2, :, 1])
    assert len(top.patches) == 2 and top.get_xlabel() == "time step"
    assert top.get_ylabel() and bottom.get_ylabel()


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(gates=[1, 2]), TypeError, "gates must be a non-empty dict"),
    (dict(gates={"input": np.ones((4, 2))}), ValueError, "3-D"),
    (dict(gates={"input": np.ones((1, 4, 2))}, unit=2), ValueError, "unit < 2"),
    (dict(gates={"input": np.ones((1, 4, 2))}, marked=np.ones(3, bool)), ValueError,
     "marked must have shape"),
])
def test_plot_gates_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.plot_gates(**kwargs)
