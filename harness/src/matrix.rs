//! The compatibility matrix: every scenario on every pin, run in parallel where isolation
//! allows (each run has its own fake GitHub, tripwire and scratch dir), rendered for people
//! (`docs/compat-matrix.md`, no timings so it is stable) and for machines (`--json`).
//!
//! Requests are counted one rule for every pin: a request is what mise sends to GitHub's API,
//! web or raw host; a download is one request whether it starts at a browser download URL or an
//! API asset URL. GitHub answers both with a 302 to its objects host, and that second hop is
//! counted apart as a *redirect hop* (reported, never part of a count or a budget), so a pin
//! that follows redirects and one that is handed the object URL compare fairly.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::mise_run::Layout;
use crate::outcome::Class;
use crate::pins::{Form, Pin};
use crate::scenario::{self, BackendKind, Report, Scenario};

/// One cell of the matrix.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cell {
    /// The scenario's name.
    pub scenario: String,
    /// The pin's name.
    pub pin: String,
    /// The class: `ok`, `collision`, `wrong-stream`, `wrong-version`, `not-found`, `wrong-error`,
    /// `wrong-output`, `over-budget`, `error` or `leak` ([`Class`]).
    pub outcome: Class,
    /// For `ok`: clean (`1.7.0`) or decorated (`1.7.0+jira`) versions.
    pub clean_versions: Option<bool>,
    /// Requests the fake GitHub received during the steps, redirect hops not counted.
    pub requests: usize,
    /// Second hops of redirected downloads (requests to the objects host).
    pub redirect_hops: usize,
    /// `requests` step by step.
    pub step_requests: Vec<usize>,
    /// Wall time of the steps.
    pub seconds: f64,
    /// What decided the outcome (scratch paths and ports redacted).
    pub detail: String,
    /// Requests that did not go to a route of the fake (must be empty).
    pub strays: Vec<String>,
    /// Some step ran mise several times at once: the request count varies from run to run.
    pub concurrent: bool,
    /// How mise reached github.com: over TLS trusting the run's test CA, or `url_replacements`.
    pub reach: String,
    /// Where the run's scratch dir was kept (a cell that is not `ok`, or sent a stray request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<std::path::PathBuf>,
}

impl Cell {
    /// The cell of a report, with run-specific paths and ports redacted.
    pub fn from_report(report: &Report) -> Self {
        let redact = |s: &str| redact(s, report);
        Cell {
            scenario: report.scenario.clone(),
            pin: report.pin.clone(),
            outcome: report.verdict.class,
            clean_versions: report.verdict.clean_versions,
            requests: report.requests,
            redirect_hops: report.redirect_hops,
            step_requests: report.step_requests.clone(),
            seconds: (report.elapsed.as_secs_f64() * 10.0).round() / 10.0,
            detail: redact(&report.verdict.detail),
            strays: report.strays.iter().map(|s| redact(s)).collect(),
            concurrent: report.concurrent,
            reach: report.reach.describe().to_string(),
            kept: keeps_scratch(report).then(|| report.layout.root.clone()),
        }
    }

    /// The short form used in tables: `ok (clean) · 4 req`.
    pub fn summary(&self) -> String {
        format!(
            "{} · {} req{}",
            self.class_text(),
            self.requests,
            self.stray_text()
        )
    }

    /// The form committed in the markdown matrix. A run that fails stops mise's other install
    /// jobs wherever they are, so its request count varies from run to run: only the count of a
    /// run whose every step did what it should (`ok`, `over-budget`) is stable enough to commit,
    /// and not even that when mise ran several times at once.
    pub fn stable_summary(&self) -> String {
        if self.counts_are_stable() {
            self.summary()
        } else {
            format!("{}{}", self.class_text(), self.stray_text())
        }
    }

    fn counts_are_stable(&self) -> bool {
        matches!(self.outcome, Class::Ok | Class::OverBudget) && !self.concurrent
    }

    /// For the scenario sections: requests step by step and redirect hops, when stable and
    /// worth saying (`requests by step: 14, 0; 10 redirect hops`).
    pub fn requests_note(&self) -> Option<String> {
        if !self.counts_are_stable() {
            return None;
        }
        let mut parts = Vec::new();
        if self.step_requests.len() > 1 {
            let steps: Vec<String> = self.step_requests.iter().map(usize::to_string).collect();
            parts.push(format!("requests by step: {}", steps.join(", ")));
        }
        if self.redirect_hops > 0 {
            parts.push(format!("{} redirect hops", self.redirect_hops));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    fn class_text(&self) -> String {
        match (self.outcome, self.clean_versions) {
            (Class::Ok, Some(true)) => "ok (clean)".to_string(),
            (Class::Ok, Some(false)) => "ok (decorated)".to_string(),
            (class, _) => class.to_string(),
        }
    }

    fn stray_text(&self) -> &'static str {
        if self.strays.is_empty() {
            ""
        } else {
            " · STRAY"
        }
    }
}

/// Replace what differs between runs (scratch dir, loopback ports, temporary names) with stable
/// placeholders.
fn redact(text: &str, report: &Report) -> String {
    let text = crate::transcript::TEMP_NAME.replace_all(text, ".[RANDOM]");
    let text = crate::transcript::INVOCATION_SCRATCH.replace_all(&text, "${1}.[RANDOM]");
    let mut out = text.replace(&report.layout.root.display().to_string(), "[SCRATCH]");
    while let Some(start) = out.find("127.0.0.1:") {
        let port_len = out[start + 10..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        out.replace_range(start..start + 10 + port_len, "[LOCAL]");
    }
    out
}

/// The cells of shards (`matrix --pin P --json` of each pin, run apart) as one matrix: every
/// (scenario, pin) pair that applies must be there exactly once, so assembling the shards of all
/// `pins` gives what one run of them gives.
pub fn assemble(scenarios: &[Scenario], pins: &[Pin], shards: Vec<Vec<Cell>>) -> Result<Vec<Cell>> {
    let mut cells: Vec<Cell> = shards.into_iter().flatten().collect();
    let mut problems = Vec::new();
    for s in scenarios {
        for pin in pins.iter().filter(|p| s.runs_on(p)) {
            match cells
                .iter()
                .filter(|c| c.scenario == s.name && c.pin == pin.name)
                .count()
            {
                1 => {}
                0 => problems.push(format!("no cell for {} on {}", s.name, pin.name)),
                n => problems.push(format!("{n} cells for {} on {}", s.name, pin.name)),
            }
        }
    }
    let known = |c: &Cell| {
        scenarios.iter().any(|s| s.name == c.scenario) && pins.iter().any(|p| p.name == c.pin)
    };
    for c in cells.iter().filter(|c| !known(c)) {
        problems.push(format!(
            "{} on {} is no scenario of a matrix pin",
            c.scenario, c.pin
        ));
    }
    if !problems.is_empty() {
        anyhow::bail!("the shards do not make the matrix: {}", problems.join("; "));
    }
    // the order one run gives: scenario, then pin
    let position = |c: &Cell| {
        (
            scenarios.iter().position(|s| s.name == c.scenario),
            pins.iter().position(|p| p.name == c.pin),
        )
    };
    cells.sort_by_key(position);
    Ok(cells)
}

/// Run every (scenario, pin) pair that applies, `jobs` at a time: [`run_reports`], as cells.
pub async fn run(scenarios: &[Scenario], pins: &[Pin], jobs: usize) -> Result<Vec<Cell>> {
    Ok(run_reports(scenarios, pins, jobs)
        .await?
        .iter()
        .map(Cell::from_report)
        .collect())
}

/// Run every (scenario, pin) pair that applies, `jobs` at a time, in scenario then pin order.
/// Binaries are resolved first (fetched or built by `scripts/mise-bin`), so a build never races
/// a run. A run that is not `ok`, or sent a stray request, keeps its scratch dir (its
/// [`Cell::kept`]); the others' are removed.
pub async fn run_reports(scenarios: &[Scenario], pins: &[Pin], jobs: usize) -> Result<Vec<Report>> {
    let mut bins = BTreeMap::new();
    for pin in pins {
        bins.insert(pin.name.clone(), pin.binary()?);
    }
    let limit = Arc::new(Semaphore::new(jobs.max(1)));
    let mut tasks = Vec::new();
    for s in scenarios {
        for pin in pins.iter().filter(|p| s.runs_on(p)) {
            let (s, pin, limit) = (s.clone(), pin.clone(), limit.clone());
            let bin = bins[&pin.name].clone();
            tasks.push(tokio::spawn(async move {
                let _permit = limit.acquire().await.context("semaphore closed")?;
                let layout = Layout::for_run(&s.name, &pin.name);
                let report = scenario::run(&s, &pin, &bin, layout)
                    .await
                    .with_context(|| format!("{} on {}", s.name, pin.name))?;
                if !keeps_scratch(&report) {
                    let _ = std::fs::remove_dir_all(&report.layout.root);
                }
                Ok::<_, anyhow::Error>(report)
            }));
        }
    }
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.context("a scenario task panicked")??);
    }
    Ok(reports)
}

/// Whether a run's scratch dir stays for a look: it is not `ok`, or a request strayed.
fn keeps_scratch(report: &Report) -> bool {
    report.verdict.class != Class::Ok || !report.strays.is_empty()
}

/// The matrix as a terminal table: outcome, requests and wall time per cell.
pub fn render_text(scenarios: &[Scenario], pins: &[Pin], cells: &[Cell]) -> String {
    let mut out = String::new();
    let width = scenarios
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = write!(out, "{:width$}", "scenario");
    for pin in pins {
        let _ = write!(out, " | {:32}", pin.name);
    }
    out.push('\n');
    for s in scenarios {
        let _ = write!(out, "{:width$}", s.name);
        for pin in pins {
            let text = match find(cells, &s.name, &pin.name) {
                Some(c) => format!("{} · {:.1}s", c.summary(), c.seconds),
                None => "n/a".to_string(),
            };
            let _ = write!(out, " | {text:32}");
        }
        out.push('\n');
    }
    out
}

/// The matrix as committed in `docs/compat-matrix.md`: no timings, so it only changes when
/// mise's behaviour (or a scenario) does.
pub fn render_markdown(scenarios: &[Scenario], pins: &[Pin], cells: &[Cell]) -> String {
    let mut out = String::new();
    out.push_str("# Compatibility matrix\n\n");
    out.push_str(
        "Generated by `cargo run -p skillrig-harness -- matrix --write docs/compat-matrix.md`; do not edit by\n\
         hand. `harness/tests/matrix.rs` runs the matrix again and fails when a fresh run disagrees with this\n\
         file, so a change in mise's behaviour shows up as a diff to review. Each cell: the outcome and, for\n\
         a successful run, the requests the fake GitHub received while the scenario's commands ran (a\n\
         failed run's count depends on how far mise's parallel jobs got; `matrix --json` has it). Outcomes are judged from\n\
         evidence (what `mise ls --json` lists and what each binary prints through `mise x`), not exit codes.\n\n\
         Counting: a request is one mise sent to GitHub's API, web or raw host. A download is one request,\n\
         whether it starts at a browser download URL or an API asset URL; GitHub answers both with a 302 to\n\
         its objects host, and that second hop is a *redirect hop*: listed per scenario below, never part of\n\
         a count or a budget (`max_requests`). A scenario over its budget is `over-budget`.\n\n",
    );
    out.push_str(&table_header("scenario", pins));
    for s in scenarios {
        let _ = write!(out, "| `{}` |", s.name);
        for pin in pins {
            let text =
                find(cells, &s.name, &pin.name).map_or("n/a".to_string(), Cell::stable_summary);
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out.push_str(&render_layers(scenarios, pins, cells));
    out.push_str(&render_twins(scenarios, pins, cells));
    out.push_str("\n## Pins\n\n");
    out.push_str(
        "Each pin reaches github.com's hosts (`api.github.com`, `github.com`, the objects host) as on\n\
         github.com, over TLS through the harness's proxy, when it trusts a test CA made for the run and\n\
         given through `SSL_CERT_FILE`; a pin that does not is pointed at the fake with `url_replacements`\n\
         (and then drops a token, as a replacement changes the host).\n\n",
    );
    for pin in pins {
        let reach = cells
            .iter()
            .find(|c| c.pin == pin.name)
            .map_or(String::new(), |c| format!(" Reached: {}.", c.reach));
        let _ = writeln!(out, "- `{}`: {}{reach}", pin.name, pin.why);
    }
    out.push_str("\n## Scenarios\n");
    for s in scenarios {
        let _ = write!(out, "\n### `{}`\n\n{}\n\n", s.name, s.description);
        if let Some(observed) = &s.observed {
            let _ = write!(out, "Observed by hand before the harness: {observed}\n\n");
        }
        for pin in pins {
            if let Some(c) = find(cells, &s.name, &pin.name) {
                let note = c
                    .requests_note()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "- {}: **{}** — {}{note}",
                    pin.name,
                    c.stable_summary(),
                    c.detail.replace('|', "\\|")
                );
            }
        }
        if s.form == Some(Form::Packaged) {
            out.push_str(
                "- Runs on no pin here: it shows the packaged build, which the package tests \
                 run it on (`harness/tests/package.rs`).\n",
            );
        }
    }
    out
}

/// Which layers each pin handles, decided by the scenarios marked `decides = "<layer>"`: per
/// pin, the best outcome among a layer's deciders that run on it (the best configuration the pin
/// offers). A skillrig scenario wins a tie, and a cell it decides says so; native pins do not run
/// skillrig scenarios, so their cells are what their native configurations do.
pub fn render_layers(scenarios: &[Scenario], pins: &[Pin], cells: &[Cell]) -> String {
    let mut layers: BTreeMap<String, Vec<&Scenario>> = BTreeMap::new();
    for s in scenarios {
        if let Some(layer) = &s.decides {
            layers.entry(layer.clone()).or_default().push(s);
        }
    }
    if layers.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n## Layers\n\nWhether each pin handles a layer with the best configuration it offers: the best outcome\n\
         among the scenarios that decide the layer and run on the pin (a `skillrig:` scenario runs only on a\n\
         pin with the backend, and wins a tie).\n\n",
    );
    out.push_str(&table_header("layer", pins));
    for (layer, mut deciders) in layers {
        deciders.sort_by_key(|s| (s.backend == BackendKind::Skillrig, s.name.clone()));
        let names: Vec<String> = deciders.iter().map(|s| format!("`{}`", s.name)).collect();
        let _ = write!(out, "| {layer} ({}) |", names.join(", "));
        for pin in pins {
            let best = deciders
                .iter()
                .filter_map(|s| find(cells, &s.name, &pin.name).map(|c| (*s, c)))
                .min_by_key(|(s, c)| (rank(c), s.backend != BackendKind::Skillrig));
            let text = match best {
                Some((s, c)) => {
                    let through = match s.backend {
                        BackendKind::Skillrig => " (skillrig)",
                        BackendKind::Github => "",
                    };
                    match (c.outcome, c.clean_versions) {
                        (Class::Ok, Some(false)) => format!("yes, versions decorated{through}"),
                        (Class::Ok, _) => format!("yes{through}"),
                        (class, _) => format!("no: {class}{through}"),
                    }
                }
                None => "n/a".to_string(),
            };
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out
}

/// How good an outcome is, lower is better: clean ok, decorated ok, anything else.
fn rank(cell: &Cell) -> u8 {
    match (cell.outcome, cell.clean_versions) {
        (Class::Ok, Some(false)) => 1,
        (Class::Ok, _) => 0,
        _ => 2,
    }
}

/// Each skillrig scenario of a layer next to a native configuration of that layer that succeeds
/// on the same pin (same mise source, so the difference is the backend): its own native scenario
/// (its name without `-skillrig`) if that succeeds, else the best of the layer's: the layer's
/// decider first, then clean before decorated, then the fewest requests.
pub fn render_twins(scenarios: &[Scenario], pins: &[Pin], cells: &[Cell]) -> String {
    let mut rows = String::new();
    for pin in pins.iter().filter(|p| p.has_skillrig()) {
        for twin in scenarios
            .iter()
            .filter(|s| s.backend == BackendKind::Skillrig && s.layer().is_some())
        {
            let Some(cell) = find(cells, &twin.name, &pin.name) else {
                continue;
            };
            let native = scenarios
                .iter()
                .filter(|s| s.backend == BackendKind::Github && s.layer() == twin.layer())
                .filter_map(|s| find(cells, &s.name, &pin.name).map(|c| (s, c)))
                .filter(|(_, c)| c.outcome == Class::Ok)
                .min_by_key(|(s, c)| {
                    let own = twin.name.strip_suffix("-skillrig") == Some(s.name.as_str());
                    (!own, s.decides.is_none(), rank(c), c.requests)
                });
            let native_text = match native {
                Some((s, c)) => format!("`{}` | {}", s.name, c.stable_summary()),
                None => "no native configuration succeeds | —".to_string(),
            };
            let _ = writeln!(
                rows,
                "| {} | `{}` | {} | {} |",
                twin.layer().unwrap_or_default(),
                twin.name,
                cell.stable_summary(),
                native_text
            );
        }
        if !rows.is_empty() {
            let _ = write!(
                rows,
                "\nAll on `{}`, which runs native configurations too.\n",
                pin.name
            );
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "\n## skillrig next to native\n\nEach `skillrig:` scenario of a layer next to a native configuration of that layer that\n\
         succeeds on the same pin: its own native scenario (the name without `-skillrig`) if that succeeds,\n\
         else the layer's best (its deciding scenario first, then clean versions, then the fewest requests).\n\
         Native configurations run with `github_attestations` off (pins.toml: their origins publish\n\
         none), while a `skillrig:` install asks for each binary's attestations: one request per\n\
         binary installed cold.\n\n\
         | layer | skillrig scenario | outcome | native configuration | outcome |\n|---|---|---|---|---|\n{rows}"
    )
}

/// A markdown table header: the first column, then one column per pin.
fn table_header(first: &str, pins: &[Pin]) -> String {
    let mut out = format!("| {first} |");
    for pin in pins {
        let _ = write!(out, " {} |", pin.name);
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(pins.len()));
    out.push('\n');
    out
}

fn find<'a>(cells: &'a [Cell], scenario: &str, pin: &str) -> Option<&'a Cell> {
    cells
        .iter()
        .find(|c| c.scenario == scenario && c.pin == pin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Verdict;
    use std::path::PathBuf;
    use std::time::Duration;

    fn report(detail: &str) -> Report {
        Report {
            scenario: "layer-b/x".into(),
            pin: "p".into(),
            verdict: Verdict {
                class: Class::Error,
                clean_versions: None,
                detail: detail.into(),
            },
            requests: 3,
            redirect_hops: 2,
            step_requests: vec![3],
            elapsed: Duration::from_millis(1234),
            reach: crate::scenario::Reach::Tls,
            strays: vec![],
            journal: vec![],
            steps: vec![],
            together: BTreeMap::new(),
            evidence: vec![],
            layout: Layout {
                root: PathBuf::from("/tmp/scratch/run"),
            },
            binary: PathBuf::from("/c/bin/p/mise"),
            concurrent: false,
        }
    }

    #[test]
    fn details_are_redacted() {
        let cell = Cell::from_report(&report(
            "failed to download http://127.0.0.1:43121/github.com/x into /tmp/scratch/run/data/downloads/.tmpAbC123",
        ));
        assert_eq!(
            cell.detail,
            "failed to download http://[LOCAL]/github.com/x into [SCRATCH]/data/downloads/.[RANDOM]"
        );
        assert_eq!(cell.seconds, 1.2);
        assert_eq!(cell.summary(), "error · 3 req");
        assert_eq!(cell.stable_summary(), "error");
    }

    fn scenario(name: &str, backend: &str, decides: Option<&str>) -> Scenario {
        let decides = decides.map_or(String::new(), |d| format!("decides = \"{d}\"\n"));
        let mut s: Scenario = toml::from_str(&format!(
            "description = \"d\"\nfixture = \"f\"\nbackend = \"{backend}\"\n{decides}config = \"\"\n\
             [[step]]\nargs = [\"install\"]\n"
        ))
        .expect("scenario parses");
        s.name = name.into();
        s
    }

    fn pin(name: &str, patched: bool) -> Pin {
        let patches = if patched { "patches = \"p\"\n" } else { "" };
        toml::from_str(&format!("name = \"{name}\"\nwhy = \"w\"\n{patches}")).expect("pin parses")
    }

    fn cell(
        scenario: &str,
        pin: &str,
        outcome: Class,
        clean: Option<bool>,
        requests: usize,
    ) -> Cell {
        Cell {
            scenario: scenario.into(),
            pin: pin.into(),
            outcome,
            clean_versions: clean,
            requests,
            redirect_hops: 0,
            step_requests: vec![requests],
            seconds: 0.0,
            detail: String::new(),
            strays: vec![],
            concurrent: false,
            reach: "github.com over TLS (test CA)".to_string(),
            kept: None,
        }
    }

    #[test]
    fn a_concurrent_run_commits_no_request_count() {
        let mut c = cell("faults/x", "p", Class::Ok, Some(true), 8);
        assert_eq!(c.stable_summary(), "ok (clean) · 8 req");
        c.concurrent = true;
        assert_eq!(c.stable_summary(), "ok (clean)");
        assert_eq!(c.requests_note(), None);
    }

    #[test]
    fn a_layer_cell_takes_the_best_configuration_the_pin_offers() {
        let scenarios = [
            scenario("layer-a/n", "github", Some("A")),
            scenario("layer-a/n-skillrig", "skillrig", Some("A")),
            scenario("layer-b/n", "github", Some("B")),
            scenario("layer-b/n-skillrig", "skillrig", Some("B")),
        ];
        let pins = [pin("native", false), pin("patched", true)];
        let cells = [
            cell("layer-a/n", "native", Class::Collision, None, 3),
            cell("layer-a/n", "patched", Class::Ok, Some(true), 9),
            cell("layer-a/n-skillrig", "patched", Class::Ok, Some(true), 5),
            cell("layer-b/n", "native", Class::WrongStream, None, 3),
            cell("layer-b/n", "patched", Class::Ok, Some(false), 12),
            cell("layer-b/n-skillrig", "patched", Class::Error, None, 1),
        ];
        let text = render_layers(&scenarios, &pins, &cells);
        assert!(
            text.contains(
                "| A (`layer-a/n`, `layer-a/n-skillrig`) | no: collision | yes (skillrig) |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| B (`layer-b/n`, `layer-b/n-skillrig`) | no: wrong-stream | yes, versions decorated |"),
            "{text}"
        );
    }

    #[test]
    fn twins_sit_next_to_the_best_native_configuration_that_succeeds() {
        let scenarios = [
            scenario("layer-a/cheap", "github", None),
            scenario("layer-a/n", "github", Some("A")),
            scenario("layer-a/n-skillrig", "skillrig", Some("A")),
            scenario("layer-c/n", "github", Some("C")),
            scenario("layer-c/n-skillrig", "skillrig", Some("C")),
            scenario("skillrig/other", "skillrig", None),
        ];
        let pins = [pin("native", false), pin("patched", true)];
        let mut cells = vec![
            cell("layer-a/cheap", "patched", Class::Ok, Some(true), 4),
            cell("layer-a/n", "patched", Class::Ok, Some(true), 9),
            cell("layer-a/n-skillrig", "patched", Class::Ok, Some(true), 5),
            cell("layer-c/n", "patched", Class::NotFound, None, 7),
            cell("layer-c/n-skillrig", "patched", Class::Ok, Some(true), 6),
            cell("skillrig/other", "patched", Class::Ok, Some(true), 6),
        ];
        let text = render_twins(&scenarios, &pins, &cells);
        assert!(
            text.contains("| A | `layer-a/n-skillrig` | ok (clean) · 5 req | `layer-a/n` | ok (clean) · 9 req |"),
            "{text}"
        );
        assert!(
            text.contains("| C | `layer-c/n-skillrig` | ok (clean) · 6 req | no native configuration succeeds | — |"),
            "{text}"
        );
        assert!(!text.contains("skillrig/other"), "{text}");
        let mut with_own = scenarios.to_vec();
        with_own.push(scenario("layer-a/cheap-skillrig", "skillrig", None));
        let mut own_cells = cells.clone();
        own_cells.push(cell(
            "layer-a/cheap-skillrig",
            "patched",
            Class::Ok,
            Some(true),
            3,
        ));
        let text = render_twins(&with_own, &pins, &own_cells);
        assert!(
            text.contains("| A | `layer-a/cheap-skillrig` | ok (clean) · 3 req | `layer-a/cheap` | ok (clean) · 4 req |"),
            "{text}"
        );
        cells[1].outcome = Class::Collision;
        let text = render_twins(&scenarios, &pins, &cells);
        assert!(
            text.contains("| `layer-a/cheap` | ok (clean) · 4 req |"),
            "{text}"
        );
    }

    #[test]
    fn over_budget_keeps_its_counts_and_notes_steps_and_hops() {
        let mut c = cell("s", "p", Class::OverBudget, Some(true), 17);
        c.step_requests = vec![15, 2];
        c.redirect_hops = 10;
        assert_eq!(c.stable_summary(), "over-budget · 17 req");
        assert_eq!(
            c.requests_note().as_deref(),
            Some("requests by step: 15, 2; 10 redirect hops")
        );
        c.outcome = Class::Error;
        assert_eq!(c.requests_note(), None);
    }

    #[test]
    fn shards_assemble_into_the_matrix_one_run_gives() {
        let scenarios = [
            scenario("layer-c/native", "github", None),
            scenario("layer-c/twin-skillrig", "skillrig", None),
        ];
        let pins = [pin("1.0", false), pin("1.0+s", true)];
        let one_run = vec![
            cell("layer-c/native", "1.0", Class::NotFound, None, 5),
            cell("layer-c/native", "1.0+s", Class::NotFound, None, 5),
            cell("layer-c/twin-skillrig", "1.0+s", Class::Ok, Some(true), 6),
        ];
        // the patched pin's shard first: assembling puts the cells in one run's order
        let shards = vec![
            vec![one_run[2].clone(), one_run[1].clone()],
            vec![one_run[0].clone()],
        ];
        let assembled = assemble(&scenarios, &pins, shards).expect("assembles");
        assert_eq!(
            render_markdown(&scenarios, &pins, &assembled),
            render_markdown(&scenarios, &pins, &one_run)
        );
        let missing = assemble(&scenarios, &pins, vec![vec![one_run[0].clone()]]).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("no cell for layer-c/native on 1.0+s"),
            "{missing}"
        );
        let twice = vec![one_run.clone(), vec![one_run[0].clone()]];
        assert!(assemble(&scenarios, &pins, twice).is_err());
    }
}
