"""The answerability thresholds in use are the ones `eval/derive_thresholds.py` derives from the
fit part of the project's own question sets, on the real model and both corpora, and (the two
coverage shares) from eval/boundary.jsonl on the booklet."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest
from conftest import EVAL, SHARED

from rag import calibration, references
from rag.answer import grade, relevance
from rag.embed import load_encoder

pytestmark = [pytest.mark.real_model, pytest.mark.slow]


@pytest.mark.skipif(not (SHARED / "corpora" / "devcorpus" / "data").is_dir(), reason="needs ../shared/corpora/devcorpus")
def test_the_thresholds_in_use_are_the_derived_ones(real_settings, tmp_path_factory):
    sys.path.insert(0, str(EVAL))
    import derive_thresholds

    devcorpus_index = tmp_path_factory.mktemp("devcorpus") / "index"
    settings = replace(real_settings, calibration_file=None)
    snaps = derive_thresholds.snapshots(settings, devcorpus_index)
    derived = derive_thresholds.derive(*derive_thresholds.fit_rows(snaps)) | derive_thresholds.coverage_thresholds(snaps[0][1])
    stored = calibration.load(load_encoder(settings).model_id)
    assert derived["words_on_topic"] == grade.WORDS_ON_TOPIC
    assert (derived["answer_coverage"], derived["fact_coverage"]) == (relevance.ANSWER_COVERAGE, relevance.FACT_COVERAGE)
    assert (derived["on_topic"], derived["fact_on_topic"]) == (stored.on_topic, stored.fact_on_topic)
    names = snaps[1][1].retriever.document_names
    naming = derive_thresholds.naming_limits(
        names, derive_thresholds.load_fit("devcorpus") + derive_thresholds.load_fit("devcorpus-extra")
    )
    assert naming == {"max_named": references.MAX_NAMED, "shared_prefix": references.SHARED_PREFIX}
