//! The scenario harness: a wiremock GitHub and real mise binaries in isolated homes.
//!
//! - [`fixture`]: origins (monorepos with several tag streams), fluent or from `fixtures/*.toml`.
//! - [`archive`]: deterministic release assets holding a script that prints `<bin> <version>`.
//! - [`fake_github`]: the fake GitHub that serves origins to mise through `url_replacements`.
//! - [`tripwire`]: the proxy every other request goes to, so it fails fast and is recorded.
//! - [`tls_front`]: github.com's hosts over TLS inside the tripwire, with a test CA per run.
//! - [`pins`]: the mise binaries to run (`pins.toml`, `scripts/mise-bin`).
//! - [`mise_run`]: one mise binary in an isolated home, the whole environment set in one place.
//! - [`scenario`]: scenario files (`scenarios/`), running one on one pin.
//! - [`outcome`]: judging a run from evidence.
//! - [`matrix`]: every scenario on every pin, rendered for people and machines.
//! - [`transcript`]: each step of a run as a user saw it, filtered for snapshots.

pub mod archive;
pub mod attestation;
pub mod fake_github;
pub mod fixture;
pub mod matrix;
pub mod mise_run;
pub mod outcome;
pub mod pins;
pub mod scenario;
pub mod tls_front;
pub mod transcript;
pub mod tripwire;
