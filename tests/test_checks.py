"""seqlab.checks: every check accepts what it should, converts it, and names the argument,
what was expected and what was received when it refuses."""

import numpy as np
import pytest

from seqlab.checks import (
    as_float_array,
    gate_weights,
    one_of,
    positive_int,
    positive_ints,
    positive_number,
    recurrent_state,
    same_shape,
)


def test_integer_checks_accept_numpy_integers_and_return_python_ints():
    for value in (np.int64(3), np.int32(3), np.arange(5)[3], np.uint8(3)):
        result = positive_int("n", value)
        assert result == 3 and type(result) is int
    assert positive_int("seed", 0, minimum=0) == 0
    assert positive_int("seed", 2 ** 32 - 1, minimum=0, maximum=2 ** 32 - 1) == 2 ** 32 - 1
    assert positive_ints("rates", np.arange(3) + 1) == [1, 2, 3]


@pytest.mark.parametrize(
    "value, kwargs, error, message",
    [
        (0, {}, ValueError, "n must be an integer >= 1, got 0"),
        (-2, {"minimum": 0}, ValueError, "n must be an integer >= 0, got -2"),
        (2.0, {}, TypeError, "n must be an integer >= 1, got 2.0"),
        ("3", {}, TypeError, "n must be an integer >= 1, got '3'"),
        (True, {}, TypeError, "n must be an integer >= 1, got True"),
        (np.float64(1.0), {}, TypeError, r"n must be an integer >= 1, got .*1\.0"),
        (11, {"maximum": 10}, ValueError, "n must be an integer from 1 to 10, got 11"),
        (1.5, {"maximum": 10}, TypeError, "n must be an integer from 1 to 10, got 1.5"),
    ],
)
def test_positive_int_names_the_argument_the_range_and_the_value(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        positive_int("n", value, **kwargs)


@pytest.mark.parametrize(
    "value, error, message",
    [
        (0, ValueError, "rate must be a finite number > 0, got 0"),
        (float("inf"), ValueError, "rate must be a finite number > 0, got inf"),
        ("0.1", TypeError, "rate must be a number > 0, got '0.1'"),
        (None, TypeError, "rate must be a number > 0, got None"),
    ],
)
def test_positive_number_rejects_bad_values(value, error, message):
    with pytest.raises(error, match=message):
        positive_number("rate", value)


def test_as_float_array_converts_and_checks_rank_nan_and_inf():
    array = as_float_array("x", [[1, 2]], ndim=2)
    assert array.dtype == np.float32 and array.shape == (1, 2)
    same = np.zeros(3, dtype=np.float32)
    assert as_float_array("x", same) is same
    assert np.isnan(as_float_array("x", [np.nan], allow_nan=True)).all()
    with pytest.raises(TypeError, match="x must be array-like of numbers, got str"):
        as_float_array("x", "abc")
    with pytest.raises(ValueError, match=r"x must be 1-D or 2-D, got shape \(1, 1, 1\)"):
        as_float_array("x", np.zeros((1, 1, 1)), ndim=(1, 2))
    with pytest.raises(ValueError, match=r"x contains NaN \(first at index \[1\]\)"):
        as_float_array("x", [0.0, np.nan])
    with pytest.raises(ValueError, match="x contains inf"):
        as_float_array("x", [0.0, np.inf], allow_nan=True)


def test_one_of_and_same_shape_name_what_they_got():
    assert one_of("kind", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"kind must be one of \['a', 'b'\], got 'c'"):
        one_of("kind", "c", ("a", "b"))
    same_shape("a", np.zeros(2), "b", [0, 0])
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and \(3,\)"):
        same_shape("a", np.zeros(2), "b", np.zeros(3))


@pytest.mark.parametrize(
    "value, kwargs, error, message",
    [
        ([], {}, ValueError, "rates must hold at least one integer >= 1, got none"),
        (None, {}, TypeError, "rates must be an integer or a sequence of integers >= 1, got None"),
        ([1, 0], {}, ValueError, r"rates\[1\] must be an integer >= 1, got 0"),
        ([1, 2.5], {}, TypeError, r"rates\[1\] must be an integer >= 1, got 2.5"),
        ([1, 2], {"length": 3}, ValueError, r"rates must hold one integer per layer \(3\), got 2"),
    ],
)
def test_positive_ints_names_the_bad_entry(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        positive_ints("rates", value, **kwargs)


def test_recurrent_state_gives_zeros_or_checks_the_shape():
    np.testing.assert_array_equal(recurrent_state("h0", None, 2, 3), np.zeros((2, 3)))
    state = recurrent_state("h0", [[1, 2, 3], [4, 5, 6]], 2, 3)
    assert state.dtype == np.float64
    with pytest.raises(ValueError, match=r"h0 must have shape \(m, units\) = \(2, 3\), got \(2, 4\)"):
        recurrent_state("h0", np.zeros((2, 4)), 2, 3)
    with pytest.raises(ValueError, match=r"h0 must be 2-D, got shape \(3,\)"):
        recurrent_state("h0", np.zeros(3), 2, 3)


def test_gate_weights_accepts_keras_layouts():
    kernel, recurrent_kernel, bias, units = gate_weights(
        2, np.ones((2, 9)), np.ones((3, 9)), np.ones((2, 9)), n_gates=3, layer="a GRU",
        bias_rows=2)
    assert units == 3 and bias.shape == (2, 9) and kernel.dtype == np.float64


@pytest.mark.parametrize(
    "kernel, recurrent_kernel, bias, message",
    [
        (np.zeros((2, 7)), np.zeros((2, 8)), None,
         r"kernel must have shape \(n_inputs, 4 \* units\) for an LSTM, got \(2, 7\)"),
        (np.zeros((3, 8)), np.zeros((2, 8)), None,
         r"kernel must have shape \(n_inputs, 4 \* units\) = \(2, 8\), got \(3, 8\)"),
        (np.zeros((2, 8)), np.zeros((2, 4)), None,
         r"recurrent_kernel must have shape \(units, 4 \* units\) = \(2, 8\), got \(2, 4\)"),
        (np.zeros((2, 8)), np.zeros((2, 8)), np.zeros(4),
         r"bias must have shape \(8,\) for an LSTM, got \(4,\)"),
    ],
)
def test_gate_weights_names_the_weight_with_the_wrong_shape(kernel, recurrent_kernel, bias, message):
    with pytest.raises(ValueError, match=message):
        gate_weights(2, kernel, recurrent_kernel, bias, n_gates=4, layer="an LSTM")
