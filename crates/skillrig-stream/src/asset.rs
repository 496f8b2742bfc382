//! Rendering a binary's asset, checksums and executable names for one platform, and what kind of
//! archive an asset is.

use semver::Version;

/// A platform in mise's own names: os `linux`, `macos` or `windows`; arch `x64`, `arm64`, or any other
/// name mise uses, passed through.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    os: String,
    arch: String,
}

impl Platform {
    /// A platform from mise's os and arch names, e.g. `Platform::new("macos", "arm64")`.
    pub fn new(os: impl Into<String>, arch: impl Into<String>) -> Self {
        Self {
            os: os.into(),
            arch: arch.into(),
        }
    }

    /// mise's os name.
    pub(crate) fn os(&self) -> &str {
        &self.os
    }

    /// mise's arch name.
    pub(crate) fn arch(&self) -> &str {
        &self.arch
    }
}

/// What an asset is, read from the end of its name (case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArchiveKind {
    /// `.tar.gz` or `.tgz`
    TarGz,
    /// `.tar.xz` or `.txz`
    TarXz,
    /// `.tar.bz2` or `.tbz2`
    TarBz2,
    /// `.tar.zst`
    TarZst,
    /// `.tar`
    Tar,
    /// `.zip`
    Zip,
    /// `.gz`: one gzip-compressed executable
    Gz,
    /// `.xz`: one xz-compressed executable
    Xz,
    /// `.bz2`: one bzip2-compressed executable
    Bz2,
    /// `.zst`: one zstd-compressed executable
    Zst,
    /// Anything else: the asset is the executable itself.
    Bare,
}

/// Extensions of installers and archives skillrig cannot unpack; treating them as a bare executable
/// would install garbage.
const REFUSED_EXTENSIONS: [&str; 9] = [
    ".7z", ".rar", ".dmg", ".pkg", ".msi", ".deb", ".rpm", ".apk", ".sha256",
];

impl ArchiveKind {
    /// The kind of an asset named `name`, or `None` for installer and archive formats that cannot be
    /// installed (`.7z`, `.rar`, `.dmg`, `.pkg`, `.msi`, `.deb`, `.rpm`, `.apk`) and for `.sha256`.
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        let kinds = [
            (".tar.gz", Self::TarGz),
            (".tgz", Self::TarGz),
            (".tar.xz", Self::TarXz),
            (".txz", Self::TarXz),
            (".tar.bz2", Self::TarBz2),
            (".tbz2", Self::TarBz2),
            (".tar.zst", Self::TarZst),
            (".tar", Self::Tar),
            (".zip", Self::Zip),
            (".gz", Self::Gz),
            (".xz", Self::Xz),
            (".bz2", Self::Bz2),
            (".zst", Self::Zst),
        ];
        if let Some((_, kind)) = kinds.iter().find(|(ext, _)| lower.ends_with(ext)) {
            return Some(*kind);
        }
        if REFUSED_EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) {
            return None;
        }
        Some(Self::Bare)
    }

    /// Whether the asset holds several files, so the executable is found by the binary's `bin` path.
    pub fn is_archive(self) -> bool {
        matches!(
            self,
            Self::TarGz | Self::TarXz | Self::TarBz2 | Self::TarZst | Self::Tar | Self::Zip
        )
    }
}

/// What to download and install for one binary, version and platform: picked from the release's
/// own asset list by [`crate::Binary::pick`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The release asset to download, e.g. `jira_1.7.0_darwin_arm64.tar.gz`.
    pub name: String,
    /// What the asset is.
    pub kind: ArchiveKind,
    /// The checksums file of the same release that lists the asset, if the release has one.
    pub checksums: Option<String>,
    /// Where the executable is.
    pub executable: Executable,
    /// Whether the platform is Windows, where an executable may end in `.exe`.
    pub windows: bool,
}

/// Where an asset's executable is: at a declared path inside the archive, or found by its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Executable {
    /// The path inside the archive that the binary's `bin` declares.
    InArchive(String),
    /// A file of this name (at the archive's root or anywhere in it, exactly one), or for a bare or
    /// single-compressed asset the name to install the executable under.
    ByName(String),
}

impl Asset {
    /// The names the executable may have in an archive, in order: the declared path or name, then
    /// the same with `.exe` on Windows.
    pub fn executable_names(&self) -> Vec<String> {
        let (Executable::InArchive(name) | Executable::ByName(name)) = &self.executable;
        std::iter::once(name.clone())
            .chain(self.with_exe(name))
            .collect()
    }

    /// The file name to install a bare or single-compressed asset under: the executable's name, with
    /// `.exe` on Windows.
    pub fn install_name(&self) -> String {
        let (Executable::InArchive(path) | Executable::ByName(path)) = &self.executable;
        let name = path.rsplit('/').next().unwrap_or(path);
        self.with_exe(name).unwrap_or_else(|| name.to_owned())
    }

    /// `name.exe` on Windows when `name` does not end in `.exe` already.
    fn with_exe(&self, name: &str) -> Option<String> {
        (self.windows && !name.to_ascii_lowercase().ends_with(".exe"))
            .then(|| format!("{name}.exe"))
    }
}

/// The placeholders of asset, checksums and bin templates.
pub(crate) const PLACEHOLDERS: [&str; 5] = ["name", "version", "tag", "os", "arch"];

/// One piece of a parsed name template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Placeholder(usize),
}

/// An asset, checksums or bin template such as `{name}_{version}_{os}_{arch}.tar.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameTemplate {
    source: String,
    pieces: Vec<Piece>,
}

/// Values substituted into a name template.
pub(crate) struct Values<'a> {
    pub name: &'a str,
    pub version: &'a Version,
    pub tag: &'a str,
    pub os: &'a str,
    pub arch: &'a str,
}

impl NameTemplate {
    /// Parses `{placeholder}`s; anything but the five known ones is refused by name.
    pub(crate) fn parse(source: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(format!("has a `}}` without its `{{` in `{source}`"));
            }
            if open > 0 {
                pieces.push(Piece::Literal(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                return Err(format!("has a `{{` without its `}}` in `{source}`"));
            };
            let key = &after[..close];
            let Some(index) = PLACEHOLDERS.iter().position(|p| *p == key) else {
                return Err(format!("has the unknown placeholder `{{{key}}}`"));
            };
            pieces.push(Piece::Placeholder(index));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Literal(rest.to_owned()));
        }
        Ok(Self {
            source: source.to_owned(),
            pieces,
        })
    }

    pub(crate) fn uses(&self, placeholder: &str) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Placeholder(i) if PLACEHOLDERS[*i] == placeholder))
    }

    pub(crate) fn render(&self, values: &Values<'_>) -> String {
        let mut out = String::with_capacity(self.source.len() + 16);
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Placeholder(0) => out.push_str(values.name),
                Piece::Placeholder(1) => out.push_str(&values.version.to_string()),
                Piece::Placeholder(2) => out.push_str(values.tag),
                Piece::Placeholder(3) => out.push_str(values.os),
                Piece::Placeholder(_) => out.push_str(values.arch),
            }
        }
        out
    }
}

/// Why a name or relative path is unsafe to download or extract, if it is.
pub(crate) fn path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("is empty")
    } else if path.chars().any(char::is_control) {
        Some("contains a control character")
    } else if path.contains('\\') {
        Some("contains a backslash")
    } else if path.starts_with('/') {
        Some("starts with `/`")
    } else if path.contains("..") {
        Some("contains `..`")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_kinds_come_from_the_name() {
        for (name, kind) in [
            ("jira_1.7.0_linux_amd64.tar.gz", ArchiveKind::TarGz),
            ("jira.TGZ", ArchiveKind::TarGz),
            ("jira.tar.xz", ArchiveKind::TarXz),
            ("jira.txz", ArchiveKind::TarXz),
            ("jira.tar.bz2", ArchiveKind::TarBz2),
            ("jira.tbz2", ArchiveKind::TarBz2),
            ("jira.tar.zst", ArchiveKind::TarZst),
            ("jira.tar", ArchiveKind::Tar),
            ("jira_windows.zip", ArchiveKind::Zip),
            ("jira.gz", ArchiveKind::Gz),
            ("jira.xz", ArchiveKind::Xz),
            ("jira.bz2", ArchiveKind::Bz2),
            ("jira.zst", ArchiveKind::Zst),
            ("jira", ArchiveKind::Bare),
            ("jira.exe", ArchiveKind::Bare),
            ("jira-1.7.0-linux-x64", ArchiveKind::Bare),
        ] {
            assert_eq!(ArchiveKind::from_name(name), Some(kind), "{name}");
        }
        for name in [
            "jira.dmg",
            "jira.msi",
            "jira.deb",
            "jira.rpm",
            "jira.7z",
            "jira.tar.gz.sha256",
        ] {
            assert_eq!(ArchiveKind::from_name(name), None, "{name}");
        }
        assert!(ArchiveKind::Zip.is_archive());
        assert!(!ArchiveKind::Gz.is_archive());
        assert!(!ArchiveKind::Bare.is_archive());
    }

    #[test]
    fn name_templates_render_every_placeholder() {
        let t = NameTemplate::parse("{name}_{version}_{tag}_{os}_{arch}.zip").expect("template");
        let version = Version::parse("1.8.0-rc.1").expect("version");
        let values = Values {
            name: "jira",
            version: &version,
            tag: "jira-v1.8.0-rc.1",
            os: "darwin",
            arch: "amd64",
        };
        assert_eq!(
            t.render(&values),
            "jira_1.8.0-rc.1_jira-v1.8.0-rc.1_darwin_amd64.zip"
        );
        assert!(t.uses("tag"));
        assert!(!NameTemplate::parse("jira").expect("literal").uses("tag"));
    }

    #[test]
    fn name_templates_refuse_unknown_and_unbalanced_placeholders() {
        assert!(
            NameTemplate::parse("{foo}.zip")
                .expect_err("unknown")
                .contains("`{foo}`")
        );
        assert!(
            NameTemplate::parse("{Version}")
                .expect_err("case")
                .contains("`{Version}`")
        );
        assert!(
            NameTemplate::parse("{name")
                .expect_err("open")
                .contains("without its `}`")
        );
        assert!(
            NameTemplate::parse("name}")
                .expect_err("close")
                .contains("without its `{`")
        );
    }

    #[test]
    fn unsafe_paths_are_named() {
        assert_eq!(path_problem(""), Some("is empty"));
        assert_eq!(path_problem("a/../b"), Some("contains `..`"));
        assert_eq!(path_problem("/etc/passwd"), Some("starts with `/`"));
        assert_eq!(path_problem("a\\b"), Some("contains a backslash"));
        assert_eq!(path_problem("a\nb"), Some("contains a control character"));
        assert_eq!(path_problem("dist/jira"), None);
    }
}
