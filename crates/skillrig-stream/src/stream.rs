//! One binary's release stream: its versions out of an origin's mixed release list, and which release a
//! version request pins.

use std::fmt;
use std::str::FromStr;

use semver::{Comparator, Op, Version, VersionReq};

use crate::error::Error;
use crate::pattern::{PatternMatch, TagPattern};

/// How many versions a [`Error::NoMatch`] lists.
const LISTED_VERSIONS: usize = 10;

/// One release as the GitHub releases API gives it (`tag_name`, `draft`, `prerelease`), borrowed from
/// the caller's own release type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release<'a> {
    /// The release's tag name, e.g. `v1.7.0+jira`.
    pub tag: &'a str,
    /// A draft is not published yet; drafts never enter a stream.
    pub draft: bool,
    /// GitHub's prerelease flag, which marks a release as a prerelease whatever its tag says.
    pub prerelease: bool,
}

/// A release of the stream: the clean version and the tag to install it from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The clean SemVer version, e.g. `1.7.0` (never build metadata).
    pub version: Version,
    /// The release's tag, e.g. `v1.7.0+jira`.
    pub tag: String,
    /// True when the version has a prerelease part or GitHub flags the release as a prerelease.
    pub prerelease: bool,
    /// Which shape or template of the pattern read the tag: the lower wins a version published twice.
    rank: u8,
}

impl Pin {
    /// A release of `version` tagged `tag`, as a caller that knows both (a lockfile) names it.
    pub fn new(version: Version, tag: impl Into<String>) -> Self {
        Self {
            prerelease: !version.pre.is_empty(),
            version,
            tag: tag.into(),
            rank: 0,
        }
    }
}

/// What a user asked for, as in `skillrig:acme/origin/jira@1.6`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionRequest {
    /// `latest`: the highest stable release.
    Latest,
    /// A full SemVer version such as `1.6.0` or `1.8.0-rc.1`: exactly that release, prerelease or not.
    Exact(Version),
    /// `MAJOR` or `MAJOR.MINOR` such as `1` or `1.6`: the highest stable release with that prefix.
    Prefix {
        /// The major version.
        major: u64,
        /// The minor version, when given.
        minor: Option<u64>,
    },
    /// A SemVer range such as `>=0.4.0`, `^1.6`, `~1.6` or `<2` (what `skillrig add` writes from a
    /// skill's `requires[].version`): the highest release it admits, by the `semver` crate's rules
    /// (a prerelease only when a comparator names that prerelease's version).
    Range(VersionReq),
}

impl VersionRequest {
    /// Reads `latest`, a full SemVer version, a `MAJOR[.MINOR]` prefix (one leading `v` is allowed)
    /// or a range: comparators `>=`, `>`, `<=`, `<`, `=`, `^`, `~` and wildcards, several of them
    /// separated by commas or spaces (`>=1.2 <2`).
    ///
    /// # Errors
    /// [`Error::Request`] for anything else, including build metadata (the stream's tag adds its own)
    /// and alternatives (`||`).
    pub fn parse(request: &str) -> Result<Self, Error> {
        let fail = |problem: &str| Error::Request {
            request: request.to_owned(),
            problem: problem.to_owned(),
        };
        if request == "latest" {
            return Ok(Self::Latest);
        }
        if request.trim() != request {
            return Err(fail("has spaces around it; write the request alone"));
        }
        if is_range(request) {
            return parse_range(request).map_err(|problem| fail(&problem));
        }
        let bare = request.strip_prefix('v').unwrap_or(request);
        if bare.contains('+') {
            return Err(fail(
                "has build metadata; ask for the clean version (e.g. `1.7.0`), the stream's tag adds its own",
            ));
        }
        if let Ok(version) = Version::parse(bare) {
            return Ok(Self::Exact(version));
        }
        // semver's own comparator reads the prefix, so no version text is parsed by hand here.
        // Only digits and dots: semver would read `1.x` or `1.*` as wildcards.
        let prefix = bare
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
            .then(|| Comparator::parse(&format!("={bare}")).ok())
            .flatten()
            .filter(|c| c.op == Op::Exact && c.patch.is_none() && c.pre.is_empty());
        match prefix {
            Some(c) => Ok(Self::Prefix {
                major: c.major,
                minor: c.minor,
            }),
            None => Err(fail(
                "is not `latest`, a full SemVer version (`1.6.0`, `1.8.0-rc.1`), a prefix (`1.6`, `1`) \
                 or a range (`>=0.4.0`, `^1.6`)",
            )),
        }
    }

    fn admits(&self, pin: &Pin) -> bool {
        match self {
            Self::Latest => !pin.prerelease,
            Self::Exact(version) => pin.version == *version,
            Self::Prefix { major, minor } => {
                !pin.prerelease
                    && pin.version.major == *major
                    && minor.is_none_or(|minor| pin.version.minor == minor)
            }
            // A release GitHub flags as a prerelease has a clean version that semver would admit.
            Self::Range(req) => {
                req.matches(&pin.version) && !(pin.prerelease && pin.version.pre.is_empty())
            }
        }
    }
}

/// Whether a request is a range rather than a version or prefix: it has an operator, a wildcard or
/// more than one part.
fn is_range(request: &str) -> bool {
    request.starts_with(['<', '>', '=', '^', '~'])
        || request.contains([',', ' ', '*', '|'])
        || request
            .split('-')
            .next()
            .is_some_and(|core| core.split('.').any(|part| matches!(part, "x" | "X")))
}

fn parse_range(request: &str) -> Result<VersionRequest, String> {
    if request.contains("||") {
        return Err(
            "has alternatives (`||`); skillrig resolves one range, e.g. `>=1.2, <2`".into(),
        );
    }
    if request.contains('+') {
        return Err(
            "has build metadata; ranges compare clean versions, the stream's tag adds its own"
                .into(),
        );
    }
    // npm writes `>=1.2 <2` where the semver crate wants `>=1.2, <2`.
    let joined = request
        .split([' ', ','])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let joined = fold_operators(&joined);
    VersionReq::parse(&joined)
        .map(VersionRequest::Range)
        .map_err(|err| format!("is not a SemVer range: {err}"))
}

/// Puts an operator written apart from its version back on it: `>= 1.2` is `>=1.2`.
fn fold_operators(joined: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for part in joined.split(", ") {
        match out.last_mut() {
            Some(last)
                if last
                    .chars()
                    .all(|c| matches!(c, '<' | '>' | '=' | '^' | '~')) =>
            {
                last.push_str(part);
            }
            _ => out.push(part.to_owned()),
        }
    }
    out.join(", ")
}

impl FromStr for VersionRequest {
    type Err = Error;

    fn from_str(request: &str) -> Result<Self, Error> {
        Self::parse(request)
    }
}

impl fmt::Display for VersionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Latest => f.write_str("latest"),
            Self::Exact(version) => write!(f, "{version}"),
            Self::Prefix { major, minor: None } => write!(f, "{major}"),
            Self::Prefix {
                major,
                minor: Some(minor),
            } => write!(f, "{major}.{minor}"),
            Self::Range(req) => write!(f, "{req}"),
        }
    }
}

/// One binary's releases, read out of an origin's release list through the binary's tag template.
///
/// Releases of other binaries never enter, whatever their order; drafts are dropped; versions are
/// sorted by SemVer precedence; a release listed twice (GitHub's pages shift while releases are
/// published) is kept once. GitHub orders releases by creation date, not version, so the list
/// must hold every page for `latest`, prefix and range requests to be right.
///
/// ```
/// use skillrig_stream::{Release, Stream, TagTemplate, VersionRequest};
///
/// let tags = ["v0.0.6+tfc", "v1.7.0+jira", "v1.8.0-rc.1+jira", "v1.6.2+jira"];
/// let releases = tags.iter().map(|tag| Release { tag, draft: false, prerelease: false });
/// let jira = Stream::from_releases(&TagTemplate::new("v{version}+jira")?, releases);
///
/// let latest = jira.resolve(&VersionRequest::Latest)?;
/// assert_eq!(latest.tag, "v1.7.0+jira");
/// let pin = jira.resolve(&VersionRequest::parse("1.6")?)?;
/// assert_eq!((pin.version.to_string(), pin.tag.as_str()), ("1.6.2".into(), "v1.6.2+jira"));
/// # Ok::<(), skillrig_stream::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    pattern: TagPattern,
    pins: Vec<Pin>,
    skipped: Vec<String>,
}

impl Stream {
    /// The stream of a whole release list (every page), in any order.
    pub fn from_releases<'a>(
        pattern: impl Into<TagPattern>,
        releases: impl IntoIterator<Item = Release<'a>>,
    ) -> Self {
        let mut stream = Self {
            pattern: pattern.into(),
            pins: Vec::new(),
            skipped: Vec::new(),
        };
        for release in releases {
            if release.draft {
                continue;
            }
            match stream.pattern.classify(release.tag) {
                PatternMatch::Foreign => {}
                PatternMatch::Malformed => stream.skipped.push(release.tag.to_owned()),
                PatternMatch::Version { version, rank } => stream.pins.push(Pin {
                    prerelease: release.prerelease || !version.pre.is_empty(),
                    version,
                    tag: release.tag.to_owned(),
                    rank,
                }),
            }
        }
        // A version published under two shapes keeps the preferred one; a stable sort keeps the
        // first copy of a release seen twice.
        stream
            .pins
            .sort_by(|a, b| a.version.cmp(&b.version).then(a.rank.cmp(&b.rank)));
        stream
            .pins
            .dedup_by(|later, earlier| later.version == earlier.version);
        stream.skipped.sort_unstable();
        stream.skipped.dedup();
        stream
    }

    /// Every release of the stream, prereleases included, lowest version first.
    pub fn pins(&self) -> &[Pin] {
        &self.pins
    }

    /// Every version of the stream, prereleases included, lowest first.
    pub fn versions(&self) -> impl DoubleEndedIterator<Item = &Version> {
        self.pins.iter().map(|pin| &pin.version)
    }

    /// Tags that carry this stream's literal prefix and suffix but no clean SemVer version (such as
    /// `v1.7+jira`), sorted: worth a debug note, not an error.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// The release a request pins: the highest one it admits. Prereleases are only ever pinned by an
    /// exact request.
    ///
    /// # Errors
    /// [`Error::NoMatch`] listing the versions the request could have matched.
    pub fn resolve(&self, request: &VersionRequest) -> Result<&Pin, Error> {
        if let Some(pin) = self.pins.iter().rev().find(|pin| request.admits(pin)) {
            return Ok(pin);
        }
        let exact = matches!(request, VersionRequest::Exact(_));
        let candidates: Vec<&Pin> = self
            .pins
            .iter()
            .filter(|pin| exact || !pin.prerelease)
            .collect();
        let shown = &candidates[candidates.len().saturating_sub(LISTED_VERSIONS)..];
        Err(Error::NoMatch {
            template: self.pattern.to_string(),
            request: request.to_string(),
            available: shown.iter().map(|pin| pin.version.to_string()).collect(),
            hidden_prereleases: self.pins.len() - candidates.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::TagTemplate;

    fn release(tag: &str) -> Release<'_> {
        Release {
            tag,
            draft: false,
            prerelease: false,
        }
    }

    fn stream(template: &str, releases: &[Release<'_>]) -> Stream {
        Stream::from_releases(
            TagTemplate::new(template).expect("template"),
            releases.iter().copied(),
        )
    }

    fn versions(stream: &Stream) -> Vec<String> {
        stream.versions().map(ToString::to_string).collect()
    }

    fn request(s: &str) -> VersionRequest {
        VersionRequest::parse(s).expect("request")
    }

    fn resolved(stream: &Stream, s: &str) -> String {
        stream.resolve(&request(s)).expect(s).tag.clone()
    }

    /// The build-metadata origin that made native mise collapse two binaries into one stream.
    fn mixed() -> Vec<Release<'static>> {
        let mut releases: Vec<Release<'static>> = [
            "v0.0.6+tfc",
            "v1.7.0+jira",
            "v1.6.0+jira",
            "v0.0.5+tfc",
            "v1.6.2+jira",
            "v1.8.0-rc.1+jira",
            "v2.0.0+tfc",
            "v1.5.9+jira",
            "jira-v9.9.9",
            "v1.7+jira",
            "v1.7.0+jira.2",
        ]
        .into_iter()
        .map(release)
        .collect();
        releases.push(Release {
            tag: "v9.0.0+jira",
            draft: true,
            prerelease: false,
        });
        releases.push(Release {
            tag: "v1.9.0+jira",
            draft: false,
            prerelease: true,
        });
        releases
    }

    #[test]
    fn versions_are_clean_sorted_and_only_this_binarys() {
        let jira = stream("v{version}+jira", &mixed());
        assert_eq!(
            versions(&jira),
            ["1.5.9", "1.6.0", "1.6.2", "1.7.0", "1.8.0-rc.1", "1.9.0"]
        );
        let tfc = stream("v{version}+tfc", &mixed());
        assert_eq!(versions(&tfc), ["0.0.5", "0.0.6", "2.0.0"]);
        assert_eq!(
            tfc.resolve(&VersionRequest::Latest).map(|p| p.tag.as_str()),
            Ok("v2.0.0+tfc")
        );
    }

    #[test]
    fn order_of_the_release_list_does_not_matter() {
        let mut releases = mixed();
        let forward = stream("v{version}+jira", &releases);
        releases.reverse();
        assert_eq!(stream("v{version}+jira", &releases), forward);
        releases.rotate_left(5);
        assert_eq!(stream("v{version}+jira", &releases), forward);
    }

    #[test]
    fn drafts_are_dropped() {
        let jira = stream("v{version}+jira", &mixed());
        assert!(jira.pins().iter().all(|p| p.tag != "v9.0.0+jira"));
        assert!(jira.resolve(&request("9.0.0")).is_err());
    }

    #[test]
    fn latest_skips_prerelease_versions_and_github_flagged_prereleases() {
        let jira = stream("v{version}+jira", &mixed());
        assert_eq!(resolved(&jira, "latest"), "v1.7.0+jira");
        assert_eq!(
            jira.resolve(&VersionRequest::Latest)
                .map(|p| p.tag.as_str()),
            Ok("v1.7.0+jira")
        );
        let flagged = jira
            .pins()
            .iter()
            .find(|p| p.tag == "v1.9.0+jira")
            .expect("flagged");
        assert!(flagged.prerelease && flagged.version.pre.is_empty());
    }

    #[test]
    fn requests_pin_exact_and_highest_matching_prefix() {
        let jira = stream("v{version}+jira", &mixed());
        assert_eq!(resolved(&jira, "1.6.0"), "v1.6.0+jira");
        assert_eq!(resolved(&jira, "v1.6.0"), "v1.6.0+jira");
        assert_eq!(resolved(&jira, "1.6"), "v1.6.2+jira");
        assert_eq!(resolved(&jira, "1"), "v1.7.0+jira");
        assert_eq!(resolved(&jira, "1.5"), "v1.5.9+jira");
        let pin = jira.resolve(&request("1.6")).expect("1.6");
        assert_eq!(pin.version, Version::new(1, 6, 2));
        assert!(!pin.prerelease);
    }

    #[test]
    fn prereleases_only_when_asked_for_exactly() {
        let jira = stream("v{version}+jira", &mixed());
        let rc = jira.resolve(&request("1.8.0-rc.1")).expect("rc");
        assert_eq!((rc.tag.as_str(), rc.prerelease), ("v1.8.0-rc.1+jira", true));
        assert_eq!(resolved(&jira, "1.9.0"), "v1.9.0+jira");
        assert!(jira.resolve(&request("1.8")).is_err());
        assert!(jira.resolve(&request("1.9")).is_err());
    }

    #[test]
    fn no_match_lists_what_could_have_matched() {
        let jira = stream("v{version}+jira", &mixed());
        let err = jira.resolve(&request("3")).expect_err("no 3.x");
        assert_eq!(
            err.to_string(),
            "no release tagged `v{version}+jira` matches `3`; versions: 1.5.9, 1.6.0, 1.6.2, 1.7.0 \
             (2 prereleases not considered: ask for one by its full version)"
        );
        let err = jira.resolve(&request("1.8.0")).expect_err("no 1.8.0");
        assert_eq!(
            err.to_string(),
            "no release tagged `v{version}+jira` matches `1.8.0`; versions: 1.5.9, 1.6.0, 1.6.2, 1.7.0, \
             1.8.0-rc.1, 1.9.0"
        );
        let empty = stream("v{version}+gh", &mixed());
        assert_eq!(
            empty
                .resolve(&VersionRequest::Latest)
                .expect_err("empty")
                .to_string(),
            "no release tagged `v{version}+gh` matches `latest`; the stream has no release it could match"
        );
    }

    #[test]
    fn no_match_lists_at_most_ten_versions() {
        let tags: Vec<String> = (0..25).map(|i| format!("v1.{i}.0")).collect();
        let releases: Vec<Release<'_>> = tags.iter().map(|t| release(t)).collect();
        let s = stream("v{version}", &releases);
        let Err(Error::NoMatch { available, .. }) = s.resolve(&request("2")) else {
            panic!("expected NoMatch");
        };
        assert_eq!(available.len(), 10);
        assert_eq!(available.last().map(String::as_str), Some("1.24.0"));
    }

    #[test]
    fn malformed_tags_of_this_stream_are_skipped_not_fatal() {
        let jira = stream("v{version}+jira", &mixed());
        assert_eq!(jira.skipped(), ["v1.7+jira"]);
        let plain = stream("v{version}", &mixed());
        assert!(plain.pins().is_empty());
        assert!(plain.skipped().contains(&"v1.7.0+jira".to_owned()));
    }

    #[test]
    fn prefix_and_path_streams() {
        let releases: Vec<Release<'_>> = [
            "cli/jira/v1.0.0",
            "jira-v2.0.0",
            "cli/tfc/v3.0.0",
            "cli/jira/v1.1.0",
        ]
        .into_iter()
        .map(release)
        .collect();
        assert_eq!(
            versions(&stream("cli/jira/v{version}", &releases)),
            ["1.0.0", "1.1.0"]
        );
        assert_eq!(versions(&stream("jira-v{version}", &releases)), ["2.0.0"]);
    }

    #[test]
    fn a_release_listed_twice_is_kept_once() {
        let template = TagTemplate::new("v{version}+jira").expect("template");
        let releases = mixed();
        // Two overlapping pages, as GitHub serves them while a release is published.
        let shifted = releases[..4].iter().chain(&releases[2..]).copied();
        assert_eq!(
            Stream::from_releases(&template, shifted),
            Stream::from_releases(&template, releases.iter().copied())
        );
    }

    #[test]
    fn first_copy_of_a_repeated_release_wins() {
        let flagged = Release {
            tag: "v1.0.0",
            draft: false,
            prerelease: true,
        };
        let s = stream("v{version}", &[flagged, release("v1.0.0")]);
        assert_eq!(s.pins().len(), 1);
        assert!(s.pins()[0].prerelease);
    }

    #[test]
    fn ranges_resolve_within_the_stream() {
        let jira = stream("v{version}+jira", &mixed());
        // stable versions: 1.5.9, 1.6.0, 1.6.2, 1.7.0; 1.8.0-rc.1 and flagged 1.9.0 are prereleases
        for (range, tag) in [
            (">=0.4.0", "v1.7.0+jira"),
            ("^1.6", "v1.7.0+jira"),
            ("~1.6", "v1.6.2+jira"),
            ("<1.6", "v1.5.9+jira"),
            (">=1.6, <1.7", "v1.6.2+jira"),
            (">=1.6 <1.7", "v1.6.2+jira"),
            (">= 1.6 < 1.7", "v1.6.2+jira"),
            ("=1.6", "v1.6.2+jira"),
            ("1.x", "v1.7.0+jira"),
            ("*", "v1.7.0+jira"),
            (">=1.8.0-rc.1", "v1.8.0-rc.1+jira"),
        ] {
            assert_eq!(resolved(&jira, range), tag, "{range}");
        }
        // a GitHub-flagged prerelease is never taken by a range
        assert!(jira.resolve(&request(">=1.9")).is_err());
        let err = jira
            .resolve(&request(">=3"))
            .expect_err("nothing")
            .to_string();
        assert_eq!(
            err,
            "no release tagged `v{version}+jira` matches `>=3`; versions: 1.5.9, 1.6.0, 1.6.2, 1.7.0 \
             (2 prereleases not considered: ask for one by its full version)"
        );
    }

    #[test]
    fn requests_parse_and_display() {
        assert_eq!(request("latest"), VersionRequest::Latest);
        assert_eq!(
            request("1.6.0"),
            VersionRequest::Exact(Version::new(1, 6, 0))
        );
        assert_eq!(
            request("1.6"),
            VersionRequest::Prefix {
                major: 1,
                minor: Some(6)
            }
        );
        assert_eq!(
            request("v1"),
            VersionRequest::Prefix {
                major: 1,
                minor: None
            }
        );
        assert_eq!(
            "1.8.0-rc.1"
                .parse::<VersionRequest>()
                .expect("rc")
                .to_string(),
            "1.8.0-rc.1"
        );
        for s in [
            "latest",
            "1.6.0",
            "1.6",
            "1",
            ">=0.4.0",
            "^1.6",
            "~1.6",
            "<2",
            ">=1.2, <2",
        ] {
            assert_eq!(request(s).to_string(), s);
        }
        assert_eq!(request(">=1.2 <2").to_string(), ">=1.2, <2");
    }

    #[test]
    fn malformed_requests_are_refused() {
        for s in ["", "Latest", "1.6.0.1", "01.6", "1.6-rc", "vv1"] {
            let err = VersionRequest::parse(s).expect_err(s).to_string();
            assert!(
                err.contains("is not `latest`, a full SemVer version"),
                "{s}: {err}"
            );
        }
        for s in ["1.6 ", " 1"] {
            let err = VersionRequest::parse(s).expect_err(s).to_string();
            assert!(err.contains("has spaces around it"), "{s}: {err}");
        }
        for (s, problem) in [
            (">=1 || <0.5", "has alternatives (`||`)"),
            (">=1.7.0+jira", "has build metadata"),
            (">=x.y", "is not a SemVer range"),
            ("^", "is not a SemVer range"),
        ] {
            let err = VersionRequest::parse(s).expect_err(s).to_string();
            assert!(err.contains(problem), "{s}: {err}");
        }
        let err = VersionRequest::parse("1.7.0+jira")
            .expect_err("build")
            .to_string();
        assert_eq!(
            err,
            "version request `1.7.0+jira`: has build metadata; ask for the clean version (e.g. `1.7.0`), \
             the stream's tag adds its own"
        );
    }
}
