"""Watch a grading's processes: kill them all when they hold too much memory or fill the disk.

rlimits cover most abuse (processes, descriptors, file size, CPU), but not the memory of an
AddressSanitizer build (it needs terabytes of address space, so RLIMIT_AS cannot be set) and not
the total size of many files. This thread checks both a few times a second; it supervises, it
does not synchronize anything.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from . import jail


def resident_bytes(uid: int) -> int:
    """Resident memory of every process whose real uid is `uid`."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) != uid:
            continue
        rss = fields.get("VmRSS", "0 kB").split()[0]
        total += int(rss) * 1024
    return total


def folder_bytes(folder: Path) -> int:
    total = 0
    stack = [str(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                else:
                    total += e.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


class Watchdog(threading.Thread):
    def __init__(self, uid: int | None, folder: Path, max_rss: int = jail.MAX_RSS,
                 max_bytes: int = jail.MAX_WORK_BYTES, interval: float = 0.25):
        super().__init__(daemon=True)
        self.uid, self.folder = uid, folder
        self.max_rss, self.max_bytes, self.interval = max_rss, max_bytes, interval
        self.events: list[str] = []
        self._halt = threading.Event()

    def run(self) -> None:
        if self.uid is None:
            return
        tick = 0
        while not self._halt.wait(self.interval):
            rss = resident_bytes(self.uid)
            if rss > self.max_rss:
                jail.kill_all(self.uid)
                self.events.append(f"your programs held {rss >> 20} MiB of memory (the limit is "
                                   f"{self.max_rss >> 20} MiB) and were stopped")
            tick += 1
            if tick % 8 == 0:
                size = folder_bytes(self.folder)
                if size > self.max_bytes:
                    jail.kill_all(self.uid)
                    self.events.append(f"your programs wrote {size >> 20} MiB of files (the limit "
                                       f"is {self.max_bytes >> 20} MiB) and were stopped")
                    self._clear()

    def _clear(self) -> None:
        """Remove what the programs wrote, so that grading can go on."""
        for root, dirs, files in os.walk(self.folder, topdown=False):
            for name in files:
                try:
                    os.unlink(os.path.join(root, name))
                except OSError:
                    pass

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
