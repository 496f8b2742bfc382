"""Pinned mise releases: read pins.toml, fetch or build a pin, print where its binary is.

Used by `scripts/mise-bin` (and through it by the harness and the other scripts). Standard library
only, so it runs on a fresh machine before anything else is installed.

Cache layout, under $SKILLRIG_MISE_CACHE (default $HOME/.cache/skillrig-mise):
  bin/<pin>/mise        the pin's binary, with bin/<pin>/stamp holding the fingerprint it was made from
  src/<pin>/            a source pin's unpacked crate with the series applied
  target/               ONE cargo target dir shared by every source pin (dependencies compile once)
  locks/<pin>.lock      serialises concurrent fetches/builds of one pin
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PINS_FILE = REPO / "pins.toml"
# The packages a mise source build needs from the system (openssl-sys, aws-lc/cmake builds).
SYSTEM_PACKAGES = ["cmake", "pkg-config", "libssl-dev"]
# Crates of this workspace that the patched mise depends on through [patch.crates-io].
WORKSPACE_CRATES = {"skillrig-stream": REPO / "crates" / "skillrig-stream"}


# The head of every `series` file scripts write (scripts/mise-workbench --export, scripts/bump-mise).
SERIES_HEADER = (
    "# Applied in order by scripts/mise-bin (git apply) and scripts/mise-workbench (git am).\n"
    "# A patch scoped `(dist)` is for packaged builds (scripts/package), not the upstream PR; it\n"
    "# changes nothing unless the build sets MISE_PATCH_SERIES.\n"
)


class PinError(Exception):
    """A failure with a message meant for the person running the script."""


def load_script(name: str):
    """One of scripts/ (files without `.py`, such as `backend-drift`) as a module, for its functions."""
    import importlib.machinery
    import importlib.util
    path = str(Path(__file__).resolve().parent / name)
    module_name = name.replace("-", "_")
    loader = importlib.machinery.SourceFileLoader(module_name, path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(module_name, loader))
    # registered before it runs, as an import would: dataclasses look their module up by name
    sys.modules[module_name] = module
    loader.exec_module(module)
    return module


def log(msg: str) -> None:
    print(f"mise-bin: {msg}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    root = os.environ.get("SKILLRIG_MISE_CACHE") or str(Path.home() / ".cache" / "skillrig-mise")
    return Path(root)


@dataclass(frozen=True)
class Pin:
    name: str
    source: str
    version: str
    matrix: bool
    why: str
    package: str | None = None
    integrity: str | None = None
    crate_sha256: str | None = None
    patches: str | None = None
    # mise's own workspace crates the series patches (upstream they live in crates/<name>/).
    crates: tuple[str, ...] = ()

    @property
    def patched(self) -> bool:
        return self.patches is not None

    def series(self) -> list[Path]:
        """The patch files of this pin's series, in order (empty for an unpatched pin)."""
        if self.patches is None:
            return []
        series_dir = REPO / self.patches
        series_file = series_dir / "series"
        if not series_file.is_file():
            raise PinError(f"{PINS_FILE.name}: pin {self.name!r}: patches = {self.patches!r} has no "
                           f"`series` file; add one listing the patch files in order")
        out = []
        for lineno, line in enumerate(series_file.read_text().splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            path = series_dir / line
            if not path.is_file():
                raise PinError(f"{series_file.relative_to(REPO)}:{lineno}: {line!r} does not exist")
            out.append(path)
        return out


def load_pins() -> dict[str, Pin]:
    try:
        data = tomllib.loads(PINS_FILE.read_text())
    except tomllib.TOMLDecodeError as e:
        raise PinError(f"{PINS_FILE}: {e}") from e
    if data.get("schema") != 1:
        raise PinError(f"{PINS_FILE}: `schema` must be 1")
    pins: dict[str, Pin] = {}
    for i, entry in enumerate(data.get("pin", [])):
        where = f"{PINS_FILE.name}: [[pin]] #{i + 1}"
        for key in ("name", "source", "version", "why"):
            if key not in entry:
                raise PinError(f"{where}: missing `{key}`")
        source = entry["source"]
        required = {"npm": ("package", "integrity"), "crate": ("crate_sha256",)}.get(source)
        if required is None:
            raise PinError(f"{where} ({entry['name']}): source = {source!r}; use \"npm\" or \"crate\"")
        for key in required:
            if key not in entry:
                raise PinError(f"{where} ({entry['name']}): source = {source!r} needs `{key}`")
        if source == "npm" and "patches" in entry:
            raise PinError(f"{where} ({entry['name']}): only source = \"crate\" pins can be patched")
        if "crates" in entry and "patches" not in entry:
            raise PinError(f"{where} ({entry['name']}): `crates` names crates the series patches; "
                           f"it needs `patches`")
        pin = Pin(
            name=entry["name"],
            source=source,
            version=entry["version"],
            matrix=bool(entry.get("matrix", False)),
            why=entry["why"],
            package=entry.get("package"),
            integrity=entry.get("integrity"),
            crate_sha256=entry.get("crate_sha256"),
            patches=entry.get("patches"),
            crates=tuple(entry.get("crates", ())),
        )
        if pin.name in pins:
            raise PinError(f"{where}: pin name {pin.name!r} is used twice")
        pins[pin.name] = pin
    return pins


def get_pin(name: str) -> Pin:
    pins = load_pins()
    if name not in pins:
        raise PinError(f"no pin named {name!r} in {PINS_FILE.name}; pins: {', '.join(pins)}")
    return pins[name]


# ---------------------------------------------------------------------------------------------
# Fingerprints: a pin's binary is reused only while everything it was made from is unchanged.


def _hash_tree(h, root: Path) -> None:
    skip = {"target", "corpus", "artifacts", ".git"}
    for path in sorted(root.rglob("*")):
        if any(part in skip for part in path.relative_to(root).parts):
            continue
        if path.is_file():
            h.update(str(path.relative_to(root)).encode() + b"\0")
            h.update(path.read_bytes() + b"\0")


def source_fingerprint(pin: Pin) -> str:
    """What the unpacked, patched source tree depends on."""
    h = hashlib.sha256()
    h.update(f"{pin.version}\0{pin.crate_sha256}\0{','.join(pin.crates)}\0".encode())
    for patch in pin.series():
        h.update(patch.name.encode() + b"\0" + patch.read_bytes() + b"\0")
    return h.hexdigest()


def build_fingerprint(pin: Pin) -> str:
    """What the pin's binary depends on."""
    h = hashlib.sha256()
    if pin.source == "npm":
        h.update(f"npm\0{pin.package}\0{pin.version}\0{pin.integrity}".encode())
        return h.hexdigest()
    h.update(source_fingerprint(pin).encode())
    if pin.patched:
        # What cargo compiles into mise: the manifest and the library sources (not tests,
        # benches or fuzz corpora, which change without changing the build).
        for name, path in sorted(WORKSPACE_CRATES.items()):
            h.update(name.encode() + b"\0")
            manifest = path / "Cargo.toml"
            h.update(manifest.read_bytes() if manifest.is_file() else b"")
            _hash_tree(h, path / "src")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Prebuilt pins: npm's own client fetches the package; we check it against the pinned integrity.


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_npm(pin: Pin, dest: Path) -> None:
    spec = f"{pin.package}@{pin.version}"
    log(f"{pin.name}: fetching {spec} with npm pack")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            ["npm", "pack", spec, "--pack-destination", tmp, "--silent"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        if proc.returncode != 0:
            raise PinError(f"{pin.name}: `npm pack {spec}` failed:\n{proc.stderr.strip()}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise PinError(f"{pin.name}: `npm pack {spec}` left {len(tarballs)} tarballs, expected 1")
        data = tarballs[0].read_bytes()
    actual = sri_sha512(data)
    if actual != pin.integrity:
        raise PinError(f"{pin.name}: {spec} integrity mismatch: pins.toml has {pin.integrity}, the "
                       f"package is {actual}. Nothing was unpacked; if the package was legitimately "
                       f"republished, review it and update `integrity`.")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        try:
            member = tar.getmember("package/bin/mise")
        except KeyError as e:
            raise PinError(f"{pin.name}: {spec} has no package/bin/mise") from e
        blob = tar.extractfile(member)
        assert blob is not None
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp_dest = dest.with_suffix(".partial")
        tmp_dest.write_bytes(blob.read())
        tmp_dest.chmod(0o755)
        tmp_dest.replace(dest)


# ---------------------------------------------------------------------------------------------
# Source pins: cargo fetches the published crate; we unpack it, apply the series, build it.


# An alternative registry (a name from cargo's config, `[registries.<name>]`) to fetch mise and its
# crates from instead of cargo's default one: a mirror, or the test's stand-in for a new release.
REGISTRY_ENV = "SKILLRIG_CRATE_REGISTRY"


def crate_registry() -> str | None:
    return os.environ.get(REGISTRY_ENV) or None


def cargo_home() -> Path:
    return Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")


def find_crate_file(name: str, version: str) -> Path | None:
    found = sorted((cargo_home() / "registry" / "cache").glob(f"*/{name}-{version}.crate"))
    return found[0] if found else None


def fetch_registry_crate(name: str, version: str, sha256: str | None) -> Path:
    """The .crate file of `name` at `version`, downloaded by cargo itself if needed, and checked
    against `sha256` (pins.toml's for mise, mise's Cargo.lock's for its own crates). With no
    `sha256` (a version no pin names) the check is cargo's own, against the registry index."""
    crate = find_crate_file(name, version)
    if crate is None:
        log(f"fetching the {name} {version} crate with cargo")
        registry = crate_registry()
        project = cache_root() / "fetch" / f"{registry + '-' if registry else ''}{name}-{version}"
        (project / "src").mkdir(parents=True, exist_ok=True)
        (project / "src" / "lib.rs").write_text("")
        dependency = (f'{{ version = "={version}", registry = "{registry}" }}' if registry
                      else f'"={version}"')
        (project / "Cargo.toml").write_text(
            "[package]\nname = \"skillrig-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n"
            f"publish = false\n\n[dependencies]\n{name} = {dependency}\n\n[workspace]\n"
        )
        proc = subprocess.run(["cargo", "fetch", "--target", host_triple()], cwd=project,
                              stdout=sys.stderr, stderr=sys.stderr)
        if proc.returncode != 0:
            raise PinError(f"`cargo fetch` of {name} {version} failed (see above)")
        crate = find_crate_file(name, version)
        if crate is None:
            raise PinError(f"cargo fetched {name} {version} but its .crate file is not under "
                           f"{cargo_home()}/registry/cache")
    digest = hashlib.sha256(crate.read_bytes()).hexdigest()
    if sha256 is not None and digest != sha256:
        raise PinError(f"{crate} has sha256 {digest}, expected {sha256}")
    return crate


def fetch_crate(pin: Pin) -> Path:
    """The .crate file of mise at the pin's version."""
    try:
        return fetch_registry_crate("mise", pin.version, pin.crate_sha256)
    except PinError as e:
        raise PinError(f"{pin.name}: {e}") from e


def locked_registry_package(lock_text: str, name: str) -> tuple[str, str]:
    """(version, checksum) of the registry package `name` in a Cargo.lock; exactly one allowed."""
    found = [p for p in tomllib.loads(lock_text).get("package", [])
             if p["name"] == name and p.get("source", "").startswith("registry+")]
    if len(found) != 1:
        raise PinError(f"mise's Cargo.lock locks {len(found)} registry versions of {name}, expected 1")
    return found[0]["version"], found[0]["checksum"]


def fetch_locked_crate(pin: Pin, name: str) -> Path:
    """The .crate file of `name` at the version the pin's mise Cargo.lock pins (checked by its
    checksum), downloaded by cargo if needed: a crate the harness reads files from (the
    mise-sigstore test fixtures) on a machine that builds no mise."""
    with tarfile.open(fetch_crate(pin), mode="r:gz") as tar:
        lock = tar.extractfile(f"mise-{pin.version}/Cargo.lock")
        if lock is None:
            raise PinError(f"{pin.name}: the mise crate has no Cargo.lock")
        version, checksum = locked_registry_package(lock.read().decode(), name)
    return fetch_registry_crate(name, version, checksum)


def unpack_mise_crates(pin: Pin, src: Path) -> None:
    """Unpack the mise workspace crates the series patches into crates/<name>/, where they live
    in mise's own repository, at the versions mise's Cargo.lock pins (checked by its checksums)."""
    lock_text = (src / "Cargo.lock").read_text()
    for name in pin.crates:
        version, checksum = locked_registry_package(lock_text, name)
        crate = fetch_registry_crate(name, version, checksum)
        unpack_crate(crate, src / "crates" / name, version, name=name)


def host_triple() -> str:
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("host: "):
            return line.split(": ", 1)[1]
    raise PinError("`rustc -vV` printed no host triple")


def unpack_crate(crate: Path, dest: Path, version: str, name: str = "mise") -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    prefix = f"{name}-{version}/"
    with tarfile.open(crate, mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix):
                raise PinError(f"{crate}: unexpected entry {member.name!r}")
            member.name = member.name[len(prefix):]
            if not member.name:
                continue
            tar.extract(member, dest, filter="data")


HUNK_RE = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*$")


def describe_failed_hunk(patch: Path, stderr: str) -> str:
    """Name the file and hunk that `git apply` choked on, from its `patch failed: FILE:LINE`."""
    m = re.search(r"patch failed: (.+):(\d+)", stderr)
    if not m:
        return stderr.strip()
    file, line = m.group(1), int(m.group(2))
    current, index = None, 0
    for text in patch.read_text(errors="replace").splitlines():
        if text.startswith("+++ "):
            current = text[4:].removeprefix("b/")
            index = 0
        elif current == file and (hm := HUNK_RE.match(text)):
            index += 1
            if int(hm.group(1)) == line:
                return f"file {file}, hunk #{index} ({text.strip()})"
    return f"file {file}, the hunk at line {line}"


def apply_series(pin: Pin, src: Path) -> None:
    for patch in pin.series():
        proc = subprocess.run(
            ["git", "apply", "--whitespace=nowarn", str(patch)],
            cwd=src, capture_output=True, text=True,
            env={**os.environ, "GIT_CEILING_DIRECTORIES": str(src.parent)},
        )
        if proc.returncode != 0:
            where = describe_failed_hunk(patch, proc.stderr)
            raise PinError(f"{pin.name}: patch {patch.relative_to(REPO)} does not apply to mise "
                           f"{pin.version}: {where}\n{proc.stderr.strip()}")
        log(f"{pin.name}: applied {patch.name}")


def patch_files(patch: Path) -> list[str]:
    """The paths a patch file adds or changes (its `+++ b/<path>` lines)."""
    return re.findall(r"^\+\+\+ b/(\S+)", patch.read_text(), re.M)


GIT_ID = ["-c", "user.name=skillrig-mise", "-c", "user.email=skillrig-mise@localhost"]


def git(cwd: Path, *args: str, capture: bool = False, check: bool = True) -> str:
    """Runs git in `cwd` (a repository of the scripts' own, never the project's)."""
    proc = subprocess.run(["git", *GIT_ID, *args], cwd=cwd, text=True,
                          stdout=subprocess.PIPE if capture else sys.stderr, stderr=sys.stderr,
                          env={**os.environ, "GIT_CEILING_DIRECTORIES": str(cwd.parent)})
    if check and proc.returncode != 0:
        raise PinError(f"`git {' '.join(args)}` failed in {cwd}")
    return proc.stdout or ""


_said_no_dpkg = False


def ensure_system_packages(packages: list[str] | None = None) -> None:
    """Installs what is missing of `packages` (default: what a mise build needs) with apt-get. On
    a system without Debian's packaging (macOS) it says once what a build expects and goes on."""
    global _said_no_dpkg
    if shutil.which("dpkg-query") is None:
        if not _said_no_dpkg:
            _said_no_dpkg = True
            log(f"no dpkg-query here: not checking for {' '.join(packages or SYSTEM_PACKAGES)} "
                f"(a mise build needs cmake and pkg-config; macOS runners have them)")
        return
    missing = [p for p in packages or SYSTEM_PACKAGES
               if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                                 text=True).stdout.strip() != "install ok installed"]
    if not missing:
        return
    if os.geteuid() != 0:
        raise PinError(f"building mise needs {' '.join(missing)}: run "
                       f"`sudo apt-get install -y {' '.join(missing)}`")
    log(f"installing {' '.join(missing)} with apt-get")
    subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, stdout=sys.stderr,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def prepare_source(pin: Pin) -> Path:
    """The pin's source tree, unpacked and patched; reused while its fingerprint holds.

    A changed series is applied to a fresh copy beside the tree, and only the files whose bytes
    differ are written into the tree (see `sync_tree`): cargo decides what to recompile by file
    times, so a patch that changes one file of mise recompiles the mise crate alone, not
    mise-config and everything that depends on it."""
    src = cache_root() / "src" / pin.name
    stamp = cache_root() / "src" / f"{pin.name}.stamp"
    fingerprint = source_fingerprint(pin)
    if src.is_dir() and stamp.is_file() and stamp.read_text() == fingerprint:
        return src
    crate = fetch_crate(pin)
    stamp.unlink(missing_ok=True)
    fresh = src.with_name(f"{pin.name}.fresh")
    log(f"{pin.name}: unpacking {crate.name} and applying the series in {fresh}")
    unpack_crate(crate, fresh, pin.version)
    unpack_mise_crates(pin, fresh)
    apply_series(pin, fresh)
    if pin.patched:
        lock_workspace_crates(pin, fresh)
    manifest = src.with_name(f"{pin.name}.files")
    written, removed = sync_tree(fresh, src, manifest)
    shutil.rmtree(fresh)
    log(f"{pin.name}: {written} files written into {src}, {removed} removed, the rest untouched")
    stamp.write_text(fingerprint)
    return src


def sync_tree(fresh: Path, dest: Path, manifest: Path) -> tuple[int, int]:
    """Make `dest` hold `fresh`'s files, writing only those whose bytes differ (the others keep
    their times, so cargo does not recompile what did not change) and removing the files an
    earlier sync wrote that `fresh` lacks. `manifest` lists what the last sync wrote; files the
    build or the tests made in `dest` (test stand-ins) are not in it and stay. Returns (written,
    removed)."""
    files = sorted(str(p.relative_to(fresh)) for p in fresh.rglob("*")
                   if p.is_file() or p.is_symlink())
    if manifest.is_file() and dest.is_dir():
        previous = set(manifest.read_text().splitlines())
    else:
        # a tree from before manifests were kept: every file in it is an earlier sync's
        previous = {str(p.relative_to(dest)) for p in dest.rglob("*")
                    if p.is_file() or p.is_symlink()} if dest.is_dir() else set()
    written = 0
    for rel in files:
        source, target = fresh / rel, dest / rel
        if target.is_file() and not target.is_symlink() and not source.is_symlink() \
                and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        # a fresh time, never the archive's: cargo rebuilds what is newer than its last build
        shutil.copy(source, target, follow_symlinks=False)
        written += 1
    removed = 0
    for rel in sorted(previous - set(files)):
        target = dest / rel
        if target.is_file() or target.is_symlink():
            target.unlink()
            removed += 1
    manifest.write_text("".join(f"{rel}\n" for rel in files))
    return written, removed


def _lock_packages(lock: Path) -> dict[tuple, dict]:
    packages = tomllib.loads(lock.read_text()).get("package", [])
    return {(p["name"], p["version"], p.get("source")): p for p in packages}


def lock_workspace_crates(pin: Pin, src: Path) -> None:
    """Add this workspace's crates to mise's Cargo.lock, and nothing else.

    The series does not carry Cargo.lock hunks (they would go stale with every dependency of
    the workspace crates); cargo writes the entries here, resolved against mise's own lock, and
    we check that no other locked package moved before building with --locked.
    """
    lock = src / "Cargo.lock"
    before = _lock_packages(lock)
    proc = subprocess.run(["cargo", "metadata", "--format-version", "1",
                           *cargo_patch_args(pin, src)],
                          cwd=src, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise PinError(f"{pin.name}: resolving the workspace crates into mise's Cargo.lock failed:\n"
                       f"{proc.stderr.strip()}")
    after = _lock_packages(lock)
    problems = lock_problems(before, after, set(WORKSPACE_CRATES), set(pin.crates))
    if problems:
        raise PinError(f"{pin.name}: patching mise would change its locked packages beyond this "
                       f"workspace's crates: {'; '.join(problems)}. Make the crates depend only on "
                       f"versions mise already locks.")
    added = sorted(f"{k[0]} {k[1]}" for k in after if k not in before)
    log(f"{pin.name}: locked {', '.join(added)}")


def lock_problems(before: dict, after: dict, new: set[str], switched: set[str]) -> list[str]:
    """What changed in a Cargo.lock beyond adding the `new` crates and switching the `switched`
    crates from the registry to a path (same version), as (name, version, source) keyed maps."""
    problems = []
    for key in after.keys() - before.keys():
        name, version, source = key
        if name in new and source is None:
            continue
        if name in switched and source is None and (name, version) in {k[:2] for k in before}:
            continue
        problems.append(f"added {name} {version}")
    for key in before.keys() - after.keys():
        name, version, _ = key
        if name in switched and (name, version, None) in after:
            continue
        problems.append(f"removed {name} {version}")
    for key in before.keys() & after.keys():
        old, cur = set(before[key].get("dependencies", [])), set(after[key].get("dependencies", []))
        if cur - old - new or old - cur:
            problems.append(f"dependencies of {key[0]} {key[1]} changed")
    return sorted(problems)


def cargo_patch_args(pin: Pin, src: Path) -> list[str]:
    """[patch.crates-io] entries: this workspace's crates, and the mise crates the series patches."""
    if not pin.patched:
        return []
    paths = dict(WORKSPACE_CRATES)
    paths.update({name: src / "crates" / name for name in pin.crates})
    args = []
    for name, path in sorted(paths.items()):
        args += ["--config", f'patch.crates-io.{name}.path="{path}"']
    return args


@contextlib.contextmanager
def file_lock(name: str):
    """Holds the exclusive lock `locks/<name>` of the cache, waiting for another holder."""
    locks = cache_root() / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / name, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def target_lock(profile: str = "debug"):
    """The shared target dir's lock for one profile's artefacts (cargo keeps profiles in separate
    dirs, so a debug build and an optimised one may run at once)."""
    return file_lock("cargo-target.lock" if profile == "debug" else f"cargo-target-{profile}.lock")


HEARTBEAT_SECONDS = 60


def run_with_heartbeat(cmd: list[str], cwd: Path, env: dict[str, str], what: str,
                       log=log) -> None:
    """Runs `cmd`, passing its output through to stderr; after a minute without a line (cargo
    compiling the mise crate prints nothing for several) says it is still at work, and for how
    long. Raises PinError naming the command if it fails."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace")
    last = [time.monotonic()]
    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(5):
            if time.monotonic() - last[0] >= HEARTBEAT_SECONDS:
                minutes = (time.monotonic() - started) / 60
                log(f"{what}: still at it, {minutes:.0f} min so far (cargo prints nothing while "
                    f"it compiles and links the mise crate, the longest step)")
                last[0] = time.monotonic()

    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stderr.write(line)
        sys.stderr.flush()
        last[0] = time.monotonic()
    code = proc.wait()
    done.set()
    beat.join()
    if code != 0:
        raise PinError(f"`{' '.join(cmd)}` failed in {cwd} (exit {code}; see above)")
    log(f"{what}: done in {(time.monotonic() - started) / 60:.1f} min")


# The debug builds the harness and the tests run (the pins, the series' unit tests), as cheap to
# rebuild after a series change as measured best (README, "Builds"): debug info is line tables
# only in mise and none in its dependencies (mise's own profile has `debug = 1`: variable info
# nothing here reads, in a 1.2 GB binary), and mold links when the machine has it.
DEBUG_PROFILE = ['profile.dev.debug="line-tables-only"', 'profile.dev.package."*".debug=false']
FAST_LINKER = "mold"
_said_no_fast_linker = False


def fast_linker() -> str | None:
    """mold's path, installed with apt-get when missing and possible; None (said once) else."""
    global _said_no_fast_linker
    found = shutil.which(FAST_LINKER)
    if found is None and os.geteuid() == 0:
        try:
            ensure_system_packages([FAST_LINKER])
        except subprocess.CalledProcessError:
            pass
        found = shutil.which(FAST_LINKER)
    if found is None and not _said_no_fast_linker:
        _said_no_fast_linker = True
        log(f"{FAST_LINKER} is not installed: linking with the default linker, which makes a "
            f"rebuild of mise slower (README, \"Builds\"); `apt-get install {FAST_LINKER}` to use it")
    return found


# SKILLRIG_DEBUG_PROFILE=mise builds with mise's own dev profile and the default linker, as before
# the tuning: for a debugger, which wants variable info (and to measure the difference).
DEBUG_PROFILE_ENV = "SKILLRIG_DEBUG_PROFILE"


def debug_profile_args() -> list[str]:
    """cargo `--config` arguments of DEBUG_PROFILE alone (no linker)."""
    return [arg for setting in DEBUG_PROFILE for arg in ("--config", setting)]


def debug_build_args() -> list[str]:
    """cargo `--config` arguments of the debug builds (see DEBUG_PROFILE)."""
    if os.environ.get(DEBUG_PROFILE_ENV) == "mise":
        return []
    args = debug_profile_args()
    if fast_linker():
        args += ["--config",
                 f'target.{host_triple()}.rustflags=["-C", "link-arg=-fuse-ld={FAST_LINKER}"]']
    return args


def build_crate(pin: Pin, dest: Path) -> None:
    ensure_system_packages()
    src = prepare_source(pin)
    target = cache_root() / "target"
    cmd = ["cargo", "build", "--locked", "--bin", "mise", *cargo_patch_args(pin, src),
           *debug_build_args()]
    log(f"{pin.name}: building in {src} (target dir {target}; measured on 2 cores: ~19 min with "
        f"a cold target dir, ~10 min for the mise crate alone, ~4 min after a workspace crate change)")
    try:
        run_with_heartbeat(cmd, cwd=src, env={**os.environ, "CARGO_TARGET_DIR": str(target)},
                           what=f"{pin.name}: cargo build")
    except PinError as e:
        raise PinError(f"{pin.name}: {e}") from e
    built = target / "debug" / "mise"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp_dest = dest.with_suffix(".partial")
    shutil.copy2(built, tmp_dest)
    tmp_dest.replace(dest)


# Directories under the crate's test/ home that mise's test fixture (src/testing.rs) writes into.
TEST_HOME_DIRS = ["config", "data", "state"]
INCLUDED_FILE = re.compile(r'include_(?:str|bytes)!\(\s*"([^"]+)"\s*\)')


def missing_test_fixtures(src: Path) -> list[Path]:
    """Files that mise's sources `include_str!` (test fixtures, the registry tool schema) but the
    published crate omits.

    Without them the test binary does not compile; the tests that read them are not ours."""
    missing = []
    for rs in sorted((src / "src").rglob("*.rs")):
        for rel in INCLUDED_FILE.findall(rs.read_text(errors="replace")):
            path = (rs.parent / rel).resolve()
            if path.is_relative_to(src.resolve()) and not path.exists() and path not in missing:
                missing.append(path)
    return missing


def cargo_in_tree(pin: Pin, cargo_args: list[str], capture: bool = False,
                  label: str = "", patched: bool = True) -> subprocess.CompletedProcess:
    """Runs `cargo <cargo_args>` in the pin's prepared source tree, with the shared target dir and
    the pin's crate patches, holding the target-dir lock. Test runs get their stand-ins first."""
    ensure_system_packages()
    root = cache_root()
    with target_lock():
        src = prepare_source(pin)
        for path in missing_test_fixtures(src):
            log(f"{pin.name}: the published crate omits {path.relative_to(src)}; an empty stand-in "
                f"lets the test binary compile (the upstream tests reading it are not run)")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}\n")
        # The fixture tree's directories that mise's test init writes config files into; upstream
        # keeps them in git, the published crate has none.
        for name in TEST_HOME_DIRS:
            (src / "test" / name).mkdir(parents=True, exist_ok=True)
        # [patch] args go before `--` (the test binary's own arguments).
        head, sep, tail = (cargo_args[:cargo_args.index("--")], ["--"],
                           cargo_args[cargo_args.index("--") + 1:]) if "--" in cargo_args \
            else (cargo_args, [], [])
        cmd = ["cargo", *head, *(cargo_patch_args(pin, src) if patched else []),
               *(debug_build_args() if head and head[0] in ("build", "test", "check", "clippy")
                 else []), *sep, *tail]
        log(f"{pin.name}: cargo {' '.join(head)} {' '.join(sep + tail)} in {src}{label}")
        return subprocess.run(cmd, cwd=src, text=True,
                              stdout=subprocess.PIPE if capture else None,
                              stderr=subprocess.STDOUT if capture else None,
                              env={**os.environ, "CARGO_TARGET_DIR": str(root / "target")})


# The series' own tests in the mise crate: its modules.
SERIES_TEST_MODULES = ["backend::skillrig", "backend::attestations"]
TEST_FN = re.compile(r"^\+\s*#\[(?:tokio::)?test[^\]]*\]\n\+\s*(?:async )?fn (\w+)\(", re.M)


def series_crate_tests(pin: Pin) -> dict[str, list[str]]:
    """The tests the series adds to mise's workspace crates (`crates/<name>/`), by crate: the
    functions its patches add under `#[test]` or `#[tokio::test]`."""
    found: dict[str, list[str]] = {}
    for patch in pin.series():
        for section in re.split(r"(?m)^(?=diff --git )", patch.read_text())[1:]:
            m = re.match(r"diff --git a/crates/([^/]+)/", section)
            if m:
                found.setdefault(m.group(1), []).extend(TEST_FN.findall(section))
    return {name: tests for name, tests in found.items() if tests}


def unit_test(pin: Pin, filters: list[str]) -> None:
    """Run the series' unit tests in the pin's source tree: mise's own test harness in the mise
    crate (`filters`, default the series' modules) and, with no filters given, the tests the
    series adds to the workspace crates it patches (mise-util's)."""
    if not pin.patched:
        raise PinError(f"pin {pin.name!r} carries no patch series; its unit tests are upstream's")
    runs = [("mise", ["--lib"], filters or SERIES_TEST_MODULES, True)]
    if not filters:
        # a crate mise takes through [patch] is not a workspace member: its tests run from its
        # own manifest and lock, as its crate was published
        runs += [(name, ["--manifest-path", f"crates/{name}/Cargo.toml", "--lib"], tests, False)
                 for name, tests in sorted(series_crate_tests(pin).items())]
    for crate, target, tests, patched in runs:
        # mise's repository runs its unit tests on one thread (settings and env are global).
        proc = cargo_in_tree(pin, ["test", "--locked", *target, "--", *tests, "--test-threads=1"],
                             label=f" ({crate}; measured on 2 cores: ~8 min for the first test "
                                   f"build of the mise crate, ~2.5 min after a change)",
                             patched=patched)
        if proc.returncode != 0:
            raise PinError(f"{pin.name}: the series' unit tests in {crate} failed (see above)")


def ensure(pin: Pin) -> Path:
    """The path of the pin's binary, fetched or built first if it is missing or stale."""
    dest = cache_root() / "bin" / pin.name / "mise"
    stamp = dest.parent / "stamp"
    fingerprint = build_fingerprint(pin)
    with file_lock(f"{pin.name}.lock"):
        if dest.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
            return dest
        stamp.unlink(missing_ok=True)
        if pin.source == "npm":
            fetch_npm(pin, dest)
        else:
            # One shared target dir: two source builds at once would race on target/debug/mise.
            with target_lock():
                build_crate(pin, dest)
        check_version(pin, dest)
        if build_fingerprint(pin) == fingerprint:
            stamp.write_text(fingerprint)
        else:
            log(f"{pin.name}: inputs changed during the build; it will be rebuilt next time")
    return dest


def check_version(pin: Pin, binary: Path) -> None:
    """`mise --version` must name the pinned version (run in a throwaway home: writes nothing)."""
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "CI": "1", "MISE_DATA_DIR": f"{home}/d",
               "MISE_CACHE_DIR": f"{home}/c", "MISE_CONFIG_DIR": f"{home}/cf",
               "MISE_STATE_DIR": f"{home}/s", "MISE_DISABLE_UPDATE_WARNING": "1"}
        proc = subprocess.run([str(binary), "--version"], capture_output=True, text=True, env=env,
                              cwd=home)
    if pin.version not in proc.stdout:
        raise PinError(f"{pin.name}: {binary} --version printed {proc.stdout.strip()!r} "
                       f"{proc.stderr.strip()!r}, expected {pin.version}")
