"""seqlab.distributed, and training on several (virtual CPU) devices matching one device.

Each scenario runs in fresh Python processes (the device count is fixed when the backend
starts): one device, then several, in parallel, and the losses and trained weights are
compared. A scenario runs in the pass of its own backend (``make test`` runs this file once
per backend) and is skipped in the others.
"""

import os
import time

import keras
import numpy as np
import pytest

from seqlab.distributed import (check_splits, device_count, run_scenario, start_scenario,
                                trim_to_devices)
from seqlab.training import fit_and_evaluate

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "distributed", "scenarios.py")
BACKEND = keras.backend.backend()
TOLERANCE = 1e-5


def only_on(backend):
    return pytest.mark.skipif(BACKEND != backend,
                              reason=f"runs in the {backend} pass of make test "
                                     f"(this pass: {BACKEND})")


def scenario(name, backend, n_devices, env=None):
    code = ("import runpy, sys\n"
            f"sys.argv = ['scenarios.py', {name!r}]\n"
            f"runpy.run_path({SCENARIOS!r}, run_name='__main__')\n")
    # Generous: on 2 busy cores a pair took 233 s; on quiet ones about 40 s.
    return start_scenario(code, backend=backend, n_devices=n_devices, timeout=480,
                          env=env)


def one_and_many(name, backend, n_devices):
    """One device and several, side by side in two processes."""
    single, many = scenario(name, backend, 1), scenario(name, backend, n_devices)
    return single.result(), many.result()


def assert_same_training(single, many, models):
    assert sorted(single["models"]) == sorted(many["models"]) == sorted(models)
    for name in models:
        one, several = single["models"][name], many["models"][name]
        np.testing.assert_allclose(several["loss"], one["loss"], atol=TOLERANCE,
                                   err_msg=f"{name}: losses")
        assert len(one["weights"]) == len(several["weights"])
        for a, b in zip(one["weights"], several["weights"]):
            np.testing.assert_allclose(b, a, atol=TOLERANCE, err_msg=f"{name}: weights")
        # Training moved the weights: the comparison is not between untouched models.
        assert one["loss"][-1] < one["loss"][0]


# --- the helpers, on every backend -------------------------------------------------------

def test_device_count_is_one_without_a_distribution():
    assert device_count() == 1


def test_check_splits_accepts_sizes_that_divide():
    check_splits(4, 32, train=128 + 8, valid=(np.zeros((20, 3)), np.zeros(20)),
                 test=np.zeros((4, 2)))


@pytest.mark.parametrize("splits, batch, words", [
    ({"train": 130}, 32, ["train", "130", "32", "last batch of 2", "4 devices"]),
    ({"valid": 62}, 32, ["valid", "62", "last batch of 30", "4 devices"]),
    ({"train": 64}, 30, ["train", "batch_size=30", "4 devices"]),
    ({"predict": 10}, 32, ["predict", "last batch of 10"]),
])
def test_check_splits_names_the_split_and_its_sizes(splits, batch, words):
    with pytest.raises(ValueError) as caught:
        check_splits(4, batch, **splits)
    for word in words:
        assert word in str(caught.value)


def test_check_splits_eval_batch_size_applies_to_other_splits():
    check_splits(4, 32, eval_batch_size=8, valid=40)
    with pytest.raises(ValueError, match="eval_batch_size=6"):
        check_splits(4, 32, eval_batch_size=6, valid=40)


def test_check_splits_bad_input():
    with pytest.raises(ValueError, match="n_devices"):
        check_splits(0, 32, train=64)
    with pytest.raises(ValueError, match="batch_size"):
        check_splits(2, -1, train=64)
    with pytest.raises(TypeError, match="valid"):
        check_splits(2, 32, valid=object())


@pytest.mark.parametrize("n, batch, devices", [(130, 32, 4), (7, 4, 2), (64, 16, 4),
                                               (3, 8, 4), (101, 12, 3)])
def test_trim_to_devices_drops_fewest_instances_so_every_batch_divides(n, batch, devices):
    X, y = np.arange(n * 2.0).reshape(n, 2), np.arange(n)
    Xt, yt = trim_to_devices(X, y, batch_size=batch, n_devices=devices)
    kept = len(Xt)
    assert len(yt) == kept and n - devices < kept <= n
    np.testing.assert_array_equal(yt, y[:kept])
    # Independent check: every batch of the kept part divides by the device count.
    assert all(len(yt[i:i + batch]) % devices == 0 for i in range(0, kept, batch))
    check_splits(devices, batch, train=kept)
    assert len(trim_to_devices(X, batch_size=batch, n_devices=devices)) == kept


def test_trim_to_devices_bad_input():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="batch_size=6 does not divide by n_devices=4"):
        trim_to_devices(X, batch_size=6, n_devices=4)
    with pytest.raises(ValueError, match="10 and 9"):
        trim_to_devices(X, np.zeros(9), batch_size=4, n_devices=2)
    with pytest.raises(ValueError, match="n_devices"):
        trim_to_devices(X, batch_size=4, n_devices=0)


def test_fit_and_evaluate_skips_the_check_on_one_device():
    X = np.random.rand(33, 4, 1).astype("float32")
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    result = fit_and_evaluate(model, (X, X[:, -1]), (X, X[:, -1]), epochs=1,
                              batch_size=8, display=None)
    assert result.epochs_run == 1


def test_run_scenario_returns_the_last_json_line_and_reports_failures():
    assert run_scenario("print('hello')\nprint('{\"a\": [1, 2]}')", backend=BACKEND,
                        timeout=60) == {"a": [1, 2]}
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        run_scenario("1 / 0", backend=BACKEND, timeout=60)
    with pytest.raises(RuntimeError, match="no JSON"):
        run_scenario("print('not json')", backend=BACKEND, timeout=60)
    with pytest.raises(RuntimeError, match="timed out"):
        run_scenario("import time; time.sleep(30)", backend=BACKEND, timeout=1)
    with pytest.raises(ValueError, match="backend"):
        run_scenario("pass", backend="mxnet")


def test_start_scenario_runs_side_by_side():
    code = "import json, time; time.sleep(2); print(json.dumps({'n': %d}))"
    start = time.perf_counter()
    first = start_scenario(code % 1, backend=BACKEND, timeout=60)
    second = start_scenario(code % 2, backend=BACKEND, timeout=60)
    assert (first.result(), second.result()) == ({"n": 1}, {"n": 2})
    assert time.perf_counter() - start < 3.9  # not 2 + 2 s one after the other
    with pytest.raises(ValueError, match="timeout"):
        start_scenario("pass", backend=BACKEND, timeout=0)
    with pytest.raises(ValueError, match="n_devices"):
        start_scenario("pass", backend=BACKEND, n_devices=0)


def test_run_scenario_sets_the_device_count_on_jax():
    code = ("import json, os; print(json.dumps({'flags': os.environ['XLA_FLAGS'], "
            "'n': os.environ['SEQLAB_DEVICES']}))")
    out = run_scenario(code, backend="jax", n_devices=3, timeout=60)
    assert out == {"flags": "--xla_force_host_platform_device_count=3", "n": "3"} or (
        out["flags"].endswith("--xla_force_host_platform_device_count=3") and out["n"] == "3")


# --- scenarios: several devices match one ------------------------------------------------

@only_on("jax")
def test_jax_data_parallel_on_4_devices_matches_one_device_and_refuses_odd_batches():
    single, many = one_and_many("jax_data_parallel", "jax", 4)
    assert (single["devices"], single["device_count"]) == (1, 1)
    assert (many["devices"], many["device_count"]) == (4, 4)
    assert_same_training(single, many, ["gru", "causal_conv"])
    error = many["error"]
    assert error is not None
    for word in ("train", "batches of 16", "last batch of 3", "4 devices", "trim_to_devices"):
        assert word in error
    assert many["untouched"], "the check must run before any training step"


@only_on("jax")
def test_jax_two_processes_with_two_devices_each_match_one_process():
    """keras.distribution.initialize over two local processes (a coordinator on a free
    loopback port), a DataParallel over the 4 global devices, each process feeding its
    share of every global batch: the same weights as one process on one device."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workers = [scenario("jax_process", "jax", 2, env={
        "KERAS_DISTRIBUTION_JOB_ADDRESSES": f"127.0.0.1:{port}",
        "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
        "KERAS_DISTRIBUTION_PROCESS_ID": str(rank)}) for rank in range(2)]
    single = scenario("jax_process", "jax", 1)
    first, second = [worker.result() for worker in workers]
    single = single.result()
    assert (first["process"], second["process"]) == (0, 1)
    for worker in (first, second):
        assert (worker["processes"], worker["local_devices"], worker["devices"]) == (2, 2, 4)
        assert 2 * worker["local_instances"] == single["local_instances"]
    assert single["devices"] == 1 and "process" not in single
    assert first["models"] == second["models"], "both processes hold the same model"
    assert_same_training(single, first, ["gru"])


@only_on("tensorflow")
def test_tensorflow_mirrored_on_2_logical_devices_matches_one_device():
    single, many = one_and_many("tf_mirrored", "tensorflow", 2)
    assert (single["devices"], single["device_count"]) == (1, 1)
    assert (many["devices"], many["device_count"]) == (2, 2)
    assert_same_training(single, many, ["gru"])


@only_on("torch")
def test_torch_ddp_with_gloo_on_2_processes_matches_one_process():
    single, many = one_and_many("torch_ddp", "torch", 2)
    assert (single["processes"], many["processes"]) == (1, 2)
    assert many["rank1_same"], "both processes must end with the same weights and losses"
    assert_same_training(single, many, ["gru"])
