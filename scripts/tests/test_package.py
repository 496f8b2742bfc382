"""scripts/package without the half-hour build: the features it asks cargo for, the archive it
writes, the checks before it installs, and that a failed install leaves the old binary in place.

The binary packaged here is a shell script that answers `--version` as a patched mise does.
"""

import contextlib
import hashlib
import io
import os
import tarfile
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import pins

package = pins.load_script("package")

# Like mise, it runs as a shim under any name but `mise`.
FAKE_MISE = """#!/bin/sh
case "$(basename "$0")" in
  mise) echo "2026.10.25 linux-x64 (2026-11-30) patched with skillrig-mise 2026.10.25+skillrig (6 patches, build 0123456789ab)" ;;
  *) echo "mise ERROR $(basename "$0") is not a valid shim" >&2; exit 1 ;;
esac
"""


class FeaturesTest(unittest.TestCase):
    def manifest(self, text: str) -> Path:
        tmp = Path(tempfile.mkdtemp())
        (tmp / "Cargo.toml").write_text(text)
        return tmp

    def test_defaults_without_self_update_and_with_rustls(self):
        src = self.manifest(
            '[package]\nname = "mise"\n[features]\n'
            'default = ["native-tls", "vfox/vendored-lua", "self_update"]\n'
            'native-tls = []\nrustls-native-roots = []\nself_update = []\n')
        self.assertEqual(package.dist_features(src), ["rustls-native-roots", "vfox/vendored-lua"])

    def test_a_renamed_feature_is_an_error_naming_the_manifest_and_the_fix(self):
        src = self.manifest('[package]\nname = "mise"\n[features]\ndefault = ["native-tls"]\n'
                            'native-tls = []\nrustls = []\n')
        with self.assertRaises(pins.PinError) as caught:
            package.dist_features(src)
        message = str(caught.exception)
        self.assertIn(str(src / "Cargo.toml"), message)
        self.assertIn("`self_update`", message)
        self.assertIn("dist_features()", message)


class ArchiveTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.pin = pins.get_pin(next(p.name for p in pins.load_pins().values() if p.patched))
        # write_archive reads mise's LICENSE from the pin's source tree; a stand-in cache root
        # keeps the test off the real one.
        self.cache = self.tmp / "cache"
        (self.cache / "src" / self.pin.name).mkdir(parents=True)
        (self.cache / "src" / self.pin.name / "LICENSE").write_text("MIT\n")
        self.env = {"SKILLRIG_MISE_CACHE": str(self.cache)}
        self.binary = self.tmp / "mise"
        self.binary.write_text(FAKE_MISE)
        self.binary.chmod(0o755)

    def archive(self) -> Path:
        with mock.patch.dict(os.environ, self.env):
            label = package.series_label(self.pin)
            return package.write_archive(self.pin, label, self.binary, self.tmp / "dist", False)

    def bin_dir_with_an_old_mise(self) -> Path:
        """The install dir, holding a mise the install must leave alone if it fails."""
        bin_dir = self.tmp / "bin"
        bin_dir.mkdir()
        (bin_dir / "mise").write_text("old\n")
        return bin_dir

    def test_the_archive_has_mises_layout_and_a_sha256sum_file(self):
        archive = self.archive()
        self.assertEqual(archive.name, f"mise-v{self.pin.name}-{package.platform_name()}.tar.gz")
        with tarfile.open(archive) as tar:
            names = tar.getnames()
            self.assertIn("mise/bin/mise", names)
            self.assertIn("mise/LICENSE", names)
            self.assertEqual(tar.getmember("mise/bin/mise").mode, 0o755)
            series = tar.extractfile("mise/share/skillrig-mise/series").read().decode()
        for patch in self.pin.series():
            self.assertIn(f"{hashlib.sha256(patch.read_bytes()).hexdigest()}  {patch.name}", series)
        sums = (self.tmp / "dist" / f"{archive.name}.sha256").read_text()
        self.assertEqual(sums, f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n")

    def test_install_checks_the_sha256_and_replaces_atomically(self):
        archive = self.archive()
        bin_dir = self.bin_dir_with_an_old_mise()
        installed = package.install(archive, bin_dir)
        self.assertEqual(installed.read_text(), FAKE_MISE)
        self.assertTrue(os.access(installed, os.X_OK))
        self.assertEqual(sorted(p.name for p in bin_dir.iterdir()), ["mise"])

    def test_a_tampered_archive_is_not_installed(self):
        archive = self.archive()
        data = bytearray(archive.read_bytes())
        data[-10] ^= 0xFF
        archive.write_bytes(bytes(data))
        bin_dir = self.bin_dir_with_an_old_mise()
        with self.assertRaises(pins.PinError) as caught:
            package.install(archive, bin_dir)
        self.assertIn("not installed", str(caught.exception))
        self.assertEqual((bin_dir / "mise").read_text(), "old\n")

    def test_a_binary_that_does_not_run_leaves_the_old_one(self):
        self.binary.write_text("#!/bin/sh\nexit 3\n")
        archive = self.archive()
        bin_dir = self.bin_dir_with_an_old_mise()
        with self.assertRaises(pins.PinError) as caught:
            package.install(archive, bin_dir)
        self.assertIn("is unchanged", str(caught.exception))
        self.assertEqual(sorted(p.name for p in bin_dir.iterdir()), ["mise"])
        self.assertEqual((bin_dir / "mise").read_text(), "old\n")


class ArgsTest(unittest.TestCase):
    def test_install_takes_an_optional_dir(self):
        args = package.parse(["p", "--install"])
        self.assertEqual((args.pin, args.profile, args.target),
                         ("p", package.DEFAULT_PROFILE, None))
        self.assertEqual(args.install_dir, Path.home() / ".local" / "bin")
        args = package.parse(["p", "--install", "/opt/bin", "--profile", "x", "--target",
                              "linux-arm64"])
        self.assertEqual((args.install_dir, args.profile, args.target),
                         (Path("/opt/bin"), "x", "linux-arm64"))
        self.assertIsNone(package.parse(["--profile"]))
        self.assertIsNone(package.parse(["p", "--target"]))


class PlanTest(unittest.TestCase):
    """Which target builds where, and how: no cargo, no apt-get."""

    def test_the_host_builds_natively_into_the_usual_dir_and_runs_its_binary(self):
        plan = package.plan("linux-x64", "linux-x64")
        self.assertEqual((plan.cross, plan.cargo_args, plan.runner), (False, [], []))

    def test_linux_arm64_on_linux_x64_is_cross_built_with_debians_toolchain_and_run_under_qemu(self):
        plan = package.plan("linux-arm64", "linux-x64")
        self.assertTrue(plan.cross)
        self.assertEqual(plan.cargo_args, ["--target", "aarch64-unknown-linux-gnu"])
        self.assertEqual(plan.env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"],
                         "aarch64-linux-gnu-gcc")
        self.assertEqual(plan.env["CC_aarch64_unknown_linux_gnu"], "aarch64-linux-gnu-gcc")
        self.assertIn("gcc-aarch64-linux-gnu", plan.packages)
        self.assertEqual(plan.runner, ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"])

    def test_the_other_macos_architecture_builds_with_apples_toolchain_and_is_not_run(self):
        plan = package.plan("macos-x64", "macos-arm64")
        self.assertEqual((plan.cross, plan.packages, plan.env), (True, [], {}))
        self.assertEqual(plan.cargo_args, ["--target", "x86_64-apple-darwin"])
        self.assertIsNone(plan.runner)
        self.assertIn("does not run on macos-arm64", plan.not_run)

    def test_a_target_that_needs_the_other_systems_sdk_is_refused_with_the_reason(self):
        for target, host, reason, where in [
                ("macos-arm64", "linux-x64", "Apple's SDK", "GitHub's macOS runners"),
                ("linux-arm64", "macos-arm64", "GNU C library", "package.yml's linux-arm64 job")]:
            with self.subTest(target=target), self.assertRaises(pins.PinError) as caught:
                package.plan(target, host)
            self.assertIn(f"--target {target} cannot be built on {host}", str(caught.exception))
            self.assertIn(reason, str(caught.exception))
            self.assertIn(where, str(caught.exception))

    def test_an_unknown_target_names_the_four(self):
        with self.assertRaises(pins.PinError) as caught:
            package.plan("windows-x64", "linux-x64")
        for name in package.TARGETS:
            self.assertIn(name, str(caught.exception))

    def test_install_refuses_a_build_for_another_platform_before_building(self):
        pin = next(p.name for p in pins.load_pins().values() if p.patched)
        stderr = io.StringIO()
        with mock.patch.object(package, "build") as build, \
                mock.patch.object(package, "platform_name", return_value="linux-x64"), \
                contextlib.redirect_stderr(stderr):
            code = package.main([pin, "--target", "linux-arm64", "--install"])
        self.assertEqual(code, 1)
        self.assertIn("a linux-arm64 build does not run here", stderr.getvalue())
        build.assert_not_called()


class RunVersionTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.binary = self.tmp / "mise"
        self.binary.write_text(FAKE_MISE)
        self.binary.chmod(0o755)

    def test_a_binary_that_names_the_series_passes(self):
        package.run_version(self.binary, package.plan("linux-x64", "linux-x64"))

    def test_the_runner_prefixes_the_command(self):
        # a stand-in for qemu: runs the binary it is given after its -L option
        qemu = self.tmp / "qemu-fake"
        qemu.write_text('#!/bin/sh\nshift 2\nexec "$@"\n')
        qemu.chmod(0o755)
        plan = package.plan("linux-arm64", "linux-x64")
        plan.runner = [str(qemu), "-L", "/nowhere"]
        package.run_version(self.binary, plan)
        plan.runner = [str(qemu), "-L"]  # drops the binary: what runs is not mise
        with self.assertRaises(pins.PinError) as caught:
            package.run_version(self.binary, plan)
        self.assertIn("nothing packaged", str(caught.exception))

    def test_a_binary_that_does_not_name_the_series_is_refused(self):
        self.binary.write_text("#!/bin/sh\necho 2026.10.25 linux-x64\n")
        with self.assertRaises(pins.PinError) as caught:
            package.run_version(self.binary, package.plan("linux-x64", "linux-x64"))
        self.assertIn("not the series' name", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
