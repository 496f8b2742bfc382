//! Pure logic for installing one of several CLIs that share a GitHub repository (an *origin*), each
//! released on its own stream of tags: `1.7.0+jira`, `jira-v1.7.0` or `cli/jira/v1.7.0`.
//!
//! An origin usually declares nothing about its binaries: the skillrig [`convention`] (the origin
//! template's, RFC 0001's and the `mise-skillrig` plugin's) says which tags are a binary's, which
//! asset to download and which checksums file vouches for it. RFC 0001's optional `[[binaries]]`
//! block (in `.skillrig-origin.toml` or its `index.json` mirror) overrides it per binary. The crate
//! reads an [`Address`], the metadata into an [`Origin`] of [`Binary`]s, turns a binary's
//! [`TagPattern`] and the origin's release list into a [`Stream`], resolves a [`VersionRequest`]
//! (`latest`, `1.6`, `>=0.4.0`) to a [`Pin`], picks the [`Asset`] for a [`Platform`] out of the
//! release's assets, and looks it up in a [`Checksums`] file. It does no I/O: the mise `skillrig:`
//! backend and the test harness fetch files and releases and hand them in.
//!
//! ```
//! use skillrig_stream::{Address, Executable, Origin, Platform, Release, Stream, VersionRequest};
//!
//! let address = Address::parse("my-org/my-skills/oxid", None, None)?;
//! // The origin template's metadata declares no binaries: oxid follows the convention.
//! let origin = Origin::from_toml("my-org/my-skills:.skillrig-origin.toml", "convention_version = 1\n")?;
//! let oxid = origin.binary(address.bin());
//!
//! let tags = ["0.0.6+tfc", "oxid-v0.5.0", "oxid-v0.4.0", "oxid-v0.6.0-rc.1", "skills-v1.4.0"];
//! let releases = tags.iter().map(|tag| Release { tag, draft: false, prerelease: false });
//! let stream = Stream::from_releases(oxid.tags(), releases);
//! let pin = stream.resolve(&VersionRequest::parse(">=0.4.0")?)?;
//! assert_eq!(pin.tag, "oxid-v0.5.0");
//!
//! let assets = ["oxid_0.5.0_darwin_arm64.tar.gz", "oxid_0.5.0_linux_amd64.tar.gz", "my-skills_checksums.txt"];
//! let asset = oxid.pick(pin, &Platform::new("macos", "arm64"), &assets)?;
//! assert_eq!(asset.name, "oxid_0.5.0_darwin_arm64.tar.gz");
//! assert_eq!(asset.checksums.as_deref(), Some("my-skills_checksums.txt"));
//! assert_eq!(asset.executable, Executable::ByName("oxid".into()));
//! # Ok::<(), skillrig_stream::Error>(())
//! ```

pub mod convention;

mod address;
mod asset;
mod checksums;
mod contract;
mod error;
mod pattern;
mod stream;
mod tag;

pub use address::{Address, ORIGIN_ENV};
pub use asset::{ArchiveKind, Asset, Executable, Platform};
pub use checksums::Checksums;
pub use contract::{Binary, CONVENTION, Origin};
pub use error::Error;
pub use pattern::TagPattern;
pub use semver::Version;
pub use stream::{Pin, Release, Stream, VersionRequest};
pub use tag::TagTemplate;

/// Runs the README's example as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
