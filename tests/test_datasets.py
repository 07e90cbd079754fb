"""seqlab.datasets: time indexes with frequencies, the synthetic generator, the checked Jena download.

No test uses the network: the Jena loader is served a small archive in the same format
(tests/fixtures/jena_climate_tiny.csv.zip, made by make_jena_fixture.py) through a
file:// URL or an injected opener.
"""

import hashlib
import io
import os
import urllib.error
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqlab import datasets
from seqlab.datasets import ChecksumError, DownloadError

FIXTURE = Path(__file__).parent / "fixtures" / "jena_climate_tiny.csv.zip"
FIXTURE_SHA256 = Path(f"{FIXTURE}.sha256").read_text().strip()
FIXTURE_URL = FIXTURE.resolve().as_uri()


# ----------------------------------------------------------------------------- synthetic


def test_synthetic_series_shape_dtype_and_seed():
    a = datasets.synthetic_series(5, 60, seed=3)
    assert a.shape == (5, 60, 1) and a.dtype == np.float32
    np.testing.assert_array_equal(a, datasets.synthetic_series(5, 60, seed=3))
    assert not np.allclose(a, datasets.synthetic_series(5, 60, seed=4))


def test_synthetic_series_is_two_sines_plus_noise_of_the_given_size():
    clean = datasets.synthetic_series(200, 400, noise=0.0, seed=0)
    noisy = datasets.synthetic_series(200, 400, noise=0.1, seed=0)
    assert np.abs(clean).max() <= 0.7 + 1e-6  # amplitudes 0.5 + 0.2
    assert np.std(noisy - clean) == pytest.approx(0.1, rel=0.02)
    # A sum of two sines satisfies an exact linear recurrence of order 4
    # (its z-transform has four poles), so an AR(4) fit leaves no residual.
    for series in clean[:10, :, 0].astype(np.float64):
        lags = np.stack([series[4 - k:len(series) - k] for k in range(1, 5)], axis=1)
        coefficients, *_ = np.linalg.lstsq(lags, series[4:], rcond=None)
        assert np.abs(lags @ coefficients - series[4:]).max() < 1e-4
    # while noise does not
    series = noisy[0, :, 0].astype(np.float64)
    lags = np.stack([series[4 - k:len(series) - k] for k in range(1, 5)], axis=1)
    coefficients, *_ = np.linalg.lstsq(lags, series[4:], rcond=None)
    assert np.abs(lags @ coefficients - series[4:]).max() > 0.05


@pytest.mark.parametrize("kwargs, message", [
    ({"n_series": 0, "n_steps": 5}, "n_series"), ({"n_series": 2, "n_steps": 0}, "n_steps"),
    ({"n_series": 2, "n_steps": 5, "noise": -1.0}, "noise"),
])
def test_synthetic_series_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        datasets.synthetic_series(**kwargs)


# ----------------------------------------------------------------------------- offline series

CASES = {
    # name: (length, index type, freqstr, first label, last label)
    "sunspots": (309, pd.PeriodIndex, "Y-DEC", "1700", "2008"),
    "nile": (100, pd.PeriodIndex, "Y-DEC", "1871", "1970"),
    "co2": (2284, pd.DatetimeIndex, "W-SAT", "1958-03-29", "2001-12-29"),
    "macro": (203, pd.PeriodIndex, "Q-DEC", "1959Q1", "2009Q3"),
    "elnino": (732, pd.PeriodIndex, "M", "1950-01", "2010-12"),
    "elec_equip": (257, pd.PeriodIndex, "M", "1995-01", "2016-05"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_offline_loader_has_a_regular_time_index(name):
    length, index_type, freq, first, last = CASES[name]
    data = datasets.load(name)
    assert isinstance(data, (pd.Series, pd.DataFrame)) and len(data) == length
    assert isinstance(data.index, index_type) and data.index.freqstr == freq
    assert str(data.index[0]).startswith(first) and str(data.index[-1]).startswith(last)
    assert data.index.is_monotonic_increasing and data.index.is_unique
    # regular: consecutive labels, no holes
    if isinstance(data.index, pd.PeriodIndex):
        assert (data.index == pd.period_range(data.index[0], periods=length, freq=data.index.freq)).all()
    else:
        assert (data.index == pd.date_range(data.index[0], periods=length, freq=data.index.freq)).all()
    assert all(np.issubdtype(dtype, np.floating) for dtype in np.atleast_1d(data.dtypes))
    doc = getattr(datasets, "load_" + name).__doc__
    assert "Units" in doc or "units" in doc


def test_co2_keeps_its_missing_weeks():
    co2 = datasets.load_co2()
    assert co2.isna().sum() == 59
    assert co2.dropna().between(300, 400).all()


def test_elnino_long_series_matches_the_wide_table():
    from statsmodels.datasets import elnino

    wide = elnino.load_pandas().data.set_index("YEAR")
    long = datasets.load_elnino()
    assert long[pd.Period("1951-03", freq="M")] == wide.loc[1951.0, "MAR"]
    assert long[pd.Period("2010-12", freq="M")] == wide.loc[2010.0, "DEC"]
    assert long.iloc[12:24].tolist() == wide.iloc[1].tolist()


def test_macro_has_several_variables():
    macro = datasets.load_macro()
    assert {"realgdp", "cpi", "unemp", "infl"} <= set(macro.columns)
    assert "year" not in macro.columns and "quarter" not in macro.columns
    assert macro.loc[pd.Period("1959Q1", freq="Q"), "realgdp"] == pytest.approx(2710.349)


def test_unknown_dataset_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"name: unknown dataset 'sunspot'.*'co2'.*'sunspots'"):
        datasets.load("sunspot")
    assert datasets.available() == sorted(["co2", "elec_equip", "elnino", "jena_climate", "macro",
                                           "nile", "sunspots"])


# ----------------------------------------------------------------------------- Jena (offline)


def test_fixture_checksum_file_is_current():
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == FIXTURE_SHA256


def load_fixture(cache, **kwargs):
    arguments = {"url": FIXTURE_URL, "sha256": FIXTURE_SHA256, "size": FIXTURE.stat().st_size}
    arguments.update(kwargs)
    return datasets.load_jena_climate(cache, **arguments)


def test_jena_loads_cleans_and_indexes_the_records(tmp_path):
    frame = load_fixture(tmp_path)
    assert list(frame.columns) == list(datasets.JENA_COLUMNS)
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.freqstr == "10min"
    assert len(frame) == 40 and frame.index[0] == pd.Timestamp("2009-01-01 00:10")
    # the duplicated timestamp keeps its first row
    assert frame.loc["2009-01-01 01:50", "p (mbar)"] == pytest.approx(1000.25)
    # the missing record becomes a row of NaN; the -9999 sentinel becomes NaN
    assert frame.loc["2009-01-01 03:30"].isna().all()
    assert np.isnan(frame.loc["2009-01-01 05:10", "wv (m/s)"])
    assert frame["wv (m/s)"].min() > 0
    assert (tmp_path / datasets.JENA_FILENAME).exists()


def test_jena_hourly_average(tmp_path):
    frame = load_fixture(tmp_path, frequency="1h")
    ten_minutes = load_fixture(tmp_path)
    assert frame.index.freqstr == "h"
    assert frame["T (degC)"].iloc[1] == pytest.approx(ten_minutes["T (degC)"].loc["2009-01-01 01:00":"2009-01-01 01:50"].mean())
    with pytest.raises(ValueError, match="frequency must be a multiple of 10 minutes"):
        load_fixture(tmp_path, frequency="5min")


def test_jena_is_downloaded_once_then_read_from_the_cache(tmp_path):
    calls = []

    def opener(url):
        calls.append(url)
        return io.BytesIO(FIXTURE.read_bytes())

    first = load_fixture(tmp_path, url="https://example.invalid/jena.zip", opener=opener)
    second = load_fixture(tmp_path, url="https://example.invalid/jena.zip", opener=opener)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, second)


def test_cache_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "env_cache"))
    assert datasets.cache_folder() == tmp_path / "env_cache"
    load_fixture(None)
    assert (tmp_path / "env_cache" / datasets.JENA_FILENAME).exists()
    assert datasets.cache_folder(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.delenv("SEQLAB_CACHE")
    assert datasets.cache_folder() == Path.home() / ".cache" / "seqlab"


def test_offline_without_a_cached_copy_is_a_clear_error(tmp_path):
    def offline(url):
        raise urllib.error.URLError("Name or service not known")

    with pytest.raises(DownloadError, match=r"could not download .*offline.*copy it to .*jena_climate_2009_2016.csv.zip"):
        load_fixture(tmp_path, opener=offline)
    with pytest.raises(DownloadError, match="could not download"):
        load_fixture(tmp_path, url=(tmp_path / "missing.zip").as_uri())


def test_wrong_checksum_of_a_download_is_reported_and_the_file_removed(tmp_path):
    with pytest.raises(ChecksumError, match="SHA-256 is .* expected 0000"):
        load_fixture(tmp_path, sha256="0" * 64)
    assert not (tmp_path / datasets.JENA_FILENAME).exists()
    with pytest.raises(ChecksumError, match="size is .* expected 13568290"):
        load_fixture(tmp_path, size=datasets.JENA_SIZE)
    with pytest.raises(ValueError, match="sha256 must be 64 hexadecimal digits"):
        load_fixture(tmp_path, sha256="abc")


def corrupt(path: Path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte flipped
    path.write_bytes(bytes(data))


def test_corrupted_cache_is_downloaded_again(tmp_path):
    load_fixture(tmp_path)
    cached = tmp_path / datasets.JENA_FILENAME
    corrupt(cached)
    frame = load_fixture(tmp_path)
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == FIXTURE_SHA256
    assert len(frame) == 40


def test_corrupted_cache_offline_is_reported_not_used(tmp_path):
    load_fixture(tmp_path)
    corrupt(tmp_path / datasets.JENA_FILENAME)
    with pytest.raises(DownloadError, match="was corrupted .*SHA-256"):
        load_fixture(tmp_path, url=(tmp_path / "missing.zip").as_uri())


def test_without_a_known_hash_the_first_download_is_pinned(tmp_path):
    load_fixture(tmp_path, sha256=None)
    cached = tmp_path / datasets.JENA_FILENAME
    pinned = Path(f"{cached}.sha256")
    assert pinned.read_text().strip() == FIXTURE_SHA256
    corrupt(cached)  # same size: only the pinned hash (and the zip CRC) can tell
    offline = (tmp_path / "missing.zip").as_uri()
    with pytest.raises(DownloadError, match="was corrupted"):
        load_fixture(tmp_path, sha256=None, url=offline)


def test_jena_defaults_are_the_url_size_and_checksum_the_loader_uses(tmp_path):
    """Called without url, size or sha256, the loader downloads JENA_URL into
    JENA_FILENAME and holds the file to JENA_SIZE and JENA_SHA256 (None: pin the hash)."""
    calls = []

    def opener(url):
        calls.append(url)
        return io.BytesIO(FIXTURE.read_bytes())

    served = FIXTURE.stat().st_size
    assert served != datasets.JENA_SIZE
    with pytest.raises(ChecksumError, match=rf"size is {served} bytes, expected {datasets.JENA_SIZE}"):
        datasets.load_jena_climate(tmp_path, opener=opener)
    assert calls == [datasets.JENA_URL]
    assert not (tmp_path / datasets.JENA_FILENAME).exists()  # a file that fails is deleted
    if datasets.JENA_SHA256 is None:  # the first good download is pinned, then checked
        assert len(datasets.load_jena_climate(tmp_path, opener=opener, size=served)) == 40
        pinned = tmp_path / f"{datasets.JENA_FILENAME}.sha256"
        assert pinned.read_text().strip() == FIXTURE_SHA256
    else:  # the published checksum is checked on the first download
        with pytest.raises(ChecksumError, match=f"expected {datasets.JENA_SHA256}"):
            datasets.load_jena_climate(tmp_path, opener=opener, size=served)


def test_not_a_jena_file_is_refused(tmp_path):
    other = tmp_path / "other.zip"
    import zipfile

    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(ChecksumError, match="no 'Date Time' column"):
        datasets.load_jena_climate(tmp_path / "cache", url=other.as_uri(), sha256=None, size=None)


def test_no_test_here_touches_the_network(monkeypatch, tmp_path):
    """The default opener is urllib; with the network cut, the cached fixture still loads."""
    load_fixture(tmp_path)

    def no_network(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    assert len(datasets.load_jena_climate(tmp_path, sha256=FIXTURE_SHA256, size=None)) == 40
    assert os.path.exists(tmp_path / datasets.JENA_FILENAME)
