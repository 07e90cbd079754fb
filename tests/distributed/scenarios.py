"""Scenarios for tests/test_distributed.py, each run in a fresh process.

The device count of JAX and TensorFlow is fixed at start-up, so every scenario runs in its
own Python process (``seqlab.distributed.run_scenario``), configures its devices first and
prints one JSON object: losses per epoch and the trained weights, to compare with one
device. The data are trimmed for 4 devices in every run, so all runs see the same data.
"""

import json
import os
import sys
import time

START = time.perf_counter()
N_DEVICES = int(os.environ.get("SEQLAB_DEVICES", "1"))
BATCH = 16
TRIM_FOR = 4


def data():
    from seqlab.datasets import synthetic_series
    from seqlab.distributed import trim_to_devices
    from seqlab.windows import prepare

    series = synthetic_series(1, 240, seed=3).reshape(-1)
    prepared = prepare(series, 20)
    train = trim_to_devices(*prepared.train, batch_size=BATCH, n_devices=TRIM_FOR)
    valid = trim_to_devices(*prepared.valid, batch_size=BATCH, n_devices=TRIM_FOR)
    return train, valid


def models(names=("gru", "causal_conv")):
    import keras

    keras.utils.set_random_seed(7)
    gru = keras.Sequential([keras.Input((20, 1)), keras.layers.GRU(6),
                            keras.layers.Dense(1)], name="gru")
    conv = keras.Sequential([
        keras.Input((20, 1)),
        keras.layers.Conv1D(4, 3, padding="causal", activation="relu"),
        keras.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(1)], name="causal_conv")
    return [model for model in (gru, conv) if model.name in names]


def train_all(train, valid, names=("gru", "causal_conv")):
    from seqlab.training import fit_and_evaluate

    out = {}
    for model in models(names):
        result = fit_and_evaluate(model, train, valid, epochs=2, batch_size=BATCH,
                                  display=None)
        out[model.name] = {"loss": result.history["loss"],
                           "val_loss": result.history["val_loss"],
                           "weights": [w.ravel().tolist() for w in model.get_weights()]}
    return out


def jax_data_parallel():
    import keras

    from seqlab.distributed import device_count

    out = {"devices": len(keras.distribution.list_devices())}
    distribution = None
    if N_DEVICES > 1:
        distribution = keras.distribution.DataParallel(
            devices=keras.distribution.list_devices())
        keras.distribution.set_distribution(distribution)
    out["device_count"] = device_count()
    train, valid = data()  # windowing under the distribution
    out["models"] = train_all(train, valid)
    if distribution is not None:
        from seqlab.training import fit_and_evaluate

        model = models(("gru",))[0]
        before = [w.copy() for w in model.get_weights()]
        odd = (train[0][:len(train[0]) - 1], train[1][:len(train[1]) - 1])
        try:
            fit_and_evaluate(model, odd, valid, epochs=1, batch_size=BATCH, display=None)
            out["error"] = None
        except ValueError as error:
            out["error"] = str(error)
        # The check ran before any training step: the weights are untouched.
        out["untouched"] = all((a == b).all() for a, b in zip(before, model.get_weights()))
    return out


def local_share(x, rank, world):
    """The rows of ``x`` that process ``rank`` of ``world`` feeds: its slice of every
    global batch of ``BATCH``, so that the processes' local batches together make the
    one-process batch (process 0 first, as ``make_array_from_process_local_data``
    assembles them)."""
    import numpy as np

    parts = []
    for start in range(0, len(x), BATCH):
        batch = x[start:start + BATCH]
        share = len(batch) // world
        parts.append(batch[rank * share:(rank + 1) * share])
    return np.concatenate(parts)


def jax_process():
    """One process of a multi-process JAX run (``KERAS_DISTRIBUTION_*`` variables set),
    or, without them, the one-process reference. SGD steps in order (no shuffle), so
    both see the same global batches."""
    import keras

    world = int(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES", "1"))
    rank = 0
    out = {}
    if world > 1:
        keras.distribution.initialize()  # job address, count and id from the env
        import jax

        rank = jax.process_index()
        out.update(process=rank, processes=jax.process_count(),
                   local_devices=jax.local_device_count())
        distribution = keras.distribution.DataParallel(
            devices=keras.distribution.list_devices(),
            auto_shard_dataset=False)  # each process already feeds its own share
        keras.distribution.set_distribution(distribution)
    out["devices"] = len(keras.distribution.list_devices())
    (x, y), _ = data()
    x, y = local_share(x, rank, world), local_share(y, rank, world)
    out["local_instances"] = len(x)
    model = models(("gru",))[0]
    model.compile(keras.optimizers.SGD(0.05), "mse")
    history = model.fit(x, y, batch_size=BATCH // world, epochs=2, shuffle=False,
                        verbose=0)
    out["models"] = {"gru": {"loss": history.history["loss"],
                             "weights": [w.ravel().tolist() for w in model.get_weights()]}}
    return out


def tf_mirrored():
    import tensorflow as tf

    from seqlab.distributed import device_count, use_virtual_cpu_devices

    use_virtual_cpu_devices(N_DEVICES)
    strategy = (tf.distribute.MirroredStrategy() if N_DEVICES > 1
                else tf.distribute.get_strategy())
    train, valid = data()
    with strategy.scope():
        out = {"devices": strategy.num_replicas_in_sync, "device_count": device_count()}
        out["models"] = train_all(train, valid, names=("gru",))
    return out


def torch_worker(rank, world, port, queue):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    import torch
    import torch.distributed as dist

    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        queue.put((rank, torch_train(rank, world)))
        dist.barrier()  # nobody destroys the group while another still uses it
    finally:
        dist.destroy_process_group()


def torch_train(rank, world):
    """SGD in a hand-written loop; with world > 1 the model is wrapped in DDP and each
    process takes its share of every global batch."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    (x, y), _ = data()
    out = {}
    for model in models(("gru",)):
        model(torch.zeros((1, 20, 1)))  # build
        net = model
        if world > 1:
            net = torch.nn.parallel.DistributedDataParallel(model)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        losses = []
        for epoch in range(2):
            total = 0.0
            for start in range(0, len(x), BATCH):
                xb = torch.as_tensor(x[start:start + BATCH])
                yb = torch.as_tensor(y[start:start + BATCH])
                share = len(xb) // world
                xb = xb[rank * share:(rank + 1) * share]
                yb = yb[rank * share:(rank + 1) * share]
                optimizer.zero_grad()
                loss = torch.mean((net(xb) - yb) ** 2)
                loss.backward()  # DDP averages the gradients across processes here
                optimizer.step()
                if world > 1:  # report the global batch's loss, as one process would
                    loss = loss.detach().clone()
                    torch.distributed.all_reduce(loss)
                    loss /= world
                total += float(loss)
            losses.append(total)
        out[model.name] = {"loss": losses,
                           "weights": [np.asarray(w).ravel().tolist()
                                       for w in model.get_weights()]}
    return out


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torch_ddp():
    if N_DEVICES == 1:
        return {"processes": 1, "models": torch_train(0, 1)}
    import torch.multiprocessing as mp

    context = mp.get_context("spawn")
    queue = context.SimpleQueue()
    mp.spawn(torch_worker, args=(N_DEVICES, free_port(), queue), nprocs=N_DEVICES,
             join=True)
    results = dict(queue.get() for _ in range(N_DEVICES))
    return {"processes": N_DEVICES, "models": results[0],
            "rank1_same": results[0] == results[1]}


if __name__ == "__main__":
    import seqlab  # noqa: F401  (before keras)

    result = globals()[sys.argv[1]]()
    result["seconds"] = time.perf_counter() - START
    print(json.dumps(result))
