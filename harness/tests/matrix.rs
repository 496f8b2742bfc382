//! The committed matrix is the truth until a fresh run says otherwise.
//!
//! Runs every scenario on every matrix pin against real mise binaries (built or fetched by
//! `scripts/mise-bin`) and compares the result with `docs/compat-matrix.md`. A difference fails
//! the test and prints both; `SKILLRIG_UPDATE_MATRIX=1` rewrites the file instead (review the
//! diff like any snapshot).

use skillrig_harness::{matrix, pins, scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_matrix_matches_a_fresh_run() {
    let pins = pins::select(&[]).expect("pins.toml");
    let scenarios = scenario::Scenario::all().expect("scenarios");
    assert!(!scenarios.is_empty(), "no scenarios found");
    let cells = matrix::run(&scenarios, &pins, 3)
        .await
        .expect("matrix runs");

    let strays: Vec<_> = cells.iter().filter(|c| !c.strays.is_empty()).collect();
    assert!(
        strays.is_empty(),
        "requests left the fake GitHub: {strays:#?}"
    );

    let fresh = matrix::render_markdown(&scenarios, &pins, &cells);
    let path = pins::repo_root().join("docs").join("compat-matrix.md");
    if std::env::var_os("SKILLRIG_UPDATE_MATRIX").is_some() {
        std::fs::write(&path, &fresh).expect("write docs/compat-matrix.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let diff = similar_diff(&committed, &fresh);
        panic!(
            "docs/compat-matrix.md disagrees with a fresh run (SKILLRIG_UPDATE_MATRIX=1 to accept):\n{diff}"
        );
    }
}

/// The lines that differ, `-` committed and `+` fresh.
fn similar_diff(old: &str, new: &str) -> String {
    let old: Vec<_> = old.lines().collect();
    let new: Vec<_> = new.lines().collect();
    let mut out = String::new();
    for line in &old {
        if !new.contains(line) {
            out.push_str(&format!("- {line}\n"));
        }
    }
    for line in &new {
        if !old.contains(line) {
            out.push_str(&format!("+ {line}\n"));
        }
    }
    out
}
