//! Pure logic for installing one of several CLIs that share a GitHub repository (an *origin*), each
//! released on its own stream of tags: `v1.7.0+jira`, `jira-v1.7.0` or `cli/jira/v1.7.0`.
//!
//! The crate reads the origin contract (`.skillrig-origin.toml` or its `index.json` mirror) into an
//! [`Origin`] of [`Binary`]s, turns a binary's [`TagTemplate`] and the origin's release list into a
//! [`Stream`], resolves a [`VersionRequest`] to a [`Pin`] (version and tag), renders the [`Asset`] to
//! download for a [`Platform`], and looks the asset up in a [`Checksums`] file. It does no I/O: the
//! mise `skillrig:` backend and the test harness fetch files and releases and hand them in.
//!
//! ```
//! use skillrig_stream::{Origin, Platform, Release, Stream, VersionRequest};
//!
//! let origin = Origin::from_toml("acme/origin:.skillrig-origin.toml", r#"
//! binaries_convention = 1
//!
//! [[binaries]]
//! name = "jira"
//! tag = "v{version}+jira"
//! asset = "jira_{version}_{os}_{arch}.tar.gz"
//! checksums = "jira_checksums.txt"
//! os = { macos = "darwin" }
//! arch = { x64 = "amd64" }
//! "#)?;
//! let jira = origin.binary("jira")?;
//!
//! let tags = ["v0.0.6+tfc", "v1.7.0+jira", "v1.6.0+jira", "v1.8.0-rc.1+jira"];
//! let releases = tags.iter().map(|tag| Release { tag, draft: false, prerelease: false });
//! let stream = Stream::from_releases(jira.tag(), releases);
//! let pin = stream.resolve(&VersionRequest::parse("latest")?)?;
//! assert_eq!(pin.tag, "v1.7.0+jira");
//!
//! let asset = jira.asset(&pin.version, &Platform::new("macos", "x64"))?;
//! assert_eq!(asset.name, "jira_1.7.0_darwin_amd64.tar.gz");
//! assert_eq!(asset.checksums.as_deref(), Some("jira_checksums.txt"));
//! assert_eq!(asset.bin, "jira");
//! # Ok::<(), skillrig_stream::Error>(())
//! ```

mod asset;
mod checksums;
mod contract;
mod error;
mod stream;
mod tag;

pub use asset::{ArchiveKind, Asset, Platform};
pub use checksums::Checksums;
pub use contract::{BINARIES_CONVENTION, Binary, Origin};
pub use error::Error;
pub use semver::Version;
pub use stream::{Pin, Release, Stream, VersionRequest};
pub use tag::TagTemplate;

/// Runs the README's example as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
