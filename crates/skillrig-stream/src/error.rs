//! The one error type of the crate: every message names where the problem is and how to fix it.

use std::fmt;

/// Everything that can go wrong while reading an address, origin metadata, a checksums file or a
/// version request, while resolving a request against a stream, or while picking from a release.
///
/// `Display` gives a one-line message meant for the mise user; the fields let callers and tests tell
/// the cases apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The contract file is not valid TOML or JSON, or a value has the wrong type.
    #[error("{file}{}: {message}", Line(*line))]
    Syntax {
        /// The file, as the caller named it.
        file: String,
        /// 1-based line of the problem, when the parser knows it.
        line: Option<usize>,
        /// The parser's own message.
        message: String,
    },
    /// A rule about the whole metadata file is broken (the convention version, overlapping tag
    /// patterns).
    #[error("{file}: {problem}; {fix}")]
    Contract {
        /// The file, as the caller named it.
        file: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// One `[[binaries]]` entry breaks a rule of the contract.
    #[error("{file}: binary `{binary}`, field `{field}`: {problem}; {fix}")]
    Binary {
        /// The file, as the caller named it.
        file: String,
        /// The binary's name, or `binaries[N]` (0-based) when the entry has no usable name.
        binary: String,
        /// The offending field, e.g. `tag` or `os.macos`.
        field: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// The origin releases nothing under a binary's tags.
    #[error("{origin} has no release of `{binary}` (no tag {tags}); {}", Released(released, suggestion.as_deref()))]
    UnknownBinary {
        /// The origin, as the caller named it.
        origin: String,
        /// The name that was asked for.
        binary: String,
        /// The tags looked for, as [`crate::TagPattern`] shows them.
        tags: String,
        /// The binaries the origin does release, read from its tags.
        released: Vec<String>,
        /// The nearest of them, if one is near.
        suggestion: Option<String>,
    },
    /// A release lacks what a binary's rules pick from it, or holds more than one candidate.
    #[error(
        "release `{tag}` of `{binary}` {problem}; it has: {}; {fix}",
        Assets(available)
    )]
    Pick {
        /// The binary.
        binary: String,
        /// The release's tag.
        tag: String,
        /// `asset` or `checksums`.
        field: String,
        /// What is missing or ambiguous.
        problem: String,
        /// The release's asset names.
        available: Vec<String>,
        /// How to fix it.
        fix: String,
        /// True when the release has nothing for the platform (it is not built for it), false when
        /// what it has is ambiguous or a checksums file is missing.
        missing: bool,
    },
    /// A `skillrig:` address does not name an origin and a binary.
    #[error("skillrig:{tool}: {problem}; {fix}")]
    Address {
        /// The tool as written after `skillrig:`.
        tool: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// A tag template given on its own (not from a contract) is malformed.
    #[error("tag template `{template}`: {problem}; {fix}")]
    TagTemplate {
        /// The template as given.
        template: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// A version request is neither `latest`, a full SemVer version nor a `MAJOR[.MINOR]` prefix.
    #[error("version request `{request}`: {problem}")]
    Request {
        /// The request as given.
        request: String,
        /// What is wrong and what would be accepted.
        problem: String,
    },
    /// No release of the stream satisfies the request.
    #[error("no release tagged {template} matches `{request}`; {}", Available(available, *hidden_prereleases))]
    NoMatch {
        /// The stream's tags, as [`crate::TagPattern`] shows them.
        template: String,
        /// The request as given.
        request: String,
        /// The versions the request could have matched, highest last (at most the ten highest).
        available: Vec<String>,
        /// How many prereleases the request did not consider.
        hidden_prereleases: usize,
    },
    /// A line of a checksums file is malformed, or two lines disagree.
    #[error("{file}, line {line}: {problem}")]
    ChecksumsLine {
        /// The checksums file, as the caller named it.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// A checksums file has no usable line for an asset.
    #[error("{file} has {problem} for `{asset}`")]
    ChecksumsLookup {
        /// The checksums file, as the caller named it.
        file: String,
        /// The asset that was looked up.
        asset: String,
        /// `no line` or a description of the conflicting lines.
        problem: String,
    },
}

struct Line(Option<usize>);

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(line) => write!(f, ", line {line}"),
            None => Ok(()),
        }
    }
}

struct Released<'a>(&'a [String], Option<&'a str>);

impl fmt::Display for Released<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(
                "it releases no binary by the skillrig convention or its metadata: check the \
                 address, or declare the binary in a [[binaries]] entry of .skillrig-origin.toml",
            );
        }
        f.write_str("it releases: ")?;
        write_list(f, self.0)?;
        match self.1 {
            Some(name) => write!(f, "; did you mean `{name}`?"),
            None => Ok(()),
        }
    }
}

struct Assets<'a>(&'a [String]);

impl fmt::Display for Assets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no assets");
        }
        write_list(f, self.0)
    }
}

struct Available<'a>(&'a [String], usize);

impl fmt::Display for Available<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("the stream has no release it could match")?;
        } else {
            f.write_str("versions: ")?;
            write_list(f, self.0)?;
        }
        match self.1 {
            0 => Ok(()),
            1 => f.write_str(" (1 prerelease not considered: ask for it by its full version)"),
            n => write!(
                f,
                " ({n} prereleases not considered: ask for one by its full version)"
            ),
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[String]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(item)?;
    }
    Ok(())
}
