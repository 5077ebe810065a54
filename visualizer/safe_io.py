"""Reading a file the user chose without trusting it: regular files only, size checked first.

Every place that reads a user's file (session open, autosave restore, presets, images) goes
through :func:`read_bytes_file` / :func:`read_text_file`, which

* refuse anything that is not a regular file — a folder, a named pipe (FIFO: reading one
  would wait forever), a device such as ``/dev/zero`` or ``/dev/urandom`` (endless data) or
  a socket — also when it is reached through a symbolic link;
* check the size against the caller's documented cap *before* reading a byte, and read at
  most ``max_bytes + 1`` bytes, so a file that grows while it is read is refused too;
* raise :class:`UnreadableFileError` (a ``ValueError``) with a message meant for the user (it
  names the file), never an ``OSError`` or ``MemoryError``.  The module is Qt-free: messages
  are :class:`~engine.errors.Message` templates, said in the user's language by
  :func:`visualizer.i18n.translate_message`.

The file is opened non-blocking and checked with ``fstat`` on the open descriptor, so a file
swapped for a FIFO between the check and the open cannot hang the app either.

Every file the app writes (sessions, the autosave, exports) goes through
:func:`write_atomically`: a temporary file in the same folder, then ``os.replace``; the
target may only be a new name or an existing regular file (never a folder, a symbolic link, a
device or a FIFO).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from engine.errors import Message, ParameterError
from engine.ops.spec import QT_TR_NOOP  # a marker for lupdate; keeps this module Qt-free

_CHUNK = 1 << 20

# What the file is, for the size message ("… larger than a session file may be").
SESSION_FILE = Message(QT_TR_NOOP("session"))
PRESET_FILE = Message(QT_TR_NOOP("preset"))
IMAGE_FILE = Message(QT_TR_NOOP("image"))


def size_text(n: int) -> str:
    """``n`` bytes for a message: ``512 bytes``, ``3.2 MB``, ``198 MB``."""
    if n < 1024:
        return f"{n} bytes"
    if n < 2**20:
        return f"{n / 1024:.1f} KB"
    mb = n / 2**20
    return f"{mb:.1f} MB" if mb < 10 else f"{mb:.0f} MB"


class UnreadableFileError(ParameterError):
    """A file refused before or while reading or writing: a ``ValueError`` whose ``str()`` is
    ``"<name>: <reason>"`` in English; ``reason`` is a :class:`~engine.errors.Message` (or an
    OS message), so :func:`visualizer.i18n.translate_message` says it in the user's language.
    """

    def __init__(self, path: str | os.PathLike[str], reason: object) -> None:
        self.file = Path(path).name
        self.reason = reason
        super().__init__(QT_TR_NOOP("{file}: {reason}"), file=self.file, reason=reason)


def _os_reason(exc: OSError) -> str:
    return str(exc.strerror or exc)


def _kind(mode: int) -> Message | None:
    """Why a file of this ``st_mode`` is refused; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return Message(QT_TR_NOOP("it is a folder, not a file"))
    if stat.S_ISFIFO(mode):
        return Message(
            QT_TR_NOOP("it is a named pipe (FIFO), not a regular file; only regular files are read")
        )
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Message(
            QT_TR_NOOP("it is a device, not a regular file; only regular files are read")
        )
    return Message(
        QT_TR_NOOP("it is a special file (socket), not a regular file; only regular files are read")
    )


def _too_large(size: object, max_bytes: int, what: object) -> Message:
    template = QT_TR_NOOP("{size} is larger than a {what} file may be ({limit} at most)")
    return Message(template, size=size, what=what, limit=size_text(max_bytes))


def check_regular_file(path: str | os.PathLike[str], max_bytes: int, what: object) -> int:
    """The size of ``path`` if it is a regular file of at most ``max_bytes``; else
    :class:`UnreadableFileError` (a ValueError).

    ``what`` names the kind of file in the message: a :class:`~engine.errors.Message` such as
    :data:`SESSION_FILE` (translated when shown) or a plain word.  Symbolic links are followed:
    what counts is the file they lead to.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableFileError(path, _os_reason(exc)) from None
    return _check(path, info, max_bytes, what)


def _check(path: Path, info: os.stat_result, max_bytes: int, what: object) -> int:
    refusal = _kind(info.st_mode)
    if refusal is not None:
        raise UnreadableFileError(path, refusal)
    if info.st_size > max_bytes:
        raise UnreadableFileError(path, _too_large(size_text(info.st_size), max_bytes, what))
    return int(info.st_size)


def read_bytes_file(path: str | os.PathLike[str], max_bytes: int, what: object) -> bytes:
    """The content of the regular file ``path`` (at most ``max_bytes``), or
    :class:`UnreadableFileError` (a ValueError)."""
    path = Path(path)
    check_regular_file(path, max_bytes, what)  # before opening: opening a device can act
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableFileError(path, _os_reason(exc)) from None
    try:
        _check(path, os.fstat(fd), max_bytes, what)  # the file actually opened
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew after the check
                more = Message(QT_TR_NOOP("more than {limit}"), limit=size_text(max_bytes))
                raise UnreadableFileError(path, _too_large(more, max_bytes, what))
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFileError(path, _os_reason(exc)) from None
    except MemoryError:
        raise UnreadableFileError(
            path, Message(QT_TR_NOOP("not enough memory to read it"))
        ) from None
    finally:
        os.close(fd)


def read_text_file(path: str | os.PathLike[str], max_bytes: int, what: object) -> str:
    """The UTF-8 text of the regular file ``path`` (at most ``max_bytes``), or
    :class:`UnreadableFileError` (a ValueError).  A UTF-8 byte-order mark at the start is skipped.
    """
    raw = read_bytes_file(path, max_bytes, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(path, Message(QT_TR_NOOP("not a text (UTF-8) file"))) from None


# ---- writing -------------------------------------------------------------------------------------


def check_write_target(path: str | os.PathLike[str]) -> Path:
    """Refuse a place the app should not write a file to; returns it as a Path.

    Refused, with :class:`UnreadableFileError`-style messages (a ``ValueError``):

    * a folder (``x.csv`` that is a directory);
    * a symbolic link — deliberately neither replaced (that would silently turn the link into
      a copy) nor followed (that would write where the file dialog did not show): choose the
      file it points to;
    * anything that is not a regular file: a device such as ``/dev/full``, a FIFO, a socket;
    * a path whose folder does not exist (an ``OSError``, ENOENT, like ``open`` would raise).

    A missing file or an existing regular file is fine: it will be replaced atomically.
    """
    path = Path(path)
    if not str(path) or path.name in ("", ".", ".."):
        raise ParameterError(QT_TR_NOOP("no file name given"))
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UnreadableFileError(path, _os_reason(exc)) from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            reason = Message(
                QT_TR_NOOP(
                    "it is a symbolic link; links are neither replaced nor followed, "
                    "choose the file it points to"
                )
            )
            raise UnreadableFileError(path, reason)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFileError(
                path, Message(QT_TR_NOOP("it is a folder; choose a file name"))
            )
        if not stat.S_ISREG(info.st_mode):
            reason = Message(
                QT_TR_NOOP("it is not a regular file (a device, FIFO or socket); it is left alone")
            )
            raise UnreadableFileError(path, reason)
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder", str(parent))
    return path


def write_atomically(path: str | os.PathLike[str], write: Callable[[str], object]) -> None:
    """Call ``write(temporary_path)`` and move the result to ``path`` only when it succeeded,
    so a crash, a full disk, an error or a cancel never leaves a half-written file at ``path``
    (an existing file keeps its old content).

    The temporary file is made in the same folder (a rename across file systems would not be
    atomic) and replaces ``path`` with ``os.replace``.  ``path`` is checked first with
    :func:`check_write_target` (no folders, links, devices, FIFOs).

    Raises
    ------
    ValueError
        The target is refused.
    OSError
        The file cannot be written.
    """
    path = check_write_target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        if os.path.getsize(tmp) == 0:
            raise OSError(errno.EIO, "nothing was written", str(path))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; a saved file should not be
        check_write_target(path)  # still no link, folder or device there
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`write_atomically`)."""
    write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
