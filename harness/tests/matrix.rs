//! The committed matrix is the truth until a fresh run says otherwise, and so are the committed
//! transcripts of what a user reads.
//!
//! Runs every scenario on every matrix pin against real mise binaries (built or fetched by
//! `scripts/mise-bin`) and compares the result with `docs/compat-matrix.md`. A difference fails
//! the test and prints both; `SKILLRIG_UPDATE_MATRIX=1` rewrites the file instead (review the
//! diff like any snapshot). `SKILLRIG_MATRIX_PINS=<pin>,...` runs a shard: those pins' runs and
//! transcripts only (CI runs a job per pin and assembles the matrix after).
//!
//! The same runs give the transcripts: every step of every `skillrig/`, `faults/` and `tokens/`
//! scenario on the patched pin, and the native runs whose text is the finding, through
//! [`skillrig_harness::transcript`]'s filters, as insta snapshots in
//! `tests/snapshots/transcripts/`. A changed message fails its snapshots; `cargo insta review`
//! (or `INSTA_UPDATE=always`, then `git diff`) is how a change is accepted.

use skillrig_harness::scenario::{Report, Scenario};
use skillrig_harness::{matrix, pins, transcript};

/// Native runs whose text is the finding: Layer B's wrong stream, Layer C's "no versions found".
const NATIVE_TRANSCRIPTS: &[(&str, &str)] = &[
    ("layer-b/build-metadata-version-regex", "2026.4.20"),
    ("layer-c/stream-starvation", "2026.10.25"),
];

/// The directories whose scenarios are snapshotted on the patched pin.
const BACKEND_DIRS: &[&str] = &["skillrig/", "faults/", "tokens/", "provenance/"];

/// Restricts the test to these pins (`<pin>,...`): a CI shard. The shard checks its pins' runs and
/// transcripts; the markdown matrix is compared once the shards are assembled
/// (`skillrig-harness assemble --check docs/compat-matrix.md`).
const SHARD_ENV: &str = "SKILLRIG_MATRIX_PINS";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compat_matrix_matches_a_fresh_run() {
    let shard: Option<Vec<String>> = std::env::var(SHARD_ENV)
        .ok()
        .map(|v| v.split(',').map(|p| p.trim().to_string()).collect());
    let pins = pins::select(shard.as_deref().unwrap_or(&[])).expect("pins.toml");
    let scenarios = Scenario::all().expect("scenarios");
    assert!(!scenarios.is_empty(), "no scenarios found");
    let reports = matrix::run_reports(&scenarios, &pins, 3)
        .await
        .expect("matrix runs");
    let cells: Vec<matrix::Cell> = reports.iter().map(matrix::Cell::from_report).collect();

    let strays: Vec<_> = cells.iter().filter(|c| !c.strays.is_empty()).collect();
    assert!(
        strays.is_empty(),
        "requests left the fake GitHub: {strays:#?}"
    );

    let changed_transcripts = check_transcripts(&scenarios, &pins, &reports);

    let fresh = matrix::render_markdown(&scenarios, &pins, &cells);
    let path = pins::repo_root().join("docs").join("compat-matrix.md");
    if let Some(shard) = &shard {
        eprintln!(
            "shard {}: runs and transcripts checked; the matrix is compared when the shards are \
             assembled",
            shard.join(",")
        );
    } else if std::env::var_os("SKILLRIG_UPDATE_MATRIX").is_some() {
        std::fs::write(&path, &fresh).expect("write docs/compat-matrix.md");
    } else {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != fresh {
            let diff = similar_diff(&committed, &fresh);
            let kept: Vec<String> = cells
                .iter()
                .filter_map(|c| {
                    let dir = c.kept.as_ref()?;
                    Some(format!("{} on {}: {}", c.scenario, c.pin, dir.display()))
                })
                .collect();
            panic!(
                "docs/compat-matrix.md disagrees with a fresh run (SKILLRIG_UPDATE_MATRIX=1 to accept):\n{diff}\nscratch dirs kept for a look:\n{}",
                kept.join("\n")
            );
        }
    }
    assert!(
        changed_transcripts.is_empty(),
        "transcripts differ from their snapshots (see above; accept with `cargo insta review`): {changed_transcripts:?}"
    );
}

/// Snapshots the transcripts; returns the names of those that differ from the committed ones.
fn check_transcripts(
    scenarios: &[Scenario],
    pins: &[pins::Pin],
    reports: &[Report],
) -> Vec<String> {
    let patched: Vec<&str> = pins
        .iter()
        .filter(|p| p.has_skillrig())
        .map(|p| p.name.as_str())
        .collect();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/transcripts");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut changed = Vec::new();
    let mut checked = 0;
    for report in reports {
        let name = if patched.contains(&report.pin.as_str())
            && BACKEND_DIRS.iter().any(|d| report.scenario.starts_with(d))
        {
            report.scenario.replace('/', "__")
        } else if NATIVE_TRANSCRIPTS.contains(&(report.scenario.as_str(), report.pin.as_str())) {
            format!("{}@{}", report.scenario.replace('/', "__"), report.pin)
        } else {
            continue;
        };
        let scenario = scenarios
            .iter()
            .find(|s| s.name == report.scenario)
            .expect("the report's scenario");
        if scenario.racy.is_some() {
            continue;
        }
        let text = transcript::render(report);
        settings.set_description(scenario.description.clone());
        let same = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.clone(), text));
        }));
        if same.is_err() {
            changed.push(name);
        }
        checked += 1;
    }
    if !patched.is_empty() {
        assert!(checked > 60, "only {checked} transcripts were checked");
    }
    changed
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
