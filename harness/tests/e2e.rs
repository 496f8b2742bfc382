//! The series' e2e tests (`e2e/backend/test_skillrig`, in mise's e2e format), run here before
//! upstream ever runs them: offline, against the fake github.com reached over TLS, with the
//! patched pin's mise first on `PATH` and `harness/e2e/assert.sh` (this project's stand-in for
//! mise's e2e helpers) sourced first, the way mise's `e2e/run_test` runs a test: bash with
//! `-euo pipefail`, in a working directory of its own, `MISE_EXPERIMENTAL=1`.
//!
//! The test names a real public origin (`so0k/skillrig-origin-demo`); the fake serves
//! `fixtures/skillrig-origin-demo.toml` under that name.

use std::collections::BTreeMap;
use std::time::Instant;

use skillrig_harness::fixture::Origin;
use skillrig_harness::mise_run::Layout;
use skillrig_harness::pins::{self, Pin};
use skillrig_harness::scenario::{BackendKind, Reach, Setup};

fn patched_pin() -> Pin {
    pins::select(&[])
        .expect("pins.toml")
        .into_iter()
        .find(Pin::has_skillrig)
        .expect("a patched pin in the matrix")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_series_e2e_tests_pass_offline_against_the_fake_github_com() {
    let pin = patched_pin();
    let tests = pin.series_new_files("e2e/").expect("the series reads");
    assert!(
        tests
            .iter()
            .any(|(path, _)| path == "e2e/backend/test_skillrig"),
        "the series adds e2e/backend/test_skillrig: {:?}",
        tests.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let bin = pin.binary().expect("the patched pin's binary");
    let origin = Origin::load("skillrig-origin-demo")
        .and_then(|o| o.build())
        .expect("fixture");
    let assert_sh = pins::repo_root().join("harness/e2e/assert.sh");
    for (path, text) in &tests {
        let name = path.rsplit('/').next().unwrap_or(path);
        let layout = Layout::for_run(&format!("e2e-{name}"), &pin.name);
        // mise's e2e tests name github.com itself: only the TLS front serves them offline.
        let setup = Setup::start(layout, vec![origin.clone()], Reach::Tls)
            .await
            .expect("the run starts");
        let script = setup.layout.root.join(name);
        std::fs::write(&script, text).expect("the test is written");
        let env = BTreeMap::from([
            ("MISE_EXPERIMENTAL".to_string(), "1".to_string()),
            ("TEST_NAME".to_string(), path.clone()),
        ]);
        let mise = setup.mise(&pin, BackendKind::Skillrig, &bin, &env);
        let source = format!(
            "source {} && source {}",
            assert_sh.display(),
            script.display()
        );
        let started = Instant::now();
        let out = mise
            .shell_command(&["--noprofile", "--norc", "-euo", "pipefail", "-c", &source])
            .output()
            .expect("bash runs");
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{path} failed ({}) in {}:\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            out.status,
            setup.layout.root.display()
        );
        let strays = setup.strays();
        assert!(
            strays.is_empty(),
            "{path}: requests off the fake: {strays:?}"
        );
        let served = setup.fake.journal().await.len();
        assert!(served > 0, "{path} sent the fake nothing");
        // mise's run_test asks for `_slow` in the name of a test over 20 s.
        assert!(
            took.as_secs() <= 20 || name.ends_with("_slow"),
            "{path} took {took:?}; name it {name}_slow"
        );
        eprintln!(
            "{path}: ok in {:.1}s, {served} requests to the fake, {} assertions",
            took.as_secs_f64(),
            stderr.lines().filter(|l| l.starts_with("ok: ")).count()
        );
        let _ = std::fs::remove_dir_all(&setup.layout.root);
    }
}
