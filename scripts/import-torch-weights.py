#!/usr/bin/env python3
"""Put the weights of a PyTorch place-cell RNN (the reference setup of configs/place_cells.toml:
nn.Linear encoder, nn.RNN relu without bias, nn.Linear decoder) into a gridrnn run, to analyze
another program's network with `gridrnn analyze` or to train on from its weights with
`gridrnn train --resume`. A second opinion on training, used in docs/results.md ("Second opinion").

usage:
  import-torch-weights.py run WEIGHTS.npz TEMPLATE_RUN OUT_RUN
      OUT_RUN := a copy of TEMPLATE_RUN (a run of the same config, e.g. trained for 1 update) whose
      network/ holds the weights and place-cell centres of WEIGHTS.npz, without checkpoint.bin.
      Then: gridrnn analyze OUT_RUN
  import-torch-weights.py checkpoint WEIGHTS.npz RUN
      RUN/checkpoint.bin's parameters := the weights (the centres stay RUN's own: its config
      gives them), Adam's moments and step count reset to 0. Then: gridrnn train --resume RUN

WEIGHTS.npz (np.savez): enc (Np, Ng) = encoder.weight, w_ih (Ng, 2) = rnn.weight_ih_l0,
w_hh (Ng, Ng) = rnn.weight_hh_l0, dec (Np, Ng) = decoder.weight, centres (Np, 2) in metres.
The orientations are gridrnn's too (W_enc, W_in, W_rec, W_place; docs/formats.md). The
checkpoint layout is include/gridrnn/train/checkpoint.hpp's (format version 1). Needs numpy.
"""
import os
import shutil
import struct
import sys

import numpy as np

BLOCKS = [("w_ih", "W_in"), ("w_hh", "W_rec"), ("dec", "W_place"), ("enc", "W_enc")]


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_checkpoint(path):
    data = open(path, "rb").read()
    if data[:8] != b"GRNNCKPT":
        sys.exit(f"{path}: not a gridrnn checkpoint")
    version, length = struct.unpack_from("<IQ", data, 8)
    if version != 1:
        sys.exit(f"{path}: checkpoint format version {version}; this script reads version 1")
    payload = data[20:20 + length]
    at = 0

    def take(fmt):
        nonlocal at
        value = struct.unpack_from(fmt, payload, at)[0]
        at += struct.calcsize(fmt)
        return value

    def text():
        nonlocal at
        n = take("<I")
        at += n
        return payload[at - n:at].decode()

    def vector():
        nonlocal at
        n = take("<Q")
        at += 8 * n
        return np.frombuffer(payload, "<f8", n, at - 8 * n).copy()

    c = {"updates_done": take("<q"), "optimizer": text(), "theta": vector(), "scalars": {}, "vectors": {}}
    for _ in range(take("<I")):
        name = text()
        c["scalars"][name] = take("<d")
    for _ in range(take("<I")):
        name = text()
        c["vectors"][name] = vector()
    return c


def write_checkpoint(path, c):
    def text(s):
        b = s.encode()
        return struct.pack("<I", len(b)) + b

    def vector(v):
        return struct.pack("<Q", len(v)) + np.asarray(v, "<f8").tobytes()

    payload = struct.pack("<q", c["updates_done"]) + text(c["optimizer"]) + vector(c["theta"])
    payload += struct.pack("<I", len(c["scalars"]))
    payload += b"".join(text(k) + struct.pack("<d", v) for k, v in sorted(c["scalars"].items()))
    payload += struct.pack("<I", len(c["vectors"]))
    payload += b"".join(text(k) + vector(v) for k, v in sorted(c["vectors"].items()))
    data = b"GRNNCKPT" + struct.pack("<IQ", 1, len(payload)) + payload + struct.pack("<Q", fnv1a64(payload))
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def weights(npz, network):
    w = np.load(npz)
    out = {}
    for key, name in BLOCKS + [("centres", "place_centres")]:
        old = np.load(os.path.join(network, name + ".npy"))
        new = w[key].astype(np.float64)
        if old.shape != new.shape:
            sys.exit(f"{npz}: {key} has shape {new.shape}; {network}/{name}.npy has {old.shape}")
        out[name] = new
    return out


def to_run(npz, template, out):
    if os.path.exists(out):
        sys.exit(f"{out} exists: give a new folder")
    new = weights(npz, os.path.join(template, "network"))
    shutil.copytree(template, out + ".tmp")
    for leftover in ("checkpoint.bin", "analysis", "figures", "report.html", "snapshots"):
        path = os.path.join(out + ".tmp", leftover)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
    for name, values in new.items():
        np.save(os.path.join(out + ".tmp", "network", name + ".npy"), values)
    os.replace(out + ".tmp", out)
    print(f"wrote {out}: gridrnn analyze {out}")


def into_checkpoint(npz, run):
    new = weights(npz, os.path.join(run, "network"))
    c = read_checkpoint(os.path.join(run, "checkpoint.bin"))
    theta = c["theta"]
    for _, name in BLOCKS:  # find each block where the run's network/ says it is
        block = np.load(os.path.join(run, "network", name + ".npy")).ravel()
        hits = [i for i in np.flatnonzero(theta == block[0]) if np.array_equal(theta[i:i + block.size], block)]
        if len(hits) != 1:
            sys.exit(f"{run}: network/{name}.npy is not one block of checkpoint.bin (train or resume once more)")
        theta[hits[0]:hits[0] + block.size] = new[name].ravel()
    c["theta"] = theta
    if c["optimizer"] == "adam":
        c["scalars"]["updates"] = 0.0
        for k in ("first_moment", "second_moment"):
            c["vectors"][k][:] = 0.0
    write_checkpoint(os.path.join(run, "checkpoint.bin"), c)
    print(f"{run}/checkpoint.bin holds the weights of {npz} (update {c['updates_done']}): gridrnn train --resume {run}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "run":
        to_run(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "checkpoint":
        into_checkpoint(*sys.argv[2:])
    else:
        sys.exit(__doc__)
