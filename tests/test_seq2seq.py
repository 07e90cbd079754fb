"""seqlab.seq2seq: the reversal task, tokens, teacher forcing and greedy decoding."""

import numpy as np
import pytest

from seqlab import seq2seq
from seqlab.seq2seq import END, PAD, START, VOCABULARY_SIZE


def test_reversal_task_lengths_vary_and_targets_are_reversed():
    sources, targets = seq2seq.reversal_task(300, min_length=2, max_length=5,
                                             seed=3)
    lengths = {len(s) for s in sources}
    assert lengths == {2, 3, 4, 5}
    for source, target in zip(sources, targets):
        assert source.min() >= 0 and source.max() <= 9
        assert target.tolist() == source.tolist()[::-1]
    again, _ = seq2seq.reversal_task(300, min_length=2, max_length=5, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(sources, again))
    other, _ = seq2seq.reversal_task(300, min_length=2, max_length=5, seed=4)
    assert not all(len(a) == len(b) and np.array_equal(a, b)
                   for a, b in zip(sources, other))


def test_tokens_round_trip_and_padding():
    sources, _ = seq2seq.reversal_task(50, max_length=6, seed=0)
    tokens = seq2seq.to_tokens(sources, length=8)
    assert tokens.shape == (50, 8) and tokens.dtype == np.int32
    for row, source in zip(tokens, sources):
        assert (row[len(source):] == PAD).all()
        assert (row[:len(source)] != PAD).all()
    back = seq2seq.to_digits(tokens)
    assert all(np.array_equal(a, b) for a, b in zip(back, sources))


def test_teacher_forcing_shifts_the_target_right():
    _, targets = seq2seq.reversal_task(100, max_length=6, seed=1)
    inputs, outputs = seq2seq.teacher_forcing(targets, length=7)
    assert inputs.shape == outputs.shape == (100, 7)
    assert (inputs[:, 0] == START).all()
    for x, y, target in zip(inputs, outputs, targets):
        n = len(target)
        assert y[n] == END and (y[n + 1:] == PAD).all()
        assert np.array_equal(x[1:n + 1], y[:n])   # input t = target t - 1
        assert (x[n + 1:] == PAD).all()
        assert np.array_equal(seq2seq.to_digits([y])[0], target)


def test_greedy_decode_feeds_back_its_choice_and_stops_each_row_at_end():
    script = {START: 5, 5: 7, 7: END}            # row 0 writes 5, 7, END
    fed = []

    def step(tokens, state):
        fed.append(tokens[:, 0].copy())
        probabilities = np.zeros((2, 1, VOCABULARY_SIZE))
        nxt = [script.get(int(tokens[0, 0]), END), state + 1]
        probabilities[0, 0, nxt[0]] = 1
        probabilities[1, 0, END if state == 4 else 2] = 1  # row 1: 1s, END
        return probabilities, state + 1

    rows = seq2seq.greedy_decode(step, 0, 2, max_length=10)
    assert [r.tolist() for r in rows] == [[4, 6], [1, 1, 1, 1]]
    assert fed[1].tolist() == [5, 2] and fed[2].tolist() == [7, 2]
    assert len(fed) == 5                          # stops once both wrote END


def test_greedy_decode_stops_at_max_length():
    def step(tokens, state):
        probabilities = np.zeros((1, VOCABULARY_SIZE))
        probabilities[0, 4] = 1                   # never END
        return probabilities, state

    rows = seq2seq.greedy_decode(step, None, 1, max_length=3)
    assert rows[0].tolist() == [3, 3, 3]


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="n_samples"):
        seq2seq.reversal_task(0)
    with pytest.raises(ValueError, match="max_length"):
        seq2seq.reversal_task(5, min_length=4, max_length=2)
    with pytest.raises(TypeError, match="seed"):
        seq2seq.reversal_task(5, seed=1.5)
    with pytest.raises(ValueError, match=r"sequences\[1\]"):
        seq2seq.to_tokens([[1, 2], [3, 12]])
    with pytest.raises(ValueError, match="length"):
        seq2seq.to_tokens([[1, 2, 3]], length=2)
    with pytest.raises(TypeError, match="sequences"):
        seq2seq.to_tokens(5)
    with pytest.raises(ValueError, match="length"):
        seq2seq.teacher_forcing([[1, 2, 3]], length=3)   # needs 4 for END
    with pytest.raises(ValueError, match="max_length"):
        seq2seq.greedy_decode(lambda t, s: (None, s), None, 1, max_length=0)

    def bad_step(tokens, state):
        return np.zeros((1, 5)), state

    with pytest.raises(ValueError, match="probabilities of shape"):
        seq2seq.greedy_decode(bad_step, None, 1, max_length=2)
