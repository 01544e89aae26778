"""LocalStorage: the contract, atomic writes, sidecars, symlink defence and the factory."""

# The tests inspect tmp_path directly; blocking their own event loop for that is harmless.
# ruff: noqa: ASYNC240

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import msgspec
import pytest

import ogplatform
from ogplatform.builtin.storage import local
from ogplatform.storage import (
    InvalidKeyError,
    LocalStorage,
    LocalStorageFactory,
    ObjectNotFoundError,
    StorageBackend,
    StorageError,
    StorageFactory,
)
from ogplatform.testing import check_storage_backend

KEY = "maps/og-images/2489e9ad-2ee2-8e00-8ec9-32d5f69181c0.png"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(root: Path) -> list[Path]:
    """Temporary files a write left behind anywhere under root."""
    return [path for path in root.rglob(".tmp-*")]


def sidecar(root: Path, key: str) -> dict[str, Any]:
    return msgspec.json.decode((root / ".meta" / f"{key}.json").read_bytes())  # type: ignore[no-any-return]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def storage(root: Path) -> LocalStorage:
    return LocalStorage(root)


async def test_conformance_kit_passes(storage: LocalStorage, root: Path) -> None:
    await check_storage_backend(storage)
    assert leftovers(root) == []
    # The kit cleans up after itself, and delete prunes the folders it emptied.
    assert sorted(p.name for p in root.iterdir()) == [".meta"]
    assert list((root / ".meta").iterdir()) == []


async def test_conformance_kit_passes_with_public_url(root: Path) -> None:
    await check_storage_backend(LocalStorage(root, public_url="https://cdn.example.com/media/"))


async def test_conformance_kit_catches_a_broken_backend(storage: LocalStorage) -> None:
    class ForgetfulStorage(LocalStorage):
        __slots__ = ()

        async def delete(self, key: str) -> bool:
            await super().delete(key)
            return False

    with pytest.raises(AssertionError, match="delete"):
        await check_storage_backend(ForgetfulStorage(storage.root))


async def test_layout_on_disk(storage: LocalStorage, root: Path) -> None:
    await storage.put(KEY, b"PNG bytes", "image/png")
    assert (root / KEY).read_bytes() == b"PNG bytes"
    meta = sidecar(root, KEY)
    assert meta["content_type"] == "image/png"
    assert meta["etag"] == sha256(b"PNG bytes")
    assert meta["size"] == 9


def test_is_a_storage_backend(storage: LocalStorage) -> None:
    assert isinstance(storage, StorageBackend)


async def test_overwrite_keeps_no_temp_files(storage: LocalStorage, root: Path) -> None:
    for n in range(5):
        await storage.put(KEY, bytes([n]) * 1000, "image/png")
    obj, data = await storage.get(KEY)
    assert data == bytes([4]) * 1000
    assert obj.etag == sha256(data)
    assert leftovers(root) == []


# --- atomicity -----------------------------------------------------------------------------


def fail(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device (simulated)")


@pytest.mark.parametrize("broken", ["fsync", "replace"])
async def test_crash_mid_write_of_new_key_leaves_nothing(
    storage: LocalStorage, root: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    monkeypatch.setattr(os, broken, fail)
    with pytest.raises(StorageError, match="No space left"):
        await storage.put(KEY, b"half" * 1000, "image/png")
    monkeypatch.undo()
    assert not (root / KEY).exists()
    assert not await storage.exists(KEY)
    assert leftovers(root) == []


@pytest.mark.parametrize("broken", ["fsync", "replace"])
async def test_crash_mid_overwrite_keeps_old_version(
    storage: LocalStorage, root: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    await storage.put(KEY, b"old", "image/png")
    monkeypatch.setattr(os, broken, fail)
    with pytest.raises(StorageError):
        await storage.put(KEY, b"new and longer", "image/webp")
    monkeypatch.undo()
    obj, data = await storage.get(KEY)
    assert data == b"old"
    assert (obj.content_type, obj.etag, obj.size) == ("image/png", sha256(b"old"), 3)
    assert leftovers(root) == []


async def test_crash_between_data_and_sidecar_never_gives_a_wrong_etag(
    storage: LocalStorage, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await storage.put("card.bin", b"old", "image/png")
    real_replace = os.replace
    calls = []

    def replace_then_crash(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(dst)
        if len(calls) == 2:  # the sidecar's rename: data is already in place
            raise OSError(5, "Input/output error (simulated)")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_crash)
    with pytest.raises(StorageError):
        await storage.put("card.bin", b"NEW", "image/webp")  # same size as the old bytes
    monkeypatch.undo()

    obj, data = await storage.get("card.bin")
    assert data == b"NEW"
    assert obj.etag == sha256(b"NEW")  # the stale sidecar says sha256(b"old"); it is ignored
    assert obj.content_type == "application/octet-stream"  # guessed, not the stale image/png
    stat = await storage.stat("card.bin")
    assert stat == obj
    assert leftovers(root) == []


async def test_concurrent_puts_leave_one_consistent_version(
    storage: LocalStorage, root: Path
) -> None:
    versions = {bytes([n]) * 50_000: f"image/x-v{n}" for n in range(20)}  # all the same size
    for _ in range(5):  # races are timing-dependent: give one several chances to show
        await asyncio.gather(*(storage.put(KEY, data, ct) for data, ct in versions.items()))

        obj, data = await storage.get(KEY)
        assert data in versions
        assert obj.etag == sha256(data)
        assert obj.content_type == versions[data]
        on_disk = (root / KEY).read_bytes()
        assert on_disk == data
        assert sidecar(root, KEY)["etag"] == sha256(on_disk)
        assert sidecar(root, KEY)["content_type"] == versions[on_disk]
        assert leftovers(root) == []


async def test_disk_io_does_not_block_the_event_loop(
    storage: LocalStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        time.sleep(0.3)  # a slow disk
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await storage.put(KEY, b"x", "image/png")
    task.cancel()
    assert ticks >= 20  # two fsyncs, 0.6 s: the loop kept running meanwhile


# --- sidecars ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("hand/photo.png", "image/png"),
        ("hand/page.html", "text/html"),
        ("hand/blob", "application/octet-stream"),
        ("hand/archive.tar.gz", "application/octet-stream"),
    ],
)
async def test_file_copied_in_by_hand_is_described_by_guessing(
    storage: LocalStorage, root: Path, name: str, content_type: str
) -> None:
    (root / name).parent.mkdir(parents=True)
    (root / name).write_bytes(b"copied in")
    expected = (name, 9, content_type, sha256(b"copied in"))

    stat = await storage.stat(name)
    assert stat is not None
    assert (stat.key, stat.size, stat.content_type, stat.etag) == expected
    obj, data = await storage.get(name)
    assert data == b"copied in"
    assert obj == stat


async def test_sidecar_of_a_file_replaced_by_hand_is_ignored(
    storage: LocalStorage, root: Path
) -> None:
    await storage.put("a/card.png", b"AAAA", "image/webp")
    (root / "a/card.png").write_bytes(b"BBBB")  # same size, same inode, as `cp` would do
    # Pin the mtime so the test does not depend on the filesystem's clock granularity.
    os.utime(root / "a/card.png", ns=(0, 1_000_000_000))

    stat = await storage.stat("a/card.png")
    assert stat is not None
    assert (stat.etag, stat.content_type) == (sha256(b"BBBB"), "image/png")


async def test_corrupt_sidecar_is_treated_as_missing(storage: LocalStorage, root: Path) -> None:
    await storage.put("a/card.png", b"data", "image/webp")
    (root / ".meta/a/card.png.json").write_bytes(b"{not json")
    obj, _ = await storage.get("a/card.png")
    assert (obj.etag, obj.content_type) == (sha256(b"data"), "image/png")


async def test_longest_segment_gets_a_sidecar_too(storage: LocalStorage) -> None:
    key = "a/" + "x" * 255  # the sidecar name would be 260 bytes: too long for a file name
    await storage.put(key, b"data", "text/plain")
    obj, _ = await storage.get(key)
    assert obj.content_type == "text/plain"
    assert await storage.delete(key) is True
    assert await storage.stat(key) is None


# --- keys and paths ------------------------------------------------------------------------


async def test_symlinked_folder_out_of_root_is_refused(tmp_path: Path, root: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x").write_bytes(b"secret")
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    storage = LocalStorage(root)

    with pytest.raises(InvalidKeyError, match="outside the storage root"):
        await storage.get("link/x")
    with pytest.raises(InvalidKeyError):
        await storage.put("link/y", b"x", "text/plain")
    with pytest.raises(InvalidKeyError):
        await storage.delete("link/x")
    assert not (outside / "y").exists()
    assert (outside / "x").exists()


async def test_symlinked_file_out_of_root_is_refused(tmp_path: Path, root: Path) -> None:
    (tmp_path / "secret").write_bytes(b"secret")
    root.mkdir()
    (root / "evil.png").symlink_to(tmp_path / "secret")
    with pytest.raises(InvalidKeyError):
        await LocalStorage(root).stat("evil.png")


async def test_symlink_inside_root_is_followed(root: Path) -> None:
    storage = LocalStorage(root)
    await storage.put("real/x", b"data", "text/plain")
    (root / "alias").symlink_to(root / "real", target_is_directory=True)
    _, data = await storage.get("alias/x")
    assert data == b"data"


@pytest.mark.parametrize("key", ["..", "a/../b", ".meta/x.json", "/etc/passwd", "a\x00b"])
async def test_hostile_keys_never_reach_the_disk(
    storage: LocalStorage, root: Path, key: str
) -> None:
    with pytest.raises(InvalidKeyError):
        await storage.put(key, b"x", "text/plain")
    with pytest.raises(InvalidKeyError):
        storage.url(key)
    assert not root.exists()


async def test_object_where_a_folder_is_needed(storage: LocalStorage) -> None:
    await storage.put("a", b"file", "text/plain")
    with pytest.raises(StorageError, match="cannot store 'a/b'"):
        await storage.put("a/b", b"x", "text/plain")
    with pytest.raises(ObjectNotFoundError):
        await storage.get("a/b")
    await storage.delete("a")
    await storage.put("a/b", b"x", "text/plain")
    assert await storage.stat("a") is None  # a folder of objects is not an object
    assert await storage.delete("a") is False
    assert await storage.exists("a/b")


async def test_delete_prunes_only_empty_folders(storage: LocalStorage, root: Path) -> None:
    await storage.put("a/b/1.png", b"1", "image/png")
    await storage.put("a/b/2.png", b"2", "image/png")
    assert await storage.delete("a/b/1.png") is True
    assert (root / "a/b").is_dir()
    assert await storage.delete("a/b/2.png") is True
    assert not (root / "a").exists()
    assert not (root / ".meta/a").exists()
    assert root.is_dir()


async def test_stream_missing_key_raises_on_first_iteration(storage: LocalStorage) -> None:
    stream = storage.stream("nothing/here.png")
    with pytest.raises(ObjectNotFoundError):
        await anext(stream)


async def test_stream_chunks(storage: LocalStorage) -> None:
    await storage.put(KEY, b"0123456789", "image/png")
    assert [chunk async for chunk in storage.stream(KEY, 4)] == [b"0123", b"4567", b"89"]
    with pytest.raises(ValueError, match="chunk_size"):
        await anext(storage.stream(KEY, 0))


@pytest.mark.parametrize("content_type", ["png", "", "image/", "text/plain\r\nX-Evil: 1", "a b/c"])
async def test_put_refuses_implausible_content_type(
    storage: LocalStorage, content_type: str
) -> None:
    with pytest.raises(ValueError, match="content_type"):
        await storage.put(KEY, b"x", content_type)
    assert not await storage.exists(KEY)


async def test_put_accepts_content_type_with_parameters(storage: LocalStorage) -> None:
    obj = await storage.put("a.txt", b"x", "text/plain; charset=utf-8")
    assert obj.content_type == "text/plain; charset=utf-8"


async def test_put_refuses_non_bytes(storage: LocalStorage) -> None:
    with pytest.raises(TypeError, match="bytes"):
        await storage.put(KEY, "text", "text/plain")  # type: ignore[arg-type]


# --- readiness -----------------------------------------------------------------------------


async def test_check_creates_a_missing_root(root: Path) -> None:
    await LocalStorage(root / "deeper").check()
    assert (root / "deeper").is_dir()
    assert leftovers(root) == []


async def test_check_fails_when_root_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    storage = LocalStorage(tmp_path / "file" / "store")
    with pytest.raises(StorageError, match="not writable") as caught:
        await storage.check()
    assert str(tmp_path / "file" / "store") in str(caught.value)


# --- the factory ---------------------------------------------------------------------------


def test_entry_point_names_the_builtin_factory() -> None:
    (entry,) = entry_points(group="ogplatform.storage", name="local")
    factory = entry.load()
    assert factory is local
    assert isinstance(factory, StorageFactory)
    assert (factory.id, factory.version) == ("local", ogplatform.__version__)
    assert factory.description


def test_factory_refuses_unknown_option(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown option 'bucket' for storage backend 'local'"):
        LocalStorageFactory().create({"root": "x", "bucket": "b"}, base_dir=tmp_path)


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"root": 5}, "root"),
        ({"root": ""}, "root"),
        ({"public_url": "cdn.example.com"}, "public_url"),
    ],
)
def test_factory_refuses_bad_values(tmp_path: Path, options: dict[str, Any], option: str) -> None:
    with pytest.raises(ValueError, match=f"option '{option}'"):
        LocalStorageFactory().create(options, base_dir=tmp_path)


async def test_factory_resolves_relative_root_against_base_dir(tmp_path: Path) -> None:
    storage = LocalStorageFactory().create({"root": "data/assets"}, base_dir=tmp_path)
    await storage.put("x.png", b"x", "image/png")
    assert (tmp_path / "data/assets/x.png").read_bytes() == b"x"


def test_factory_default_root_and_absolute_root(tmp_path: Path) -> None:
    factory = LocalStorageFactory()
    assert factory.create({}, base_dir=tmp_path).root == (tmp_path / "var/storage").resolve()
    absolute = (tmp_path / "elsewhere").resolve()
    assert factory.create({"root": str(absolute)}, base_dir=tmp_path / "conf").root == absolute


def test_url_with_and_without_public_url(tmp_path: Path) -> None:
    factory = LocalStorageFactory()
    with_url = factory.create({"public_url": "https://cdn.example.com/media/"}, base_dir=tmp_path)
    assert (
        with_url.url("cartes/été.png") == "https://cdn.example.com/media/cartes/%C3%A9t%C3%A9.png"
    )
    assert with_url.url(KEY) == f"https://cdn.example.com/media/{KEY}"
    assert factory.create({}, base_dir=tmp_path).url(KEY) is None


async def test_stale_temporary_files_are_swept(storage: LocalStorage, root: Path) -> None:
    # A writer killed between creating its temporary file and renaming it leaves `.tmp-*`
    # behind; the sweep removes those not touched for an hour, and nothing else.
    await storage.put(KEY, b"kept", "image/png")
    folder = (root / KEY).parent
    stale = [folder / ".tmp-0123456789abcdef", root / ".meta" / ".tmp-fedcba9876543210"]
    fresh = folder / ".tmp-00000000aaaaaaaa"
    for path in [*stale, fresh]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a write")
    hour_ago = time.time() - 3700
    for path in stale:
        os.utime(path, (hour_ago, hour_ago))
    assert await storage.sweep_temporaries() == 2
    assert not any(p.exists() for p in stale) and fresh.exists()
    assert (await storage.get(KEY))[1] == b"kept"  # the object and its sidecar untouched
    assert (await storage.stat(KEY)).content_type == "image/png"
    assert await storage.sweep_temporaries() == 0
    assert await LocalStorage(root / "not-made-yet").sweep_temporaries() == 0


async def test_the_app_sweeps_its_storage_when_it_starts(tmp_path: Path) -> None:
    from litestar.testing import AsyncTestClient

    from ogplatform.app import create_app
    from ogplatform.settings import Settings

    store = tmp_path / "store"
    leftover = store / "maps" / ".tmp-abcdefabcdefabcd"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(leftover, (old, old))
    settings = msgspec.convert(
        {"database": {"url": ""}, "storage": {"options": {"root": str(store)}},
         "render": {"workers": 0}, "ratelimit": {"enabled": False}},
        Settings,
    )  # fmt: skip
    async with AsyncTestClient(create_app(settings)) as client:
        assert (await client.get("/healthz")).status_code == 200
    assert not leftover.exists()  # swept in the background, finished by shutdown at the latest
