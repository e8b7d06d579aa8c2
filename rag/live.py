"""The index as a running process sees it: reloaded when a new version is published.

Owns hot reload. Each question takes one `Snapshot` and keeps it to the end, so a
question in flight finishes on the version it started with; the next question sees
the new one. Checking costs one small file read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import calibration, store
from .calibration import Calibration
from .embed import Encoder
from .evidence import Idf
from .retrieve import Retriever
from .settings import Settings


@dataclass(frozen=True)
class Snapshot:
    """One loaded index version with what answering needs from it."""

    retriever: Retriever
    calibration_file: Path | None = None

    @property
    def version(self) -> str:
        return self.retriever.index.version

    @cached_property
    def idf(self) -> Idf:
        return Idf(self.retriever.index.chunks)

    @cached_property
    def calibration(self) -> Calibration:
        """The embedding thresholds this index was built with (recorded in its manifest), or,
        for an index from before they were recorded, those of its model; a clear error if none."""
        manifest = self.retriever.index.manifest
        if manifest.calibration:
            return Calibration.from_dict(manifest.embedding_model, manifest.calibration)
        return calibration.load(manifest.embedding_model, self.calibration_file)


class LiveIndex:
    def __init__(self, settings: Settings, encoder: Encoder) -> None:
        self.settings = settings
        self.encoder = encoder
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        """The live version, loading it if it changed since the last call."""
        version = store.current_version(self.settings.index_dir)
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.version != store.current_version(self.settings.index_dir):
                index = store.load(self.settings.index_dir, self.encoder.model_id)
                retriever = Retriever(index, self.encoder, self.settings.fusion_weight)
                self._snapshot = Snapshot(retriever, self.settings.calibration_file)
            return self._snapshot
