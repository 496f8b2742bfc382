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
