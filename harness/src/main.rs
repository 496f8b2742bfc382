//! `skillrig-harness`: run scenarios against real mise binaries and print what they did.
//!
//! ```text
//! cargo run -p skillrig-harness -- matrix [--json] [--pin P]... [--scenario S]... [--write FILE]
//! cargo run -p skillrig-harness -- assemble SHARD.json... [--write FILE] [--check FILE]
//! cargo run -p skillrig-harness -- run <scenario> --pin <pin> [--keep]
//! cargo run -p skillrig-harness -- list
//! cargo run -p skillrig-harness -- bench --binary NAME=PATH... [--runs N] [--scenario S]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use skillrig_harness::mise_run::Layout;
use skillrig_harness::{matrix, pins, scenario};

#[derive(Parser)]
#[command(about = "Runs real mise binaries against a fake GitHub and records what they did")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every scenario on every pin (default: the pins pins.toml marks `matrix = true`).
    Matrix {
        /// Print JSON (scenario, pin, outcome, clean_versions, requests, redirect_hops,
        /// step_requests, seconds, detail, strays).
        #[arg(long)]
        json: bool,
        /// Only these pins (repeatable).
        #[arg(long = "pin")]
        pins: Vec<String>,
        /// Only these scenarios (repeatable), e.g. `layer-c/stream-starvation`.
        #[arg(long = "scenario")]
        scenarios: Vec<String>,
        /// Also write the markdown matrix (no timings) to this file.
        #[arg(long)]
        write: Option<PathBuf>,
        /// Scenario runs at once.
        #[arg(long, default_value_t = 3)]
        jobs: usize,
    },
    /// Assemble the matrix from shards (`matrix --pin P --json > P.json`, one per matrix pin, run
    /// apart: CI's jobs) and write it, or check it against a file (exit 1 when they differ).
    Assemble {
        /// The shards: JSON files of cells.
        shards: Vec<PathBuf>,
        /// Write the markdown matrix to this file.
        #[arg(long)]
        write: Option<PathBuf>,
        /// Compare the markdown matrix with this file.
        #[arg(long)]
        check: Option<PathBuf>,
    },
    /// Run one scenario on one pin and print its transcript and journal.
    Run {
        /// The scenario, e.g. `layer-a/alias-same-release`.
        scenario: String,
        /// The pin.
        #[arg(long)]
        pin: String,
        /// Leave the scratch dir for a post-mortem.
        #[arg(long)]
        keep: bool,
    },
    /// List the scenarios and the pins they run on.
    List,
    /// Time mise binaries of the patched pin (packaged builds of several profiles, say) on one
    /// scenario, one run at a time: the median wall time of each step and of `mise x`.
    Bench {
        /// A binary to time, as `name=path` (repeatable; the file must be named `mise`); it runs
        /// as the patched pin.
        #[arg(long = "binary", required = true)]
        binaries: Vec<String>,
        /// Runs per binary.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The scenario.
        #[arg(long, default_value = "skillrig/five-binaries-cold-then-warm")]
        scenario: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("skillrig-harness: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Matrix {
            json,
            pins,
            scenarios,
            write,
            jobs,
        } => {
            let pins = pins::select(&pins)?;
            let scenarios = if scenarios.is_empty() {
                scenario::Scenario::all()?
            } else {
                scenarios
                    .iter()
                    .map(|s| scenario::Scenario::load(s))
                    .collect::<Result<_>>()?
            };
            let started = Instant::now();
            let cells = matrix::run(&scenarios, &pins, jobs).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&cells)?);
            } else {
                print!("{}", matrix::render_text(&scenarios, &pins, &cells));
                println!(
                    "{} runs in {:.1}s",
                    cells.len(),
                    started.elapsed().as_secs_f64()
                );
            }
            if let Some(path) = write {
                std::fs::write(&path, matrix::render_markdown(&scenarios, &pins, &cells))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            for c in cells.iter().filter(|c| c.kept.is_some()) {
                if let Some(dir) = &c.kept {
                    eprintln!(
                        "{} on {} is {}: its scratch dir is kept at {}",
                        c.scenario,
                        c.pin,
                        c.outcome,
                        dir.display()
                    );
                }
            }
            let strays: Vec<_> = cells.iter().filter(|c| !c.strays.is_empty()).collect();
            for c in &strays {
                eprintln!(
                    "stray requests in {} on {}: {:?}",
                    c.scenario, c.pin, c.strays
                );
            }
            Ok(if strays.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Assemble {
            shards,
            write,
            check,
        } => {
            let scenarios = scenario::Scenario::all()?;
            let pins = pins::select(&[])?;
            let mut loaded = Vec::new();
            for path in &shards {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let cells: Vec<matrix::Cell> = serde_json::from_str(&text).with_context(|| {
                    format!("{}: not the cells of `matrix --json`", path.display())
                })?;
                loaded.push(cells);
            }
            let cells = matrix::assemble(&scenarios, &pins, loaded)?;
            let markdown = matrix::render_markdown(&scenarios, &pins, &cells);
            if let Some(path) = write {
                std::fs::write(&path, &markdown)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if let Some(path) = check {
                let committed = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                if committed != markdown {
                    let committed: Vec<&str> = committed.lines().collect();
                    let fresh: Vec<&str> = markdown.lines().collect();
                    for line in committed.iter().filter(|l| !fresh.contains(l)) {
                        println!("- {line}");
                    }
                    for line in fresh.iter().filter(|l| !committed.contains(l)) {
                        println!("+ {line}");
                    }
                    eprintln!(
                        "{} disagrees with the assembled shards (- committed, + shards)",
                        path.display()
                    );
                    return Ok(ExitCode::FAILURE);
                }
                eprintln!("{}: the assembled shards agree", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run {
            scenario,
            pin,
            keep,
        } => {
            let s = scenario::Scenario::load(&scenario)?;
            let pin = pins::select(&[pin])?.remove(0);
            if !s.runs_on(&pin) {
                bail!(
                    "{} needs the skillrig backend; {} does not have it",
                    s.name,
                    pin.name
                );
            }
            let bin = pin.binary()?;
            let report = scenario::run(&s, &pin, &bin, Layout::for_run(&s.name, &pin.name)).await?;
            let root = report.layout.root.clone();
            for out in report.transcript() {
                println!(
                    "$ mise {}\n[exit {:?}, {:.1}s]",
                    out.args.join(" "),
                    out.code,
                    out.elapsed.as_secs_f64()
                );
                for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                    if !text.trim().is_empty() {
                        println!("--- {name}\n{}", text.trim_end());
                    }
                }
            }
            let by_step: Vec<String> = report.step_requests.iter().map(usize::to_string).collect();
            println!(
                "\n--- journal ({} requests during the steps, by step {}; {} redirect hops)",
                report.requests,
                by_step.join(", "),
                report.redirect_hops
            );
            for line in &report.journal {
                println!("{line}");
            }
            let cell = matrix::Cell::from_report(&report);
            println!("\n{}: {} — {}", pin.name, cell.summary(), cell.detail);
            for stray in &report.strays {
                println!("STRAY {stray}");
            }
            if keep {
                println!("scratch dir kept: {}", root.display());
            } else {
                let _ = std::fs::remove_dir_all(&root);
            }
            Ok(if report.strays.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Bench {
            binaries,
            runs,
            scenario,
        } => bench(&binaries, runs, &scenario).await,
        Command::List => {
            let all_pins = pins::load()?;
            for s in scenario::Scenario::all()? {
                let on: Vec<_> = all_pins
                    .iter()
                    .filter(|p| s.runs_on(p))
                    .map(|p| p.name.as_str())
                    .collect();
                println!("{}\t{}", s.name, on.join(","));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The median of `values` (seconds).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// `bench`: each binary runs the scenario `runs` times, one run at a time (no other run shares
/// the cores); prints the median wall time of each step and of the evidence's `mise x` calls.
async fn bench(binaries: &[String], runs: usize, scenario_name: &str) -> Result<ExitCode> {
    let s = scenario::Scenario::load(scenario_name)?;
    let pin = pins::select(&[])?
        .into_iter()
        .find(pins::Pin::has_skillrig)
        .context("no patched pin in the matrix")?;
    println!(
        "{scenario_name}, {runs} runs per binary, median seconds (steps: {})",
        s.steps
            .iter()
            .map(|st| format!("`mise {}`", st.args.join(" ")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for entry in binaries {
        let (name, path) = entry
            .split_once('=')
            .with_context(|| format!("--binary {entry}: write name=path"))?;
        let given = std::path::absolute(path).with_context(|| format!("--binary {entry}"))?;
        if !given.is_file() {
            bail!("--binary {entry}: no such file");
        }
        let packaged = pin.with_binary(&given);
        // Through the pin, as every run gets its binary: it must be named `mise`.
        let bin = packaged.binary()?;
        let mut steps: Vec<Vec<f64>> = vec![Vec::new(); s.steps.len()];
        let mut exec = Vec::new();
        for run in 0..runs {
            let layout = Layout::for_run(&format!("bench-{name}-{run}"), &pin.name);
            let report = scenario::run(&s, &packaged, &bin, layout).await?;
            if report.verdict.class != skillrig_harness::outcome::Class::Ok {
                bail!(
                    "{name}: {} on run {}: {}",
                    report.verdict.class,
                    run + 1,
                    report.verdict.detail
                );
            }
            for (i, out) in report.steps.iter().enumerate() {
                steps[i].push(out.elapsed.as_secs_f64());
            }
            exec.extend(
                report
                    .evidence
                    .iter()
                    .filter(|o| o.args.first().is_some_and(|a| a == "x"))
                    .map(|o| o.elapsed.as_secs_f64()),
            );
            let _ = std::fs::remove_dir_all(&report.layout.root);
        }
        let cells: Vec<String> = steps
            .into_iter()
            .map(|v| format!("{:.3}", median(v)))
            .collect();
        println!(
            "{name}: steps {} · mise x {:.3} ({} calls) · {} MB",
            cells.join(" / "),
            median(exec.clone()),
            exec.len(),
            std::fs::metadata(&bin)?.len() / 1_000_000
        );
    }
    Ok(ExitCode::SUCCESS)
}
