"""Read and write .safetensors files with numpy and torch only.

Format (https://huggingface.co/docs/safetensors): an unsigned 64-bit little-endian
header length N, then N bytes of JSON, then the raw data. The JSON maps each tensor
name to {"dtype", "shape", "data_offsets": [begin, end)} with offsets relative to
the start of the data; an optional "__metadata__" maps strings to strings.

Like the official writer, the header is padded with spaces to a multiple of 8 and
tensors are laid out back to back (no gaps: the official reader rejects them),
largest element size first, then by name, so every tensor starts at an offset that
is a multiple of its element size.
"""

from __future__ import annotations

import json
import os
import struct
import sys

import numpy as np
import torch

# safetensors dtype -> (torch dtype, element size)
DTYPES = {
    "F64": (torch.float64, 8),
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8),
    "I32": (torch.int32, 4),
    "I16": (torch.int16, 2),
    "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1),
    "BOOL": (torch.bool, 1),
}
TORCH_TO_ST = {td: name for name, (td, _) in DTYPES.items()}

# How raw bytes of each dtype are viewed in numpy (bf16 has no numpy type).
_NP_VIEW = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": np.int16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U8": np.uint8, "BOOL": np.bool_,
}

MAX_HEADER = 100_000_000

assert sys.byteorder == "little", "safetensors data is little-endian"


def _as_tensor(value) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().contiguous()
    raise TypeError(f"not a tensor: {type(value)}")


def _raw_numpy(t: torch.Tensor) -> np.ndarray:
    """The tensor's bytes as a numpy array (bf16 reinterpreted as int16)."""
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy()
    return t.numpy()


def _layout(entries: dict, metadata: dict | None) -> tuple[list[str], bytes]:
    """The write order and the padded header of tensors given as name -> (dtype, shape)
    (dtype a torch dtype): largest element size first, then by name."""
    for name, (dtype, _) in entries.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        if dtype not in TORCH_TO_ST:
            raise ValueError(f"{name}: unsupported dtype {dtype}")
    size = {n: DTYPES[TORCH_TO_ST[d]][1] for n, (d, _) in entries.items()}
    order = sorted(entries, key=lambda n: (-size[n], n))

    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    for name in order:
        dtype, shape = entries[name]
        nbytes = int(np.prod(shape, dtype=np.int64)) * size[name] if len(shape) else size[name]
        header[name] = {"dtype": TORCH_TO_ST[dtype], "shape": [int(d) for d in shape],
                        "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)
    return order, blob


def save_file(tensors: dict, path, metadata: dict | None = None) -> None:
    """Write `tensors` (name -> torch.Tensor or np.ndarray) to `path`."""
    items = {name: _as_tensor(v) for name, v in tensors.items()}
    save_file_streaming(path, {n: (t.dtype, tuple(t.shape)) for n, t in items.items()},
                        items.__getitem__, metadata)


def save_file_streaming(path, specs: dict, produce, metadata: dict | None = None) -> None:
    """Write a file whose tensors are made one at a time, so that only one of them need
    be in memory: `specs` maps name -> (torch dtype, shape); `produce(name)` returns
    that tensor (called once per name, in file order). Same layout as save_file."""
    order, blob = _layout(specs, metadata)
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(blob)))
            f.write(blob)
            for name in order:
                t = _as_tensor(produce(name))
                dtype, shape = specs[name]
                if t.dtype != dtype or tuple(t.shape) != tuple(shape):
                    raise ValueError(f"{name}: produced {t.dtype} {tuple(t.shape)}, "
                                     f"declared {dtype} {tuple(shape)}")
                _raw_numpy(t).tofile(f)
                del t
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_header(path) -> tuple[dict, dict, int]:
    """Returns (tensor entries, metadata, byte offset of the data section)."""
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) != 8:
            raise ValueError(f"{path}: too short for a safetensors file")
        (n,) = struct.unpack("<Q", head)
        if n > MAX_HEADER:
            raise ValueError(f"{path}: header length {n} is implausible")
        raw = f.read(n)
        if len(raw) != n:
            raise ValueError(f"{path}: truncated header")
    header = json.loads(raw.decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    return header, metadata, 8 + n


def _validate(path, header: dict, data_len: int) -> None:
    """Every entry well formed; tensors tile the data section exactly."""
    spans = []
    for name, e in header.items():
        if e.get("dtype") not in DTYPES:
            raise ValueError(f"{path}: {name}: unsupported dtype {e.get('dtype')}")
        shape, (begin, end) = e["shape"], e["data_offsets"]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if end - begin != count * DTYPES[e["dtype"]][1]:
            raise ValueError(f"{path}: {name}: data_offsets do not match shape {shape}")
        spans.append((begin, end, name))
    spans.sort()
    pos = 0
    for begin, end, name in spans:
        if begin != pos:
            raise ValueError(f"{path}: {name}: data_offsets leave a gap or overlap")
        pos = end
    if pos != data_len:
        raise ValueError(f"{path}: data section is {data_len} bytes, tensors cover {pos}")


def load_file(path) -> dict[str, torch.Tensor]:
    """Read every tensor of `path` into torch tensors (in file order)."""
    header, _, data_start = read_header(path)
    data = np.fromfile(path, dtype=np.uint8, offset=data_start)  # whole data section
    _validate(path, header, data.size)
    out = {}
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = e["data_offsets"]
        arr = data[begin:end].view(_NP_VIEW[e["dtype"]]).reshape(e["shape"])
        t = torch.from_numpy(arr)
        out[name] = t.view(torch.bfloat16) if e["dtype"] == "BF16" else t
    return out


def load_metadata(path) -> dict:
    return read_header(path)[1]
