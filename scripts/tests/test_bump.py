"""scripts/bump-mise end to end, against a stand-in for the crate registry on loopback.

The stand-in is a sparse cargo registry served from this process. It holds the real mise crate the
series is based on (from cargo's cache, where `scripts/mise-bin` left it), the same release
repackaged as a newer version (a release the series must replay on cleanly), a second repackaging
whose `src/cli/edit.rs` changed where the first patch applies (a release it must not), and the
mise workspace crates those releases lock. cargo reaches it through `SKILLRIG_CRATE_REGISTRY` and a
CARGO_HOME of the test's own; the scripts run as a workflow runs them, in a copy of the repository.
`--check` must see the newer release, the bump must replay and write the series and pins, and the
job summary, pull-request body and issue body must match the committed snapshots
(`SKILLRIG_UPDATE_SNAPSHOTS=1` rewrites them after a deliberate change).
"""

import gzip
import hashlib
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import tomllib
import unittest
from pathlib import Path

import pins

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
NEWER = "2026.11.1"
CONFLICTING = "2026.11.2"


def repackaged(crate: bytes, old: str, new: str, edit=None) -> bytes:
    """A published mise crate renamed to another version (deterministic bytes), its files passed
    through `edit(path, bytes)` when given."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(crate), mode="r:gz") as tin, \
            gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tout:
        for member in tin.getmembers():
            data = tin.extractfile(member).read() if member.isfile() else None
            rel = member.name.split("/", 1)[1] if "/" in member.name else ""
            member.name = f"mise-{new}" + (f"/{rel}" if rel else "")
            if data is not None:
                if rel in ("Cargo.toml", "Cargo.toml.orig"):
                    data = data.replace(f'version = "{old}"'.encode(), f'version = "{new}"'.encode(), 1)
                if rel == "Cargo.lock":
                    data = data.replace(f'name = "mise"\nversion = "{old}"'.encode(),
                                        f'name = "mise"\nversion = "{new}"'.encode(), 1)
                if edit is not None:
                    data = edit(rel, data)
                member.size = len(data)
                tout.addfile(member, io.BytesIO(data))
            else:
                tout.addfile(member)
    return out.getvalue()


def index_path(name: str) -> str:
    """Where a sparse index keeps a crate's entry (names of four or more characters)."""
    return f"/{name[:2]}/{name[2:4]}/{name}"


class StandInRegistry:
    """A sparse registry on 127.0.0.1 serving the given crates: {name: {version: bytes}}."""

    def __init__(self, crates: dict[str, dict[str, bytes]]):
        self.files: dict[str, bytes] = {}
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.files["/config.json"] = json.dumps({"dl": f"{self.url}/dl"}).encode()
        for name, versions in crates.items():
            lines = []
            for version, data in versions.items():
                lines.append(json.dumps({"name": name, "vers": version, "deps": [],
                                         "cksum": hashlib.sha256(data).hexdigest(),
                                         "features": {}, "yanked": False}))
                self.files[f"/dl/{name}/{version}/download"] = data
            self.files[index_path(name)] = ("\n".join(lines) + "\n").encode()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                body = registry.files.get(self.path.split("?", 1)[0])
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def cached_crate(name: str, version: str) -> bytes | None:
    found = pins.find_crate_file(name, version)
    return found.read_bytes() if found else None


def break_the_first_patch(rel: str, data: bytes) -> bytes:
    """Upstream rewrites the line of `mise edit`'s backend list the first patch adds beside."""
    if rel == "src/cli/edit.rs":
        return data.replace(b'BackendType::S3 => ("s3", Some("Download from S3 buckets")),',
                            b'BackendType::S3 => ("s3", Some("Download files from S3 buckets")),')
    return data


class BumpEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = max((p for p in pins.load_pins().values() if p.patched),
                       key=lambda p: [int(x) for x in p.version.split(".")])
        real = cached_crate("mise", cls.base.version)
        if real is None:
            raise unittest.SkipTest(f"the mise {cls.base.version} crate is not in cargo's cache; "
                                    f"`scripts/mise-bin {cls.base.name}` fetches it")
        lock = tarfile.open(fileobj=io.BytesIO(real), mode="r:gz").extractfile(
            f"mise-{cls.base.version}/Cargo.lock").read().decode()
        workspace = {}
        for name in cls.base.crates:
            version, _ = pins.locked_registry_package(lock, name)
            data = cached_crate(name, version)
            if data is None:
                raise unittest.SkipTest(f"the {name} {version} crate is not in cargo's cache")
            workspace[name] = {version: data}
        cls.crates = {
            "mise": {
                cls.base.version: real,
                NEWER: repackaged(real, cls.base.version, NEWER),
                CONFLICTING: repackaged(real, cls.base.version, CONFLICTING, break_the_first_patch),
            },
            **workspace,
        }

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="bump-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.repo = self.tmp / "repo"
        for item in ("scripts", "patches", "docs"):
            shutil.copytree(pins.REPO / item, self.repo / item,
                            ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(pins.PINS_FILE, self.repo / "pins.toml")
        (self.tmp / "cargo-home").mkdir()
        self.registry = StandInRegistry(self.crates)
        self.enterContext(self.registry)
        (self.tmp / "cargo-home" / "config.toml").write_text(
            f'[registries.standin]\nindex = "sparse+{self.registry.url}/"\n')

    def bump(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "CARGO_HOME": str(self.tmp / "cargo-home"),
               "SKILLRIG_CRATE_REGISTRY": "standin",
               "SKILLRIG_MISE_CACHE": str(self.tmp / "cache")}
        env.pop("GITHUB_OUTPUT", None)
        env.setdefault("RUSTUP_HOME", str(Path.home() / ".rustup"))
        return subprocess.run([sys.executable, str(self.repo / "scripts" / "bump-mise"), *args],
                              cwd=self.repo, env=env, capture_output=True, text=True, timeout=600)

    def assert_snapshot(self, name: str, text: str):
        text = text.replace(self.base.version, "[BASE]")
        path = SNAPSHOTS / name
        if os.environ.get("SKILLRIG_UPDATE_SNAPSHOTS"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
        self.assertTrue(path.exists(), f"no snapshot {path}; run with SKILLRIG_UPDATE_SNAPSHOTS=1")
        self.assertEqual(text, path.read_text(), f"{name} differs from its snapshot")

    def test_check_sees_the_newer_release_and_the_bump_replays(self):
        checked = self.bump("--check")
        self.assertEqual(checked.returncode, 3, checked.stderr)
        self.assertEqual(checked.stdout, f"{CONFLICTING}\n")
        self.assertIn(f"mise {CONFLICTING} is published; the series' base is {self.base.version}",
                      checked.stderr)

        report = self.tmp / "report"
        bumped = self.bump(NEWER, "--no-build", "--report", str(report),
                           "--allow", "npm,github,skillrig")
        self.assertEqual(bumped.returncode, 0, bumped.stderr)
        series = (self.repo / "patches" / f"mise-{NEWER}" / "series").read_text().split()
        self.assertEqual([n for n in series if n.endswith(".patch")],
                         [p.name for p in self.base.series()])
        # the patches of files the published crate lacks travel with the series, unchanged
        carried = sorted(p.name for p in
                         (self.repo / "patches" / f"mise-{NEWER}" / "repository").glob("*.patch"))
        self.assertEqual(carried, sorted(p.name for p in
                                         (pins.REPO / self.base.patches / "repository").glob("*.patch")))
        self.assertTrue(carried, "the base series has repository patches")
        pinned = {p["name"]: p for p in tomllib.loads((self.repo / "pins.toml").read_text())["pin"]}
        self.assertEqual(pinned[f"{NEWER}+skillrig"]["patches"], f"patches/mise-{NEWER}")
        self.assertEqual(pinned[NEWER]["crate_sha256"],
                         hashlib.sha256(self.crates["mise"][NEWER]).hexdigest())
        self.assertFalse((report / "issue.md").exists())
        self.assert_snapshot("bump-summary.md", (report / "summary.md").read_text())
        self.assert_snapshot("bump-pr-body.md", (report / "pr-body.md").read_text())

    def test_a_series_that_does_not_replay_is_reported_by_patch_file_and_hunk(self):
        report = self.tmp / "report"
        pins_before = (self.repo / "pins.toml").read_text()
        bumped = self.bump(CONFLICTING, "--no-build", "--report", str(report))
        self.assertEqual(bumped.returncode, 1, bumped.stderr)
        self.assertIn("src/cli/edit.rs: 1 conflicting hunk(s)", bumped.stderr)
        self.assertFalse((self.repo / "patches" / f"mise-{CONFLICTING}").exists())
        self.assertEqual((self.repo / "pins.toml").read_text(), pins_before)
        self.assertFalse((report / "pr-body.md").exists())
        self.assert_snapshot("bump-conflict-summary.md", (report / "summary.md").read_text())
        self.assert_snapshot("bump-conflict-issue.md", (report / "issue.md").read_text())


if __name__ == "__main__":
    unittest.main()
