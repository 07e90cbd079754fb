"""The course's figures, in one style, each returned as a matplotlib ``Figure``.

How a chapter shows a figure: every function here builds a new
:class:`matplotlib.figure.Figure` (a :class:`CourseFigure`, which knows how to render
itself as a PNG) *without* pyplot, and returns it. Pyplot never sees it, so Jupyter does
not display it on its own at the end of the cell, nothing needs closing, and no figure
is ever shown twice. The cell displays it by ending with it::

    plots.plot_learning_curves(result.history)

or, to keep a handle on it, ``fig = plots.plot_series(x)`` followed by ``fig`` on the
last line. Outside a notebook, save it with ``fig.savefig("name.png")``. No function
calls ``plt.show()``.

A chapter that draws a figure of its own starts it with :func:`new_figure`, in place of
``plt.subplots``: the same kind of figure, with axes that draw in the course style.

All axes carry labels and a title; every function accepts ``title=`` to replace the
default one.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import matplotlib.axes
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from seqlab.checks import as_float_array, positive_int

STYLE = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.prop_cycle": matplotlib.cycler(color=[
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    ]),
}
"""The rcParams every figure of the course is drawn with."""

COLORS = list(STYLE["axes.prop_cycle"].by_key()["color"])
_INK = "#333333"
_HIGHLIGHT = "#d62728"


class CourseFigure(Figure):
    """A matplotlib Figure that Jupyter displays as a PNG when a cell ends with it.

    Made without pyplot, so it shows exactly once even where no inline backend is set up
    (pyplot is never imported by the chapters), and never needs closing.
    """

    def _repr_png_(self):
        import io

        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def _figure(figsize=(7.0, 3.5), nrows=1, ncols=1):
    fig = CourseFigure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


_STYLED_METHODS = (
    "plot", "semilogx", "semilogy", "loglog", "step", "errorbar", "scatter", "bar", "barh",
    "hist", "fill_between", "axhline", "axvline", "axhspan", "axvspan", "text", "annotate",
    "legend", "set_title", "imshow",
)


class _CourseAxes(matplotlib.axes.Axes):
    """Axes that draw in the course style (:data:`STYLE`) whenever a chapter draws on them.

    Some settings (the line width, the title's weight, the legend's frame) are read when
    the line, title or legend is made, not when the axes is: these axes apply
    :data:`STYLE` to every call that makes one, so a chapter needs no ``rc_context``.
    Made by :func:`new_figure`.
    """


def _in_style(method):
    import functools

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return method(*args, **kwargs)

    return wrapper


for _name in _STYLED_METHODS:
    setattr(_CourseAxes, _name, _in_style(getattr(matplotlib.axes.Axes, _name)))
del _name


def new_figure(nrows=1, ncols=1, *, figsize=None):
    """Start a course-style figure with a grid of axes, the way chapters draw their own.

    The figure is a :class:`CourseFigure` (displayed once when a cell ends with it, never
    through pyplot, nothing to close) and its axes draw in the course style,
    :data:`STYLE`. Use it in place of ``plt.subplots``; end the cell with ``fig``.

    Args:
        nrows: rows of axes, >= 1.
        ncols: columns of axes, >= 1.
        figsize: ``(width, height)`` in inches, both > 0; by default 7 x 3.5 inches for
            one axes, wider and taller for a grid.

    Returns:
        ``(fig, axes)`` as ``plt.subplots`` returns them: ``axes`` is one Axes for a 1 x 1
        grid, a 1-D array of Axes for one row or one column, else a 2-D array.

    Raises:
        TypeError: if ``nrows`` or ``ncols`` is not an integer, or ``figsize`` is not a pair
            of numbers.
        ValueError: if ``nrows`` or ``ncols`` is below 1, or ``figsize`` is not two
            positive numbers.

    Example:

    >>> fig, axes = new_figure(1, 2)
    >>> axes.shape, fig.get_size_inches().tolist()
    ((2,), [9.0, 3.5])
    >>> line, = axes[0].plot([0, 1], [1, 0])
    >>> line.get_linewidth() == STYLE["lines.linewidth"]
    True
    """
    nrows = positive_int("nrows", nrows)
    ncols = positive_int("ncols", ncols)
    if figsize is None:
        figsize = (7.0 if ncols == 1 else min(13.0, 4.5 * ncols), 3.5 if nrows == 1 else 3.0 * nrows)
    else:
        size = as_float_array("figsize", figsize)
        if size.shape != (2,) or not (size > 0).all():
            raise ValueError(f"figsize must be two numbers > 0 (width, height in inches), "
                             f"got {figsize!r}")
        figsize = tuple(float(v) for v in size)
    with matplotlib.rc_context(STYLE):
        fig = CourseFigure(figsize=figsize, layout="constrained")
        axes = fig.subplots(nrows, ncols, subplot_kw={"axes_class": _CourseAxes})
    return fig, axes


def _styled(function):
    """Draw the figure under :data:`STYLE` (rcParams are read when artists are made)."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper


def _check_dict(name, value):
    if not isinstance(value, Mapping) or not value:
        raise TypeError(f"{name} must be a non-empty dict of name -> values, got {type(value).__name__}")
    return value


def _as_curve(name, values):
    """A 1-D float array from a list, a (n,) or (n, 1) array."""
    array = as_float_array(name, values, allow_nan=True)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    return array


def _series_rows(series):
    """Split ``series`` into (x, [rows], names): pandas keeps its index and names."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(series, pd.Series):
        return series.index, [series.to_numpy(dtype=float)], [series.name]
    if pd is not None and isinstance(series, pd.DataFrame):
        return series.index, [series[c].to_numpy(dtype=float) for c in series.columns], list(series.columns)
    array = as_float_array("series", series, ndim=(1, 2, 3), allow_nan=True)
    if array.ndim == 3:
        if array.shape[2] != 1:
            raise ValueError(
                "series of shape (n_series, n_steps, n_features) must have one feature, "
                f"got shape {array.shape}"
            )
        array = array[..., 0]
    rows = [array] if array.ndim == 1 else list(array)
    return np.arange(rows[0].shape[0]), rows, [None] * len(rows)


@_styled
def plot_series(series, *, labels=None, max_series=5, title="A time series",
                xlabel="Time step", ylabel="Value"):
    """Plot one or several series on one axes.

    Args:
        series: a 1-D array, a 2-D array ``(n_series, n_steps)``, a 3-D array
            ``(n_series, n_steps, 1)``, a pandas Series or a DataFrame (one line per column;
            the index becomes the x axis).
        labels: a name per series for the legend; pandas names are used by default.
        max_series: draw at most this many series.
        title: the axes title.
        xlabel: the x axis label.
        ylabel: the y axis label.

    Returns:
        The matplotlib Figure.

    Example:

    >>> import numpy as np
    >>> fig = plot_series(np.sin(np.arange(50) / 5))
    >>> fig.axes[0].get_xlabel()
    'Time step'
    """
    x, rows, names = _series_rows(series)
    max_series = positive_int("max_series", max_series)
    rows, names = rows[:max_series], names[:max_series]
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(rows):
            raise ValueError(f"labels must name each of the {len(rows)} series drawn, got {len(labels)} labels")
        names = labels
    fig, axes = _figure()
    ax = axes[0, 0]
    for row, name in zip(rows, names):
        ax.plot(x, row, label=None if name is None else str(name))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if any(name is not None for name in names):
        ax.legend()
    return fig


@_styled
def plot_forecasts(inputs, forecasts, *, target=None, index=0, title="Forecasts",
                   xlabel="Time step", ylabel="Value"):
    """Plot an input window, the true future and each model's forecast after it.

    Args:
        inputs: one input window ``(n_steps,)`` or ``(n_steps, 1)``, or a batch of windows
            ``(n, n_steps)`` / ``(n, n_steps, 1)`` from which ``index`` is drawn.
        forecasts: ``{name: values}``, each ``(horizon,)`` for one window or ``(n, horizon)``
            for a batch (then row ``index`` is drawn).
        target: the true future values, ``(horizon,)`` or ``(n, horizon)``; optional.
        index: which window of a batch to draw.
        title: the axes title.
        xlabel: the x axis label.
        ylabel: the y axis label.

    Returns:
        The matplotlib Figure.

    Example:

    >>> import numpy as np
    >>> fig = plot_forecasts(np.arange(10.0), {"naive": np.full(3, 9.0)}, target=[10, 11, 12])
    >>> [line.get_label() for line in fig.axes[0].lines[:3]]
    ['Input', 'Actual', 'naive']
    """
    window = _pick_row("inputs", inputs, index, batch_ndim=2)
    forecasts = _check_dict("forecasts", forecasts)
    n_steps = window.shape[0]
    fig, axes = _figure()
    ax = axes[0, 0]
    ax.plot(np.arange(n_steps), window, color=_INK, marker=".", label="Input")
    if target is not None:
        future = _pick_row("target", target, index, batch_ndim=2)
        steps = np.arange(n_steps, n_steps + future.shape[0])
        ax.plot(steps, future, color=_INK, marker="o", linestyle="--", label="Actual")
    # The i-th model gets COLORS[i] here as in every other plot, so one chapter's figures
    # agree on which colour is which model when they are given models in the same order.
    for color, (name, values) in zip(COLORS * 4, forecasts.items()):
        forecast = _pick_row(f"forecasts[{name!r}]", values, index, batch_ndim=2)
        steps = np.arange(n_steps, n_steps + forecast.shape[0])
        ax.plot(steps, forecast, color=color, marker="x", markersize=8, markeredgewidth=2,
                label=str(name))
    ax.axvline(n_steps - 0.5, color="#999999", linewidth=0.8, linestyle=":")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _pick_row(name, values, index, *, batch_ndim):
    array = as_float_array(name, values, allow_nan=True)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2 and array.shape[1] == 1 and batch_ndim == 2 and name == "inputs":
        array = array[:, 0]
    if array.ndim == 2:
        if not -len(array) <= index < len(array):
            raise IndexError(f"index {index} is out of range for {name} with {len(array)} rows")
        array = array[index]
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be one window (steps,) or a batch (n, steps), got shape {np.shape(values)}")
    return array


def _histories(histories):
    """Normalise one history, a FitResult, a keras History or a dict of them."""

    def history_of(name, value):
        value = getattr(value, "history", value)
        if not isinstance(value, Mapping) or not value:
            raise TypeError(f"{name} must be a history dict such as {{'loss': [...], 'val_loss': [...]}}")
        return value

    histories = getattr(histories, "history", histories)
    if isinstance(histories, Mapping) and histories and all(
        isinstance(v, (list, tuple, np.ndarray)) for v in histories.values()
    ):
        return {"": history_of("history", histories)}
    _check_dict("histories", histories)
    return {name: history_of(f"histories[{name!r}]", value) for name, value in histories.items()}


@_styled
def plot_learning_curves(histories, *, metric="loss", log_scale=False, title=None, ylabel=None):
    """Plot training (solid) and validation (dashed) curves per epoch.

    Args:
        histories: one history dict (``{"loss": [...], "val_loss": [...]}``), a
            :class:`seqlab.training.FitResult` or Keras ``History``, or a dict
            ``{model name: any of those}`` to compare models (one colour per model).
        metric: the quantity to draw; its ``val_`` counterpart is drawn dashed when present.
        log_scale: use a logarithmic y axis.
        title: the axes title; ``"Learning curves"`` by default.
        ylabel: the y axis label; ``metric`` by default.

    Returns:
        The matplotlib Figure.

    Example:

    >>> fig = plot_learning_curves({"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.6]})
    >>> len(fig.axes[0].lines)
    2
    """
    histories = _histories(histories)
    fig, axes = _figure()
    ax = axes[0, 0]
    for color, (name, history) in zip(COLORS * 4, histories.items()):
        if metric not in history and f"val_{metric}" not in history:
            raise ValueError(f"metric {metric!r} is not in the history of {name or 'the model'}; "
                             f"it has {sorted(history)}")
        prefix = f"{name}: " if name else ""
        for key, style, part in ((metric, "-", "training"), (f"val_{metric}", "--", "validation")):
            if key in history:
                values = _as_curve(key, history[key])
                ax.plot(np.arange(1, values.size + 1), values, style, color=color,
                        label=f"{prefix}{part}")
    if log_scale:
        ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set(title=title or "Learning curves", xlabel="Epoch", ylabel=ylabel or metric)
    ax.legend()
    return fig


@_styled
def plot_per_horizon_error(errors, *, metric="MAE", title="Error by forecast horizon"):
    """Plot each model's error at each step ahead.

    Args:
        errors: ``{model name: (horizon,) array}``, e.g. from ``metrics.per_horizon_error``.
        metric: the name of the error, for the y axis label.
        title: the axes title.

    Returns:
        The matplotlib Figure.

    Example:

    >>> fig = plot_per_horizon_error({"naive": [0.1, 0.2, 0.3]})
    >>> fig.axes[0].get_xlabel()
    'Steps ahead'
    """
    errors = _check_dict("errors", errors)
    fig, axes = _figure()
    ax = axes[0, 0]
    for name, values in errors.items():
        curve = _as_curve(f"errors[{name!r}]", values)
        ax.plot(np.arange(1, curve.size + 1), curve, marker="o", label=str(name))
    ax.set(title=title, xlabel="Steps ahead", ylabel=metric)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    return fig


@_styled
def plot_memory_curve(results, *, chance=None, xlabel="Lag (steps back)", ylabel="Score",
                      title="How far back the model remembers"):
    """Plot a score against the lag a memory task asks the model to reach back.

    Args:
        results: ``{model name: (lags, scores)}``, two 1-D arrays of the same length.
        chance: the score of guessing, drawn as a grey horizontal line; optional.
        xlabel: the x axis label.
        ylabel: the y axis label.
        title: the axes title.

    Returns:
        The matplotlib Figure.

    Example:

    >>> fig = plot_memory_curve({"SimpleRNN": ([1, 5, 10], [0.99, 0.8, 0.5])}, chance=0.5)
    >>> len(fig.axes[0].lines)
    2
    """
    results = _check_dict("results", results)
    fig, axes = _figure()
    ax = axes[0, 0]
    for name, pair in results.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"results[{name!r}] must be a (lags, scores) pair")
        lags = _as_curve(f"results[{name!r}] lags", pair[0])
        scores = _as_curve(f"results[{name!r}] scores", pair[1])
        if lags.shape != scores.shape:
            raise ValueError(f"results[{name!r}]: lags and scores must have the same length, "
                             f"got {lags.size} and {scores.size}")
        ax.plot(lags, scores, marker="o", label=str(name))
    if chance is not None:
        ax.axhline(float(chance), color="#888888", linestyle=":", label="chance")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    return fig


@_styled
def plot_gradient_norms(norms, *, log_scale=True, xlabel="Steps back from the loss",
                        title="Gradient norm through time"):
    """Plot the norm of the gradient reaching each time step, one line per model.

    Args:
        norms: ``{name: (T,) array}``; entry ``k`` is the gradient norm ``k`` steps back.
        log_scale: use a logarithmic y axis (vanishing and exploding gradients are exponential).
        xlabel: the x axis label.
        title: the axes title.

    Returns:
        The matplotlib Figure.

    Example:

    >>> fig = plot_gradient_norms({"tanh": [1.0, 0.5, 0.25]})
    >>> fig.axes[0].get_yscale()
    'log'
    """
    norms = _check_dict("norms", norms)
    fig, axes = _figure()
    ax = axes[0, 0]
    for name, values in norms.items():
        curve = _as_curve(f"norms[{name!r}]", values)
        if log_scale and np.any(curve[np.isfinite(curve)] < 0):
            raise ValueError(f"norms[{name!r}] has negative values; a norm is >= 0")
        ax.plot(np.arange(curve.size), curve, label=str(name))
    if log_scale:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel="Gradient norm")
    ax.legend()
    return fig


@_styled
def plot_receptive_field(kernel_size, dilation_rates, *, title=None):
    """Draw a stack of dilated causal convolutions and the inputs the last output sees.

    One row of circles per layer (inputs at the bottom), one column per time step. The
    connections that feed the last output are drawn as lines and the nodes they reach
    are filled, as in the WaveNet figure of van den Oord et al. (2016). The figure shows
    the whole span, ``seqlab.layers.receptive_field(kernel_size, dilation_rates)``
    steps; the filled inputs are ``seqlab.layers.seen_offsets(...)`` (with rates that
    do not start at 1 and double, the span has holes), and the title counts both.

    Args:
        kernel_size: the convolution's kernel size (>= 1).
        dilation_rates: one dilation rate (>= 1) per layer, bottom layer first.
        title: the axes title; by default it states the receptive field.

    Returns:
        The matplotlib Figure.

    Example:

    >>> fig = plot_receptive_field(2, [1, 2, 4, 8])
    >>> len(fig.axes[0].lines)
    30
    """
    kernel_size = positive_int("kernel_size", kernel_size)
    if isinstance(dilation_rates, (int, np.integer)) or not len(dilation_rates):
        raise TypeError(f"dilation_rates must be a non-empty list of integers, got {dilation_rates!r}")
    rates = [positive_int(f"dilation_rates[{i}]", rate) for i, rate in enumerate(dilation_rates)]
    from seqlab.layers.receptive_field import receptive_field, seen_offsets

    n_steps = receptive_field(kernel_size, rates)
    seen = n_steps - 1 - seen_offsets(kernel_size, rates)
    n_layers = len(rates)
    width = min(12.0, max(6.0, 0.4 * n_steps + 2.0))
    unit = (width - 1.6) / (n_steps + 0.6)
    fig, axes = _figure(figsize=(width, 1.4 + unit * (n_layers + 1.2)))
    ax = axes[0, 0]
    active = {n_steps - 1}
    active_by_row = {n_layers: set(active)}
    for layer in range(n_layers, 0, -1):
        rate = rates[layer - 1]
        below = set()
        for t in sorted(active):
            for j in range(kernel_size):
                source = t - j * rate
                ax.plot([source, t], [layer - 1, layer], color=_HIGHLIGHT, linewidth=1.0, zorder=1)
                below.add(source)
        active = below
        active_by_row[layer - 1] = set(active)
    active_by_row[0] = set(seen.tolist())  # the inputs seen: the same set, from seqlab.layers
    radius = 0.18
    for row in range(n_layers + 1):
        for t in range(n_steps):
            filled = t in active_by_row.get(row, set())
            ax.add_patch(Circle((t, row), radius, facecolor=_HIGHLIGHT if filled else "white",
                                edgecolor=_INK, linewidth=0.8, zorder=2))
    ax.set_xlim(-0.8, n_steps - 0.2)
    ax.set_ylim(-0.6, n_layers + 0.6)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_yticks(range(n_layers + 1),
                  ["Input"] + [f"Layer {i + 1} (d={rate})" for i, rate in enumerate(rates)])
    step = max(1, n_steps // 16)
    ax.set_xticks(range(0, n_steps, step))
    ax.set(xlabel="Time step", title=title or (
        f"Receptive field: {n_steps} steps (span), {seen.size} of them seen\n"
        f"(kernel size {kernel_size}, dilation rates {rates})"))
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return fig


def _arrow(ax, start, end, kind, color=_INK):
    arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color,
                            linewidth=1.2, shrinkA=0, shrinkB=0)
    arrow.set_gid(kind)
    ax.add_patch(arrow)
    return arrow


def _cell(ax, center, label, size=0.7):
    x, y = center
    box = FancyBboxPatch((x - size / 2, y - size / 2), size, size, boxstyle="round,pad=0.04",
                         facecolor="#dbe8f5", edgecolor=_INK, linewidth=1.2)
    box.set_gid("cell")
    ax.add_patch(box)
    ax.text(x, y, label, ha="center", va="center", fontsize=9)


@_styled
def plot_unrolled_rnn(n_steps=4, *, kind="neuron", rolled=True, title=None):
    """Draw a recurrent neuron (or layer) and the same neuron unrolled through time.

    Left: the rolled form, one cell whose output loops back into it. Right: the cell
    copied once per time step; at step ``t`` it receives the input ``x_t`` (below) and
    its own previous output ``y_{t-1}`` (from the left) and emits ``y_t`` (above). The
    first copy receives the initial state ``y_{-1} = 0``. Every copy is the *same* cell,
    with the same weights.

    Args:
        n_steps: number of time steps to unroll (1 to 12).
        kind: ``"neuron"`` (scalar outputs) or ``"layer"`` (vectors, in bold).
        rolled: also draw the rolled form on the left.
        title: the axes title.

    Returns:
        The matplotlib Figure. Each cell is a patch with gid ``"cell"``; arrows carry the
        gids ``"input"``, ``"output"`` and ``"recurrent"``.

    Example:

    >>> fig = plot_unrolled_rnn(3)
    >>> sum(p.get_gid() == "cell" for p in fig.axes[0].patches)
    4
    """
    n_steps = positive_int("n_steps", n_steps)
    if n_steps > 12:
        raise ValueError(f"n_steps must be at most 12 to stay readable, got {n_steps}")
    if kind not in ("neuron", "layer"):
        raise ValueError(f"kind must be 'neuron' or 'layer', got {kind!r}")

    def symbol(letter, sub):
        return rf"$\mathbf{{{letter}}}_{{{sub}}}$" if kind == "layer" else rf"${letter}_{{{sub}}}$"

    spacing = 1.6
    offset = 2.8 if rolled else 0.4
    width = offset + spacing * n_steps
    fig, axes = _figure(figsize=(min(13.0, 0.7 * (width + 1.2) + 0.3), 3.2))
    ax = axes[0, 0]
    name = "layer" if kind == "layer" else "neuron"
    if rolled:
        _cell(ax, (0.0, 0.0), name)
        _arrow(ax, (0.0, -1.2), (0.0, -0.4), "input")
        ax.text(0.0, -1.4, symbol("x", "t"), ha="center", va="top")
        _arrow(ax, (0.0, 0.4), (0.0, 1.2), "output")
        ax.text(0.0, 1.35, symbol("y", "t"), ha="center", va="bottom")
        loop = FancyArrowPatch((0.15, 0.75), (0.42, 0.25), connectionstyle="arc3,rad=-1.6",
                               arrowstyle="-|>", mutation_scale=12, color=_HIGHLIGHT, linewidth=1.2)
        loop.set_gid("recurrent")
        ax.add_patch(loop)
        ax.text(1.35, 0.0, "=", ha="center", va="center", fontsize=18)
    for t in range(n_steps):
        x = offset + spacing * t + 0.6
        _cell(ax, (x, 0.0), name)
        _arrow(ax, (x, -1.2), (x, -0.4), "input")
        ax.text(x, -1.4, symbol("x", t), ha="center", va="top")
        _arrow(ax, (x, 0.4), (x, 1.2), "output")
        ax.text(x, 1.35, symbol("y", t), ha="center", va="bottom")
        start = x - spacing + 0.4 if t else x - 1.05
        _arrow(ax, (start, 0.0), (x - 0.4, 0.0), "recurrent", color=_HIGHLIGHT)
        if t == 0:
            ax.text(x - 0.72, 0.12, symbol("y", "-1") + "$=0$", ha="center", va="bottom", fontsize=8)
    ax.set_xlim(-1.0, width + 0.2)
    ax.set_ylim(-2.1, 2.0)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    default = (f"A recurrent {name}, rolled and unrolled through {n_steps} time steps" if rolled
               else f"A recurrent {name} unrolled through {n_steps} time steps")
    ax.set_title(title or default)
    ax.set_xlabel("Time →")
    return fig


_GATE_NAMES = ("input", "forget", "output", "update", "reset")
_STATE_NAMES = ("c", "h", "candidate")


@_styled
def plot_gates(gates, *, index=0, unit=0, marked=None, title="Inside a gated cell"):
    """Plot the gates and states of one unit of an LSTM or GRU along one sequence.

    Args:
        gates: the dict :func:`seqlab.reference.lstm_gates` or
            :func:`~seqlab.reference.gru_gates` returns, arrays of shape ``(m, T, units)``.
        index: which sequence of the batch, ``0 <= index < m``.
        unit: which unit, ``0 <= unit < units``.
        marked: optional boolean array of shape ``(T,)`` or ``(m, T)``; its True steps
            (the marked steps of the adding problem, say) are shaded in both panels.
        title: the title over the two panels.

    Returns:
        The matplotlib Figure: gate values (0 to 1) on top, the states below.

    Raises:
        TypeError: if ``gates`` is not a dict.
        ValueError: if the arrays are not 3-D, or ``index`` or ``unit`` is out of range.

    Example:

    >>> import numpy as np
    >>> values = {"input": np.full((1, 4, 2), 0.5), "c": np.zeros((1, 4, 2))}
    >>> fig = plot_gates(values, marked=np.array([0, 1, 0, 0], bool))
    >>> [len(ax.lines) for ax in fig.axes]
    [1, 1]
    """
    gates = _check_dict("gates", gates)
    arrays = {name: as_float_array(f"gates[{name!r}]", value, ndim=3)
              for name, value in gates.items()}
    m, n_steps, units = next(iter(arrays.values())).shape
    index = positive_int("index", index, minimum=0)
    unit = positive_int("unit", unit, minimum=0)
    if index >= m or unit >= units:
        raise ValueError(f"index must be < {m} and unit < {units} for gates of shape "
                         f"{(m, n_steps, units)}, got index={index}, unit={unit}")
    fig, axes = _figure(figsize=(7.0, 4.8), nrows=2)
    steps = np.arange(n_steps)
    panels = [(axes[0, 0], [k for k in arrays if k in _GATE_NAMES], "gate value"),
              (axes[1, 0], [k for k in arrays if k in _STATE_NAMES], "state value")]
    if marked is not None:
        marked = np.asarray(marked, dtype=bool)
        marked = marked[index] if marked.ndim == 2 else marked
        if marked.shape != (n_steps,):
            raise ValueError(f"marked must have shape ({n_steps},) or (m, {n_steps}), "
                             f"got {np.shape(marked)}")
    for ax, names, ylabel in panels:
        for name, style in zip(names, ("-", "--", ":", "-.")):
            ax.plot(steps, arrays[name][index, :, unit], linestyle=style, label=name)
        if marked is not None:
            for step in steps[marked]:
                ax.axvspan(step - 0.5, step + 0.5, color="#888888", alpha=0.25,
                           label="marked step" if step == steps[marked][0] else None)
        ax.set(xlabel="time step", ylabel=ylabel)
        if ax.lines:
            ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    axes[0, 0].set_ylim(-0.05, 1.05)
    axes[0, 0].set_title(title)
    return fig


def _diagram_axes(ax):
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


@_styled
def plot_bptt(n_steps=5, *, n_scored=1, title=None):
    """Draw a recurrent layer unrolled through time, its loss and the gradient flowing back.

    The loss reads only the last ``n_scored`` outputs; every other output is ignored by
    the loss. Black arrows are the forward pass (inputs up, states to the right); red
    dashed arrows are the gradient: from the loss down to the outputs it scores, then
    back to the left through the states, reaching every step and every input.

    Args:
        n_steps: number of time steps to unroll (2 to 10).
        n_scored: how many of the last outputs the loss scores (1 to ``n_steps``).
        title: the axes title.

    Returns:
        The matplotlib Figure. Cells carry gid ``"cell"``, the loss box ``"loss"``,
        forward arrows ``"input"``, ``"output"``, ``"recurrent"``, and gradient arrows
        ``"gradient"`` (one per scored output, one per link between steps, one per input).

    Raises:
        TypeError: if an argument is not an integer.
        ValueError: if ``n_steps`` is not in 2..10 or ``n_scored`` not in 1..n_steps.

    Example:

    >>> fig = plot_bptt(4, n_scored=2)
    >>> sum(p.get_gid() == "gradient" for p in fig.axes[0].patches)
    9
    """
    n_steps = positive_int("n_steps", n_steps)
    if not 2 <= n_steps <= 10:
        raise ValueError(f"n_steps must be between 2 and 10, got {n_steps}")
    n_scored = positive_int("n_scored", n_scored)
    if n_scored > n_steps:
        raise ValueError(f"n_scored must be at most n_steps = {n_steps}, got {n_scored}")
    spacing = 1.8
    fig, axes = _figure(figsize=(min(13.0, 1.25 * n_steps + 1.6), 4.2))
    ax = axes[0, 0]
    xs = [spacing * t for t in range(n_steps)]
    first_scored = n_steps - n_scored
    loss_x = (xs[first_scored] + xs[-1]) / 2
    loss = FancyBboxPatch((loss_x - 0.6, 2.55), 1.2, 0.5, boxstyle="round,pad=0.05",
                          facecolor="#fde0dd", edgecolor=_HIGHLIGHT, linewidth=1.2)
    loss.set_gid("loss")
    ax.add_patch(loss)
    ax.text(loss_x, 2.8, r"loss $\mathcal{L}$", ha="center", va="center", fontsize=9)
    for t, x in enumerate(xs):
        _cell(ax, (x, 0.0), "cell")
        _arrow(ax, (x, -1.2), (x, -0.4), "input")
        ax.text(x, -1.4, rf"$\mathbf{{X}}_{{{t}}}$", ha="center", va="top")
        _arrow(ax, (x, 0.4), (x, 1.2), "output")
        scored = t >= first_scored
        ax.text(x - 0.12, 1.3, rf"$\mathbf{{Y}}_{{{t}}}$", ha="right", va="bottom",
                color=_INK if scored else "#999999")
        if scored:
            _arrow(ax, (x, 1.6), (loss_x, 2.5), "output")
            _arrow(ax, (loss_x + 0.15, 2.5), (x + 0.15, 1.6), "gradient", color=_HIGHLIGHT
                   ).set_linestyle("--")
        else:
            ax.text(x, 1.85, "ignored\nby the loss", ha="center", va="bottom",
                    fontsize=7, color="#999999")
        start = x - spacing + 0.4 if t else x - 1.1
        _arrow(ax, (start, 0.12), (x - 0.4, 0.12), "recurrent")
        if t:
            _arrow(ax, (x - 0.4, -0.15), (xs[t - 1] + 0.4, -0.15), "gradient",
                   color=_HIGHLIGHT).set_linestyle("--")
        _arrow(ax, (x + 0.2, -0.4), (x + 0.2, -1.1), "gradient",
               color=_HIGHLIGHT).set_linestyle("--")
    ax.text(xs[0] - 0.75, 0.25, r"$\mathbf{Y}_{-1}$", ha="center", va="bottom", fontsize=8)
    ax.plot([], [], color=_INK, label="forward pass")
    ax.plot([], [], color=_HIGHLIGHT, linestyle="--", label="gradient (backward pass)")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.02), ncol=2)
    ax.set_xlim(xs[0] - 1.3, xs[-1] + 0.9)
    ax.set_ylim(-2.0, 3.3)
    _diagram_axes(ax)
    ax.set_title(title or f"Backpropagation through time: the loss scores the last "
                          f"{n_scored} of {n_steps} outputs")
    return fig


@_styled
def plot_deep_rnn(n_layers=3, n_steps=4, *, title=None):
    """Draw a stack of recurrent layers unrolled through time, with a Dense read-out.

    Row ``l`` is layer ``l``, column ``t`` time step ``t``. Each cell receives the layer
    below at the same step (up arrows) and its own layer's previous state (right arrows).
    Every layer but the top one returns its whole sequence (``return_sequences=True``);
    the top layer returns only its last output, which a ``Dense`` layer maps to the
    forecast.

    Args:
        n_layers: number of recurrent layers (1 to 5).
        n_steps: number of time steps drawn (2 to 8).
        title: the axes title.

    Returns:
        The matplotlib Figure; cells carry gid ``"cell"``, the Dense box ``"dense"``,
        arrows ``"input"``, ``"up"``, ``"recurrent"`` and ``"output"``.

    Raises:
        TypeError: if an argument is not an integer.
        ValueError: if ``n_layers`` or ``n_steps`` is out of range.

    Example:

    >>> fig = plot_deep_rnn(2, 3)
    >>> sum(p.get_gid() == "cell" for p in fig.axes[0].patches)
    6
    """
    n_layers = positive_int("n_layers", n_layers)
    n_steps = positive_int("n_steps", n_steps)
    if n_layers > 5:
        raise ValueError(f"n_layers must be between 1 and 5, got {n_layers}")
    if not 2 <= n_steps <= 8:
        raise ValueError(f"n_steps must be between 2 and 8, got {n_steps}")
    dx, dy = 1.6, 1.3
    fig, axes = _figure(figsize=(1.3 * n_steps + 3.6, 1.05 * n_layers + 2.4))
    ax = axes[0, 0]
    for t in range(n_steps):
        x = dx * t
        _arrow(ax, (x, -1.0), (x, -0.4), "input")
        ax.text(x, -1.1, rf"$\mathbf{{X}}_{{{t}}}$", ha="center", va="top")
        for layer in range(n_layers):
            y = dy * layer
            _cell(ax, (x, y), rf"$\mathbf{{H}}^{{({layer + 1})}}_{{{t}}}$", size=0.8)
            if layer:
                _arrow(ax, (x, y - dy + 0.4), (x, y - 0.4), "up")
            start = x - dx + 0.4 if t else x - 0.95
            _arrow(ax, (start, y), (x - 0.4, y), "recurrent", color=_HIGHLIGHT)
    top = dy * (n_layers - 1)
    last = dx * (n_steps - 1)
    dense = FancyBboxPatch((last - 0.45, top + 0.95), 0.9, 0.45, boxstyle="round,pad=0.04",
                           facecolor="#e5f5e0", edgecolor=_INK, linewidth=1.2)
    dense.set_gid("dense")
    ax.add_patch(dense)
    ax.text(last, top + 1.175, "Dense", ha="center", va="center", fontsize=9)
    _arrow(ax, (last, top + 0.4), (last, top + 0.95), "output")
    _arrow(ax, (last, top + 1.4), (last, top + 1.85), "output")
    ax.text(last, top + 1.9, "forecast", ha="center", va="bottom", fontsize=9)
    label_x = last + 0.8
    for layer in range(n_layers):
        note = ("returns its last output only" if layer == n_layers - 1
                else "return_sequences=True")
        ax.text(label_x, dy * layer, f"layer {layer + 1}: {note}", va="center", fontsize=8)
    ax.text(label_x, -0.95, "inputs", va="center", fontsize=8)
    ax.set_xlim(-1.1, last + 3.9)
    ax.set_ylim(-1.6, top + 2.3)
    _diagram_axes(ax)
    ax.set_xlabel("Time →")
    ax.set_title(title or f"A deep RNN: {n_layers} recurrent layers unrolled over "
                          f"{n_steps} steps")
    return fig


@_styled
def plot_seq2seq_targets(input_length=8, horizon=3, *, title=None):
    """Draw which values of a series are the sequence-to-sequence targets at each step.

    Row ``t`` is input step ``t`` of the window (``t = 0 .. input_length - 1``), columns
    are the positions of the series. In each row the values the model has read (up to
    ``t``) are grey and its ``horizon`` targets, positions ``t + 1 .. t + horizon``, are
    coloured. The last row is the ordinary ``horizon``-step target, the one a
    sequence-to-sequence model is scored on.

    Args:
        input_length: the window length ``T`` (2 to 16).
        horizon: the number of steps ahead ``h`` (1 to 8).
        title: the axes title.

    Returns:
        The matplotlib Figure; read cells carry gid ``"read"``, target cells ``"target"``
        (``input_length * horizon`` of them).

    Raises:
        TypeError: if an argument is not an integer.
        ValueError: if ``input_length`` or ``horizon`` is out of range.

    Example:

    >>> fig = plot_seq2seq_targets(4, 2)
    >>> sum(p.get_gid() == "target" for p in fig.axes[0].patches)
    8
    """
    from matplotlib.patches import Rectangle

    input_length = positive_int("input_length", input_length)
    horizon = positive_int("horizon", horizon)
    if not 2 <= input_length <= 16:
        raise ValueError(f"input_length must be between 2 and 16, got {input_length}")
    if horizon > 8:
        raise ValueError(f"horizon must be between 1 and 8, got {horizon}")
    width = input_length + horizon
    fig, axes = _figure(figsize=(0.42 * width + 2.6, 0.36 * input_length + 1.6))
    ax = axes[0, 0]
    for t in range(input_length):
        row = input_length - 1 - t
        for position in range(t + 1 + horizon):
            target = position > t
            box = Rectangle((position - 0.45, row - 0.4), 0.9, 0.8,
                            facecolor=(COLORS[0] if t < input_length - 1 else _HIGHLIGHT)
                            if target else "#dddddd", edgecolor="white")
            box.set_gid("target" if target else "read")
            ax.add_patch(box)
            if target:
                ax.text(position, row, str(position - t), ha="center", va="center",
                        fontsize=7, color="white")
    ax.axvline(input_length - 0.5, color=_INK, linestyle=":", linewidth=1)
    ax.text(input_length - 0.55, input_length - 0.35, "end of the window ",
            ha="right", va="bottom", fontsize=8)
    ax.text(width - 0.4, 0, "  scored", ha="left", va="center", fontsize=8,
            color=_HIGHLIGHT)
    ax.set_xlim(-0.6, width + 1.6)
    ax.set_ylim(-0.6, input_length + 0.3)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xticks(range(width))
    ax.set_yticks(range(input_length), [str(input_length - 1 - r) for r in range(input_length)])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set(xlabel="position in the series (numbers: steps ahead of t)",
           ylabel="input step t")
    ax.set_title(title or f"Sequence-to-sequence targets: grey = read so far, "
                          f"colour = the {horizon} targets at step t")
    return fig


ARCHITECTURES = ("sequence_to_sequence", "sequence_to_vector", "vector_to_sequence",
                 "encoder_decoder")
"""The four shapes of recurrent model drawn by :func:`plot_sequence_architectures`."""


def _draw_architecture(ax, name, n_in, n_out):
    spacing = 1.3
    sub = r"$\mathbf{{{}}}_{{{}}}$"
    encoder = name in ("sequence_to_sequence", "sequence_to_vector",
                       "encoder_decoder")
    n_cells = n_in + n_out if name == "encoder_decoder" else (
        n_in if encoder else n_out)
    for i in range(n_cells):
        x = spacing * i
        in_decoder = name == "encoder_decoder" and i >= n_in
        _cell(ax, (x, 0.0), "", size=0.6)
        if i:
            color = _HIGHLIGHT
            _arrow(ax, (x - spacing + 0.3, 0.0), (x - 0.3, 0.0), "recurrent", color)
        if name == "vector_to_sequence":
            _arrow(ax, (x, -1.0), (x, -0.3), "input")
            ax.text(x, -1.15, r"$\mathbf{x}$", ha="center", va="top")
        elif not in_decoder:
            _arrow(ax, (x, -1.0), (x, -0.3), "input")
            ax.text(x, -1.15, sub.format("x", i), ha="center", va="top")
        else:
            t = i - n_in
            _arrow(ax, (x, -1.0), (x, -0.3), "input")
            label = r"$\langle s \rangle$" if t == 0 else sub.format("y", t - 1)
            ax.text(x, -1.15, label, ha="center", va="top")
            if t:
                loop = FancyArrowPatch((x - spacing + 0.15, 1.05), (x - 0.15, -1.0),
                                       arrowstyle="-|>", mutation_scale=9,
                                       color=COLORS[2], linewidth=0.9,
                                       linestyle="--", shrinkA=0, shrinkB=0)
                loop.set_gid("feedback")
                ax.add_patch(loop)
        writes = {
            "sequence_to_sequence": True,
            "sequence_to_vector": i == n_cells - 1,
            "vector_to_sequence": True,
            "encoder_decoder": in_decoder,
        }[name]
        if writes:
            t = i - n_in if name == "encoder_decoder" else i
            label = (r"$\mathbf{y}$" if name == "sequence_to_vector"
                     else sub.format("y", t))
            _arrow(ax, (x, 0.3), (x, 1.0), "output")
            ax.text(x, 1.1, label, ha="center", va="bottom")
    if name == "encoder_decoder":
        middle = spacing * (n_in - 0.5)
        ax.axvline(middle, color="#999999", linestyle=":", linewidth=1)
        ax.text(spacing * (n_in - 1) / 2, -2.0, "encoder", ha="center", fontsize=9)
        ax.text(spacing * (n_in + (n_out - 1) / 2), -2.0, "decoder",
                ha="center", fontsize=9)
    ax.set_xlim(-0.8, spacing * (n_in + n_out - 1) + 0.8)
    ax.set_ylim(-2.3 if name == "encoder_decoder" else -1.7, 1.8)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(name.replace("_", " ").replace("encoder decoder",
                                                "encoder-decoder"))
    ax.set_xlabel("time →")


@_styled
def plot_sequence_architectures(n_in=3, n_out=4, *, title=None):
    """Draw the four shapes of recurrent model, unrolled through time.

    One panel each, in the order of :data:`ARCHITECTURES`: sequence to sequence
    (an output at every input step), sequence to vector (one output, after the
    last step), vector to sequence (one vector fed at every step) and encoder
    then decoder (the decoder starts from the encoder's state, reads a start
    token, then at each step the token it wrote before: green dashed arrows).
    Cells and arrows are drawn as in :func:`plot_unrolled_rnn`.

    Args:
        n_in: input steps drawn, 1 to 6.
        n_out: output steps of the decoders, 1 to 6.
        title: the figure's title.

    Returns:
        The matplotlib Figure, four axes titled after the architectures. Cells
        are patches with gid ``"cell"``; arrows have the gids ``"input"``,
        ``"output"``, ``"recurrent"`` and (decoder) ``"feedback"``.

    Raises:
        TypeError: if ``n_in`` or ``n_out`` is not an integer.
        ValueError: if either is outside 1 to 6.

    Example:

    >>> fig = plot_sequence_architectures(3, 4)
    >>> [ax.get_title() for ax in fig.axes][-1]
    'encoder-decoder'
    """
    n_in = positive_int("n_in", n_in, maximum=6)
    n_out = positive_int("n_out", n_out, maximum=6)
    fig, axes = _figure(figsize=(7.0, 8.5), nrows=4, ncols=1)
    for ax, name in zip(axes.ravel(), ARCHITECTURES):
        _draw_architecture(ax, name, n_in, n_out)
    fig.suptitle(title or "The four shapes of recurrent model",
                 fontweight="bold")
    return fig
