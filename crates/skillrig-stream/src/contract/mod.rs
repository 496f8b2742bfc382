//! What an origin says about its binaries: nothing (the convention), or RFC 0001's optional
//! `[[binaries]]` block in `.skillrig-origin.toml` or its `index.json` mirror.

mod raw;

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::{Serialize, Serializer};

use crate::asset::{self, ArchiveKind, Asset, Executable, NameTemplate, Platform, Values};
use crate::convention::{self, goreleaser_arch, goreleaser_os, name_problem};
use crate::error::Error;
use crate::pattern::{PatternMatch, TagPattern};
use crate::stream::Pin;
use crate::tag::TagTemplate;
use raw::{CONVENTION_KEYS, FIELDS, RawBinary, RawOrigin, RawOriginOut, RawPlatform};

/// The highest skillrig convention version this crate reads (`convention_version`,
/// `skillrig-convention` or `skillrigConvention`; absent means 1).
pub const CONVENTION: u32 = 1;

/// mise's os names that metadata authors most often confuse with a vendor's name for them.
const OS_MIX_UPS: [(&str, &str); 6] = [
    ("darwin", "macos"),
    ("osx", "macos"),
    ("mac", "macos"),
    ("win", "windows"),
    ("win32", "windows"),
    ("win64", "windows"),
];

/// mise's arch names that metadata authors most often confuse with a vendor's name for them.
const ARCH_MIX_UPS: [(&str, &str); 4] = [
    ("amd64", "x64"),
    ("x86_64", "x64"),
    ("aarch64", "arm64"),
    ("i386", "x86"),
];

/// Platforms and versions every declared template is rendered for at parse time, so metadata that
/// cannot produce a safe name fails when it is read rather than on somebody's laptop.
const SAMPLE_PLATFORMS: [(&str, &str); 6] = [
    ("linux", "x64"),
    ("linux", "arm64"),
    ("macos", "x64"),
    ("macos", "arm64"),
    ("windows", "x64"),
    ("windows", "arm64"),
];
const SAMPLE_VERSIONS: [&str; 3] = ["1.2.3", "0.0.0-rc.1", "10.20.30-0"];

/// An origin's metadata: the binaries it declares, if any. Every other binary follows the
/// convention ([`crate::convention`]).
///
/// ```
/// use skillrig_stream::Origin;
///
/// // The origin template's .skillrig-origin.toml: no [[binaries]], so every binary is convention.
/// let origin = Origin::from_toml(".skillrig-origin.toml", r#"
/// convention_version = 1
/// origin = "my-org/my-skills"
/// tag_scheme = "name-vSEMVER"
/// "#)?;
/// assert!(origin.binaries().is_empty());
/// assert_eq!(origin.binary("oxid").tags().to_string(),
///     "`{version}+oxid`, `v{version}+oxid`, `oxid-v{version}`, `oxid-{version}` or `oxid/v{version}`");
/// # Ok::<(), skillrig_stream::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    file: String,
    binaries: Vec<Binary>,
}

/// One binary of an origin: its tag pattern, and the rules that pick its asset, checksums file and
/// executable out of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    file: String,
    name: String,
    declared: bool,
    tags: TagPattern,
    asset: Option<NameTemplate>,
    checksums: Option<NameTemplate>,
    bin: Option<NameTemplate>,
    /// `[binaries.platforms.<os>-<arch>]`, keyed by mise's names.
    platforms: BTreeMap<(String, String), RawPlatform>,
    os: BTreeMap<String, String>,
    arch: BTreeMap<String, String>,
    raw: RawBinary,
}

impl Origin {
    /// An origin that publishes no metadata file: every binary follows the convention. `file` names
    /// the origin in messages, e.g. `acme/origin`.
    pub fn convention_only(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            binaries: Vec::new(),
        }
    }

    /// Parses `.skillrig-origin.toml`. `file` names the file in every error message, e.g.
    /// `acme/origin:.skillrig-origin.toml`.
    ///
    /// # Errors
    /// [`Error::Syntax`] with the line for TOML and type errors; [`Error::Contract`] and
    /// [`Error::Binary`] for broken rules.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, Error> {
        let raw: RawOrigin = toml::from_str(text).map_err(|err| Error::Syntax {
            file: file.to_owned(),
            line: err.span().map(|span| line_of(text, span.start)),
            message: err.message().trim_end().to_owned(),
        })?;
        Self::from_raw(file, raw)
    }

    /// Parses `index.json` as skillrig tooling writes it (`skillrigConvention`, `origin`, `skills`)
    /// with RFC 0001's `binaries` mirror, when present.
    ///
    /// # Errors
    /// As [`Origin::from_toml`].
    pub fn from_json(file: &str, text: &str) -> Result<Self, Error> {
        let raw: RawOrigin = serde_json::from_str(text).map_err(|err| {
            let message = err.to_string();
            let position = format!(" at line {} column {}", err.line(), err.column());
            Error::Syntax {
                file: file.to_owned(),
                line: (err.line() > 0).then_some(err.line()),
                message: message
                    .strip_suffix(&position)
                    .unwrap_or(&message)
                    .to_owned(),
            }
        })?;
        Self::from_raw(file, raw)
    }

    /// The file name the origin was parsed from, as the caller gave it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The binaries the metadata declares, in file order.
    pub fn binaries(&self) -> &[Binary] {
        &self.binaries
    }

    /// The binary named `name`: its `[[binaries]]` entry when the origin declares one, the
    /// convention otherwise.
    pub fn binary(&self, name: &str) -> Binary {
        self.binaries
            .iter()
            .find(|binary| binary.name == name)
            .cloned()
            .unwrap_or_else(|| Binary::convention(&self.file, name))
    }

    /// The binaries the origin releases, read from its tags: each declared binary with at least
    /// one release, and every binary the convention reads out of a tag no declared binary claims.
    /// Sorted.
    pub(crate) fn released_binaries<'a>(
        &self,
        tags: impl IntoIterator<Item = &'a str>,
    ) -> Vec<String> {
        let mut found = BTreeSet::new();
        for tag in tags {
            if let Some(binary) = self
                .binaries
                .iter()
                .find(|b| b.tags.match_tag(tag).is_some())
            {
                found.insert(binary.name.clone());
            } else if let Some(read) = convention::parse_tag(tag) {
                found.insert(read.bin.to_owned());
            }
        }
        found.into_iter().collect()
    }

    /// The error for a binary with no release: the binaries the origin does release, and the
    /// nearest name among them.
    pub fn unknown_binary<'a>(&self, name: &str, tags: impl IntoIterator<Item = &'a str>) -> Error {
        let released = self.released_binaries(tags);
        let lower = name.to_ascii_lowercase();
        let suggestion = released
            .iter()
            .map(|known| (edit_distance(&lower, known), known))
            .filter(|(distance, _)| *distance <= 2)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known.clone());
        Error::UnknownBinary {
            origin: self.file.clone(),
            binary: name.to_owned(),
            tags: self.binary(name).tags.to_string(),
            released,
            suggestion,
        }
    }

    fn from_raw(file: &str, raw: RawOrigin) -> Result<Self, Error> {
        check_convention(file, &raw.conventions)?;
        let mut binaries: Vec<Binary> = Vec::new();
        for (index, raw_binary) in raw.binaries.unwrap_or_default().into_iter().enumerate() {
            let binary = Binary::from_raw(file, index, raw_binary)?;
            if let Some(first) = binaries.iter().position(|b| b.name == binary.name) {
                return Err(Error::Binary {
                    file: file.to_owned(),
                    binary: binary.name,
                    field: "name".into(),
                    problem: format!("is declared twice (binaries[{first}] and binaries[{index}])"),
                    fix: "give each binary one entry".into(),
                });
            }
            binaries.push(binary);
        }
        check_streams_are_disjoint(file, &binaries)?;
        Ok(Self {
            file: file.to_owned(),
            binaries,
        })
    }
}

/// Writes the metadata back as `index.json` mirrors it (serialize with `serde_json`).
impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let binaries: Vec<RawBinary> = self.binaries.iter().map(|b| b.raw.clone()).collect();
        RawOriginOut {
            convention: CONVENTION,
            binaries: &binaries,
        }
        .serialize(serializer)
    }
}

impl Binary {
    /// The convention's binary of this name, for an origin that declares nothing about it.
    pub fn convention(file: &str, name: &str) -> Self {
        Self {
            file: file.to_owned(),
            name: name.to_owned(),
            declared: false,
            tags: TagPattern::convention(name),
            asset: None,
            checksums: None,
            bin: None,
            platforms: BTreeMap::new(),
            os: BTreeMap::new(),
            arch: BTreeMap::new(),
            raw: RawBinary::default(),
        }
    }

    /// The binary's name: the `<bin>` of `skillrig:<owner>/<repo>/<bin>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a `[[binaries]]` entry declares the binary (else it follows the convention).
    pub fn is_declared(&self) -> bool {
        self.declared
    }

    /// The tags of the binary's stream.
    pub fn tags(&self) -> &TagPattern {
        &self.tags
    }

    /// The asset's os and arch tokens on `platform`: the binary's `platforms` entry, else its
    /// `os`/`arch` renames, else goreleaser's names (`darwin`, `amd64`).
    pub fn tokens(&self, platform: &Platform) -> (String, String) {
        let entry = self
            .platforms
            .get(&(platform.os().to_owned(), platform.arch().to_owned()));
        let os = entry
            .and_then(|p| p.os.clone())
            .or_else(|| self.os.get(platform.os()).cloned())
            .unwrap_or_else(|| goreleaser_os(platform.os()).to_owned());
        let arch = entry
            .and_then(|p| p.arch.clone())
            .or_else(|| self.arch.get(platform.arch()).cloned())
            .unwrap_or_else(|| goreleaser_arch(platform.arch()).to_owned());
        (os, arch)
    }

    /// Picks the asset of `pin` for `platform` out of the release's asset names, with its checksums
    /// file and where its executable is.
    ///
    /// A declared `asset` template must render to a name the release has; without one, the release
    /// must hold exactly one goreleaser-named asset for the platform. A declared `checksums` must be
    /// there too; without one, the per-tool `<bin>_checksums.txt` is taken, else the release's one
    /// project-wide checksums file, else none (GitHub's digest must then vouch for the download).
    ///
    /// # Errors
    /// [`Error::Pick`] listing what the release has; [`Error::Binary`] when a rendered name is unsafe
    /// or not installable.
    pub fn pick(&self, pin: &Pin, platform: &Platform, assets: &[&str]) -> Result<Asset, Error> {
        let (os, arch) = self.tokens(platform);
        let values = Values {
            name: &self.name,
            version: &pin.version,
            tag: &pin.tag,
            os: &os,
            arch: &arch,
        };
        let on = format!("{}-{}", platform.os(), platform.arch());
        let name = match &self.asset {
            Some(template) => {
                let name = self.rendered("asset", template, &values, platform, true)?;
                if !assets.contains(&name.as_str()) {
                    return Err(self.pick_error(
                        pin,
                        "asset",
                        true,
                        format!("has no asset `{name}` for {on}"),
                        assets,
                        "publish it, or correct the binary's `asset` (or its `platforms`) in the origin metadata",
                    ));
                }
                name
            }
            None => self.pick_convention_asset(pin, &os, &arch, &on, assets)?,
        };
        let kind = self.kind(&name, platform)?;
        let checksums = match &self.checksums {
            Some(template) => {
                let sums = self.rendered("checksums", template, &values, platform, true)?;
                if !assets.contains(&sums.as_str()) {
                    return Err(self.pick_error(
                        pin,
                        "checksums",
                        false,
                        format!("has no checksums file `{sums}`"),
                        assets,
                        "upload it with the release, or correct the binary's `checksums` in the origin metadata",
                    ));
                }
                Some(sums)
            }
            None => self.pick_convention_checksums(pin, assets)?,
        };
        let executable = match &self.bin {
            Some(template) => {
                Executable::InArchive(self.rendered("bin", template, &values, platform, false)?)
            }
            None => Executable::ByName(self.name.clone()),
        };
        Ok(Asset {
            name,
            kind,
            checksums,
            executable,
            windows: platform.os() == "windows",
        })
    }

    fn pick_convention_asset(
        &self,
        pin: &Pin,
        os: &str,
        arch: &str,
        on: &str,
        assets: &[&str],
    ) -> Result<String, Error> {
        let build = pin.tag.split_once('+').map(|(_, build)| build);
        let candidates: Vec<&str> = assets
            .iter()
            .copied()
            .filter(|asset| {
                convention::is_goreleaser_asset(asset, &self.name, &pin.version, build, os, arch)
            })
            .collect();
        let wanted = format!("{}_{}_{os}_{arch}", self.name, pin.version);
        match candidates.as_slice() {
            [one] => Ok((*one).to_owned()),
            [] => Err(self.pick_error(
                pin,
                "asset",
                true,
                format!("has no asset `{wanted}.tar.gz` (or .zip, .tar.xz, ...) for {on}"),
                assets,
                "publish goreleaser's `{{ .Binary }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}` archive for this \
                 platform, or declare the binary's `asset` in a [[binaries]] entry of .skillrig-origin.toml",
            )),
            several => Err(self.pick_error(
                pin,
                "asset",
                false,
                format!(
                    "has {} assets for {on} ({}), and one is needed",
                    several.len(),
                    several.join(", ")
                ),
                assets,
                "publish one archive per platform, or declare the binary's `asset` in a [[binaries]] \
                 entry of .skillrig-origin.toml",
            )),
        }
    }

    fn pick_convention_checksums(
        &self,
        pin: &Pin,
        assets: &[&str],
    ) -> Result<Option<String>, Error> {
        if let Some(per_tool) = convention::per_tool_checksums(&self.name, &pin.version)
            .into_iter()
            .find(|name| assets.contains(&name.as_str()))
        {
            return Ok(Some(per_tool));
        }
        let project: Vec<&str> = assets
            .iter()
            .copied()
            .filter(|asset| convention::is_project_checksums(asset))
            .collect();
        match project.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).to_owned())),
            several => Err(self.pick_error(
                pin,
                "checksums",
                false,
                format!(
                    "has no `{}_checksums.txt` and {} project-wide checksums files ({})",
                    self.name,
                    several.len(),
                    several.join(", ")
                ),
                assets,
                "upload one checksums file per release, or declare the binary's `checksums` in a \
                 [[binaries]] entry of .skillrig-origin.toml",
            )),
        }
    }

    fn kind(&self, name: &str, platform: &Platform) -> Result<ArchiveKind, Error> {
        ArchiveKind::from_name(name).ok_or_else(|| {
            self.error(
                "asset",
                format!(
                    "is `{name}` for {}-{}, a format skillrig cannot install",
                    platform.os(),
                    platform.arch()
                ),
                "publish a .tar.gz, .tar.xz, .tar.zst, .zip or a bare executable",
            )
        })
    }

    /// `missing`: the release has nothing for the platform, rather than something ambiguous.
    fn pick_error(
        &self,
        pin: &Pin,
        field: &str,
        missing: bool,
        problem: String,
        assets: &[&str],
        fix: &str,
    ) -> Error {
        Error::Pick {
            missing,
            binary: self.name.clone(),
            tag: pin.tag.clone(),
            field: field.to_owned(),
            problem,
            available: assets.iter().map(|a| (*a).to_owned()).collect(),
            fix: fix.to_owned(),
        }
    }

    /// A declared template rendered for `platform`, checked to be a safe relative name (`flat`:
    /// without `/`, as release asset names are).
    fn rendered(
        &self,
        field: &str,
        template: &NameTemplate,
        values: &Values<'_>,
        platform: &Platform,
        flat: bool,
    ) -> Result<String, Error> {
        let text = template.render(values);
        self.check_rendered(field, &text, platform, flat)?;
        Ok(text)
    }

    fn check_rendered(
        &self,
        field: &str,
        rendered: &str,
        platform: &Platform,
        flat: bool,
    ) -> Result<(), Error> {
        let problem = asset::path_problem(rendered).or_else(|| {
            if flat && rendered.contains('/') {
                Some("contains `/`, and release asset names are flat")
            } else if rendered.ends_with('/') {
                Some("ends with `/`")
            } else {
                None
            }
        });
        match problem {
            Some(problem) => Err(self.error(
                field,
                format!(
                    "renders to `{}` for {}-{}, which {problem}",
                    rendered.escape_debug(),
                    platform.os(),
                    platform.arch()
                ),
                "change the template or the platform names so every name is a plain relative path",
            )),
            None => Ok(()),
        }
    }

    fn error(&self, field: &str, problem: String, fix: &str) -> Error {
        Error::Binary {
            file: self.file.clone(),
            binary: self.name.clone(),
            field: field.to_owned(),
            problem,
            fix: fix.to_owned(),
        }
    }

    fn from_raw(file: &str, index: usize, raw: RawBinary) -> Result<Self, Error> {
        let label = raw
            .name
            .as_deref()
            .filter(|name| name_problem(name).is_none())
            .map_or_else(|| format!("binaries[{index}]"), str::to_owned);
        let fail = |field: &str, problem: String, fix: &str| Error::Binary {
            file: file.to_owned(),
            binary: label.clone(),
            field: field.to_owned(),
            problem,
            fix: fix.to_owned(),
        };
        if let Some(key) = raw.unknown.first() {
            let fix = match suggest_field(key) {
                Some(known) => format!("did you mean `{known}`? Fields are: {}", FIELDS.join(", ")),
                None => format!("remove it; fields are: {}", FIELDS.join(", ")),
            };
            return Err(fail(key, "is not a field of a binary".into(), &fix));
        }
        let Some(name) = raw.name.clone() else {
            return Err(fail(
                "name",
                "is missing".into(),
                "add `name = \"<bin>\"`, the <bin> of skillrig:<owner>/<repo>/<bin>",
            ));
        };
        if let Some(problem) = name_problem(&name) {
            return Err(fail(
                "name",
                format!("`{}` {problem}", name.escape_debug()),
                "use only letters, digits, `.`, `_` and `-`, and not `.` or `..`",
            ));
        }
        let tags = match (&raw.stream, &raw.tag) {
            (Some(_), Some(_)) => {
                return Err(fail(
                    "tag",
                    "is given with `stream`, and a binary has one".into(),
                    "keep `stream` (\"+jira\" or \"jira-v\") or `tag` (a template such as \
                     \"cli/jira/v{version}\"), not both",
                ));
            }
            (Some(stream), None) => {
                stream_templates(stream).map_err(|(p, x)| fail("stream", p, x))?
            }
            (None, Some(tag)) => TagPattern::Templates(vec![
                TagTemplate::compile(tag)
                    .map_err(|(p, x)| fail("tag", format!("`{}` {p}", tag.escape_debug()), x))?,
            ]),
            (None, None) => TagPattern::convention(&name),
        };
        let flat = |field: &str, source: &Option<String>, flat: bool| {
            source
                .as_deref()
                .map(|s| name_template(s, &tags, flat))
                .transpose()
                .map_err(|p| fail(field, p, PLACEHOLDER_FIX))
        };
        let asset = flat("asset", &raw.asset, true)?;
        let checksums = flat("checksums", &raw.checksums, true)?;
        let bin = flat("bin", &raw.bin, false)?;
        check_renames("os", &raw.os, &OS_MIX_UPS).map_err(|(f, p, x)| fail(&f, p, &x))?;
        check_renames("arch", &raw.arch, &ARCH_MIX_UPS).map_err(|(f, p, x)| fail(&f, p, &x))?;
        let mut platforms = BTreeMap::new();
        for (key, tokens) in &raw.platforms {
            let field = format!("platforms.{key}");
            let mise = platform_key(key).ok_or_else(|| {
                fail(
                    &field,
                    format!("`{}` is not an <os>-<arch> platform", key.escape_debug()),
                    "name platforms as mise does (`linux-x64`, `macos-arm64`) or as goreleaser \
                     does (`darwin-arm64`)",
                )
            })?;
            for token in [&tokens.os, &tokens.arch].into_iter().flatten() {
                if let Some(problem) = name_problem(token) {
                    return Err(fail(
                        &field,
                        format!("`{}` {problem}", token.escape_debug()),
                        "use only letters, digits, `.`, `_` and `-`",
                    ));
                }
            }
            if platforms.insert(mise, tokens.clone()).is_some() {
                return Err(fail(
                    &field,
                    "names a platform another key of `platforms` names too".into(),
                    "keep one entry per platform",
                ));
            }
        }
        let binary = Self {
            file: file.to_owned(),
            name,
            declared: true,
            tags,
            asset,
            checksums,
            bin,
            platforms,
            os: raw.os.clone(),
            arch: raw.arch.clone(),
            raw,
        };
        binary.check_samples()?;
        Ok(binary)
    }

    /// Renders the declared templates for common platforms and versions.
    fn check_samples(&self) -> Result<(), Error> {
        for (os, arch) in SAMPLE_PLATFORMS {
            let platform = Platform::new(os, arch);
            let (os_token, arch_token) = self.tokens(&platform);
            for version in SAMPLE_VERSIONS
                .iter()
                .filter_map(|v| Version::parse(v).ok())
            {
                let tag = self.tags.render(&version).swap_remove(0);
                let values = Values {
                    name: &self.name,
                    version: &version,
                    tag: &tag,
                    os: &os_token,
                    arch: &arch_token,
                };
                if let Some(template) = &self.asset {
                    let name = self.rendered("asset", template, &values, &platform, true)?;
                    self.kind(&name, &platform)?;
                }
                if let Some(template) = &self.checksums {
                    self.rendered("checksums", template, &values, &platform, true)?;
                }
                if let Some(template) = &self.bin {
                    self.rendered("bin", template, &values, &platform, false)?;
                }
            }
        }
        Ok(())
    }
}

/// RFC 0001's `stream`: `"+jira"`, the build metadata of `1.7.0+jira` (and `v1.7.0+jira`), or a
/// prefix such as `"jira-v"`.
fn stream_templates(stream: &str) -> Result<TagPattern, (String, &'static str)> {
    const FIX: &str = "write the build metadata of the binary's tags (`\"+jira\"` for 1.7.0+jira) or \
                       the prefix before the version (`\"jira-v\"` for jira-v1.7.0); for any other \
                       shape use `tag = \"...{version}...\"`";
    let shown = stream.escape_debug();
    if stream.contains(['{', '}']) {
        return Err((format!("`{shown}` holds a placeholder"), FIX));
    }
    let sources = match stream.strip_prefix('+') {
        Some(build) if convention::is_bin_name(build) => {
            vec![
                format!("{{version}}+{build}"),
                format!("v{{version}}+{build}"),
            ]
        }
        Some(_) => return Err((format!("`{shown}` is not valid build metadata"), FIX)),
        None if stream.is_empty() => return Err(("is empty".into(), FIX)),
        None => vec![format!("{stream}{{version}}")],
    };
    let templates = sources
        .iter()
        .map(|source| TagTemplate::compile(source))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|(problem, _)| (format!("`{shown}` {problem}"), FIX))?;
    Ok(TagPattern::Templates(templates))
}

/// A `platforms` key in mise's names: `linux-x64` and `darwin-arm64` both work.
fn platform_key(key: &str) -> Option<(String, String)> {
    let (os, arch) = key.split_once('-')?;
    let os = match os.to_ascii_lowercase().as_str() {
        "darwin" | "macos" | "osx" | "mac" => "macos".to_owned(),
        "win" | "windows" => "windows".to_owned(),
        other => other.to_owned(),
    };
    let arch = match arch.to_ascii_lowercase().as_str() {
        "amd64" | "x86_64" | "x64" => "x64".to_owned(),
        "aarch64" | "arm64" => "arm64".to_owned(),
        "386" | "i386" | "i686" | "x86" => "x86".to_owned(),
        other => other.to_owned(),
    };
    (name_problem(&os).is_none() && name_problem(&arch).is_none() && !arch.contains('-'))
        .then_some((os, arch))
}

const PLACEHOLDER_FIX: &str = "use a plain relative name with only the placeholders {version}, {os} and {arch} \
     (and {name}, {tag})";

/// Every convention version key the file holds must say the same, and no more than this crate
/// reads.
fn check_convention(file: &str, conventions: &[(&'static str, i64)]) -> Result<(), Error> {
    let fail = |problem: String, fix: String| Error::Contract {
        file: file.to_owned(),
        problem,
        fix,
    };
    if let [(first_key, first), ..] = conventions
        && let Some((key, value)) = conventions.iter().find(|(_, v)| v != first)
    {
        return Err(fail(
            format!("says {first_key} = {first} and {key} = {value}"),
            format!(
                "give the one convention version the origin follows (keys: {})",
                CONVENTION_KEYS.join(", ")
            ),
        ));
    }
    match conventions.first() {
        None => Ok(()),
        Some((_, n)) if *n == i64::from(CONVENTION) => Ok(()),
        Some((key, n)) if *n > i64::from(CONVENTION) => Err(fail(
            format!(
                "follows skillrig convention {n} ({key} = {n}), and this mise reads convention \
                 {CONVENTION} only"
            ),
            "update mise to a release whose skillrig backend reads it".into(),
        )),
        Some((key, n)) => Err(fail(
            format!("has {key} = {n}, which is not a convention version"),
            format!("set `{key} = {CONVENTION}`"),
        )),
    }
}

/// Parses an asset, checksums or bin template and checks its literal text; `flat` names are release
/// assets, which cannot contain `/`.
fn name_template(source: &str, tags: &TagPattern, flat: bool) -> Result<NameTemplate, String> {
    let shown = source.escape_debug();
    let template = NameTemplate::parse(source).map_err(|problem| format!("`{shown}` {problem}"))?;
    if let Some(problem) = asset::path_problem(source) {
        return Err(format!("`{shown}` {problem}"));
    }
    if flat && source.contains('/') {
        return Err(format!(
            "`{shown}` contains `/`, and release asset names are flat"
        ));
    }
    // A convention binary's `jira/v1.0.0` tags are caught when a name is rendered for a release.
    let slashed =
        matches!(tags, TagPattern::Templates(t) if t.iter().any(|t| t.as_str().contains('/')));
    if flat && template.uses("tag") && slashed {
        return Err(format!(
            "`{shown}` uses {{tag}}, and the binary's tags {tags} contain `/`, which release asset \
             names cannot"
        ));
    }
    Ok(template)
}

/// Rename keys are mise's names; values are the vendor's and end up inside asset names.
fn check_renames(
    table: &str,
    renames: &BTreeMap<String, String>,
    mix_ups: &[(&str, &str)],
) -> Result<(), (String, String, String)> {
    for (key, value) in renames {
        let field = format!("{table}.{key}");
        if let Some((_, mise_name)) = mix_ups.iter().find(|(vendor, _)| vendor == key) {
            return Err((
                field,
                format!("renames `{key}`, which is not a mise {table} name"),
                format!("keys are mise's names: write `{mise_name} = \"{key}\"`"),
            ));
        }
        let problem = name_problem(key)
            .map(|p| format!("key `{}` {p}", key.escape_debug()))
            .or_else(|| {
                name_problem(value).map(|p| format!("value `{}` {p}", value.escape_debug()))
            })
            .or_else(|| {
                value
                    .ends_with('.')
                    .then(|| format!("value `{value}` ends with `.`"))
            });
        if let Some(problem) = problem {
            return Err((
                field,
                problem,
                "use only letters, digits, `.`, `_` and `-`".into(),
            ));
        }
    }
    Ok(())
}

/// The known field an unknown key was probably meant to be.
fn suggest_field(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    FIELDS.iter().copied().find(|field| {
        let tolerance = if field.len() <= 3 { 1 } else { 2 };
        edit_distance(&key, field) <= tolerance || (key.len() > 2 && field.starts_with(&key))
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Refuses two declared binaries whose tag patterns read each other's tags, which would leak
/// releases of one into the other's stream. Checked by rendering sample versions through each.
fn check_streams_are_disjoint(file: &str, binaries: &[Binary]) -> Result<(), Error> {
    for (i, a) in binaries.iter().enumerate() {
        for b in &binaries[i + 1..] {
            for (reader, writer) in [(a, b), (b, a)] {
                if let Some(tag) = shared_tag(&reader.tags, &writer.tags) {
                    return Err(Error::Contract {
                        file: file.to_owned(),
                        problem: format!(
                            "binaries `{}` (tags {}) and `{}` (tags {}) both claim the tag `{tag}`",
                            reader.name, reader.tags, writer.name, writer.tags
                        ),
                        fix: "give each binary tags the other cannot read, e.g. `stream = \"+jira\"` \
                              and `stream = \"+tfc\"`"
                            .into(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn shared_tag(reader: &TagPattern, writer: &TagPattern) -> Option<String> {
    let versions: Vec<Version> = ["1.2.3", "1.2.3-rc.1", "1.2.3-0", "11.2.3", "1.2.3-a"]
        .iter()
        .filter_map(|v| Version::parse(v).ok())
        .collect();
    versions
        .iter()
        .flat_map(|v| writer.render(v))
        .find(|tag| matches!(reader.classify(tag), PatternMatch::Version { .. }))
}

/// 1-based line of a byte offset, for TOML errors.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests;
