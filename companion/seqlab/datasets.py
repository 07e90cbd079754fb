"""Series for the course: a synthetic generator, offline real series, one web dataset.

Every real loader returns a pandas object with a time index that carries its
frequency (a ``PeriodIndex`` for yearly, quarterly and monthly data, a
``DatetimeIndex`` with ``freq`` set for weekly and 10-minute data), and documents its
units. The offline series ship inside the ``statsmodels`` wheel, so they load without
a network. The Jena climate record is downloaded once into a cache folder and checked
before every use.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from seqlab.checks import positive_int

# --------------------------------------------------------------------------------------
# Synthetic series
# --------------------------------------------------------------------------------------


def synthetic_series(n_series: int, n_steps: int, *, noise: float = 0.05,
                     seed: int = 42) -> np.ndarray:
    """Make a batch of noisy series, each the sum of two sine waves.

    Each series has its own two frequencies and phases, drawn at random:

    ``x(t) = 0.5 sin(2 pi f1 (t - p1)) + 0.2 sin(2 pi f2 (t - p2)) + noise * e(t)``

    for ``t`` in ``[0, 1]`` sampled at ``n_steps`` points, with ``f1`` in [1.6, 3.2),
    ``f2`` in [3.2, 6.4) cycles per series, phases ``p1, p2`` uniform in [0, 1) and
    standard normal ``e(t)``. Values are unitless.

    Args:
        n_series: number of series (batch size).
        n_steps: number of time steps of each series.
        noise: standard deviation of the additive Gaussian noise (0 for none).
        seed: seed of the random generator; the same seed gives the same series.

    Returns:
        A float32 array of shape ``(n_series, n_steps, 1)``.

    Example:

    >>> synthetic_series(4, 50).shape
    (4, 50, 1)
    """
    n_series = positive_int("n_series", n_series)
    n_steps = positive_int("n_steps", n_steps)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    freq1, freq2, phase1, phase2 = rng.random((4, n_series, 1))
    time = np.linspace(0.0, 1.0, n_steps)
    # Angular speeds of 10-20 and 20-40 radians over the series: 1.6-3.2 and 3.2-6.4 cycles.
    series = 0.5 * np.sin((time - phase1) * (10 + 10 * freq1))
    series += 0.2 * np.sin((time - phase2) * (20 + 20 * freq2))
    series += noise * rng.standard_normal((n_series, n_steps))
    return series[..., np.newaxis].astype(np.float32)


# --------------------------------------------------------------------------------------
# Offline real series (statsmodels.datasets)
# --------------------------------------------------------------------------------------


def load_sunspots() -> pd.Series:
    """Yearly mean sunspot numbers, 1700-2008 (309 values).

    Units: sunspot number (a count-based index, no physical unit), one value per year.
    Source: ``statsmodels.datasets.sunspots`` (the Wolf/International sunspot number).

    Returns:
        A float ``pd.Series`` named ``"sunspots"`` with a yearly ``PeriodIndex`` (freq ``Y``).
    """
    from statsmodels.datasets import sunspots

    data = sunspots.load_pandas().data
    index = pd.PeriodIndex(data["YEAR"].astype(int).astype(str), freq="Y", name="year")
    return pd.Series(data["SUNACTIVITY"].to_numpy(float), index=index, name="sunspots")


def load_co2() -> pd.Series:
    """Weekly atmospheric CO2 at Mauna Loa, March 1958 - December 2001 (2,284 weeks).

    Units: parts per million by volume (ppmv), one value per week (weeks end on
    Saturday, freq ``W-SAT``). The 59 weeks without a measurement are kept as NaN:
    the imputation lessons need them, and :func:`seqlab.windows.make_windows` refuses
    them unless told otherwise. Source: ``statsmodels.datasets.co2``.

    Returns:
        A float ``pd.Series`` named ``"co2"`` with a weekly ``DatetimeIndex``.
    """
    from statsmodels.datasets import co2

    data = co2.load_pandas().data["co2"]
    index = pd.DatetimeIndex(data.index, freq="W-SAT", name="week")
    return pd.Series(data.to_numpy(float), index=index, name="co2")


def load_macro() -> pd.DataFrame:
    """Quarterly US macroeconomic data, 1959Q1-2009Q3 (203 quarters, 12 variables).

    Columns and units (from ``statsmodels.datasets.macrodata``):

    - ``realgdp``, ``realcons``, ``realinv``, ``realgovt``, ``realdpi``: real GDP,
      consumption, investment, federal spending and disposable income, billions of
      chained 2005 US dollars, seasonally adjusted annual rate;
    - ``cpi``: consumer price index (1982-84 = 100); ``m1``: M1 money stock, billions of
      dollars;
    - ``tbilrate``: 3-month treasury bill rate, percent; ``unemp``: unemployment
      rate, percent; ``pop``: population, millions;
    - ``infl``: inflation, annualised percent; ``realint``: real interest rate, percent.

    Returns:
        A float ``pd.DataFrame`` with a quarterly ``PeriodIndex`` (freq ``Q``).
    """
    from statsmodels.datasets import macrodata

    data = macrodata.load_pandas().data
    labels = [f"{int(y)}Q{int(q)}" for y, q in zip(data["year"], data["quarter"])]
    index = pd.PeriodIndex(labels, freq="Q", name="quarter")
    frame = data.drop(columns=["year", "quarter"]).astype(float)
    frame.index = index
    return frame


def load_elnino() -> pd.Series:
    """Monthly sea surface temperature of the El Nino region, 1950-2010 (732 months).

    Units: degrees Celsius, one value per month. statsmodels stores the data wide (one
    row per year, one column per month); this loader turns it into one long series in
    time order. Source: ``statsmodels.datasets.elnino``.

    Returns:
        A float ``pd.Series`` named ``"sea_temperature"`` with a monthly ``PeriodIndex``
        (freq ``M``).
    """
    from statsmodels.datasets import elnino

    wide = elnino.load_pandas().data
    months = [c for c in wide.columns if c != "YEAR"]
    values = wide[months].to_numpy(float).reshape(-1)  # row-major: year by year, Jan to Dec
    start = pd.Period(f"{int(wide['YEAR'].iloc[0])}-01", freq="M")
    index = pd.period_range(start, periods=len(values), freq="M", name="month")
    return pd.Series(values, index=index, name="sea_temperature")


def load_nile() -> pd.Series:
    """Yearly flow of the river Nile at Aswan, 1871-1970 (100 values).

    Units: 10^8 cubic metres per year. Source: ``statsmodels.datasets.nile``.

    Returns:
        A float ``pd.Series`` named ``"nile"`` with a yearly ``PeriodIndex`` (freq ``Y``).
    """
    from statsmodels.datasets import nile

    data = nile.load_pandas().data
    index = pd.PeriodIndex(data["year"].astype(int).astype(str), freq="Y", name="year")
    return pd.Series(data["volume"].to_numpy(float), index=index, name="nile")


def load_elec_equip() -> pd.Series:
    """Monthly turnover index of electrical equipment manufacturing, euro area, 1995-2016.

    Units: index (2010 = 100), working-day adjusted, not seasonally adjusted, one value
    per month (Eurostat series STS.M.I7.W.TOVT.NS0016.4.000). Source:
    ``statsmodels.datasets.elec_equip``.

    Returns:
        A float ``pd.Series`` named ``"elec_equip"`` with a monthly ``PeriodIndex``
        (freq ``M``).
    """
    from statsmodels.datasets import elec_equip

    data = elec_equip.load().data
    index = pd.PeriodIndex(data.index, freq="M", name="month")
    if len(index) > 1 and not (index[1:] - index[:-1] == index.freq).all():
        raise RuntimeError("elec_equip: months are not consecutive; the statsmodels file changed")
    return pd.Series(data.iloc[:, 0].to_numpy(float), index=index, name="elec_equip")


# --------------------------------------------------------------------------------------
# The Jena climate record (web)
# --------------------------------------------------------------------------------------

JENA_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip"
"""Where the Jena climate record (2009-2016) is downloaded from."""

JENA_FILENAME = "jena_climate_2009_2016.csv.zip"
"""Name of the cached archive inside the cache folder."""

JENA_SIZE = 13_568_290
"""Size in bytes of the archive at :data:`JENA_URL`."""

JENA_SHA256: str | None = None
"""Published SHA-256 of the archive at :data:`JENA_URL`, or None while none is known.

No published checksum of this file could be found when this module was written, and
it could not be computed offline. While it is None, :func:`load_jena_climate` checks
the size (:data:`JENA_SIZE`) and the CRC-32 of every member of the archive on download,
then pins the SHA-256 of the first good download next to the cached file
(``<file>.sha256``) and checks the cached file against it on every later load. Set this
constant (or pass ``sha256=``) to the file's real checksum to check the first download
too.
"""

JENA_COLUMNS = {
    "p (mbar)": "air pressure, millibar",
    "T (degC)": "air temperature, degrees Celsius",
    "Tpot (K)": "potential temperature, kelvin",
    "Tdew (degC)": "dew point, degrees Celsius",
    "rh (%)": "relative humidity, percent",
    "VPmax (mbar)": "saturation vapour pressure, millibar",
    "VPact (mbar)": "vapour pressure, millibar",
    "VPdef (mbar)": "vapour pressure deficit, millibar",
    "sh (g/kg)": "specific humidity, grams per kilogram",
    "H2OC (mmol/mol)": "water vapour concentration, millimoles per mole",
    "rho (g/m**3)": "air density, grams per cubic metre",
    "wv (m/s)": "wind speed, metres per second",
    "max. wv (m/s)": "maximum wind speed, metres per second",
    "wd (deg)": "wind direction, degrees",
}
"""The 14 measured columns of the Jena climate record and their units."""

_MISSING_SENTINEL = -9999.0


class DownloadError(ConnectionError):
    """A dataset could not be downloaded (offline, bad URL, server error)."""


class ChecksumError(ValueError):
    """A downloaded or cached file does not match its expected size or SHA-256."""


def cache_folder(cache_dir=None) -> Path:
    """Return the folder where downloaded datasets are kept.

    Args:
        cache_dir: a folder; when None, the environment variable ``SEQLAB_CACHE``,
            else ``~/.cache/seqlab``.
    """
    if cache_dir is None:
        cache_dir = os.environ.get("SEQLAB_CACHE") or Path.home() / ".cache" / "seqlab"
    return Path(cache_dir).expanduser()


def sha256_of(path) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _problem_with(path: Path, sha256: str | None, size: int | None) -> str | None:
    """Say what is wrong with a downloaded or cached file, or None when it is good."""
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        return f"its size is {actual_size} bytes, expected {size}"
    pinned = Path(f"{path}.sha256")
    expected = sha256 or (pinned.read_text().strip() if pinned.exists() else None)
    if expected is not None:
        actual = sha256_of(path)
        if actual != expected.lower():
            return f"its SHA-256 is {actual}, expected {expected}"
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                bad_member = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            return f"it is not a readable zip archive ({error})"
        if bad_member is not None:
            return f"member {bad_member!r} of the archive fails its CRC check"
    elif path.suffix == ".zip":
        return "it is not a zip archive"
    return None


def _download(url: str, destination: Path, opener) -> None:
    """Copy ``url`` to ``destination`` through ``opener``, via a temporary file."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, suffix=".part")
    os.close(handle)
    try:
        try:
            response = opener(url)
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise DownloadError(
                f"could not download {url} ({reason}). If this machine is offline, "
                f"download the file elsewhere and copy it to {destination}, or pass "
                "cache_dir= a folder that holds it"
            ) from error
        try:
            with open(temporary, "wb") as out:
                shutil.copyfileobj(response, out, 1 << 20)
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def fetch(url: str, filename: str, *, cache_dir=None, sha256: str | None = None,
          size: int | None = None, opener=None) -> Path:
    """Return the path of a checked copy of ``url`` in the cache, downloading it once.

    A cached file is checked (size, SHA-256, zip integrity) before every use. A cached
    file that fails the check is never used: it is downloaded again, and when that is
    impossible a :class:`DownloadError` says the cached copy is corrupted. A fresh
    download that fails the check is deleted and reported with a :class:`ChecksumError`.
    Without ``sha256``, the hash of the first good download is pinned in
    ``<file>.sha256`` and later loads are checked against it.

    Args:
        url: where to download from (``https://``, ``file://``, ...).
        filename: name of the file in the cache folder.
        cache_dir: cache folder (see :func:`cache_folder`).
        sha256: expected SHA-256 hex digest, or None.
        size: expected size in bytes, or None.
        opener: ``opener(url)`` returns a binary file-like object; default
            ``urllib.request.urlopen`` with a 60 s timeout.

    Returns:
        The ``Path`` of the checked file.

    Raises:
        DownloadError: the file is not cached (or is corrupted) and cannot be downloaded.
        ChecksumError: the downloaded file does not match ``size`` or ``sha256``.
    """
    if sha256 is not None and (len(sha256) != 64 or not all(c in "0123456789abcdefABCDEF" for c in sha256)):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}")
    opener = opener or (lambda address: urllib.request.urlopen(address, timeout=60))
    path = cache_folder(cache_dir) / filename
    pinned = Path(f"{path}.sha256")
    corrupted = None
    if path.exists():
        corrupted = _problem_with(path, sha256, size)
        if corrupted is None:
            return path
        path.unlink()
        if sha256 is None and pinned.exists():
            pinned.unlink()
    try:
        _download(url, path, opener)
    except DownloadError as error:
        if corrupted is not None:
            raise DownloadError(
                f"the cached file {path} was corrupted ({corrupted}) and was removed; "
                f"downloading it again failed: {error}"
            ) from error
        raise
    problem = _problem_with(path, sha256, size)
    if problem is not None:
        path.unlink()
        raise ChecksumError(
            f"the file downloaded from {url} is corrupted or not the expected file: "
            f"{problem}. It was deleted; try again, or check the url, sha256 and size arguments"
        )
    if sha256 is None:
        pinned.write_text(sha256_of(path) + "\n")
    return path


def load_jena_climate(cache_dir=None, *, frequency: str = "10min", url: str = JENA_URL,
                      sha256: str | None = JENA_SHA256, size: int | None = JENA_SIZE,
                      opener=None) -> pd.DataFrame:
    """The Jena climate record: 14 weather measurements every 10 minutes, 2009-2016.

    Recorded by the weather station of the Max Planck Institute for Biogeochemistry in
    Jena, Germany (about 420,000 rows). Downloaded once (13.6 MB) into the cache folder
    and checked before every use (see :func:`fetch`). The columns and their units are
    listed in :data:`JENA_COLUMNS` (for example ``"T (degC)"``, air temperature in
    degrees Celsius).

    Cleaning: duplicated timestamps keep their first row; the index is made regular
    (every 10 minutes, so missing records become rows of NaN); the sentinel value
    -9999 (missing wind speed) becomes NaN.

    Args:
        cache_dir: cache folder; default ``$SEQLAB_CACHE`` or ``~/.cache/seqlab``.
        frequency: ``"10min"`` for the raw records, or a coarser pandas frequency such
            as ``"1h"`` or ``"1D"`` to average them.
        url: download address (``file://`` works too).
        sha256: expected SHA-256 of the archive (default :data:`JENA_SHA256`).
        size: expected size in bytes (default :data:`JENA_SIZE`); None to skip.
        opener: ``opener(url)`` returns a binary file-like object (for tests and proxies).

    Returns:
        A float ``pd.DataFrame`` with a ``DatetimeIndex`` whose ``freq`` is ``frequency``.

    Raises:
        DownloadError: offline and not cached (the message says where to put the file).
        ChecksumError: the download is not the expected file.
    """
    try:
        step = pd.tseries.frequencies.to_offset(frequency)
    except (ValueError, TypeError) as error:
        raise ValueError(f"frequency must be a pandas frequency such as '1h', got {frequency!r}") from error
    ten_minutes = pd.Timedelta("10min")
    if pd.Timedelta(step) < ten_minutes or pd.Timedelta(step) % ten_minutes:
        raise ValueError(f"frequency must be a multiple of 10 minutes, got {frequency!r}")
    path = fetch(url, JENA_FILENAME, cache_dir=cache_dir, sha256=sha256, size=size, opener=opener)
    raw = pd.read_csv(path, compression="zip")
    if "Date Time" not in raw.columns:
        raise ChecksumError(f"{path} has no 'Date Time' column; it is not the Jena climate record")
    times = pd.to_datetime(raw.pop("Date Time"), format="%d.%m.%Y %H:%M:%S")
    frame = raw.astype(float)
    frame.index = pd.DatetimeIndex(times, name="time")
    frame = frame[~frame.index.duplicated(keep="first")].sort_index()
    frame = frame.mask(frame <= _MISSING_SENTINEL + 0.5)
    grid = pd.date_range(frame.index[0], frame.index[-1], freq="10min", name="time")
    frame = frame.reindex(grid)
    if pd.Timedelta(step) != ten_minutes:
        frame = frame.resample(step).mean()
        frame.index.name = "time"
    frame.index.freq = step
    return frame


# --------------------------------------------------------------------------------------
# By name
# --------------------------------------------------------------------------------------

_LOADERS = {
    "co2": load_co2,
    "elec_equip": load_elec_equip,
    "elnino": load_elnino,
    "jena_climate": load_jena_climate,
    "macro": load_macro,
    "nile": load_nile,
    "sunspots": load_sunspots,
}


def available() -> list[str]:
    """Names accepted by :func:`load`, sorted (``jena_climate`` needs a download once)."""
    return sorted(_LOADERS)


def load(name: str, **kwargs):
    """Load a dataset by name.

    Args:
        name: one of :func:`available`.
        **kwargs: passed to the loader (for example ``cache_dir`` for ``jena_climate``).

    Returns:
        The loader's pandas object.

    Raises:
        ValueError: unknown name; the message lists the available ones.

    Example:

    >>> load("nile").index.freqstr
    'Y-DEC'
    """
    if not isinstance(name, str) or name.lower() not in _LOADERS:
        raise ValueError(f"name: unknown dataset {name!r}; available datasets are {available()}")
    return _LOADERS[name.lower()](**kwargs)
