//! Scenarios: a fixture, a consumer config, steps of mise commands, and what each tool should
//! end up running. Data lives in `scenarios/<dir>/<name>.toml`.
//!
//! - [`format`]: what a scenario file may say (every key, with an example), and loading it.
//! - [`runner`]: setting a run up, running its steps, observing what each did.
//! - [`evidence`]: what a run left installed, gathered after the steps.
//! - [`leaks`]: where a secret must not show.
//!
//! Judging is [`crate::outcome`]'s; a run's directories are named in [`crate::mise_run::Layout`].

mod evidence;
pub mod format;
mod leaks;
pub mod runner;

pub use format::{
    BackendKind, Expect, Fault, FileExpect, Interrupt, InterruptAt, Publish, Scenario, Signal,
    Step, leftovers, route_kind, scenarios_dir,
};
pub use runner::{Reach, Report, Setup, reach_of, run};

use std::path::{Path, PathBuf};

/// Every entry below `dir` that is not a directory (files and symlinks, which are not followed),
/// in no particular order. A directory that is not there, `dir` included, holds nothing: mise
/// may remove one while a run looks. Any other error is returned.
pub(crate) fn files_below(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context as _;
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            if entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    Ok(found)
}
