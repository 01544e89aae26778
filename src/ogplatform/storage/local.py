"""The built-in storage backend: objects as plain files in one folder on the local disk."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import mimetypes
import os
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Mapping
from io import BufferedReader
from pathlib import Path
from typing import Any
from urllib.parse import quote

import msgspec

import ogplatform
from ogplatform.plugins.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    StorageError,
    StoredObject,
)
from ogplatform.storage._keys import MAX_SEGMENT_BYTES, validate_key

__all__ = ["LocalStorage", "LocalStorageFactory"]

META_DIR = ".meta"
# Every name the backend makes for itself starts with '.', which validate_key refuses in keys,
# so no key can ever address a temporary file, a sidecar or the metadata folder.
TMP_PREFIX = ".tmp-"
STALE_TEMP_SECONDS = 3600.0  # a temporary file this old belongs to a writer that is gone
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_HASH_CHUNK = 1024 * 1024
_LOCK_STRIPES = 64
_TEMP_ATTEMPTS = 3
_NAME_CHARS = r"[A-Za-z0-9!#$&^_.+-]+"
_CONTENT_TYPE = re.compile(
    rf'{_NAME_CHARS}/{_NAME_CHARS}(\s*;\s*{_NAME_CHARS}=({_NAME_CHARS}|"[^"\\\x00-\x1f\x7f]*"))*'
)


class _Sidecar(msgspec.Struct, frozen=True, kw_only=True):
    """What ``.meta/<key>.json`` records about the data file ``<key>``."""

    content_type: str
    etag: str
    # Identity of the data file described: a sidecar left stale by a crash, a concurrent writer
    # or a file copied in by hand never matches the file now there, so it is ignored.
    size: int
    inode: int
    mtime_ns: int

    def describes(self, st: os.stat_result) -> bool:
        return (self.size, self.inode, self.mtime_ns) == (st.st_size, st.st_ino, st.st_mtime_ns)


_encode_sidecar = msgspec.json.Encoder().encode
_decode_sidecar = msgspec.json.Decoder(_Sidecar).decode


class LocalStorage:
    """Objects as files under ``root``, with their metadata in JSON sidecars under ``root/.meta``.

    Writes go to a temporary file that is fsynced and renamed over the final name, so a reader
    (or a crash) sees the old bytes or the new ones, never a mix. Disk I/O runs in worker threads.
    """

    __slots__ = ("_locks", "_meta_root", "_public_url", "_root")

    def __init__(self, root: Path, *, public_url: str | None = None) -> None:
        self._root = Path(root).resolve()
        self._meta_root = self._root / META_DIR
        self._public_url = public_url.rstrip("/") if public_url is not None else None
        # Writers of one key take turns within this process, so the sidecar left at the end
        # always describes the data file that won. Striped to keep memory bounded.
        self._locks = tuple(threading.Lock() for _ in range(_LOCK_STRIPES))

    @property
    def root(self) -> Path:
        """The folder holding the objects."""
        return self._root

    def __repr__(self) -> str:
        return f"LocalStorage({str(self._root)!r}, public_url={self._public_url!r})"

    async def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Store ``data`` under ``key`` atomically, replacing any previous object."""
        key = validate_key(key)
        if not isinstance(data, bytes):
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        if not isinstance(content_type, str) or not _CONTENT_TYPE.fullmatch(content_type):
            raise ValueError(f"content_type must look like 'type/subtype', not {content_type!r}")
        return await asyncio.to_thread(self._put, key, data, content_type)

    async def get(self, key: str) -> tuple[StoredObject, bytes]:
        """Return the object and its bytes; raise ObjectNotFoundError if absent."""
        key = validate_key(key)
        return await asyncio.to_thread(self._get, key)

    async def stream(self, key: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """Yield the bytes in chunks of ``chunk_size``; raise ObjectNotFoundError if absent."""
        key = validate_key(key)
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be positive, not {chunk_size}")
        fh = await asyncio.to_thread(self._open, key)
        try:
            while chunk := await asyncio.to_thread(fh.read, chunk_size):
                yield chunk
        finally:
            # Closing a read-only descriptor does not wait on the disk, and awaiting here would
            # fail when the generator is finalised after its event loop has gone.
            fh.close()

    async def stream_range(
        self, key: str, offset: int, length: int, chunk_size: int = 64 * 1024
    ) -> AsyncIterator[bytes]:
        """Yield at most ``length`` bytes from byte ``offset`` on (HTTP ranges); seeks, so the
        bytes before ``offset`` are not read. Raise ObjectNotFoundError if absent."""
        key = validate_key(key)
        if offset < 0 or length < 0:
            raise ValueError(f"offset and length must not be negative, not {offset}, {length}")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be positive, not {chunk_size}")
        fh = await asyncio.to_thread(self._open, key)
        try:
            fh.seek(offset)
            left = length
            while left > 0 and (chunk := await asyncio.to_thread(fh.read, min(chunk_size, left))):
                left -= len(chunk)
                yield chunk
        finally:
            fh.close()  # as in stream(): no awaiting in a generator's finaliser

    async def stat(self, key: str) -> StoredObject | None:
        """Describe the object, or return None if absent."""
        key = validate_key(key)
        return await asyncio.to_thread(self._stat, key)

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        key = validate_key(key)
        return await asyncio.to_thread(self._exists, key)

    async def delete(self, key: str) -> bool:
        """Remove the object and its now-empty folders; return False if there was none."""
        key = validate_key(key)
        return await asyncio.to_thread(self._delete, key)

    def url(self, key: str) -> str | None:
        """``public_url`` joined with the quoted key, or None when no public URL is configured."""
        key = validate_key(key)
        if self._public_url is None:
            return None
        return f"{self._public_url}/{quote(key, safe='/')}"

    async def check(self) -> None:
        """Create the root if needed and prove it writable; raise StorageError if not."""
        await asyncio.to_thread(self._check)

    async def close(self) -> None:
        """Nothing to release: files are opened per call."""

    async def sweep_temporaries(self, older_than: float = STALE_TEMP_SECONDS) -> int:
        """Remove the temporary files a killed writer left behind (``.tmp-*`` not touched for
        ``older_than`` seconds: a write takes milliseconds, so none is still being written);
        return how many went. Safe beside other processes sweeping or writing."""
        return await asyncio.to_thread(self._sweep_temporaries, older_than)

    # Blocking halves of the methods above; they run in worker threads.

    def _paths(self, key: str) -> tuple[Path, Path]:
        """The data and sidecar paths of a valid key, refusing any that symlinks lead out."""
        *folders, name = key.split("/")
        data = self._root.joinpath(key)
        meta = self._meta_root.joinpath(*folders, _sidecar_name(name))
        for path, base in ((data, self._root), (meta, self._meta_root)):
            if not path.resolve().is_relative_to(base):
                raise InvalidKeyError(f"storage key leads outside the storage root: {key!r}")
        return data, meta

    def _exists(self, key: str) -> bool:
        data_path, _ = self._paths(key)
        return data_path.is_file()

    def _put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        data_path, meta_path = self._paths(key)
        etag = hashlib.sha256(data).hexdigest()
        with self._locks[hash(key) % _LOCK_STRIPES]:
            try:
                st = _write_atomic(data_path, data)
                # Data first, sidecar second. A crash in between leaves complete new data next
                # to no sidecar or the old one, whose file identity no longer matches; readers
                # then guess the type and compute the etag, so an etag is never wrong. The
                # other order would leave a moment where the sidecar describes bytes not yet there.
                sidecar = _Sidecar(
                    content_type=content_type,
                    etag=etag,
                    size=st.st_size,
                    inode=st.st_ino,
                    mtime_ns=st.st_mtime_ns,
                )
                _write_atomic(meta_path, _encode_sidecar(sidecar))
            except OSError as exc:
                raise StorageError(f"cannot store {key!r} in {self._root}: {exc}") from exc
        return StoredObject(key=key, size=len(data), content_type=content_type, etag=etag)

    def _open(self, key: str, data_path: Path | None = None) -> BufferedReader:
        if data_path is None:
            data_path, _ = self._paths(key)
        try:
            return open(data_path, "rb")  # the caller closes it
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise ObjectNotFoundError(f"no object stored under {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key!r} from {self._root}: {exc}") from exc

    def _get(self, key: str) -> tuple[StoredObject, bytes]:
        data_path, meta_path = self._paths(key)
        with self._open(key, data_path) as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
        sidecar = _read_sidecar(meta_path, st)
        if sidecar is None:
            return _guessed(key, len(data), hashlib.sha256(data).hexdigest()), data
        obj = StoredObject(
            key=key, size=len(data), content_type=sidecar.content_type, etag=sidecar.etag
        )
        return obj, data

    def _stat(self, key: str) -> StoredObject | None:
        data_path, meta_path = self._paths(key)
        try:
            fh = self._open(key, data_path)
        except ObjectNotFoundError:
            return None
        with fh:
            st = os.fstat(fh.fileno())
            sidecar = _read_sidecar(meta_path, st)
            if sidecar is None:
                digest = hashlib.sha256()
                while chunk := fh.read(_HASH_CHUNK):
                    digest.update(chunk)
                return _guessed(key, st.st_size, digest.hexdigest())
        return StoredObject(
            key=key, size=st.st_size, content_type=sidecar.content_type, etag=sidecar.etag
        )

    def _delete(self, key: str) -> bool:
        data_path, meta_path = self._paths(key)
        with self._locks[hash(key) % _LOCK_STRIPES]:
            try:
                data_path.unlink()
                existed = True
            except (FileNotFoundError, NotADirectoryError):
                existed = False
            except OSError as exc:
                if not data_path.is_dir():  # a folder of other objects is not an object
                    raise StorageError(f"cannot delete {key!r} from {self._root}: {exc}") from exc
                existed = False
            with contextlib.suppress(OSError):
                meta_path.unlink()  # a leftover sidecar is harmless: it matches no file
        _prune(data_path.parent, self._root)
        _prune(meta_path.parent, self._meta_root)
        return existed

    def _sweep_temporaries(self, older_than: float) -> int:
        cutoff = time.time() - older_than
        removed = 0
        if not self._root.is_dir():
            return 0
        for folder, _dirs, files in os.walk(self._root):
            for name in files:
                if not name.startswith(TMP_PREFIX):
                    continue
                path = Path(folder) / name
                try:
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue  # renamed into place, or swept by another process
        return removed

    def _check(self) -> None:
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            fd, probe = _create_temp(self._root)
            try:
                os.write(fd, b"probe")
            finally:
                os.close(fd)
                probe.unlink()
        except OSError as exc:
            raise StorageError(f"storage root {self._root} is not writable: {exc}") from exc


class LocalStorageFactory:
    """Builds a LocalStorage from ``[storage.options]``: ``root`` and ``public_url``."""

    id: str = "local"
    version: str = ogplatform.__version__
    description: str = "Files in a folder on the local disk (option 'root', default var/storage)."

    _OPTIONS = ("public_url", "root")

    def create(self, options: Mapping[str, Any], *, base_dir: Path) -> LocalStorage:
        """Build the backend; a relative ``root`` resolves against ``base_dir``.

        Raises:
            ValueError: for an unknown option or a value of the wrong kind.
        """
        for name in options:
            if name not in self._OPTIONS:
                raise ValueError(
                    f"unknown option {name!r} for storage backend 'local'"
                    f"; known options: {', '.join(self._OPTIONS)}"
                )
        root = options.get("root", "var/storage")
        if not isinstance(root, str | os.PathLike) or not os.fspath(root):
            raise ValueError(
                f"option 'root' for storage backend 'local' must be a folder path, not {root!r}"
            )
        public_url = options.get("public_url")
        if public_url is not None and not (
            isinstance(public_url, str) and public_url.startswith(("http://", "https://", "/"))
        ):
            raise ValueError(
                "option 'public_url' for storage backend 'local' must be an http(s) URL or "
                f"a path starting with '/', not {public_url!r}"
            )
        return LocalStorage(Path(base_dir) / Path(root).expanduser(), public_url=public_url)


def _sidecar_name(name: str) -> str:
    """The sidecar file name for an object named ``name``; always a legal file name."""
    candidate = f"{name}.json"
    if len(candidate.encode()) <= MAX_SEGMENT_BYTES:
        return candidate
    # Too long for one file name. The leading '.' keeps it apart from every ordinary sidecar
    # name, since no key segment starts with '.'.
    return f".long-{hashlib.sha256(name.encode()).hexdigest()}.json"


def _read_sidecar(meta_path: Path, st: os.stat_result) -> _Sidecar | None:
    """The sidecar at ``meta_path`` if it describes the file ``st`` came from, else None."""
    try:
        sidecar = _decode_sidecar(meta_path.read_bytes())
    except (OSError, msgspec.DecodeError):
        return None  # missing or unreadable: fall back to guessing, never to failing
    return sidecar if sidecar.describes(st) else None


def _guessed(key: str, size: int, etag: str) -> StoredObject:
    """Describe a file that has no valid sidecar, guessing its type from the key's extension."""
    content_type, encoding = mimetypes.guess_type(key, strict=False)
    if content_type is None or encoding is not None:  # 'x.tar.gz' is not served as a tar
        content_type = DEFAULT_CONTENT_TYPE
    return StoredObject(key=key, size=size, content_type=content_type, etag=etag)


def _create_temp(folder: Path) -> tuple[int, Path]:
    """Create the folder and a new empty temporary file in it; return its descriptor and path."""
    for attempt in range(_TEMP_ATTEMPTS):
        temp = folder / f"{TMP_PREFIX}{secrets.token_hex(8)}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # 0o666 and not mkstemp's 0o600: the umask decides, as for any file the service
            # writes, so a web server may be allowed to read the folder directly.
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except (FileNotFoundError, FileExistsError):
            # A concurrent delete pruned the folder we just made (or the name is taken): retry.
            if attempt == _TEMP_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _write_atomic(path: Path, data: bytes) -> os.stat_result:
    """Replace ``path`` with ``data`` all at once; return the stat of the new file."""
    fd, temp = _create_temp(path.parent)
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            st = os.fstat(fh.fileno())
        os.replace(temp, path)  # rename(2) keeps inode and mtime, so `st` still describes it
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return st


def _prune(folder: Path, stop: Path) -> None:
    """Remove ``folder`` and its parents while they are empty, stopping at ``stop``."""
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or already gone): best effort only
        folder = folder.parent
