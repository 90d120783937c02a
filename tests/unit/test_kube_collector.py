"""After a live load, Python's collector stays on, and its youngest generation is collected less often: each
batch of watch events allocates and frees thousands of objects, and collecting every 700 walked the big
collections that each batch copies (kftui/cluster/kube.py, YOUNG_COLLECTION_THRESHOLD)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from kftui.cluster.http import KubeApiError
from kftui.cluster.kube import YOUNG_COLLECTION_THRESHOLD, KubeSource
from kftui.model import ClusterSnapshot
from tests.unit.test_kube_dump import PagesByPath


class Pages(PagesByPath):
    """One object per LIST; no argocd-cm (the source then uses Argo CD's defaults)."""

    def __init__(self) -> None:
        super().__init__(refused=set())

    def get_json(self, path: str, query: object = None) -> object:
        raise KubeApiError(404, "not found")


def load() -> ClusterSnapshot:
    return KubeSource(Pages(), "lab", "gitops").load()  # type: ignore[arg-type]


@pytest.fixture
def collector() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("collector")
def test_a_load_leaves_the_collector_on_with_a_higher_young_threshold_only() -> None:
    snapshot = load()
    assert snapshot.namespaces  # the load ran through (one namespace per LIST page)
    assert gc.isenabled()
    assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, 10, 10)


@pytest.mark.usefixtures("collector")
def test_a_higher_young_threshold_someone_set_is_kept() -> None:
    gc.set_threshold(50_000, 5, 5)
    load()
    assert gc.get_threshold() == (50_000, 5, 5)
