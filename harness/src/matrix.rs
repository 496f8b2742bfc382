//! The compatibility matrix: every scenario on every pin, run in parallel where isolation
//! allows (each run has its own fake GitHub, tripwire and scratch dir), rendered for people
//! (`docs/compat-matrix.md`, no timings so it is stable) and for machines (`--json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::outcome::Class;
use crate::pins::Pin;
use crate::scenario::{self, Report, Scenario};

/// One cell of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The scenario's name.
    pub scenario: String,
    /// The pin's name.
    pub pin: String,
    /// `ok`, `collision`, `wrong-stream`, `not-found` or `error`.
    pub outcome: Class,
    /// For `ok`: clean (`1.7.0`) or decorated (`1.7.0+jira`) versions.
    pub clean_versions: Option<bool>,
    /// Requests the fake GitHub received during the steps.
    pub requests: usize,
    /// Wall time of the steps.
    pub seconds: f64,
    /// What decided the outcome (scratch paths and ports redacted).
    pub detail: String,
    /// Requests that did not go to a route of the fake (must be empty).
    pub strays: Vec<String>,
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
            seconds: (report.elapsed.as_secs_f64() * 10.0).round() / 10.0,
            detail: redact(&report.verdict.detail),
            strays: report.strays.iter().map(|s| redact(s)).collect(),
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
    /// jobs wherever they are, so its request count varies from run to run: only a successful
    /// run's count is stable enough to commit.
    pub fn stable_summary(&self) -> String {
        match self.outcome {
            Class::Ok => self.summary(),
            _ => format!("{}{}", self.class_text(), self.stray_text()),
        }
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

/// Replace what differs between runs (scratch dir, loopback ports) with stable placeholders.
fn redact(text: &str, report: &Report) -> String {
    let mut out = text.replace(&report.scratch.display().to_string(), "[SCRATCH]");
    while let Some(start) = out.find("127.0.0.1:") {
        let port_len = out[start + 10..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        out.replace_range(start..start + 10 + port_len, "[LOCAL]");
    }
    out
}

/// Run every (scenario, pin) pair that applies, `jobs` at a time. Binaries are resolved first
/// (fetched or built by `scripts/mise-bin`), so a build never races a run.
pub async fn run(scenarios: &[Scenario], pins: &[Pin], jobs: usize) -> Result<Vec<Cell>> {
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
                let root = scenario::scratch_dir(&s.name, &pin.name);
                let report = scenario::run(&s, &pin, &bin, &root)
                    .await
                    .with_context(|| format!("{} on {}", s.name, pin.name))?;
                let _ = std::fs::remove_dir_all(&root);
                Ok::<_, anyhow::Error>(Cell::from_report(&report))
            }));
        }
    }
    let mut cells = Vec::new();
    for task in tasks {
        cells.push(task.await.context("a scenario task panicked")??);
    }
    Ok(cells)
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
         evidence (what `mise ls --json` lists and what each binary prints through `mise x`), not exit codes.\n\n",
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
    out.push_str("\n## Pins\n\n");
    for pin in pins {
        let _ = writeln!(out, "- `{}`: {}", pin.name, pin.why);
    }
    out.push_str("\n## Scenarios\n");
    for s in scenarios {
        let _ = write!(out, "\n### `{}`\n\n{}\n\n", s.name, s.description);
        if let Some(observed) = &s.observed {
            let _ = write!(out, "Observed by hand before the harness: {observed}\n\n");
        }
        for pin in pins {
            if let Some(c) = find(cells, &s.name, &pin.name) {
                let _ = writeln!(
                    out,
                    "- {}: **{}** — {}",
                    pin.name,
                    c.stable_summary(),
                    c.detail.replace('|', "\\|")
                );
            }
        }
    }
    out
}

/// Which layers each pin handles, decided by the scenarios marked `decides = "<layer>"`.
pub fn render_layers(scenarios: &[Scenario], pins: &[Pin], cells: &[Cell]) -> String {
    let mut deciders: Vec<&Scenario> = scenarios.iter().filter(|s| s.decides.is_some()).collect();
    deciders.sort_by_key(|s| s.decides.clone());
    if deciders.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n## Layers\n\nWhether each pin handles a layer with the best configuration it offers.\n\n",
    );
    out.push_str(&table_header("layer", pins));
    for s in deciders {
        let _ = write!(
            out,
            "| {} (`{}`) |",
            s.decides.as_deref().unwrap_or_default(),
            s.name
        );
        for pin in pins {
            let text = match find(cells, &s.name, &pin.name) {
                Some(c) => match (c.outcome, c.clean_versions) {
                    (Class::Ok, Some(false)) => "yes, versions decorated".to_string(),
                    (Class::Ok, _) => "yes".to_string(),
                    (class, _) => format!("no: {class}"),
                },
                None => "n/a".to_string(),
            };
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out
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
            elapsed: Duration::from_millis(1234),
            strays: vec![],
            journal: vec![],
            transcript: vec![],
            scratch: PathBuf::from("/tmp/scratch/run"),
        }
    }

    #[test]
    fn details_are_redacted() {
        let cell = Cell::from_report(&report(
            "failed to download http://127.0.0.1:43121/github.com/x into /tmp/scratch/run/data/downloads",
        ));
        assert_eq!(
            cell.detail,
            "failed to download http://[LOCAL]/github.com/x into [SCRATCH]/data/downloads"
        );
        assert_eq!(cell.seconds, 1.2);
        assert_eq!(cell.summary(), "error · 3 req");
        assert_eq!(cell.stable_summary(), "error");
    }
}
