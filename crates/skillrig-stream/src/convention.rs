//! The skillrig convention: what an origin that declares nothing about a binary publishes for it, as
//! the origin template, RFC 0001 and the `mise-skillrig` plugin define it.
//!
//! - **Tags**: `1.7.0+jira` and `v1.7.0+jira` (the build metadata is the binary's name, exactly),
//!   `jira-v1.7.0` and `jira-1.7.0` (release-please's component prefix), and `jira/v1.7.0`.
//!   [`parse_tag`] reads a tag into *one* binary and version, so a tag is in at most one binary's
//!   convention stream.
//! - **Assets**: goreleaser's `<bin>_<version>_<os>_<arch><ending>`, with goreleaser's os and arch
//!   names ([`goreleaser_os`], [`goreleaser_arch`]) and any ending skillrig can install.
//! - **Checksums**: the per-tool `<bin>_checksums.txt`, else the release's one project-wide file
//!   (`<project>_checksums.txt`, `checksums.txt`, `SHA256SUMS`).
//! - **Executable**: the file named like the binary (`.exe` on Windows), at the archive's root or
//!   anywhere in it.

use semver::Version;

/// The tag shapes of the convention, in the order that decides which tag a version is installed from
/// when an origin has published it under two shapes (`1.7.0+jira` and `jira-v1.7.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shape {
    /// `1.7.0+jira`: RFC 0001's strict-SemVer tag.
    Build,
    /// `v1.7.0+jira`
    VBuild,
    /// `jira-v1.7.0`: release-please's default component tag.
    DashV,
    /// `jira-1.7.0`
    Dash,
    /// `jira/v1.7.0`
    Slash,
}

impl Shape {
    /// Every shape, in order of preference.
    pub const ALL: [Self; 5] = [
        Self::Build,
        Self::VBuild,
        Self::DashV,
        Self::Dash,
        Self::Slash,
    ];

    /// The tag of `version` in this shape for `bin`, e.g. `jira-v1.7.0`.
    pub fn render(self, bin: &str, version: &Version) -> String {
        self.template(bin)
            .replace("{version}", &version.to_string())
    }

    /// The shape written as a tag template for `bin`, e.g. `jira-v{version}`.
    pub fn template(self, bin: &str) -> String {
        match self {
            Self::Build => format!("{{version}}+{bin}"),
            Self::VBuild => format!("v{{version}}+{bin}"),
            Self::DashV => format!("{bin}-v{{version}}"),
            Self::Dash => format!("{bin}-{{version}}"),
            Self::Slash => format!("{bin}/v{{version}}"),
        }
    }
}

/// A tag read by the convention: the binary it belongs to, the clean version and the shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConventionTag<'a> {
    /// The binary's name.
    pub bin: &'a str,
    /// The clean SemVer version (never build metadata).
    pub version: Version,
    /// Which of the convention's shapes the tag has.
    pub shape: Shape,
}

/// Reads a tag by the convention, or `None` when it has none of the convention's shapes.
///
/// - With a `+`: the build metadata is the binary (`1.7.0+jira`, `v1.7.0+jira`); what stands before
///   it must be a clean SemVer version, optionally after one `v`.
/// - With a `/`: `<bin>/v<version>`, one segment before the slash.
/// - Otherwise `<bin>-v<version>` or `<bin>-<version>`, split at the leftmost `-` after which a
///   clean, digit-led SemVer version follows (so `jira-cli-v1.0.0` is `jira-cli`'s, and a tag has one
///   reading only).
///
/// ```
/// use skillrig_stream::convention::{parse_tag, Shape};
///
/// let tag = parse_tag("jira-v1.8.0-rc.1").expect("convention tag");
/// assert_eq!((tag.bin, tag.version.to_string(), tag.shape), ("jira", "1.8.0-rc.1".into(), Shape::DashV));
/// assert_eq!(parse_tag("1.7.0+jira").map(|t| t.bin), Some("jira"));
/// assert_eq!(parse_tag("jira-cli-v1.0.0").map(|t| t.bin), Some("jira-cli"));
/// assert_eq!(parse_tag("jira-v1.7.0+meta"), None);
/// assert_eq!(parse_tag("v1.7.0"), None);
/// ```
pub fn parse_tag(tag: &str) -> Option<ConventionTag<'_>> {
    if let Some((core, bin)) = tag.split_once('+') {
        if !is_bin_name(bin) {
            return None;
        }
        let (core, shape) = match core.strip_prefix('v') {
            Some(core) => (core, Shape::VBuild),
            None => (core, Shape::Build),
        };
        return clean_version(core).map(|version| ConventionTag {
            bin,
            version,
            shape,
        });
    }
    if let Some((bin, rest)) = tag.split_once('/') {
        let version = rest.strip_prefix('v').and_then(clean_version)?;
        return is_bin_name(bin).then_some(ConventionTag {
            bin,
            version,
            shape: Shape::Slash,
        });
    }
    tag.match_indices('-').find_map(|(at, _)| {
        let bin = &tag[..at];
        let rest = &tag[at + 1..];
        let (core, shape) = match rest.strip_prefix('v') {
            Some(core) => (core, Shape::DashV),
            None => (core_or_empty(rest), Shape::Dash),
        };
        let version = clean_version(core)?;
        is_bin_name(bin).then_some(ConventionTag {
            bin,
            version,
            shape,
        })
    })
}

/// A `<bin>-<core>` remainder that starts with `v` is the `-v` shape's, never a bare core.
fn core_or_empty(rest: &str) -> &str {
    if rest.starts_with('v') { "" } else { rest }
}

/// A strict SemVer 2.0.0 version without build metadata, written exactly as it renders, digit-led.
pub(crate) fn clean_version(text: &str) -> Option<Version> {
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Version::parse(text)
        .ok()
        .filter(|v| v.build.is_empty() && v.to_string() == text)
}

/// The grammar of a binary, owner or repository name in a skillrig address: `[A-Za-z0-9._-]+`, and
/// never `.` or `..`.
pub(crate) fn is_bin_name(name: &str) -> bool {
    name_problem(name).is_none()
}

/// Why `name` breaks the grammar of [`is_bin_name`], if it does; also a file name on disk.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!("contains {c:?}"));
    }
    if name == "." || name == ".." {
        return Some("is a path segment, not a name".into());
    }
    None
}

/// Whether a tag that the convention does not read still looks like one of `bin`'s (`v1.7+jira`,
/// `jira-v1.7`), and deserves a debug note rather than silence.
pub(crate) fn looks_like(tag: &str, bin: &str) -> bool {
    let dash = tag
        .strip_prefix(bin)
        .and_then(|rest| rest.strip_prefix('-'))
        .map(|rest| rest.strip_prefix('v').unwrap_or(rest))
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    let slash = tag
        .strip_prefix(bin)
        .and_then(|rest| rest.strip_prefix("/v"))
        .is_some();
    let build = tag
        .strip_suffix(bin)
        .and_then(|rest| rest.strip_suffix('+'))
        .is_some_and(|core| {
            core.strip_prefix('v')
                .unwrap_or(core)
                .starts_with(|c: char| c.is_ascii_digit())
        });
    dash || slash || build
}

/// goreleaser's os name (`{{ .Os }}`) for one of mise's.
pub(crate) fn goreleaser_os(mise_os: &str) -> &str {
    match mise_os {
        "macos" => "darwin",
        other => other,
    }
}

/// goreleaser's arch name (`{{ .Arch }}`) for one of mise's.
pub(crate) fn goreleaser_arch(mise_arch: &str) -> &str {
    match mise_arch {
        "x64" => "amd64",
        "x86" => "386",
        "loongarch64" => "loong64",
        other => other,
    }
}

/// The endings a convention asset may have: every archive and compression skillrig installs, and
/// goreleaser's `format: binary` (no ending, or `.exe`).
pub(crate) const ASSET_ENDINGS: [&str; 15] = [
    ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".tar", ".zip", ".gz",
    ".xz", ".bz2", ".zst", ".exe", "",
];

/// Whether `asset` is `bin`'s goreleaser-named asset of `version` on the platform whose goreleaser
/// names are `os` and `arch`. The version in the name may carry the tag's build metadata
/// (`jira_1.7.0+jira_linux_amd64.tar.gz`, what goreleaser's `{{ .Version }}` gives for such a tag).
pub(crate) fn is_goreleaser_asset(
    asset: &str,
    bin: &str,
    version: &Version,
    build: Option<&str>,
    os: &str,
    arch: &str,
) -> bool {
    let version = version.to_string();
    let with_build = build.map(|b| format!("{version}+{b}"));
    let stems = std::iter::once(format!("{bin}_{version}_{os}_{arch}"))
        .chain(with_build.map(|v| format!("{bin}_{v}_{os}_{arch}")));
    stems.into_iter().any(|stem| {
        asset.strip_prefix(stem.as_str()).is_some_and(|ending| {
            ASSET_ENDINGS
                .iter()
                .any(|known| ending.eq_ignore_ascii_case(known))
        })
    })
}

/// The per-tool checksums files of the convention, most specific first.
pub(crate) fn per_tool_checksums(bin: &str, version: &Version) -> [String; 2] {
    [
        format!("{bin}_checksums.txt"),
        format!("{bin}_{version}_checksums.txt"),
    ]
}

/// Whether `asset` is a project-wide checksums file: goreleaser's `<project>_checksums.txt` and
/// `<project>_<version>_checksums.txt`, or `checksums.txt`, `SHA256SUMS`, `sha256sums.txt`.
pub(crate) fn is_project_checksums(asset: &str) -> bool {
    let lower = asset.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "checksums.txt" | "sha256sums" | "sha256sums.txt"
    ) || (lower.ends_with("_checksums.txt") && lower.len() > "_checksums.txt".len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(tag: &str) -> Option<(String, String, Shape)> {
        parse_tag(tag).map(|t| (t.bin.to_owned(), t.version.to_string(), t.shape))
    }

    #[test]
    fn every_shape_is_read() {
        for (tag, bin, version, shape) in [
            ("1.7.0+jira", "jira", "1.7.0", Shape::Build),
            ("v1.7.0+jira", "jira", "1.7.0", Shape::VBuild),
            ("jira-v1.7.0", "jira", "1.7.0", Shape::DashV),
            ("jira-1.7.0", "jira", "1.7.0", Shape::Dash),
            ("jira/v1.7.0", "jira", "1.7.0", Shape::Slash),
            ("1.8.0-rc.1+jira", "jira", "1.8.0-rc.1", Shape::Build),
            ("jira-v1.8.0-rc.1", "jira", "1.8.0-rc.1", Shape::DashV),
            ("jira-1.0.0-1.2.3", "jira", "1.0.0-1.2.3", Shape::Dash),
            ("jira-cli-v1.0.0", "jira-cli", "1.0.0", Shape::DashV),
            ("oxid-v0.5.0", "oxid", "0.5.0", Shape::DashV),
            ("1.0.0+jira-cli", "jira-cli", "1.0.0", Shape::Build),
            ("1.0.0+jira.cli", "jira.cli", "1.0.0", Shape::Build),
            ("my_tool-2.0.0", "my_tool", "2.0.0", Shape::Dash),
        ] {
            assert_eq!(
                read(tag),
                Some((bin.into(), version.into(), shape)),
                "{tag}"
            );
        }
    }

    #[test]
    fn tags_outside_the_convention_are_not_read() {
        for tag in [
            "v1.7.0",
            "1.7.0",
            "jira-v1.7.0+meta",
            "jira-v1.7",
            "jira-01.7.0",
            "v1.7+jira",
            "1.7.0+",
            "1.7.0+jira+x",
            "1.7.0+a/b",
            "V1.7.0+jira",
            "vv1.7.0+jira",
            "jira-vv1.0.0",
            "-v1.0.0",
            "cli/jira/v1.0.0",
            "jira/1.0.0",
            "../v1.0.0",
            "jira v1.0.0",
            "jira-v1.0.0 ",
        ] {
            assert_eq!(read(tag), None, "{tag}");
        }
    }

    #[test]
    fn a_malformed_tag_of_a_binary_looks_like_it() {
        assert!(looks_like("v1.7+jira", "jira"));
        assert!(looks_like("jira-v1.7", "jira"));
        assert!(looks_like("jira-1.7", "jira"));
        assert!(looks_like("jira/v1", "jira"));
        assert!(!looks_like("jira-cli-v1.0.0", "jira"));
        assert!(!looks_like("1.7.0+tfc", "jira"));
        assert!(!looks_like("release-notes", "jira"));
    }

    #[test]
    fn goreleaser_assets_with_and_without_build_metadata() {
        let v = Version::new(1, 7, 0);
        let is =
            |asset: &str| is_goreleaser_asset(asset, "jira", &v, Some("jira"), "linux", "amd64");
        assert!(is("jira_1.7.0_linux_amd64.tar.gz"));
        assert!(is("jira_1.7.0+jira_linux_amd64.tar.gz"));
        assert!(is("jira_1.7.0_linux_amd64.zip"));
        assert!(is("jira_1.7.0_linux_amd64.TAR.GZ"));
        assert!(is("jira_1.7.0_linux_amd64"));
        assert!(is("jira_1.7.0_linux_amd64.exe"));
        assert!(!is("jira_1.7.0_linux_amd64.tar.gz.sig"));
        assert!(!is("jira_1.7.0_linux_amd64.sbom.json"));
        assert!(!is("jira_1.7.0_linux_arm64.tar.gz"));
        assert!(!is("jira_1.7.1_linux_amd64.tar.gz"));
        assert!(!is("jira-cli_1.7.0_linux_amd64.tar.gz"));
        assert!(!is_goreleaser_asset(
            "jira_1.7.0+tfc_linux_amd64.tar.gz",
            "jira",
            &v,
            Some("jira"),
            "linux",
            "amd64"
        ));
    }

    #[test]
    fn checksums_files_by_name() {
        assert!(is_project_checksums("my-skills_checksums.txt"));
        assert!(is_project_checksums("my-skills_1.7.0_checksums.txt"));
        assert!(is_project_checksums("checksums.txt"));
        assert!(is_project_checksums("SHA256SUMS"));
        assert!(!is_project_checksums("_checksums.txt"));
        assert!(!is_project_checksums("jira_1.7.0_linux_amd64.tar.gz"));
        assert_eq!(
            per_tool_checksums("jira", &Version::new(1, 7, 0)),
            ["jira_checksums.txt", "jira_1.7.0_checksums.txt"]
        );
    }

    #[test]
    fn goreleaser_names() {
        assert_eq!(goreleaser_os("macos"), "darwin");
        assert_eq!(goreleaser_os("linux"), "linux");
        assert_eq!(goreleaser_os("windows"), "windows");
        assert_eq!(goreleaser_arch("x64"), "amd64");
        assert_eq!(goreleaser_arch("arm64"), "arm64");
        assert_eq!(goreleaser_arch("x86"), "386");
    }
}
