//! The origin contract: `.skillrig-origin.toml` and its `index.json` mirror, parsed into one model.

mod raw;

use std::collections::BTreeMap;

use semver::Version;
use serde::{Serialize, Serializer};

use crate::asset::{self, ArchiveKind, Asset, NameTemplate, Platform, Values};
use crate::error::Error;
use crate::tag::{TagMatch, TagTemplate};
use raw::{FIELDS, RawBinary, RawOrigin, RawOriginOut};

/// The highest `binaries_convention` this crate understands.
pub const BINARIES_CONVENTION: u32 = 1;

/// mise's os names that contract authors most often confuse with a vendor's name for them.
const OS_MIX_UPS: [(&str, &str); 6] = [
    ("darwin", "macos"),
    ("osx", "macos"),
    ("mac", "macos"),
    ("win", "windows"),
    ("win32", "windows"),
    ("win64", "windows"),
];

/// mise's arch names that contract authors most often confuse with a vendor's name for them.
const ARCH_MIX_UPS: [(&str, &str); 4] = [
    ("amd64", "x64"),
    ("x86_64", "x64"),
    ("aarch64", "arm64"),
    ("i386", "x86"),
];

/// Platforms and versions every binary is rendered for at parse time, so a contract that cannot
/// produce a safe asset name fails when it is read rather than on somebody's laptop.
const SAMPLE_PLATFORMS: [(&str, &str); 4] = [
    ("linux", "x64"),
    ("linux", "arm64"),
    ("macos", "arm64"),
    ("windows", "x64"),
];
const SAMPLE_VERSIONS: [&str; 3] = ["1.2.3", "0.0.0-rc.1", "10.20.30-0"];

/// An origin repository's declaration of the binaries it releases.
///
/// ```
/// use skillrig_stream::Origin;
///
/// let origin = Origin::from_toml(".skillrig-origin.toml", r#"
/// binaries_convention = 1
/// [[binaries]]
/// name = "jira"
/// tag = "v{version}+jira"
/// asset = "jira_{version}_{os}_{arch}.tar.gz"
/// "#)?;
/// assert_eq!(origin.binary("jira")?.tag().as_str(), "v{version}+jira");
/// assert!(origin.binary("tfc").is_err());
/// # Ok::<(), skillrig_stream::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    file: String,
    binaries: Vec<Binary>,
}

/// One binary of an origin: its name, its tag template and how its assets are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    file: String,
    name: String,
    tag: TagTemplate,
    asset: NameTemplate,
    checksums: Option<NameTemplate>,
    bin: Option<NameTemplate>,
    os: BTreeMap<String, String>,
    arch: BTreeMap<String, String>,
}

impl Origin {
    /// Parses `.skillrig-origin.toml`. `file` names the file in every error message, e.g.
    /// `acme/origin:.skillrig-origin.toml`.
    ///
    /// # Errors
    /// [`Error::Syntax`] with the line for TOML and type errors; [`Error::Contract`] and
    /// [`Error::Binary`] for broken contract rules.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, Error> {
        let raw: RawOrigin = toml::from_str(text).map_err(|err| Error::Syntax {
            file: file.to_owned(),
            line: err.span().map(|span| line_of(text, span.start)),
            message: err.message().trim_end().to_owned(),
        })?;
        Self::from_raw(file, raw)
    }

    /// Parses `index.json`, the JSON mirror of `.skillrig-origin.toml` with the same keys.
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

    /// Every declared binary, in file order.
    pub fn binaries(&self) -> &[Binary] {
        &self.binaries
    }

    /// The binary named `name`: the `<bin>` of `skillrig:<org>/<repo>/<bin>`.
    ///
    /// # Errors
    /// [`Error::UnknownBinary`] listing the binaries the origin does declare.
    pub fn binary(&self, name: &str) -> Result<&Binary, Error> {
        self.binaries
            .iter()
            .find(|binary| binary.name == name)
            .ok_or_else(|| Error::UnknownBinary {
                file: self.file.clone(),
                binary: name.to_owned(),
                declared: self.binaries.iter().map(|b| b.name.clone()).collect(),
            })
    }

    fn from_raw(file: &str, raw: RawOrigin) -> Result<Self, Error> {
        let Some(raw_binaries) = raw.binaries else {
            check_convention(file, raw.binaries_convention, false)?;
            return Ok(Self {
                file: file.to_owned(),
                binaries: Vec::new(),
            });
        };
        check_convention(file, raw.binaries_convention, true)?;
        let mut binaries: Vec<Binary> = Vec::with_capacity(raw_binaries.len());
        for (index, raw_binary) in raw_binaries.into_iter().enumerate() {
            let binary = Binary::from_raw(file, index, raw_binary)?;
            if let Some(first) = binaries.iter().position(|b| b.name == binary.name) {
                return Err(Error::Binary {
                    file: file.to_owned(),
                    binary: binary.name,
                    field: "name".into(),
                    problem: format!("is declared twice (binaries[{first}] and binaries[{index}])"),
                    fix: "give each binary its own name".into(),
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

/// Writes the contract back with the keys of `index.json` (serialize it with `serde_json` to produce
/// the mirror).
impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let binaries: Vec<RawBinary> = self.binaries.iter().map(Binary::to_raw).collect();
        RawOriginOut {
            binaries_convention: BINARIES_CONVENTION,
            binaries: &binaries,
        }
        .serialize(serializer)
    }
}

impl Binary {
    /// The binary's name: the `<bin>` of `skillrig:<org>/<repo>/<bin>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag template of the binary's release stream.
    pub fn tag(&self) -> &TagTemplate {
        &self.tag
    }

    /// The asset, checksums asset and executable path of `version` on `platform` (mise's os and arch
    /// names; the binary's `os` and `arch` renames are applied here).
    ///
    /// # Errors
    /// [`Error::Binary`] when a rendered name is unsafe (`..`, a leading `/`, a backslash, a control
    /// character, a `/` in an asset name) or names a format that cannot be installed. Contracts are
    /// checked against common platforms when parsed, so this only happens for unusual platform names.
    pub fn asset(&self, version: &Version, platform: &Platform) -> Result<Asset, Error> {
        let tag = self.tag.render(version);
        let values = Values {
            name: &self.name,
            version,
            tag: &tag,
            os: asset::renamed(&self.os, platform.os()),
            arch: asset::renamed(&self.arch, platform.arch()),
        };
        let name = self.asset.render(&values);
        self.check_rendered("asset", &name, platform, true)?;
        let kind = ArchiveKind::from_name(&name).ok_or_else(|| {
            self.error(
                "asset",
                format!("renders to `{name}`, a format skillrig cannot install"),
                "publish a .tar.gz, .tar.xz, .tar.zst, .zip or a bare executable",
            )
        })?;
        let checksums = match &self.checksums {
            Some(template) => {
                let checksums = template.render(&values);
                self.check_rendered("checksums", &checksums, platform, true)?;
                Some(checksums)
            }
            None => None,
        };
        let bin = match &self.bin {
            Some(template) => template.render(&values),
            None => self.name.clone(),
        };
        self.check_rendered("bin", &bin, platform, false)?;
        Ok(Asset {
            name,
            kind,
            checksums,
            bin,
        })
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
                "change the template or the os/arch renames so every name is a plain relative path",
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
        let Some(name) = raw.name else {
            return Err(fail(
                "name",
                "is missing".into(),
                "add `name = \"<bin>\"`, the <bin> of skillrig:<org>/<repo>/<bin>",
            ));
        };
        if let Some(problem) = name_problem(&name) {
            return Err(fail(
                "name",
                format!("`{}` {problem}", name.escape_debug()),
                "use only letters, digits, `.`, `_` and `-`, starting with a letter or digit",
            ));
        }
        let Some(tag) = raw.tag else {
            return Err(fail(
                "tag",
                "is missing".into(),
                "add the tag template of this binary's releases, e.g. `tag = \"v{version}+jira\"`",
            ));
        };
        let tag = TagTemplate::compile(&tag).map_err(|(problem, fix)| {
            fail("tag", format!("`{}` {problem}", tag.escape_debug()), fix)
        })?;
        let Some(asset) = raw.asset else {
            return Err(fail(
                "asset",
                "is missing".into(),
                "add the release asset's name, e.g. `asset = \"jira_{version}_{os}_{arch}.tar.gz\"`",
            ));
        };
        let asset =
            name_template(&asset, &tag, true).map_err(|p| fail("asset", p, PLACEHOLDER_FIX))?;
        let checksums = raw
            .checksums
            .map(|c| name_template(&c, &tag, true))
            .transpose()
            .map_err(|p| fail("checksums", p, PLACEHOLDER_FIX))?;
        let bin = raw
            .bin
            .map(|b| name_template(&b, &tag, false))
            .transpose()
            .map_err(|p| fail("bin", p, PLACEHOLDER_FIX))?;
        check_renames("os", &raw.os, &OS_MIX_UPS).map_err(|(f, p, x)| fail(&f, p, &x))?;
        check_renames("arch", &raw.arch, &ARCH_MIX_UPS).map_err(|(f, p, x)| fail(&f, p, &x))?;
        let binary = Self {
            file: file.to_owned(),
            name,
            tag,
            asset,
            checksums,
            bin,
            os: raw.os,
            arch: raw.arch,
        };
        for (os, arch) in SAMPLE_PLATFORMS {
            for version in SAMPLE_VERSIONS
                .iter()
                .filter_map(|v| Version::parse(v).ok())
            {
                binary.asset(&version, &Platform::new(os, arch))?;
            }
        }
        Ok(binary)
    }

    fn to_raw(&self) -> RawBinary {
        RawBinary {
            name: Some(self.name.clone()),
            tag: Some(self.tag.as_str().to_owned()),
            asset: Some(self.asset.as_str().to_owned()),
            checksums: self.checksums.as_ref().map(|t| t.as_str().to_owned()),
            bin: self.bin.as_ref().map(|t| t.as_str().to_owned()),
            os: self.os.clone(),
            arch: self.arch.clone(),
            unknown: Vec::new(),
        }
    }
}

const PLACEHOLDER_FIX: &str = "use a plain relative name with only the placeholders {name}, {version}, {tag}, {os} and {arch}";

fn check_convention(file: &str, convention: Option<i64>, has_binaries: bool) -> Result<(), Error> {
    let fail = |problem: String, fix: &str| Error::Contract {
        file: file.to_owned(),
        problem,
        fix: fix.to_owned(),
    };
    match convention {
        None if has_binaries => Err(fail(
            "declares [[binaries]] without `binaries_convention`".into(),
            "add `binaries_convention = 1` at the top of the file",
        )),
        None => Ok(()),
        Some(n) if n == i64::from(BINARIES_CONVENTION) => Ok(()),
        Some(n) if n > i64::from(BINARIES_CONVENTION) => Err(fail(
            format!(
                "uses binaries_convention = {n}, but this skillrig backend understands only \
                 {BINARIES_CONVENTION}"
            ),
            "upgrade the skillrig backend (update mise)",
        )),
        Some(n) => Err(fail(
            format!("has binaries_convention = {n}, which is not a convention"),
            "set `binaries_convention = 1`",
        )),
    }
}

/// A binary name is the last segment of `skillrig:<org>/<repo>/<bin>` and a file name on disk.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if let Some(problem) = asset::path_problem(name) {
        return Some(problem.to_owned());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!("contains {c:?}"));
    }
    if name.starts_with(['.', '-']) {
        return Some("starts with `.` or `-`".into());
    }
    None
}

/// Parses an asset, checksums or bin template and checks its literal text; `flat` names are release
/// assets, which cannot contain `/`.
fn name_template(source: &str, tag: &TagTemplate, flat: bool) -> Result<NameTemplate, String> {
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
    if flat && template.uses("tag") && tag.as_str().contains('/') {
        return Err(format!(
            "`{shown}` uses {{tag}}, and the tag `{tag}` contains `/`, which release asset names cannot"
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
                "use only letters, digits, `.`, `_` and `-`, starting with a letter or digit"
                    .into(),
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

/// Refuses two binaries whose templates read each other's tags, which would leak releases of one
/// into the other's stream. Checked by rendering sample versions through each template.
fn check_streams_are_disjoint(file: &str, binaries: &[Binary]) -> Result<(), Error> {
    for (i, a) in binaries.iter().enumerate() {
        for b in &binaries[i + 1..] {
            for (reader, writer) in [(a, b), (b, a)] {
                if let Some(tag) = shared_tag(&reader.tag, &writer.tag) {
                    return Err(Error::Contract {
                        file: file.to_owned(),
                        problem: format!(
                            "binaries `{}` (tag `{}`) and `{}` (tag `{}`) both claim the tag `{tag}`",
                            reader.name, reader.tag, writer.name, writer.tag
                        ),
                        fix: "give each binary a tag template the other cannot read, e.g. \
                              `v{version}+jira` and `v{version}+tfc`"
                            .into(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn shared_tag(reader: &TagTemplate, writer: &TagTemplate) -> Option<String> {
    ["1.2.3", "1.2.3-rc.1", "1.2.3-0", "11.2.3", "1.2.3-a"]
        .iter()
        .filter_map(|v| Version::parse(v).ok())
        .map(|v| writer.render(&v))
        .find(|tag| matches!(reader.classify(tag), TagMatch::Version(_)))
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
