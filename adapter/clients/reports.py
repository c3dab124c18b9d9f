"""``ReportClient``: takes SMT's report files in without ever losing one.

For every remote file in the configured folders (listed twice, ``settle_seconds`` apart:
a file whose size or mtime changed is still being written and is left for the next run)::

    list -> download (.part, resumed) -> verify size, record SHA-256 -> decrypt (PGP)
      -> unzip -> parse (bad rows to dead letters) -> place (atomic rename into the
      destination) -> record -> remove the remote file (only when asked)

Each step's files are written before the ledger (``adapter.reports.ledger``) moves on, and
every step can be repeated, so a crash anywhere is completed by the next run; a file
already taken in (same remote path, size and mtime, or path, size and SHA-256) is never
pulled or placed twice. ``hook(step, entry)`` runs after each step's work, before and
after its ledger commit (``step`` and ``step + ":committed"``): tests crash there.

A download that does not decrypt or unzip is fetched once more from scratch (it may have
been resumed onto a different file); after that it stays failed, its ciphertext kept.
Work files of rows that are finished or abandoned are deleted at the start of each pull.
"""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

from adapter.clients.pull_summary import PullSummary, Tally
from adapter.clients.transfer_progress import TransferProgress
from adapter.errors import (
    ArchiveError,
    ConfigurationError,
    DecryptionError,
    IntegrityError,
    ParsingError,
    ReportError,
)
from adapter.reports.archive import extract_members
from adapter.reports.dead_letters import DeadLetters
from adapter.reports.dispatch import iter_report_records
from adapter.reports.ledger import Ledger, LedgerEntry
from adapter.reports.pgp import decrypt_file, import_private_key
from adapter.reports.settings import ReportSettings
from adapter.reports.staging import (
    ARMOUR,
    DEAD_LETTERS_SUFFIX,
    check_inside,
    check_same_file_system,
    link_durably,
    member_files,
    parse_name,
    placed_path,
    report_file_name,
    sha256_file,
    sweep_work_folder,
    sync_folder,
    work_file_name,
)
from adapter.transport.remote_files import FileTransport, Progress, RemoteFile

__all__ = ["PullSummary", "ReportClient"]

Hook = Callable[[str, LedgerEntry], None]
RETRIES = 1  # fresh downloads of a file whose download did not decrypt or unzip


class ReportClient:
    """Pulls reports through ``transport`` (SFTP or FTPS, already connected) into
    ``settings.destination``. ``progress`` shows a rich progress bar on stderr (the CLI
    turns it on for a terminal only); ``pause`` waits between the two listings.

    ``pull`` raises ``TransportError`` when the server fails (what was done so far is in
    the ledger) and ``ConfigurationError`` for unusable settings (e.g. a work folder on
    another file system than the destination); a file that cannot be decrypted, unzipped,
    verified or parsed does not stop the others: see ``PullSummary.failed``."""

    def __init__(
        self,
        settings: ReportSettings,
        transport: FileTransport,
        *,
        hook: Hook | None = None,
        pause: Callable[[float], None] = time.sleep,
        progress: bool = False,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self._hook = hook
        self._pause = pause
        self._progress = progress
        self.ledger = Ledger(settings.ledger_path)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.ledger.close()

    def pull(self) -> PullSummary:
        """Take in every finished remote file once; complete what earlier runs left."""
        settings = self.settings
        if settings.private_key_file is not None and settings.gnupghome is not None:
            import_private_key(
                settings.gnupghome, settings.private_key_file, passphrase=settings.passphrase
            )
        settings.work_path.mkdir(parents=True, exist_ok=True)
        settings.destination.mkdir(parents=True, exist_ok=True)
        check_same_file_system(settings.work_path, settings.destination)
        refused: dict[str, str] = {}
        listed, stable, growing = self._list_settled(refused)
        sweep_work_folder(settings.work_path, lambda row: self._keeps_files(row, listed))
        skipped: list[str] = []
        for remote in stable.values():
            seen = self.ledger.find_seen(remote.path, remote.size, remote.mtime)
            if seen is None:
                self.ledger.add(remote.path, remote.size, remote.mtime)
            elif seen.done:
                skipped.append(remote.path)
        result = Tally(skipped=skipped, growing=sorted(growing), refused=sorted(refused.items()))
        with TransferProgress(self._progress) as bar:
            for entry in self.ledger.unfinished(with_recorded=settings.delete_remote):
                if entry.state == "listed" and not self._still_there(entry, stable):
                    continue  # not (or no longer) on the server as listed
                if entry.state == "recorded" and not self._still_there(entry, listed):
                    self.ledger.update(entry, state="removed")  # gone, or another file now
                    continue
                retry: LedgerEntry | None = entry
                while retry is not None:
                    try:
                        fetch = retry.state == "listed"
                        self._complete(
                            retry, bar.track(_name(retry), retry.size) if fetch else None, result
                        )
                        retry = None
                    except ReportError as exc:
                        retry = self._discard_plaintext(self.ledger.get(entry.id), exc)
                        if retry is None or not self._still_there(retry, stable):
                            result.failed.append((entry.remote_path, str(exc)))
                            retry = None
        return result.summary()

    def _keeps_files(self, row: int, listed: dict[str, RemoteFile]) -> bool:
        """Whether row ``row``'s work files may still be needed: not when it is finished,
        gone from the ledger, or listed but no longer on the server as it was."""
        try:
            entry = self.ledger.get(row)
        except KeyError:
            return False
        if entry.state == "listed":
            return self._still_there(entry, listed)
        return not entry.done

    def _still_there(self, entry: LedgerEntry, listed: dict[str, RemoteFile]) -> bool:
        remote = listed.get(entry.remote_path)
        return remote is not None and (remote.size, remote.mtime) == (entry.size, entry.mtime)

    def _discard_plaintext(self, entry: LedgerEntry, exc: ReportError) -> LedgerEntry | None:
        """After a refusal past the download: delete what was decrypted or extracted and
        go back to the verified ciphertext, so nothing unvetted stays on disk. A download
        that did not decrypt or unzip is deleted too, and the row listed again, ``RETRIES``
        times: it may have been resumed onto another file. Return the row to download
        again, or None."""
        if entry.state in ("decrypted", "extracted", "parsed"):
            if entry.decrypted_path and entry.decrypted_path != entry.part_path:
                Path(entry.decrypted_path).unlink(missing_ok=True)
            entry = self.ledger.update(entry, state="downloaded", decrypted_path=None)
        for suffix in (".decrypted", ".d"):
            shutil.rmtree(self._work(entry, suffix), ignore_errors=True)
            self._work(entry, suffix).unlink(missing_ok=True)
        if isinstance(exc, DecryptionError | ArchiveError) and entry.attempts < RETRIES:
            Path(entry.part_path or self._work(entry, ".part")).unlink(missing_ok=True)
            return self.ledger.update(
                entry, state="listed", part_path=None, sha256=None, attempts=entry.attempts + 1
            )
        self.ledger.update(entry, error=exc.reason)
        return None

    def _list_settled(
        self, refused: dict[str, str]
    ) -> tuple[dict[str, RemoteFile], dict[str, RemoteFile], set[str]]:
        first = self._list(refused)
        if self.settings.settle_seconds > 0:
            self._pause(self.settings.settle_seconds)
            second = self._list(refused)
        else:
            second = first
        stable = {p: f for p, f in second.items() if first.get(p) == f}
        growing = {p for p in second if p not in stable}
        return second, stable, growing

    def _list(self, refused: dict[str, str]) -> dict[str, RemoteFile]:
        files: dict[str, RemoteFile] = {}
        for folder in self.settings.folders:
            for remote in self.transport.list_files(folder, refused=refused.__setitem__):
                if not remote.name.startswith(".") and not remote.name.endswith(".part"):
                    files[remote.path] = remote
        return files

    def _complete(self, entry: LedgerEntry, progress: Progress | None, tally: Tally) -> None:
        steps: dict[str, Callable[[LedgerEntry], LedgerEntry]] = {
            "listed": lambda e: self._download(e, progress),
            "downloaded": self._decrypt,
            "decrypted": self._extract,
            "extracted": self._parse,
            "parsed": self._place,
            "placed": self._record,
            "recorded": self._remove,
        }
        while entry.state in steps and not (
            entry.state == "recorded" and not self.settings.delete_remote
        ):
            before = entry.state
            entry = steps[entry.state](entry)
            if entry.state == "duplicate":
                tally.duplicates.append(entry.remote_path)
                return
            if before == "parsed":
                tally.placed.extend(self._outputs(entry))
                tally.records += entry.records or 0
                tally.dead_letters += int(bool(entry.dead_letters_path))

    def _commit(self, step: str, entry: LedgerEntry, **fields: object) -> LedgerEntry:
        if self._hook is not None:
            self._hook(step, entry)
        entry = self.ledger.update(entry, state=step, error=None, **fields)
        if self._hook is not None:
            self._hook(f"{step}:committed", entry)
        return entry

    def _work(self, entry: LedgerEntry, suffix: str) -> Path:
        name = work_file_name(entry.id, entry.size, entry.mtime, _name(entry), suffix)
        return self.settings.work_path / name

    def _download(self, entry: LedgerEntry, progress: Progress | None) -> LedgerEntry:
        part = self._work(entry, ".part")
        size = self.transport.download(entry.remote_path, part, progress=progress)
        if size != entry.size:
            part.unlink(missing_ok=True)  # the file changed since it was listed
            raise IntegrityError(
                f"{entry.remote_path}: downloaded {size} bytes, listed {entry.size}",
                path=str(part),
                reason="size differs from the listing",
                remote_name=entry.remote_path,
            )
        digest = sha256_file(part)
        entry = self._commit("downloaded", entry, sha256=digest, part_path=str(part))
        return self._drop_duplicate(entry) or entry

    def _drop_duplicate(self, entry: LedgerEntry) -> LedgerEntry | None:
        """The row marked ``duplicate`` (its download deleted, the remote file removed when
        asked) when a finished row has its path, size and SHA-256; else None."""
        duplicate = self.ledger.find_duplicate(entry) if entry.sha256 else None
        if duplicate is None:
            return None
        Path(entry.part_path or self._work(entry, ".part")).unlink(missing_ok=True)
        if self.settings.delete_remote:
            self.transport.remove(entry.remote_path)
        return self.ledger.update(entry, state="duplicate", placed_path=duplicate.placed_path)

    def _decrypt(self, entry: LedgerEntry) -> LedgerEntry:
        if (duplicate := self._drop_duplicate(entry)) is not None:
            return duplicate  # a crash came between the remote removal and the update
        part = Path(entry.part_path or "")
        if not part.is_file() or sha256_file(part) != entry.sha256:
            part.unlink(missing_ok=True)  # lost or damaged after the download: fetch again
            return self.ledger.update(entry, state="listed", part_path=None, sha256=None)
        if not _name(entry).lower().endswith(ARMOUR):
            return self._commit("decrypted", entry, decrypted_path=str(part))
        if self.settings.gnupghome is None:
            raise ConfigurationError(
                f"{entry.remote_path} is PGP-encrypted: set reports.gnupghome",
                field="reports.gnupghome",
                value="",
            )
        target = self._work(entry, ".decrypted")
        decrypt_file(
            part,
            target,
            gnupghome=self.settings.gnupghome,
            passphrase=self.settings.passphrase,
            remote_name=entry.remote_path,
        )
        return self._commit("decrypted", entry, decrypted_path=str(target))

    def _extract(self, entry: LedgerEntry) -> LedgerEntry:
        source = Path(entry.decrypted_path or "")
        folder = self._work(entry, ".d")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if zipfile.is_zipfile(source):
            extract_members(
                source,
                folder,
                max_bytes=self.settings.max_bytes,
                max_ratio=self.settings.max_ratio,
                max_members=self.settings.max_members,
                remote_name=entry.remote_path,
            )
        else:
            link_durably(source, folder / _report_name(entry))
        return self._commit("extracted", entry, extracted_path=str(folder))

    def _parse(self, entry: LedgerEntry) -> LedgerEntry:
        folder = Path(entry.extracted_path or "")
        for stale in folder.glob(f"*{DEAD_LETTERS_SUFFIX}"):
            stale.unlink()
        members = member_files(folder)
        records, letters = 0, DeadLetters()
        for member in members:
            name = parse_name(member.name) or parse_name(_report_name(entry))
            if name is None:
                continue  # not an SMT report name: placed as it is, unparsed
            with member.open("rb") as stream:
                try:
                    records += sum(1 for _ in iter_report_records(name, stream, letters))
                except Exception as exc:  # one unreadable file must not stop the others
                    raise ParsingError(
                        f"{entry.remote_path}: {member.name} cannot be parsed: {exc!r}",
                        path=str(member),
                        reason=f"cannot be parsed ({type(exc).__name__})",
                        remote_name=entry.remote_path,
                    ) from exc
        dead = None
        if letters:
            dead = folder / f"{_report_name(entry)}{DEAD_LETTERS_SUFFIX}"
            letters.write(dead)
        base = self._destination(entry)
        return self._commit(
            "parsed",
            entry,
            records=records,
            dead_letters_path=str(dead) if dead else None,
            placed_path=str(base),
        )

    def _destination(self, entry: LedgerEntry) -> Path:
        folder = self.settings.destination / entry.remote_path.rsplit("/", 1)[0]
        base = folder / _report_name(entry)
        taken = self.ledger.placed_paths()
        if base.exists() or str(base) in taken:  # same name, other content: a distinct name
            base = folder / f"{base.name}.{(entry.sha256 or '')[:12]}"
        return base

    def _outputs(self, entry: LedgerEntry) -> list[Path]:
        base = Path(entry.placed_path or "")
        folder = Path(entry.extracted_path or "")
        members = sorted(m.name for m in member_files(folder))
        outputs = [placed_path(base, name, len(members)) for name in members]
        return outputs or [base]

    def _place(self, entry: LedgerEntry) -> LedgerEntry:
        base = Path(entry.placed_path or "")
        members = member_files(Path(entry.extracted_path or ""))
        moves = [(m, placed_path(base, m.name, len(members))) for m in members]
        if entry.dead_letters_path:
            moves.append(
                (Path(entry.dead_letters_path), base.with_name(base.name + DEAD_LETTERS_SUFFIX))
            )
        targets = [base, *(target for _, target in moves)]
        check_inside(self.settings.destination, targets, remote_name=entry.remote_path)
        base.parent.mkdir(parents=True, exist_ok=True)
        for source, target in moves:
            if source.exists():  # else placed before a crash: the rename is done
                os.replace(source, target)
        sync_folder(base.parent)
        return self._commit("placed", entry)

    def _record(self, entry: LedgerEntry) -> LedgerEntry:
        entry = self._commit("recorded", entry)
        for path in (entry.part_path, entry.decrypted_path):
            if path:
                Path(path).unlink(missing_ok=True)
        if entry.extracted_path:
            shutil.rmtree(entry.extracted_path, ignore_errors=True)
        return entry

    def _remove(self, entry: LedgerEntry) -> LedgerEntry:
        self.transport.remove(entry.remote_path)
        return self._commit("removed", entry)


def _name(entry: LedgerEntry) -> str:
    return entry.remote_path.rsplit("/", 1)[-1]


def _report_name(entry: LedgerEntry) -> str:
    return report_file_name(_name(entry))
