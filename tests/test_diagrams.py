"""plots.plot_sequence_architectures: the four shapes of recurrent model."""

import pytest

from seqlab import plots


def _gids(ax, gid):
    return sum(patch.get_gid() == gid for patch in ax.patches)


def test_each_panel_draws_its_architecture():
    fig = plots.plot_sequence_architectures(3, 4)
    axes = dict(zip(plots.ARCHITECTURES, fig.axes))
    assert [ax.get_title() for ax in fig.axes] == [
        "sequence to sequence", "sequence to vector", "vector to sequence",
        "encoder-decoder"]
    counts = {name: {gid: _gids(ax, gid) for gid in
                     ("cell", "input", "output", "recurrent", "feedback")}
              for name, ax in axes.items()}
    assert counts["sequence_to_sequence"] == dict(
        cell=3, input=3, output=3, recurrent=2, feedback=0)
    assert counts["sequence_to_vector"] == dict(
        cell=3, input=3, output=1, recurrent=2, feedback=0)
    assert counts["vector_to_sequence"] == dict(
        cell=4, input=4, output=4, recurrent=3, feedback=0)
    # the decoder feeds back each token it wrote, except the last one
    assert counts["encoder_decoder"] == dict(
        cell=7, input=7, output=4, recurrent=6, feedback=3)
    for ax in fig.axes:
        assert ax.get_xlabel()
    assert fig._suptitle.get_text() == "The four shapes of recurrent model"


def test_lengths_change_the_drawing_and_title_can_be_replaced():
    fig = plots.plot_sequence_architectures(2, 5, title="Shapes")
    decoder = fig.axes[3]
    assert _gids(decoder, "cell") == 7 and _gids(decoder, "output") == 5
    assert fig._suptitle.get_text() == "Shapes"
    assert fig._repr_png_()[:4] == b"\x89PNG"


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n_in=0), ValueError, "n_in"),
    (dict(n_out=7), ValueError, "n_out"),
    (dict(n_in=2.5), TypeError, "n_in"),
])
def test_bad_input_names_the_argument(kwargs, error, name):
    with pytest.raises(error, match=name):
        plots.plot_sequence_architectures(**kwargs)
