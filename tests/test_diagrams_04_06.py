"""The diagrams of chapters 4 and 6: labelled parts, counts that follow the arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from seqlab import plots  # noqa: E402


def gids(fig):
    assert len(fig.axes) == 1
    return [patch.get_gid() for patch in fig.axes[0].patches]


def texts(fig):
    return [text.get_text() for text in fig.axes[0].texts]


@pytest.mark.parametrize("n_steps, n_scored", [(2, 1), (5, 1), (5, 2), (6, 6)])
def test_plot_bptt_scores_the_last_outputs_and_sends_gradient_everywhere(n_steps, n_scored):
    fig = plots.plot_bptt(n_steps, n_scored=n_scored)
    kinds = gids(fig)
    assert kinds.count("cell") == n_steps and kinds.count("loss") == 1
    assert kinds.count("input") == n_steps
    # one gradient arrow per scored output, per link back in time, per input
    assert kinds.count("gradient") == n_scored + (n_steps - 1) + n_steps
    assert texts(fig).count("ignored\nby the loss") == n_steps - n_scored
    assert r"loss $\mathcal{L}$" in texts(fig)
    assert f"last {n_scored} of {n_steps}" in fig.axes[0].get_title()
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["forward pass", "gradient (backward pass)"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n_steps": 1}, ValueError, "n_steps"),
    ({"n_steps": 11}, ValueError, "n_steps"),
    ({"n_steps": 3, "n_scored": 4}, ValueError, "n_scored"),
    ({"n_scored": 0}, ValueError, "n_scored"),
    ({"n_steps": 2.5}, TypeError, "n_steps"),
])
def test_plot_bptt_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.plot_bptt(**kwargs)


@pytest.mark.parametrize("n_layers, n_steps", [(1, 2), (3, 4), (5, 8)])
def test_plot_deep_rnn_draws_a_grid_of_cells_and_one_dense_readout(n_layers, n_steps):
    fig = plots.plot_deep_rnn(n_layers, n_steps)
    kinds = gids(fig)
    assert kinds.count("cell") == n_layers * n_steps
    assert kinds.count("dense") == 1
    assert kinds.count("up") == (n_layers - 1) * n_steps
    assert kinds.count("recurrent") == n_layers * n_steps
    labels = texts(fig)
    assert sum("return_sequences=True" in t for t in labels) == n_layers - 1
    assert f"layer {n_layers}: returns its last output only" in labels
    assert "Dense" in labels and "forecast" in labels
    assert fig.axes[0].get_xlabel().startswith("Time")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n_layers": 6}, ValueError, "n_layers"),
    ({"n_layers": 0}, ValueError, "n_layers"),
    ({"n_steps": 1}, ValueError, "n_steps"),
    ({"n_steps": "4"}, TypeError, "n_steps"),
])
def test_plot_deep_rnn_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.plot_deep_rnn(**kwargs)


@pytest.mark.parametrize("input_length, horizon", [(2, 1), (8, 3), (16, 8)])
def test_plot_seq2seq_targets_marks_h_targets_after_each_step(input_length, horizon):
    fig = plots.plot_seq2seq_targets(input_length, horizon)
    ax = fig.axes[0]
    targets = [p for p in ax.patches if p.get_gid() == "target"]
    assert len(targets) == input_length * horizon
    # the targets of the row of step t sit at positions t + 1 .. t + horizon
    rows = {}
    for patch in targets:
        row = round(patch.get_y() + 0.4)
        rows.setdefault(input_length - 1 - row, []).append(round(patch.get_x() + 0.45))
    for t, positions in rows.items():
        assert sorted(positions) == list(range(t + 1, t + 1 + horizon))
    reads = [p for p in ax.patches if p.get_gid() == "read"]
    assert len(reads) == input_length * (input_length + 1) // 2
    assert ax.get_ylabel() == "input step t" and "position" in ax.get_xlabel()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"input_length": 1}, ValueError, "input_length"),
    ({"input_length": 17}, ValueError, "input_length"),
    ({"horizon": 9}, ValueError, "horizon"),
    ({"horizon": 0}, ValueError, "horizon"),
])
def test_plot_seq2seq_targets_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        plots.plot_seq2seq_targets(**kwargs)


def test_diagrams_are_not_registered_with_pyplot():
    plt.close("all")
    plots.plot_bptt(3)
    plots.plot_deep_rnn(2, 3)
    plots.plot_seq2seq_targets(4, 2)
    assert plt.get_fignums() == []
