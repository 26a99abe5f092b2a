"""The dashboard's front-end files, fetched from the npm registry and served locally.

`package-lock.json` pins each package's version and the registry's sha512 integrity; this
module downloads the pinned tarball, refuses it unless its digest matches, and copies out only
the files the dashboard serves. Node.js is not needed (`npm ci` would do the same, with node).
Re-running it is safe: files already in place for the pinned integrity are kept.

    python -m zhizao.web.assets [--registry URL]    # what `make install` runs
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
VENDOR = PACKAGE_ROOT / "static" / "vendor"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
# package → the files of its tarball the dashboard serves (paths inside `package/`)
WANTED: dict[str, tuple[str, ...]] = {"echarts": ("dist/echarts.min.js", "LICENSE", "NOTICE")}


class AssetError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Pinned:
    name: str
    version: str
    integrity: str  # "sha512-<base64>"

    @property
    def stamp(self) -> Path:
        return VENDOR / self.name / ".integrity"

    def tarball_url(self, registry: str) -> str:
        base = self.name.rsplit("/", 1)[-1]
        return f"{registry.rstrip('/')}/{self.name}/-/{base}-{self.version}.tgz"

    def check(self, data: bytes) -> None:
        algorithm, _, expected = self.integrity.partition("-")
        digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
        if digest != expected:
            raise AssetError(f"{self.name}@{self.version}: the download's {algorithm} digest "
                             f"{digest} is not the lockfile's {expected}")  # fmt: skip


def lockfile() -> Path:
    """package-lock.json beside the package (a source checkout, as `make install` uses)."""
    return PACKAGE_ROOT.parent.parent / "package-lock.json"


def pinned(lock: Path) -> list[Pinned]:
    try:
        packages = json.loads(lock.read_text(encoding="utf-8"))["packages"]
    except (OSError, ValueError, KeyError) as exc:
        raise AssetError(f"{lock}: cannot read the pinned packages ({exc})") from exc
    found = []
    for name in WANTED:
        entry = packages.get(f"node_modules/{name}")
        if not entry or "integrity" not in entry:
            raise AssetError(f"{lock}: {name} is not pinned with an integrity")
        found.append(Pinned(name, entry["version"], entry["integrity"]))
    return found


def installed(pin: Pinned) -> bool:
    return (
        pin.stamp.exists()
        and pin.stamp.read_text().strip() == pin.integrity
        and all((VENDOR / pin.name / f).exists() for f in WANTED[pin.name])
    )


def install(pin: Pinned, registry: str) -> None:
    url = pin.tarball_url(registry)
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            data = answer.read()
    except OSError as exc:
        raise AssetError(f"cannot download {url}: {exc}") from exc
    pin.check(data)
    target = VENDOR / pin.name
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for wanted in WANTED[pin.name]:
            member = tar.extractfile(f"package/{wanted}")
            if member is None:
                raise AssetError(f"{pin.name}@{pin.version} has no {wanted}")
            out = target / wanted
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(member.read())
    pin.stamp.write_text(pin.integrity + "\n")


def missing() -> list[str]:
    """What the dashboard lacks (empty when every pinned file is in place)."""
    return [f"{name}/{f}" for name, files in WANTED.items() for f in files
            if not (VENDOR / name / f).exists()]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch the dashboard's pinned npm files.")
    parser.add_argument("--registry", default=DEFAULT_REGISTRY, help="an npm registry mirror")
    registry = parser.parse_args(argv).registry
    try:
        for pin in pinned(lockfile()):
            if installed(pin):
                print(f"assets: {pin.name}@{pin.version} already in place")
                continue
            install(pin, registry)
            print(f"assets: {pin.name}@{pin.version} fetched and verified ({pin.integrity[:19]}…)")
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
