"""The similarity thresholds of one embedding model, derived from labelled sentence pairs.

Owns the `Calibration` record, deriving it from pairs (`derive`), and finding it per model
id in `rag/calibration.json` (written by `eval/calibrate.py`). Support (`citations`) and
"about the question" (`answer.relevance`) take their embedding thresholds from here, so a
model without a calibration gets a clear error instead of another model's numbers.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import RagError

DEFAULT_FILE = Path(__file__).with_name("calibration.json")
SCRIPT = "python eval/calibrate.py"


class CalibrationError(RagError):
    """No calibration for the embedding model in use."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """Cosine thresholds (answer or question query-embedded, source sentence passage-embedded)."""

    model_id: str
    dense_same: tuple[float, float]  # same language: no support at or below low, full support from high
    dense_cross: tuple[float, float]  # the same across languages (an English answer, a Dutch source)
    cross_about: float  # an English question and a Dutch sentence that answers it score at least this
    pairs: int = 0  # how many labelled pairs it was derived from
    # From which cosine (question as query, sentence as passage) a passage sentence is on the
    # question, and holds an asked number or date about it (`answer.grade`). Derived from questions,
    # not pairs, by eval/derive_thresholds.py; 1.0 (never by meaning) for a model without them.
    on_topic: float = 1.0
    fact_on_topic: float = 1.0

    def to_dict(self) -> dict:
        return {
            "dense_same": list(self.dense_same),
            "dense_cross": list(self.dense_cross),
            "cross_about": self.cross_about,
            "pairs": self.pairs,
            "on_topic": self.on_topic,
            "fact_on_topic": self.fact_on_topic,
        }

    @classmethod
    def from_dict(cls, model_id: str, d: dict) -> Calibration:
        try:
            return cls(
                model_id,
                tuple(d["dense_same"]),
                tuple(d["dense_cross"]),
                float(d["cross_about"]),
                int(d.get("pairs", 0)),
                float(d.get("on_topic", 1.0)),
                float(d.get("fact_on_topic", 1.0)),
            )
        except (KeyError, TypeError, ValueError):
            raise CalibrationError(f"the calibration of {model_id!r} is malformed; run `{SCRIPT}` again") from None


def cosines(encoder, pairs: Sequence[dict]) -> dict[str, list[float]]:
    """Cosine per pair kind: the answer side embedded as a query, the source side as a passage."""
    a = encoder.encode([p["answer"] for p in pairs], "query")
    b = encoder.encode([p["source"] for p in pairs], "passage")
    out: dict[str, list[float]] = {}
    for p, x, y in zip(pairs, a, b):
        out.setdefault(p["kind"], []).append(float(np.dot(x, y)))
    return out


def _band(unrelated: list[float], same: list[float]) -> tuple[float, float]:
    """The scaling band (low, high): a typical pair that must count (the median) gets full support
    at `high`, and no pair that must not count reaches the band's midpoint, where support becomes
    full (`citations.SUPPORTED`); between low and the midpoint a sentence is only partly supported,
    and is then replaced by the source's own words. A model that cannot separate the two gets a
    band that starts above every pair that must not count."""
    worst, typical = max(unrelated), statistics.median(same)
    low = 2 * worst - typical if typical > worst else worst
    return round(low, 3), round(max(typical, low + 0.01), 3)


def derive(encoder, pairs: Sequence[dict]) -> Calibration:
    """Thresholds for this encoder from labelled pairs (kinds: paraphrase, same_topic,
    translation, cross_topic, about, not_about)."""
    cos = cosines(encoder, pairs)
    missing = {"paraphrase", "same_topic", "translation", "cross_topic", "about", "not_about"} - set(cos)
    if missing:
        raise CalibrationError(f"calibration pairs lack the kinds {sorted(missing)}")
    about = (max(cos["not_about"]) + min(cos["about"])) / 2
    return Calibration(
        encoder.model_id,
        _band(cos["same_topic"], cos["paraphrase"]),
        _band(cos["cross_topic"], cos["translation"]),
        round(about, 3),
        len(pairs),
    )


def read_all(path: Path | None = None) -> dict[str, dict]:
    path = path or DEFAULT_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CalibrationError(f"cannot read the calibration file {path}; run `{SCRIPT}` again") from None
    if not isinstance(data, dict):
        raise CalibrationError(f"the calibration file {path} is malformed; run `{SCRIPT}` again")
    return data


def find(model_id: str, path: Path | None = None) -> Calibration | None:
    """The calibration of this model, or None."""
    entry = read_all(path).get(model_id)
    return Calibration.from_dict(model_id, entry) if entry is not None else None


def load(model_id: str, path: Path | None = None) -> Calibration:
    """The calibration of this model; a clear error when it has none."""
    found = find(model_id, path)
    if found is None:
        raise CalibrationError(
            f"no calibration for the embedding model {model_id!r}: its similarity thresholds are unknown; "
            f"run `{SCRIPT}` with this model to derive them"
        )
    return found


def save(calibration: Calibration, path: Path | None = None) -> None:
    """Add or replace this model's entry, written atomically."""
    path = path or DEFAULT_FILE
    data = read_all(path)
    data[calibration.model_id] = calibration.to_dict()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
