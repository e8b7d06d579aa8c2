"""Embedding thresholds per model: derived from labelled pairs, stored per model id, recorded
in the index manifest, and a clear error for a model without them."""

from dataclasses import replace

import numpy as np
import pytest

from rag import calibration
from rag.build import build
from rag.calibration import Calibration, CalibrationError
from rag.pipeline import Pipeline
from rag.store import read_manifest


class TableEncoder:
    """Answers with vectors whose pairwise cosines are set per text: text -> angle on a circle."""

    model_id = "table"

    def __init__(self, angles: dict[str, float]) -> None:
        self.angles = angles

    def encode(self, texts, kind):
        return np.array([[np.cos(self.angles.get(t, 0.0)), np.sin(self.angles.get(t, 0.0))] for t in texts], dtype=np.float32)


def _pairs(kind_cos: dict[str, list[float]]) -> tuple[list[dict], TableEncoder]:
    pairs, angles = [], {}
    for kind, values in kind_cos.items():
        for i, cos in enumerate(values):
            a, b = f"{kind}-a{i}", f"{kind}-b{i}"
            angles[a], angles[b] = float(np.arccos(cos)), 0.0
            pairs.append({"kind": kind, "answer": a, "source": b})
    return pairs, TableEncoder(angles)


def test_no_pair_that_must_not_count_reaches_full_support_and_a_typical_one_that_must_does():
    pairs, encoder = _pairs(
        {
            "paraphrase": [0.93, 0.95, 0.97],
            "same_topic": [0.85, 0.91],
            "translation": [0.88, 0.90, 0.92],
            "cross_topic": [0.80, 0.86],
            "about": [0.82, 0.85],
            "not_about": [0.74, 0.78],
        }
    )
    cal = calibration.derive(encoder, pairs)
    # full support from the midpoint: 0.91 (highest same-topic pair) and 0.86 (highest cross-topic pair)
    assert cal.dense_same == (0.87, 0.95) and cal.dense_cross == (0.82, 0.9)
    assert cal.cross_about == 0.8 and cal.pairs == 14 and cal.model_id == "table"


def test_pairs_must_cover_every_kind():
    pairs, encoder = _pairs({"paraphrase": [0.9], "same_topic": [0.8]})
    with pytest.raises(CalibrationError, match="lack the kinds"):
        calibration.derive(encoder, pairs)


def test_a_model_without_calibration_gets_a_clear_error(tmp_path):
    path = tmp_path / "calibration.json"
    calibration.save(Calibration("one-model", (0.9, 0.95), (0.8, 0.9), 0.8), path)
    assert calibration.load("one-model", path).dense_same == (0.9, 0.95)
    with pytest.raises(CalibrationError, match="no calibration for the embedding model 'other-model'.*eval/calibrate.py"):
        calibration.load("other-model", path)


def test_the_bundled_calibration_file_covers_every_backend_of_the_default_model():
    from rag.embed import MODEL_IDS

    for backend, model_id in MODEL_IDS.items():
        found = calibration.find(model_id)
        assert found is not None and found.pairs and found.on_topic < 1.0, backend


def test_the_index_records_the_calibration_it_was_built_with(workspace, fake_encoder):
    build(workspace, fake_encoder)
    _, manifest = read_manifest(workspace.index_dir)
    assert manifest.calibration["dense_same"] == [0.9, 0.97]


def test_answering_with_an_uncalibrated_model_is_a_clear_error(workspace, fake_encoder, tmp_path):
    settings = replace(workspace, calibration_file=tmp_path / "empty.json")
    report = build(settings, fake_encoder)
    assert any("no calibration" in w for w in report.warnings)
    pipeline = Pipeline(settings, fake_encoder, generator=None)
    with pytest.raises(CalibrationError, match="eval/calibrate.py"):
        pipeline.ask("Wat zegt Bob van Graft over de cloud?")
