"""Status names: English or Korean, composed or decomposed Hangul, one canonical status."""

from __future__ import annotations

import unicodedata

import pytest

from services.common.statuses import LABELS, STATUSES, canonical, described, labelled
from services.delivery.statuses import NEXT


def test_every_status_delivery_moves_between_has_a_korean_name():
    assert set(STATUSES) == set(NEXT) == set(LABELS)
    assert len(set(LABELS.values())) == len(LABELS)  # no Korean name means two statuses


@pytest.mark.parametrize("status", STATUSES)
def test_both_names_and_decomposed_hangul_mean_the_status(status):
    label = LABELS[status]
    assert canonical(status) == canonical(label) == canonical(unicodedata.normalize("NFD", label)) == status


@pytest.mark.parametrize("name", ["", "Received", "received ", "제작", "\ud800", None, 3, ["brewing"], {"brewing": 1}])
def test_anything_else_is_no_status(name):
    assert canonical(name) is None


def test_messages_list_both_names():
    assert described().startswith("received (접수완료), brewing (제작중), delivering (배송중)")


def test_a_label_follows_the_status_it_names():
    assert list(labelled({"order_id": "x", "status": "brewing", "total": 1})) == ["order_id", "status", "status_label", "total"]
    assert labelled({"status": "brewing"})["status_label"] == "제작중"
    assert labelled({"order_id": "x"}) == {"order_id": "x"}
