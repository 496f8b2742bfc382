"""scripts/package without the half-hour build: the features it asks cargo for, the archive it
writes, the checks before it installs, and that a failed install leaves the old binary in place.

The binary packaged here is a shell script that answers `--version` as a patched mise does.
"""

import hashlib
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
        pin, profile, install_dir, _ = package.parse(["p", "--install"])
        self.assertEqual((pin, profile), ("p", package.DEFAULT_PROFILE))
        self.assertEqual(install_dir, Path.home() / ".local" / "bin")
        _, profile, install_dir, _ = package.parse(["p", "--install", "/opt/bin", "--profile", "x"])
        self.assertEqual((install_dir, profile), (Path("/opt/bin"), "x"))
        self.assertIsNone(package.parse(["--profile"]))


if __name__ == "__main__":
    unittest.main()
