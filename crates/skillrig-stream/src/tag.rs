//! Tag templates: `v{version}+jira` both reads a binary's versions out of tags and renders them back.

use std::fmt;

use semver::Version;

use crate::error::Error;

const VERSION: &str = "{version}";

/// A compiled tag template such as `v{version}+jira`, `jira-v{version}` or `cli/jira/v{version}`.
///
/// The template is a literal prefix, exactly one `{version}` and a literal suffix. A tag belongs to
/// the template when it starts with the prefix, ends with the suffix, and what lies between is a
/// strict SemVer 2.0.0 version *without build metadata* that renders back to exactly that text. Build
/// metadata is refused because it is what tells streams apart (`v1.7.0+jira` is not a version of the
/// `v{version}` stream), and the round trip guarantees no part of a tag is silently dropped.
///
/// ```
/// use skillrig_stream::TagTemplate;
///
/// let jira = TagTemplate::new("v{version}+jira")?;
/// assert_eq!(jira.match_tag("v1.7.0+jira").map(|v| v.to_string()), Some("1.7.0".into()));
/// assert_eq!(jira.match_tag("v1.7.0+tfc"), None);
/// assert_eq!(jira.render(&semver::Version::new(1, 8, 0)), "v1.8.0+jira");
/// # Ok::<(), skillrig_stream::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagTemplate {
    template: String,
    prefix_len: usize,
}

/// How a tag relates to a template; private because callers only need the version or nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TagMatch {
    /// The tag's literal parts differ: it belongs to another stream (or none).
    Foreign,
    /// The literal parts fit but the middle is not a clean SemVer version.
    Malformed,
    /// The tag carries this version.
    Version(Version),
}

impl TagTemplate {
    /// Compiles a template. It must hold exactly one `{version}` and no other `{` or `}`, and its
    /// literal parts must be usable in a git tag.
    ///
    /// # Errors
    /// [`Error::TagTemplate`] naming the problem and the fix.
    pub fn new(template: &str) -> Result<Self, Error> {
        Self::compile(template).map_err(|(problem, fix)| Error::TagTemplate {
            template: template.to_owned(),
            problem,
            fix: fix.to_owned(),
        })
    }

    /// Compiles a template, returning `(problem, fix)` so the contract parser can add the file and
    /// binary to the message.
    pub(crate) fn compile(template: &str) -> Result<Self, (String, &'static str)> {
        const FIX: &str = "write the tag with exactly one `{version}`, e.g. `v{version}+jira`, \
                           `jira-v{version}` or `cli/jira/v{version}`";
        let Some(prefix_len) = template.find(VERSION) else {
            return Err(("has no `{version}`".into(), FIX));
        };
        let prefix = &template[..prefix_len];
        let suffix = &template[prefix_len + VERSION.len()..];
        if suffix.contains(VERSION) {
            return Err(("has more than one `{version}`".into(), FIX));
        }
        if let Some(brace) = prefix
            .chars()
            .chain(suffix.chars())
            .find(|c| matches!(c, '{' | '}'))
        {
            return Err((
                format!(
                    "has a `{brace}` outside `{{version}}`: the only placeholder allowed in a tag is `{{version}}`"
                ),
                FIX,
            ));
        }
        if let Some(problem) = git_tag_problem(prefix, suffix) {
            return Err((problem, "use only the characters a git tag allows"));
        }
        Ok(Self {
            template: template.to_owned(),
            prefix_len,
        })
    }

    /// The template as written, e.g. `v{version}+jira`.
    pub fn as_str(&self) -> &str {
        &self.template
    }

    /// The tag of `version` in this stream: `v{version}+jira` renders `1.7.0` as `v1.7.0+jira`.
    pub fn render(&self, version: &Version) -> String {
        let mut tag = String::with_capacity(self.template.len() + 16);
        tag.push_str(self.prefix());
        tag.push_str(&version.to_string());
        tag.push_str(self.suffix());
        tag
    }

    /// The version a tag carries in this stream, or `None` when the tag belongs to another stream or
    /// its version is not a clean SemVer version.
    pub fn match_tag(&self, tag: &str) -> Option<Version> {
        match self.classify(tag) {
            TagMatch::Version(version) => Some(version),
            TagMatch::Foreign | TagMatch::Malformed => None,
        }
    }

    /// Tells apart tags of other streams (not worth a note) from tags that look like ours but carry
    /// no clean version (worth a debug note). Cheap string checks come first: most tags are foreign.
    pub(crate) fn classify(&self, tag: &str) -> TagMatch {
        let (prefix, suffix) = (self.prefix(), self.suffix());
        if tag.len() < prefix.len() + suffix.len()
            || !tag.starts_with(prefix)
            || !tag.ends_with(suffix)
        {
            return TagMatch::Foreign;
        }
        let middle = &tag[prefix.len()..tag.len() - suffix.len()];
        // A version starts with a digit: `jira-cli-v1.0.0` is another stream's, not a bad `jira-{version}`.
        if !middle.starts_with(|c: char| c.is_ascii_digit()) {
            return TagMatch::Foreign;
        }
        match Version::parse(middle) {
            Ok(version) if version.build.is_empty() && version.to_string() == middle => {
                TagMatch::Version(version)
            }
            _ => TagMatch::Malformed,
        }
    }

    fn prefix(&self) -> &str {
        &self.template[..self.prefix_len]
    }

    fn suffix(&self) -> &str {
        &self.template[self.prefix_len + VERSION.len()..]
    }
}

impl fmt::Display for TagTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.template)
    }
}

/// The subset of `git check-ref-format` rules that a template's literal parts can break.
fn git_tag_problem(prefix: &str, suffix: &str) -> Option<String> {
    let whole = format!("{prefix}1{suffix}");
    if let Some(c) = whole.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Some(format!(
            "contains the character {c:?}, which a git tag cannot hold"
        ));
    }
    if let Some(c) = whole
        .chars()
        .find(|c| matches!(c, '\\' | '~' | '^' | ':' | '?' | '*' | '['))
    {
        return Some(format!("contains `{c}`, which a git tag cannot hold"));
    }
    if whole.contains("..") {
        return Some("contains `..`, which a git tag cannot hold".into());
    }
    if whole.starts_with('/') || whole.ends_with('/') || whole.contains("//") {
        return Some("has a leading, trailing or doubled `/`".into());
    }
    if whole.starts_with('.')
        || whole.contains("/.")
        || whole.ends_with('.')
        || whole.ends_with(".lock")
    {
        return Some(
            "has a path component that starts or ends with `.` or ends with `.lock`".into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(s: &str) -> TagTemplate {
        TagTemplate::new(s).expect("valid template")
    }

    fn matched(t: &str, tag: &str) -> Option<String> {
        template(t).match_tag(tag).map(|v| v.to_string())
    }

    #[test]
    fn build_metadata_template_matches_its_own_tags() {
        assert_eq!(
            matched("v{version}+jira", "v1.7.0+jira").as_deref(),
            Some("1.7.0")
        );
        let rc = template("v{version}+jira")
            .match_tag("v1.8.0-rc.1+jira")
            .expect("prerelease");
        assert_eq!(rc.to_string(), "1.8.0-rc.1");
        assert!(!rc.pre.is_empty());
    }

    #[test]
    fn build_metadata_template_rejects_other_streams_and_bad_versions() {
        for tag in [
            "v1.7.0+tfc",
            "v1.7+jira",
            "v1.7.0+jira.2",
            "v1.7.0",
            "1.7.0+jira",
            "v+jira",
            "v01.7.0+jira",
            "v1.7.0+x+jira",
            "v1.7.0 +jira",
            "V1.7.0+jira",
        ] {
            assert_eq!(matched("v{version}+jira", tag), None, "{tag}");
        }
    }

    #[test]
    fn prefix_and_path_templates() {
        assert_eq!(
            matched("jira-v{version}", "jira-v1.7.0").as_deref(),
            Some("1.7.0")
        );
        assert_eq!(
            matched("jira-v{version}", "jira-v1.8.0-rc.1").as_deref(),
            Some("1.8.0-rc.1")
        );
        assert_eq!(matched("jira-v{version}", "tfc-v1.7.0"), None);
        assert_eq!(matched("jira-v{version}", "jira-v1.7"), None);
        assert_eq!(
            matched("cli/jira/v{version}", "cli/jira/v1.7.0").as_deref(),
            Some("1.7.0")
        );
        assert_eq!(matched("cli/jira/v{version}", "cli/tfc/v1.7.0"), None);
        assert_eq!(matched("{version}", "1.7.0").as_deref(), Some("1.7.0"));
    }

    #[test]
    fn build_metadata_never_hides_in_the_version() {
        // Otherwise `v{version}` would read `v1.7.0+jira` as 1.7.0 and leak jira into its stream.
        assert_eq!(matched("v{version}", "v1.7.0+jira"), None);
        assert_eq!(matched("jira-v{version}", "jira-v1.7.0+build5"), None);
        assert_eq!(
            template("v{version}").classify("v1.7.0+jira"),
            TagMatch::Malformed
        );
    }

    #[test]
    fn classify_tells_foreign_from_malformed() {
        let t = template("jira-v{version}");
        assert_eq!(t.classify("tfc-v1.0.0"), TagMatch::Foreign);
        assert_eq!(t.classify("jira-v1.0"), TagMatch::Malformed);
        assert_eq!(t.classify("jira-v"), TagMatch::Foreign);
        assert_eq!(t.classify("jira-vnext"), TagMatch::Foreign);
        let t = template("v{version}v");
        assert_eq!(t.classify("v"), TagMatch::Foreign);
    }

    #[test]
    fn render_gives_the_tag_back() {
        let v = Version::parse("1.8.0-rc.1").expect("version");
        assert_eq!(template("v{version}+jira").render(&v), "v1.8.0-rc.1+jira");
        assert_eq!(
            template("cli/jira/v{version}").render(&v),
            "cli/jira/v1.8.0-rc.1"
        );
    }

    #[test]
    fn malformed_templates_are_refused_with_a_fix() {
        for (t, needle) in [
            ("v1.0.0", "no `{version}`"),
            ("{version}-{version}", "more than one"),
            ("{name}-v{version}", "only placeholder"),
            ("v{version}+{os}", "only placeholder"),
            ("v{version}}", "outside"),
            ("v {version}", "character ' '"),
            ("v{version}\t", "character '\\t'"),
            ("v{version}~1", "`~`"),
            ("a..b/{version}", "`..`"),
            ("/v{version}", "leading"),
            ("v{version}/", "trailing"),
            ("a//v{version}", "doubled"),
            ("cli/.jira/v{version}", "starts or ends with `.`"),
            ("{version}.lock", "`.lock`"),
            ("back\\slash{version}", "`\\`"),
        ] {
            let err = TagTemplate::new(t).expect_err(t).to_string();
            assert!(err.contains(needle), "{t}: {err}");
            assert!(err.contains(&format!("tag template `{t}`")), "{t}: {err}");
        }
        let err = TagTemplate::new("v1").expect_err("no version").to_string();
        assert!(err.contains("e.g. `v{version}+jira`"), "{err}");
    }
}
