"""Reports with coordinates and no usable address are placed by the gazetteer's centroids, when it has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing_core import ConfigError, Engine
from routing_core.gazetteer import default_gazetteer_path

# Points chosen for the test, not surveyed centroids: what matters is which is nearer.
CENTROIDS = {"百丈街道": (29.860, 121.560), "东柳街道": (29.890, 121.575), "鼓楼街道": (29.875, 121.545)}


def _gazetteer_with_centroids(tmp_path: Path) -> Path:
    lines = default_gazetteer_path().read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        if line.startswith("#"):
            out.append(line)
            continue
        fields = line.split("\t")
        if fields[0] == "code":
            out.append(line + "\tlat\tlon")
            continue
        lat_lon = CENTROIDS.get(fields[3]) if fields[1] == "town" else None
        out.append(line + ("\t{}\t{}".format(*lat_lon) if lat_lon else "\t\t"))
    path = tmp_path / "g.tsv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_coordinates_fill_the_units_the_address_leaves_open(tmp_path: Path) -> None:
    engine = Engine(gazetteer=_gazetteer_with_centroids(tmp_path))
    base = {"text": "路灯坏了好几天", "time": "2026-11-23T20:00:00+08:00", "source": "app"}
    near_baizhang = engine.submit({**base, "id": "c1", "address": "", "lat": 29.861, "lon": 121.561})
    assert near_baizhang.address.placed_by_coordinates
    assert near_baizhang.address.town is not None and near_baizhang.address.town.name == "百丈街道"
    assert near_baizhang.address.county is not None and near_baizhang.address.county.name == "鄞州区"
    # Only towns have centroids here: no community is guessed, so a community-level event goes to the town.
    assert near_baizhang.address.community is None
    # A named unit wins over coordinates: the address says 海曙区, so only 海曙区's towns are candidates.
    named = engine.submit({**base, "id": "c2", "address": "海曙区", "lat": 29.861, "lon": 121.561})
    assert named.address.town is not None and named.address.town.name == "鼓楼街道"
    # Far away (Shanghai): nothing within the radius, nothing guessed.
    far = engine.submit({**base, "id": "c3", "address": "", "lat": 31.23, "lon": 121.47})
    assert far.address.town is None and not far.address.placed_by_coordinates
    # The bundled gazetteer has no centroids: coordinates are kept but place nothing.
    plain = Engine().submit({**base, "id": "c4", "address": "", "lat": 29.861, "lon": 121.561})
    assert plain.address.town is None and plain.address.lat == 29.861


def test_bad_centroid_is_named(tmp_path: Path) -> None:
    path = _gazetteer_with_centroids(tmp_path)
    text = path.read_text(encoding="utf-8").replace("\t29.86\t121.56", "\tnorth\t121.56")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"g\.tsv:\d+: column lat"):
        Engine(gazetteer=path)
