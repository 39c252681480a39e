import errno
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad import _fileio
from minigrad._fileio import atomic_write, atomic_write_bytes


def current_umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_bytes_and_returns_the_path(tmp_path):
    target = tmp_path / "out.bin"
    assert atomic_write_bytes(str(target), b"\x00\x01data") == target
    assert target.read_bytes() == b"\x00\x01data"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old contents, longer than the new ones")
    with atomic_write(target) as f:
        f.write(b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_text_mode_is_utf8_and_honours_newline(tmp_path):
    target = tmp_path / "t.csv"
    with atomic_write(target, "w", newline="") as f:
        f.write("a,é\r\nb\n")
    assert target.read_bytes() == "a,é\r\nb\n".encode()


def test_the_temp_file_sits_beside_the_target_until_the_end(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_write(target, suffix=".part") as f:
        f.write(b"x")
        assert not target.exists()
        assert os.path.dirname(f.name) == str(tmp_path)
        name = os.path.basename(f.name)
        assert name.startswith(".out.bin.") and name.endswith(".part")
        assert os.listdir(tmp_path) == [name]
    assert os.listdir(tmp_path) == ["out.bin"]


def test_the_data_is_synced_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace",
                        lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    atomic_write_bytes(tmp_path / "a", b"1")
    assert calls[:2] == ["fsync", "replace"]


def test_an_error_in_the_block_keeps_the_old_file_and_removes_the_temp(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(ValueError, match="bad checksum"):
        with atomic_write(target) as f:
            f.write(b"half of the new")
            raise ValueError("bad checksum")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_an_error_leaves_no_file_where_there_was_none(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_write(tmp_path / "new.bin") as f:
            f.write(b"x")
            raise RuntimeError
    assert os.listdir(tmp_path) == []


def test_keyboard_interrupt_in_the_block_cleans_up(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as f:
            f.write(b"new")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_rename_cleans_up(tmp_path, monkeypatch, exc):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def fail(src, dst):
        raise exc

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(type(exc)):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_a_failed_fsync_cleans_up(tmp_path, monkeypatch):
    def fail(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="I/O error"):
        atomic_write_bytes(tmp_path / "out.bin", b"new")
    assert os.listdir(tmp_path) == []


def test_default_mode_is_that_of_a_new_file(tmp_path):
    target = atomic_write_bytes(tmp_path / "out.bin", b"x")
    assert mode_of(target) == 0o666 & ~current_umask()


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_default_mode_follows_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        target = atomic_write_bytes(tmp_path / "out.bin", b"x")
    finally:
        os.umask(old)
    assert mode_of(target) == 0o666 & ~umask


@pytest.mark.parametrize("file_mode", [0o644, 0o600, 0o640])
def test_explicit_mode_is_set_exactly_whatever_the_umask(tmp_path, file_mode):
    old = os.umask(0o077)
    try:
        target = atomic_write_bytes(tmp_path / "out.bin", b"x", file_mode=file_mode)
    finally:
        os.umask(old)
    assert mode_of(target) == file_mode


def test_replacing_a_file_gives_the_new_mode(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o600)
    atomic_write_bytes(target, b"new", file_mode=0o644)
    assert mode_of(target) == 0o644


def test_a_missing_directory_is_a_clear_error(tmp_path):
    target = tmp_path / "nope" / "out.bin"
    with pytest.raises(FileNotFoundError, match="directory .*nope.* does not exist") as info:
        atomic_write_bytes(target, b"x")
    assert str(target) in str(info.value)
    assert os.listdir(tmp_path) == []


def test_parents_are_created_on_request(tmp_path):
    target = tmp_path / "a" / "b" / "out.bin"
    atomic_write_bytes(target, b"x", parents=True)
    assert target.read_bytes() == b"x"


def test_a_file_in_place_of_the_directory_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        atomic_write_bytes(tmp_path / "file" / "out.bin", b"x")


def test_an_unwritable_directory_is_a_clear_error(tmp_path, monkeypatch):
    def refuse(name, flags, mode=0o777):
        raise PermissionError(13, "Permission denied", name)

    monkeypatch.setattr(_fileio.os, "open", refuse)
    with pytest.raises(PermissionError, match="is not writable") as info:
        atomic_write_bytes(tmp_path / "out.bin", b"x")
    assert str(tmp_path / "out.bin") in str(info.value)
    assert info.value.errno == 13
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a non-root POSIX user for directory permissions")
def test_a_real_read_only_directory_is_a_clear_error(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="is not writable"):
            atomic_write_bytes(tmp_path / "out.bin", b"x")
    finally:
        tmp_path.chmod(0o700)
    assert os.listdir(tmp_path) == []


def test_a_read_only_filesystem_is_a_clear_error(read_only_mount):
    with pytest.raises(OSError, match="is not writable") as info:
        atomic_write_bytes(read_only_mount / "out.bin", b"x")
    assert info.value.errno == errno.EROFS and str(read_only_mount) in str(info.value)
    assert os.listdir(read_only_mount) == []


def test_a_directory_at_the_target_fails_at_the_rename_and_cleans_up(tmp_path):
    (tmp_path / "out.bin").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path / "out.bin", b"x")
    assert os.listdir(tmp_path) == ["out.bin"]


def test_name_collisions_are_retried(tmp_path, monkeypatch):
    tokens = iter(["aaaa", "aaaa", "bbbb"])
    monkeypatch.setattr(_fileio.secrets, "token_hex", lambda n: next(tokens))
    with atomic_write(tmp_path / "x") as f1:
        f1.write(b"1")
        with atomic_write(tmp_path / "y") as f2:
            f2.write(b"2")
    assert f1.name != f2.name
    assert sorted(os.listdir(tmp_path)) == ["x", "y"]


def test_a_bad_mode_is_refused_before_anything_is_created(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'wb' or 'w', got 'ab'"):
        with atomic_write(tmp_path / "x", "ab"):
            pass
    assert os.listdir(tmp_path) == []


def test_closing_the_file_in_the_block_is_an_error_and_cleans_up(tmp_path):
    with pytest.raises(ValueError, match="closed file"):
        with atomic_write(tmp_path / "x") as f:
            f.close()
    assert os.listdir(tmp_path) == []


@settings(max_examples=25, deadline=None)
@given(old=st.binary(max_size=300), new=st.binary(max_size=300), fail=st.booleans())
def test_the_target_holds_the_old_or_the_new_contents(tmp_path_factory, old, new, fail):
    d = tmp_path_factory.mktemp("w")
    target = d / "f"
    target.write_bytes(old)
    try:
        with atomic_write(target) as f:
            f.write(new)
            if fail:
                raise RuntimeError
    except RuntimeError:
        pass
    assert target.read_bytes() == (old if fail else new)
    assert os.listdir(d) == ["f"]
