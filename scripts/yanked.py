#!/usr/bin/env python3
"""Fails when Cargo.lock pins a crate version that crates.io has yanked.

Reads every registry package of Cargo.lock and asks the crates.io sparse index
(https://index.crates.io, the same place cargo resolves from) whether that exact
version is yanked. A yank is how a crate's author withdraws a broken or vulnerable
release; cargo keeps building a lock file that pins one without a word.

This is the part of `cargo deny check advisories` that needs no RustSec database,
so it runs even where github.com is out of reach (scripts/audit.sh).

Exit status: 0 clean, 1 a yanked version is pinned, 2 the index could not be read.
"""

import concurrent.futures
import json
import pathlib
import sys
import time
import tomllib
import urllib.error
import urllib.request

INDEX = "https://index.crates.io"
CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def index_path(name: str) -> str:
    name = name.lower()
    if len(name) <= 2:
        return f"{len(name)}/{name}"
    if len(name) == 3:
        return f"3/{name[0]}/{name}"
    return f"{name[:2]}/{name[2:4]}/{name}"


def fetch(url: str) -> list[str]:
    """The index file at `url`; a network failure (a name lookup that failed for a
    moment, a reset connection) is tried again twice, after 2 and 6 seconds, before
    it counts: one lost packet must not fail the whole test command."""
    request = urllib.request.Request(url, headers={"User-Agent": "autoapply-audit"})
    for wait in (2, 6, None):
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.read().decode().splitlines()
        except urllib.error.HTTPError:
            raise
        except OSError:
            if wait is None:
                raise
            time.sleep(wait)
    return []


def yanked_versions(name: str) -> set[str]:
    lines = fetch(f"{INDEX}/{index_path(name)}")
    return {
        entry["vers"]
        for entry in map(json.loads, filter(None, lines))
        if entry.get("yanked")
    }


def main() -> int:
    lock = tomllib.loads(pathlib.Path("Cargo.lock").read_text())
    pinned = [
        (p["name"], p["version"])
        for p in lock.get("package", [])
        if p.get("source") == CRATES_IO
    ]
    names = sorted({name for name, _ in pinned})
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            yanked = dict(zip(names, pool.map(yanked_versions, names)))
    except OSError as e:
        print(f"yanked check: cannot read the crates.io index ({e})", file=sys.stderr)
        return 2
    bad = sorted((n, v) for n, v in pinned if v in yanked[n])
    for name, version in bad:
        print(f"yanked: {name} {version} is pinned by Cargo.lock; run cargo update -p {name}")
    print(f"yanked check: {len(pinned)} crates.io packages in Cargo.lock, {len(bad)} yanked")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
