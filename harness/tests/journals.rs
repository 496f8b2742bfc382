//! What mise asks GitHub for, as snapshots: request counts are recorded, not guessed.
//!
//! Each test runs one scenario on one real pin and snapshots the journal of its steps
//! (`METHOD /path?query`, one line per request, sorted: mise installs tools in parallel, so
//! arrival order varies between runs). A new mise release that pages differently
//! changes these files; review the diff like the compatibility matrix.

use skillrig_harness::mise_run::Layout;
use skillrig_harness::{pins, scenario};

async fn journal(scenario_name: &str, pin_name: &str) -> String {
    let s = scenario::Scenario::load(scenario_name).expect("scenario loads");
    let pin = pins::select(&[pin_name.to_string()])
        .expect("pin")
        .remove(0);
    let bin = pin.binary().expect("pin binary");
    let layout = Layout::for_run(&format!("journal-{scenario_name}"), &pin.name);
    let report = scenario::run(&s, &pin, &bin, layout)
        .await
        .expect("scenario runs");
    assert!(
        report.strays.is_empty(),
        "stray requests: {:?}",
        report.strays
    );
    let _ = std::fs::remove_dir_all(&report.layout.root);
    let mut text = format!("outcome: {}\n", report.verdict.class);
    let mut lines = report.journal.clone();
    lines.sort();
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Layer C: native mise reads one page of 100 releases; the quiet stream is on page 2.
#[tokio::test]
async fn starvation_native_reads_one_page() {
    insta::assert_snapshot!(journal("layer-c/stream-starvation", "2026.10.25").await);
}

/// After #9093, aliases with version_prefix work on prefix tags: what one install costs.
#[tokio::test]
async fn prefix_streams_native_requests() {
    insta::assert_snapshot!(journal("layer-b/prefix-streams", "2026.4.20").await);
}

/// The skillrig backend: five binaries of one origin with 300 releases, installed cold then warm.
/// The budget (3 release pages + 1 metadata + 2 per binary) is the scenario's `max_requests`;
/// this shows which requests make it up (objects-host lines are the redirect hops).
#[tokio::test]
async fn five_binaries_skillrig_requests() {
    insta::assert_snapshot!(
        journal(
            "skillrig/five-binaries-cold-then-warm",
            "2026.10.25+skillrig"
        )
        .await
    );
}

/// An origin made from the skillrig template (metadata without binaries, project-wide checksums):
/// 1 release page + 1 metadata + 2 per binary.
#[tokio::test]
async fn template_origin_skillrig_requests() {
    insta::assert_snapshot!(journal("skillrig/template-origin", "2026.10.25+skillrig").await);
}

/// An origin with no metadata file: both files answer 404 (the one request more it costs cold).
#[tokio::test]
async fn no_metadata_skillrig_requests() {
    insta::assert_snapshot!(
        journal("skillrig/no-metadata-mixed-shapes", "2026.10.25+skillrig").await
    );
}
