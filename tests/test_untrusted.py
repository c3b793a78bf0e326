"""The untrusted-file readers: capped reads of paths and uploads, names, gunzip, CSV text."""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import pytest

from backprop.untrusted import (
    DIGEST_CHUNK,
    decode_text,
    digest,
    gunzip,
    name_of,
    read_path,
    read_upload,
    unix_lines,
)


class FileError(ValueError):
    """A reader's own error class: the readers must raise exactly this."""


class CountingStream(io.RawIOBase):
    """An unseekable upload of ``n`` bytes that records how many were read."""

    def __init__(self, n: int) -> None:
        self.left, self.served = n, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        k = self.left if size < 0 else min(size, self.left)
        self.left -= k
        self.served += k
        return b"x" * k


class SizedUpload(io.BytesIO):
    """An upload that states its ``size`` (as Streamlit's UploadedFile does); never read."""

    def __init__(self, size: int) -> None:
        super().__init__(b"")
        self.size = size

    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("a file over the limit was read")


# -------------------------------------------------------------------------------- name_of
@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("data/train.csv", "train.csv"),
        (Path("/tmp/../etc/passwd"), "passwd"),
        (type("Upload", (), {"name": "../../secret/iris.csv"})(), "iris.csv"),
        (type("Upload", (), {"name": ""})(), "fallback"),
        (type("Upload", (), {"name": 42})(), "fallback"),
        (b"raw bytes", "fallback"),
        ("", "fallback"),
    ],
)
def test_name_of_keeps_only_the_last_component(file, expected):
    assert name_of(file, "fallback") == expected


# ------------------------------------------------------------------------------ read_path
def test_read_path_reads_a_file_within_the_limit(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"12345")
    assert read_path(path, "a.bin", 5, error=FileError) == b"12345"


def test_read_path_refuses_by_size_and_names_the_limit(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(2**20 + 1))
    with pytest.raises(FileError) as e:
        read_path(path, "big.bin", 2**20, error=FileError, limit_is_upload=True)
    assert str(e.value) == (
        "big.bin: file too big (1,048,577 bytes); the limit is 1 MB (1,048,576 bytes)"
        " (limits.max_upload_mb)"
    )
    path.write_bytes(bytes(3 * 2**20))
    with pytest.raises(FileError, match=r"big.bin: file too big \(3.0 MB\); the limit is 1 MB$"):
        read_path(path, "big.bin", 2**20, error=FileError)


def test_read_path_refuses_missing_files_and_folders(tmp_path):
    for path in (tmp_path / "missing.csv", tmp_path):
        with pytest.raises(FileError, match="no such file"):
            read_path(path, "x", 100, error=FileError)


# ---------------------------------------------------------------------------- read_upload
def test_read_upload_returns_bytes_or_text():
    assert read_upload(bytearray(b"abc"), "u", 3, error=FileError) == b"abc"
    assert read_upload(memoryview(b"abc"), "u", 3, error=FileError) == b"abc"
    assert read_upload(io.BytesIO(b"abc"), "u", 3, error=FileError) == b"abc"
    assert read_upload(io.StringIO("abc"), "u", 3, error=FileError) == "abc"


def test_read_upload_refuses_a_stated_size_without_reading():
    with pytest.raises(FileError, match="u.bin: file too big"):
        read_upload(SizedUpload(10**9), "u.bin", 2**20, error=FileError)


def test_read_upload_measures_a_seekable_file_from_its_position():
    f = io.BytesIO(b"header" + bytes(100))
    f.seek(6)
    assert read_upload(f, "u", 100, error=FileError) == bytes(100)
    f.seek(5)
    with pytest.raises(FileError, match=r"file too big \(101 bytes\)"):
        read_upload(f, "u", 100, error=FileError)
    assert f.tell() == 5  # measuring did not move it


def test_read_upload_reads_at_most_one_byte_past_the_limit():
    stream = CountingStream(10**7)
    with pytest.raises(FileError, match=r"^s: file too big; the limit is 0.000953674 MB"):
        read_upload(stream, "s", 1000, error=FileError)
    assert stream.served == 1001


def test_read_upload_refuses_what_is_not_a_file():
    with pytest.raises(FileError, match="expected a path, bytes or a file-like object"):
        read_upload(42, "u", 10, error=FileError)


# --------------------------------------------------------------------------------- gunzip
def test_gunzip_inflates_gzip_and_passes_other_data_through():
    data = b"IDX data " * 100
    assert gunzip(gzip.compress(data), "f", len(data), FileError) == data
    assert gunzip(data, "f", 1, FileError) is data


def test_gunzip_stops_a_bomb_at_its_bound():
    bomb = gzip.compress(bytes(50 * 2**20))  # 50 MB of zeros in about 50 KB
    assert len(bomb) < 2**20
    with pytest.raises(FileError, match="f.gz: decompresses to more than 1000 bytes"):
        gunzip(bomb, "f.gz", 1000, FileError)


@pytest.mark.parametrize("data", [b"\x1f\x8bnot gzip at all", gzip.compress(b"x" * 100)[:-8]])
def test_gunzip_names_a_broken_file(data):
    with pytest.raises(FileError, match="f.gz: not a valid gzip file"):
        gunzip(data, "f.gz", 1000, FileError)


# ---------------------------------------------------------------------------- decode_text
def test_decode_text_drops_a_bom_and_keeps_text():
    assert decode_text("\ufeffa,b\n".encode(), "t.csv", FileError) == "a,b\n"
    assert decode_text("a;b\n", "t.csv", FileError) == "a;b\n"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"a,b\r1,2\r3,4\r", "a,b\n1,2\n3,4\n"),  # an old Mac spreadsheet's export
        (b"\xef\xbb\xbfa,b\r\n1,2\r\n", "a,b\n1,2\n"),  # Windows, with a BOM
        ("a,b\r\n1,2\r3,4\n5,6\r\r", "a,b\n1,2\n3,4\n5,6\n\n"),  # a mix: each end is one
        ("caf\u00e9,b\r1,2", "caf\u00e9,b\n1,2"),
    ],
)
def test_decode_text_makes_every_line_end_a_newline(raw, text):
    assert decode_text(raw, "t.csv", FileError) == text
    assert unix_lines(text) is text  # nothing to change: no copy


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"a,b\n\x001,2\n", "t.csv: contains NUL bytes"),
        ("a,b\n".encode("utf-16"), "t.csv: contains NUL bytes.*UTF-16"),
        ("a\x00b", "t.csv: contains NUL characters"),
        (b"a,b\n\xe9,1\n", "t.csv: not UTF-8 text .undecodable byte 0xe9 at position 4"),
    ],
)
def test_decode_text_refuses_binary_and_other_encodings(raw, match):
    with pytest.raises(FileError, match=match):
        decode_text(raw, "t.csv", FileError)


# --------------------------------------------------------------------------------- digest
def test_digest_hashes_bytes_and_whole_files_keeping_their_position():
    data = bytes(range(256)) * (DIGEST_CHUNK // 128)  # two chunks and more
    want = hashlib.sha256(data).hexdigest()
    assert digest(data, len(data)) == want
    f = io.BytesIO(data)
    f.seek(7)
    assert digest(f, len(data)) == want and f.tell() == 7


def test_digest_gives_up_past_the_cap_and_on_what_it_cannot_hash():
    data = bytes(DIGEST_CHUNK + 1)
    assert digest(data, DIGEST_CHUNK) is None
    f = io.BytesIO(data)
    assert digest(f, DIGEST_CHUNK) is None and f.tell() == 0
    assert digest(io.StringIO("a,b\n"), 100) is None  # text: the loader reads it itself
    assert digest(CountingStream(10), 100) is None  # not seekable
    assert digest(42, 100) is None
