"""seqlab.plots: every figure is returned (not shown), labelled, and checks its inputs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from seqlab import plots  # noqa: E402


def only_axes(fig):
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    return fig.axes[0]


def gids(ax):
    return [patch.get_gid() for patch in ax.patches]


def test_figures_are_not_registered_with_pyplot_so_they_display_once():
    plt.close("all")
    plots.plot_series(np.arange(10.0))
    plots.plot_unrolled_rnn(3)
    plots.plot_receptive_field(2, [1, 2])
    assert plt.get_fignums() == []


def test_plot_series_draws_one_line_per_series_with_labels():
    ax = only_axes(plots.plot_series(np.zeros((3, 20, 1)), labels=["a", "b", "c"]))
    assert len(ax.lines) == 3
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("Time step", "Value", "A time series")
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b", "c"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(20))


def test_plot_series_keeps_a_pandas_index_and_limits_the_number_of_series():
    index = pd.date_range("2000-01-01", periods=5, freq="D")
    frame = pd.DataFrame({"a": range(5), "b": range(5)}, index=index)
    ax = only_axes(plots.plot_series(frame, max_series=1, title="Frame"))
    assert len(ax.lines) == 1 and ax.get_title() == "Frame"
    ax = only_axes(plots.plot_series(np.zeros((8, 10)), max_series=5))
    assert len(ax.lines) == 5


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: plots.plot_series(np.zeros((2, 3, 4, 5))), ValueError, "series must be 1-D or 2-D or 3-D"),
        (lambda: plots.plot_series(np.zeros((2, 3, 2))), ValueError, "must have one feature"),
        (lambda: plots.plot_series(np.zeros((2, 3)), labels=["a"]), ValueError, "labels must name each of the 2"),
        (lambda: plots.plot_series(np.zeros(3), max_series=0), ValueError, "max_series must be an integer >= 1"),
    ],
)
def test_plot_series_rejects_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_plot_forecasts_places_forecasts_after_the_window():
    windows = np.arange(40.0).reshape(4, 10, 1)
    forecasts = {"naive": np.zeros((4, 3)), "model": np.ones((4, 3))}
    ax = only_axes(plots.plot_forecasts(windows, forecasts, target=np.full((4, 3), 2.0), index=2))
    assert len(ax.lines) == 1 + 1 + 2 + 1  # input, actual, two forecasts, the boundary line
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), np.arange(20.0, 30.0))
    np.testing.assert_array_equal(ax.lines[2].get_xdata(), [10, 11, 12])
    assert ax.get_xlabel() == "Time step" and ax.get_ylabel() == "Value"
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["Input", "Actual", "naive", "model"]


def test_plot_forecasts_rejects_bad_input():
    with pytest.raises(TypeError, match="forecasts must be a non-empty dict"):
        plots.plot_forecasts(np.zeros(5), [1, 2])
    with pytest.raises(IndexError, match="index 7 is out of range for inputs with 2 rows"):
        plots.plot_forecasts(np.zeros((2, 5)), {"a": np.zeros((2, 1))}, index=7)


def test_plot_learning_curves_accepts_one_history_or_several():
    ax = only_axes(plots.plot_learning_curves({"loss": [3, 2, 1], "val_loss": [3, 2.5, 2]}))
    assert len(ax.lines) == 2
    assert ax.lines[1].get_linestyle() == "--"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Epoch", "loss")
    histories = {"a": {"loss": [1, 0.5], "val_loss": [1, 0.7], "mae": [1, 0.6]},
                 "b": {"loss": [1, 0.4], "val_loss": [1, 0.9], "mae": [1, 0.3]}}
    ax = only_axes(plots.plot_learning_curves(histories, metric="mae", log_scale=True))
    assert len(ax.lines) == 2 and ax.get_yscale() == "log" and ax.get_ylabel() == "mae"
    assert ax.lines[0].get_color() != ax.lines[1].get_color()


def test_plot_learning_curves_reads_a_fit_result():
    from seqlab.training import FitResult

    result = FitResult(history={"loss": [2.0, 1.0], "val_loss": [2.5, 1.5]}, best_epoch=2,
                       best_score=1.5, epochs_run=2, seconds=0.1, monitor="val_loss")
    ax = only_axes(plots.plot_learning_curves({"rnn": result}))
    assert len(ax.lines) == 2


def test_plot_learning_curves_names_a_missing_metric():
    with pytest.raises(ValueError, match="metric 'mae' is not in the history"):
        plots.plot_learning_curves({"loss": [1.0]}, metric="mae")
    with pytest.raises(TypeError, match=r"histories\['b'\] must be a history dict"):
        plots.plot_learning_curves({"a": {"loss": [1.0]}, "b": 3})
    with pytest.raises(TypeError, match="histories must be a non-empty dict"):
        plots.plot_learning_curves({})


def test_plot_per_horizon_error_memory_curve_and_gradient_norms():
    ax = only_axes(plots.plot_per_horizon_error({"a": [1, 2, 3], "b": np.array([[1], [1], [1]])}))
    assert len(ax.lines) == 2 and ax.get_xlabel() == "Steps ahead" and ax.get_ylabel() == "MAE"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    ax = only_axes(plots.plot_memory_curve({"rnn": ([1, 2, 4], [1, 0.8, 0.5])}, chance=0.5))
    assert len(ax.lines) == 2 and ax.get_xlabel() == "Lag (steps back)"
    ax = only_axes(plots.plot_gradient_norms({"tanh": [1, 0.1, 0.01], "relu": [1, 10, 100]}))
    assert len(ax.lines) == 2 and ax.get_yscale() == "log" and ax.get_ylabel() == "Gradient norm"


def test_the_small_plots_reject_bad_input():
    with pytest.raises(TypeError, match="errors must be a non-empty dict"):
        plots.plot_per_horizon_error({})
    with pytest.raises(ValueError, match="lags and scores must have the same length"):
        plots.plot_memory_curve({"rnn": ([1, 2], [1.0])})
    with pytest.raises(TypeError, match=r"results\['rnn'\] must be a \(lags, scores\) pair"):
        plots.plot_memory_curve({"rnn": [1, 2, 3]})
    with pytest.raises(ValueError, match="a norm is >= 0"):
        plots.plot_gradient_norms({"x": [1.0, -1.0]})


@pytest.mark.parametrize(
    "kernel_size, rates, n_steps, n_lines",
    [
        (2, [1, 2, 4, 8], 16, 2 + 4 + 8 + 16),  # a binary tree: every input reached once
        (2, [1], 2, 2),
        (3, [1, 3], 9, 3 + 9),
        (3, [1, 2], 7, 3 + 9),  # overlapping paths: 9 edges into layer 1 from 3 nodes
    ],
)
def test_plot_receptive_field_draws_the_nodes_and_the_connections_of_the_last_output(
        kernel_size, rates, n_steps, n_lines):
    ax = only_axes(plots.plot_receptive_field(kernel_size, rates))
    assert len(ax.patches) == n_steps * (len(rates) + 1)
    assert len(ax.lines) == n_lines
    assert ax.get_xlabel() == "Time step"
    assert f"Receptive field: {n_steps} steps" in ax.get_title()
    assert [label.get_text() for label in ax.get_yticklabels()][0] == "Input"
    # every drawn input node is inside the window that the last output can see
    sources = {line.get_xdata()[0] for line in ax.lines}
    assert min(sources) >= 0


def test_plot_receptive_field_fills_every_input_when_the_field_is_dense():
    ax = only_axes(plots.plot_receptive_field(2, [1, 2, 4]))
    inputs = [p for p in ax.patches if p.center[1] == 0]
    assert len(inputs) == 8
    assert all(p.get_facecolor() != matplotlib.colors.to_rgba("white") for p in inputs)


@pytest.mark.parametrize(
    "kernel_size, rates, error, message",
    [
        (0, [1], ValueError, "kernel_size must be an integer >= 1"),
        (2, [], TypeError, "dilation_rates must be a non-empty list"),
        (2, 4, TypeError, "dilation_rates must be a non-empty list"),
        (2, [1, 0], ValueError, r"dilation_rates\[1\] must be an integer >= 1"),
        (2.5, [1], TypeError, "kernel_size must be an integer"),
    ],
)
def test_plot_receptive_field_rejects_bad_input(kernel_size, rates, error, message):
    with pytest.raises(error, match=message):
        plots.plot_receptive_field(kernel_size, rates)


@pytest.mark.parametrize("n_steps", [1, 3, 5])
def test_plot_unrolled_rnn_draws_one_cell_and_three_arrows_per_step(n_steps):
    ax = only_axes(plots.plot_unrolled_rnn(n_steps))
    kinds = gids(ax)
    assert kinds.count("cell") == n_steps + 1  # plus the rolled cell
    assert kinds.count("input") == kinds.count("output") == n_steps + 1
    assert kinds.count("recurrent") == n_steps + 1  # n_steps state arrows plus the loop
    texts = {text.get_text() for text in ax.texts}
    assert {f"$x_{{{t}}}$" for t in range(n_steps)} <= texts
    assert {f"$y_{{{t}}}$" for t in range(n_steps)} <= texts
    assert ax.get_xlabel().startswith("Time") and "unrolled" in ax.get_title()


def test_plot_unrolled_rnn_as_a_layer_without_the_rolled_form():
    ax = only_axes(plots.plot_unrolled_rnn(2, kind="layer", rolled=False))
    assert gids(ax).count("cell") == 2
    assert r"$\mathbf{x}_{0}$" in {text.get_text() for text in ax.texts}


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_steps": 0}, ValueError, "n_steps must be an integer >= 1"),
        ({"n_steps": 13}, ValueError, "n_steps must be at most 12"),
        ({"n_steps": 2, "kind": "cell"}, ValueError, "kind must be 'neuron' or 'layer'"),
    ],
)
def test_plot_unrolled_rnn_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.plot_unrolled_rnn(**kwargs)


def test_every_figure_uses_the_course_style():
    fig = plots.plot_series(np.arange(5.0))
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.lines[0].get_color() == plots.COLORS[0]


def test_a_figure_renders_itself_as_png_for_jupyter():
    fig = plots.plot_unrolled_rnn(2)
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert plt.get_fignums() == []


def test_new_figure_returns_axes_shaped_like_plt_subplots_and_stays_out_of_pyplot():
    plt.close("all")
    fig, ax = plots.new_figure()
    assert isinstance(fig, plots.CourseFigure) and isinstance(ax, matplotlib.axes.Axes)
    assert tuple(fig.get_size_inches()) == (7.0, 3.5)
    fig, axes = plots.new_figure(2, 3, figsize=(8, 5))
    assert axes.shape == (2, 3) and len(fig.axes) == 6
    assert tuple(fig.get_size_inches()) == (8.0, 5.0)
    assert plots.new_figure(1, 2)[1].shape == (2,)
    assert plt.get_fignums() == []


def test_new_figure_draws_in_the_course_style_outside_any_rc_context():
    fig, ax = plots.new_figure()
    line, = ax.plot([0, 1], [0, 1], label="a")
    ax.set(title="t", xlabel="x")
    legend = ax.legend()
    assert not ax.spines["top"].get_visible() and ax.xaxis.get_gridlines()[0].get_visible()
    assert line.get_color() == plots.COLORS[0]
    assert line.get_linewidth() == plots.STYLE["lines.linewidth"] != matplotlib.rcParamsDefault[
        "lines.linewidth"]
    assert ax.title.get_fontweight() == "bold"
    assert not legend.get_frame_on()
    # the style applies inside the calls only: pyplot's defaults are left as they were
    assert matplotlib.rcParams["lines.linewidth"] == matplotlib.rcParamsDefault["lines.linewidth"]


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((0,), {}, ValueError, "nrows must be an integer >= 1, got 0"),
        ((1, 2.0), {}, TypeError, "ncols must be an integer >= 1, got 2.0"),
        ((), {"figsize": (7, 0)}, ValueError, r"figsize must be two numbers > 0 .*got \(7, 0\)"),
        ((), {"figsize": 7}, ValueError, "figsize must be two numbers > 0"),
        ((), {"figsize": "wide"}, TypeError, "figsize must be array-like of numbers, got str"),
    ],
)
def test_new_figure_rejects_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.new_figure(*args, **kwargs)
