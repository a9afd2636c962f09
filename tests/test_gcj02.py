"""GCJ-02 <-> WGS-84 conversion against published reference pairs."""

from __future__ import annotations

import numpy as np
import pytest

from netopt._gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02
from netopt.validate import haversine_km

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat) from the test suite of googollee/eviltransform
# (python/test.py: Shanghai, Shenzhen, Beijing).
PUBLISHED = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return haversine_km(lon1, lat1, lon2, lat2) * 1000.0


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), PUBLISHED)
def test_forward_matches_published_pair(wlon, wlat, glon, glat):
    """WGS-84 -> GCJ-02 reproduces the published value to 1e-9 degrees."""
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), PUBLISHED)
def test_inverse_within_one_metre_of_published_pair(wlon, wlat, glon, glat):
    """GCJ-02 -> WGS-84 lands within 1 m (in fact within a millimetre) of the reference."""
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, wlon, wlat) < 1e-3


def test_offset_is_hundreds_of_metres():
    """The GCJ-02 shift near the synthetic region is a few hundred metres, not zero."""
    lon, lat = wgs84_to_gcj02(121.9, 29.2)
    assert 200 < float(_metres(lon, lat, 121.9, 29.2)) < 800


def test_round_trip_vectorised():
    """Forward then inverse returns every point of an array to 1e-9 degrees."""
    rng = np.random.default_rng(0)
    lon = rng.uniform(100, 125, 500)
    lat = rng.uniform(18, 45, 500)
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back_lon.shape == (500,)
    assert np.max(np.abs(back_lon - lon)) < 1e-9
    assert np.max(np.abs(back_lat - lat)) < 1e-9


def test_points_outside_china_unchanged():
    """Outside China both directions leave coordinates untouched (e.g. Helsinki, swapped)."""
    lon = np.array([24.94, 29.2])
    lat = np.array([60.17, 121.9])
    assert out_of_china(lon, lat).all()
    np.testing.assert_array_equal(wgs84_to_gcj02(lon, lat)[0], lon)
    np.testing.assert_array_equal(gcj02_to_wgs84(lon, lat)[1], lat)
