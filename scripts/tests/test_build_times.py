"""scripts/build-times' change: the same one line, in the prepared tree or in the series."""

import subprocess
import tempfile
import unittest
from pathlib import Path

import pins

build_times = pins.load_script("build-times")

SOURCE = """pub struct SkillrigBackend {}

impl SkillrigBackend {
    pub(crate) fn from_arg(ba: BackendArg) -> Self {
        Self { ba: Arc::new(ba) }
    }
}
"""


class ProbeTest(unittest.TestCase):
    def test_the_constructor_gets_one_statement_different_each_time(self):
        first, second = build_times.probe(SOURCE), build_times.probe(SOURCE)
        self.assertNotEqual(first, second)
        added = [line for line in first.splitlines() if line not in SOURCE.splitlines()]
        self.assertEqual(len(added), 1)
        self.assertIn(build_times.PROBE_MARK, added[0])
        lines = first.splitlines()
        self.assertIn("fn from_arg", lines[lines.index(added[0]) - 1])

    def test_a_file_without_the_constructor_names_what_to_update(self):
        with self.assertRaises(pins.PinError) as caught:
            build_times.probe("fn main() {}\n")
        self.assertIn("PROBED_FN", str(caught.exception))

    def test_the_probed_patch_still_applies_and_makes_the_probed_file(self):
        body = "".join(f"+{line}\n" for line in SOURCE.splitlines())
        patch = (f"Subject: add it\n---\ndiff --git a/{build_times.PROBED} b/{build_times.PROBED}\n"
                 f"new file mode 100644\nindex 0000000..1111111\n--- /dev/null\n"
                 f"+++ b/{build_times.PROBED}\n@@ -0,0 +1,{len(SOURCE.splitlines())} @@\n{body}")
        probed = build_times.probe_patch(patch)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["git", "init", "-q", tmp], check=True)
            (Path(tmp) / "p.patch").write_text(probed)
            subprocess.run(["git", "apply", "p.patch"], cwd=tmp, check=True)
            made = (Path(tmp) / build_times.PROBED).read_text()
        self.assertEqual(made.replace(next(line + "\n" for line in made.splitlines()
                                           if build_times.PROBE_MARK in line), ""), SOURCE)

    def test_a_patch_that_changes_the_file_around_the_constructor_still_applies(self):
        changed = SOURCE.replace("pub struct SkillrigBackend {}", "pub struct SkillrigBackend {\n"
                                 "    ba: Arc<BackendArg>,\n}")
        old_lines, new_lines = SOURCE.splitlines(), changed.splitlines()
        body = ("-pub struct SkillrigBackend {}\n+pub struct SkillrigBackend {\n"
                "+    ba: Arc<BackendArg>,\n+}\n"
                + "".join(f" {line}\n" for line in old_lines[1:]))
        patch = (f"Subject: change it\n---\ndiff --git a/{build_times.PROBED} b/{build_times.PROBED}\n"
                 f"--- a/{build_times.PROBED}\n+++ b/{build_times.PROBED}\n"
                 f"@@ -1,{len(old_lines)} +1,{len(new_lines)} @@\n{body}")
        probed = build_times.probe_patch(patch)
        self.assertIn(f"@@ -1,{len(old_lines)} +1,{len(new_lines) + 1} @@", probed)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["git", "init", "-q", tmp], check=True)
            path = Path(tmp) / build_times.PROBED
            path.parent.mkdir(parents=True)
            path.write_text(SOURCE)
            (Path(tmp) / "p.patch").write_text(probed)
            subprocess.run(["git", "apply", "p.patch"], cwd=tmp, check=True)
            made = path.read_text()
        self.assertIn(build_times.PROBE_MARK, made)
        self.assertEqual(len(made.splitlines()), len(new_lines) + 1)


if __name__ == "__main__":
    unittest.main()
