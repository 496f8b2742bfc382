"""scripts/upstream.py and scripts/upstream-checks: the pieces that need no mise build."""

import subprocess
import tempfile
import unittest
from pathlib import Path

import pins
import upstream

checks = pins.load_script("upstream-checks")

PATCH = """From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: skillrig-mise <skillrig-mise@localhost>
Date: Mon, 30 Nov 2026 09:04:24 +0000
Subject: [PATCH 1/6] feat(backend): register the skillrig backend type,
 folded onto a second line

Body.

diff --git a/Cargo.toml b/Cargo.toml
index 0d408f9..f1a5d95 100644
--- a/Cargo.toml
+++ b/Cargo.toml
@@ -555,6 +555,9 @@ version = "1"
 [dependencies.signal-hook]
 version = "0.4"
 
+[dependencies.skillrig-stream]
+version = "0.1"
+
 [dependencies.stacker]
 version = "0.1"
 
diff --git a/Cargo.toml.orig b/Cargo.toml.orig
index c30aee5..98da33c 100644
--- a/Cargo.toml.orig
+++ b/Cargo.toml.orig
@@ -235,6 +235,7 @@ chacha20poly1305 = "0.11"
 shell-escape = "0.1"
 shell-words = "1"
 signal-hook = "0.4"
+skillrig-stream = "0.1"
 strum = { version = "0.28", features = ["derive"] }
 supports-hyperlinks = "3"
 tabled = { version = "0.22", features = ["ansi"] }
diff --git a/src/a.rs b/src/a.rs
index 1..2 100644
--- a/src/a.rs
+++ b/src/a.rs
@@ -1 +1 @@
-a
+b
"""


class CarryOverTest(unittest.TestCase):
    def test_the_subject_is_folded_and_unnumbered(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "0001.patch"
            path.write_text(PATCH)
            self.assertEqual(upstream.subject(path), "feat(backend): register the skillrig "
                                                     "backend type, folded onto a second line")
            self.assertEqual(upstream.commit_message(path).split("\n\n")[1].strip(), "Body.")

    def test_the_repository_takes_cargo_toml_orig_hunks_as_cargo_toml(self):
        carried = upstream.carry_over(PATCH)
        self.assertNotIn("[dependencies.skillrig-stream]", carried)
        self.assertNotIn("Cargo.toml.orig", carried)
        self.assertIn("diff --git a/Cargo.toml b/Cargo.toml\n", carried)
        self.assertIn('+skillrig-stream = "0.1"\n', carried)
        self.assertIn("diff --git a/src/a.rs b/src/a.rs", carried)
        self.assertEqual(carried.count("diff --git "), 2)

    def test_the_stream_crate_manifest_inherits_nothing_and_has_no_bench(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "Cargo.toml").write_text(
                '[package]\nname = "mise"\nedition = "2024"\nrust-version = "1.95"\n'
                'license = "MIT"\nrepository = "https://github.com/jdx/mise"\n')
            manifest = upstream.stream_manifest(Path(tmp))
        self.assertNotIn("workspace", manifest)
        self.assertNotIn("criterion", manifest)
        self.assertIn('edition = "2024"', manifest)
        self.assertIn("[dev-dependencies]\nproptest", manifest)


class LockTest(unittest.TestCase):
    def test_a_dependency_named_once_then_with_its_version_is_the_same(self):
        before = {("syn", "3.0.9", "r"): {}, ("synstructure", "0.13.2", "r"): {},
                  ("yoke-derive", "0.8.4", "r"): {"dependencies": ["syn 3.0.9", "synstructure"]}}
        after = dict(before)
        after[("synstructure", "0.14.0", "r")] = {}
        after[("yoke-derive", "0.8.4", "r")] = {
            "dependencies": ["syn 3.0.9", "synstructure 0.13.2"]}
        self.assertEqual(upstream.reshaping_problems(before, after, set()), [])
        after[("yoke-derive", "0.8.4", "r")] = {
            "dependencies": ["syn 3.0.9", "synstructure 0.14.0"]}
        self.assertEqual(upstream.reshaping_problems(before, after, set()),
                         ["dependencies of yoke-derive 0.8.4 changed"])

    def test_a_removed_package_is_a_problem_a_member_switched_to_its_path_is_not(self):
        before = {("a", "1.0.0", "r"): {}, ("mise-config", "2026.10.11", "r"): {"dependencies": []}}
        after = {("mise-config", "2026.10.11", None): {"dependencies": ["a"]}}
        self.assertEqual(upstream.reshaping_problems(before, after, {"mise-config"}),
                         ["removed a 1.0.0"])


class SchemaCorpusTest(unittest.TestCase):
    """How a failed schema_matches_parser on the pull request's own corpus is read."""

    PANIC = ("thread 'config::...::schema_matches_parser' (1) panicked at src/x.rs:164:5:\n"
             "schema/mise.json and the mise.toml parser disagree. Fix the schema, ...:\n"
             "{lines}\n\nstack backtrace:\n   0: __rustc::rust_begin_unwind\n")
    GAP = ('GAPS: nothing needs SchemaStricter at "settings/ci" (`ci` mirrors the CI variable) '
           'any more; remove it')

    def test_gaps_only_this_small_corpus_leaves_unused_are_no_failure(self):
        new, gaps = checks.schema_failures(self.PANIC.format(lines=self.GAP))
        self.assertEqual((new, gaps), ([], [self.GAP]))

    def test_a_disagreement_on_the_pull_requests_docs_is_a_failure(self):
        bad = ('docs/dev-tools/backends/skillrig.md:33: the parser reads it cleanly, but the '
               'schema rejects it: "origin" is not allowed')
        new, gaps = checks.schema_failures(self.PANIC.format(lines=f"{bad}\n{self.GAP}"))
        self.assertEqual((new, gaps), ([bad], [self.GAP]))

    def test_a_panic_of_another_kind_is_a_failure_naming_the_test(self):
        new, _ = checks.schema_failures("thread 'x' panicked at src/x.rs:1:1:\n"
                                        "found only 0 configs in e2e/\n")
        self.assertEqual(new, ["found only 0 configs in e2e/"])


class TitleTest(unittest.TestCase):
    def test_the_rule_of_mise_s_conventional_commits_workflow(self):
        ok = ["feat(backend): register the skillrig backend type", "fix: PGO builds",
              "docs(backend, config): x", "feat!: breaking", "test(e2e): the skillrig backend"]
        bad = ["feat(toolset): SemVer ranges", "feat(backend): `skillrig:` installs",
               "Feat: x", "feat: Add a thing", "feature: x", "feat(backend) x"]
        for title in ok:
            self.assertTrue(checks.TITLE.match(title), title)
        for title in bad:
            self.assertFalse(checks.TITLE.match(title), title)


class PageTest(unittest.TestCase):
    def test_a_page_needs_a_description_and_an_experimental_one_says_so(self):
        good = ('---\ndescription: "x"\n---\n\n# Skillrig Backend '
                '<Badge type="warning" text="experimental" />\n\n::: warning\nx\n:::\n')
        self.assertEqual(checks.page_problems("p.md", good, True), [])
        self.assertEqual(checks.page_problems("p.md", "# Skillrig Backend\n", False),
                         ["p.md: no front matter (`---` … `---` at the top)"])
        self.assertEqual(len(checks.page_problems("p.md", '---\ntitle: x\n---\n# T\n', True)), 3)


class RepositoryPatchTest(unittest.TestCase):
    def test_a_patch_that_does_not_apply_to_the_commit_it_names_is_a_new_failure(self):
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp) / "repo"
            repo.mkdir()
            (repo / "docs").mkdir()
            (repo / "docs" / "index.md").write_text("- [a](a)\n- [c](c)\n")
            pins.git(repo, "init", "-q")
            pins.git(repo, "add", "-A")
            pins.git(repo, "commit", "-q", "-m", "base")
            commit = pins.git(repo, "rev-parse", "HEAD", capture=True).strip()
            good = ("Subject: [PATCH] docs: b\n\nWritten-against: " + commit + " (today)\n\n"
                    "diff --git a/docs/index.md b/docs/index.md\n--- a/docs/index.md\n"
                    "+++ b/docs/index.md\n@@ -1,2 +1,3 @@\n - [a](a)\n+- [b](b)\n - [c](c)\n")
            series = Path(tmp) / "series"
            (series / "repository").mkdir(parents=True)
            (series / "repository" / "0001-good.patch").write_text(good)
            (series / "repository" / "0002-stale.patch").write_text(
                good.replace(" - [c](c)", " - [z](z)"))
            pin = pins.Pin(name="x", source="crate", version="1", matrix=False, why="",
                           patches=str(series))
            check = checks.Check("repository")
            old = checks.upstream_git
            checks.upstream_git = lambda: repo / ".git"
            try:
                checks.check_repository(pin, check)
            finally:
                checks.upstream_git = old
            self.assertEqual(len(check.new), 1, check.new)
            self.assertIn("0002-stale.patch does not apply", check.new[0])


if __name__ == "__main__":
    unittest.main()
