"""GCJ-02 ("Mars coordinates") <-> WGS-84 conversion, vectorised with numpy.

GCJ-02 is the obfuscated datum that Chinese map providers (AMap/Gaode, Tencent, Google
China) publish coordinates in. The forward transform (WGS-84 -> GCJ-02) is the widely
re-implemented formula (see e.g. googollee/eviltransform, wandergis/coordTransform_py); the
inverse has no closed form and is solved here by fixed-point iteration to ``tol`` degrees
(1e-9 deg is about 0.1 mm). Points outside mainland China's bounding box are returned
unchanged, as every published implementation does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["gcj02_to_wgs84", "out_of_china", "wgs84_to_gcj02"]

_A = 6378245.0  # semi-major axis of Krasovsky 1940, used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared

ArrayLike = npt.ArrayLike


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Return True where a point lies outside the box in which GCJ-02 applies.

    Parameters
    ----------
    lon, lat : array-like
        Longitude and latitude in degrees.

    Returns
    -------
    numpy.ndarray of bool
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS-84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    common = 20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 longitude/latitude to GCJ-02 (exact forward formula).

    Parameters
    ----------
    lon, lat : array-like
        WGS-84 coordinates in degrees (scalars or arrays of the same shape).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        GCJ-02 longitude and latitude; unchanged outside China.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(121.5272106, 31.1774276)
    >>> round(float(lon), 6), round(float(lat), 6)
    (121.531542, 31.175304)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol: float = 1e-9, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 longitude/latitude to WGS-84 by iterating the forward formula.

    Starting from the GCJ-02 point, repeat ``wgs <- wgs - (forward(wgs) - gcj)`` until the
    correction is below ``tol`` degrees everywhere (the offset varies slowly, so this
    converges in a handful of steps).

    Parameters
    ----------
    lon, lat : array-like
        GCJ-02 coordinates in degrees.
    tol : float, default 1e-9
        Stop when every correction is smaller than this (degrees).
    max_iter : int, default 30
        Upper bound on the iterations.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        WGS-84 longitude and latitude; unchanged outside China.
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.all(np.abs(np.nan_to_num(elon)) < tol) and np.all(np.abs(np.nan_to_num(elat)) < tol):
            break
    return wlon, wlat
