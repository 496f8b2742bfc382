//! A `skillrig:` tool's address: `skillrig:<owner>/<repo>/<bin>`, or a bare `skillrig:<bin>` whose
//! origin comes from the tool option `origin` or the `SKILLRIG_ORIGIN` environment variable, as the
//! `mise-skillrig` plugin reads them.

use std::fmt;

use crate::convention::is_bin_name;
use crate::error::Error;

/// The environment variable that gives bare `skillrig:<bin>` addresses their origin.
pub const ORIGIN_ENV: &str = "SKILLRIG_ORIGIN";

/// An origin and one of its binaries.
///
/// ```
/// use skillrig_stream::Address;
///
/// let jira = Address::parse("acme/origin/jira", None, None)?;
/// assert_eq!((jira.repo().as_str(), jira.bin()), ("acme/origin", "jira"));
/// let bare = Address::parse("jira", Some("acme/origin"), None)?;
/// assert_eq!(bare, jira);
/// let from_env = Address::parse("jira", None, Some("acme/origin"))?;
/// assert_eq!(from_env, jira);
/// assert!(Address::parse("jira", None, None).is_err());
/// # Ok::<(), skillrig_stream::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    owner: String,
    repo: String,
    bin: String,
}

const FORM: &str = "write skillrig:<owner>/<repo>/<bin>, e.g. skillrig:acme/origin/jira";
const NAME_RULE: &str = "letters, digits, `.`, `_` and `-`, and not `.` or `..`";

impl Address {
    /// Reads the tool name after `skillrig:`. A name with a `/` holds its origin (everything before
    /// the last `/`, which must be `<owner>/<repo>`); a bare name takes `origin` (the tool option),
    /// else `origin_env` (`SKILLRIG_ORIGIN`).
    ///
    /// # Errors
    /// [`Error::Address`] naming what is wrong and the fix.
    pub fn parse(
        tool: &str,
        origin: Option<&str>,
        origin_env: Option<&str>,
    ) -> Result<Self, Error> {
        let fail = |problem: String, fix: &str| Error::Address {
            tool: tool.to_owned(),
            problem,
            fix: fix.to_owned(),
        };
        if tool.is_empty() {
            return Err(fail("names no binary".into(), FORM));
        }
        let (origin, bin, source) = match tool.rsplit_once('/') {
            Some((origin, bin)) => (origin, bin, "the address"),
            None => {
                let given = origin
                    .filter(|o| !o.is_empty())
                    .map(|o| (o, "the tool option `origin`"))
                    .or_else(|| {
                        origin_env
                            .filter(|o| !o.is_empty())
                            .map(|o| (o, ORIGIN_ENV))
                    });
                let Some((origin, source)) = given else {
                    return Err(fail(
                        "names no origin".into(),
                        &format!(
                            "{FORM}, or give the tool the option origin = \"<owner>/<repo>\", or \
                             set {ORIGIN_ENV}=<owner>/<repo>"
                        ),
                    ));
                };
                (origin, tool, source)
            }
        };
        if !is_bin_name(bin) {
            return Err(fail(
                format!("the binary `{}` is not a name", bin.escape_debug()),
                &format!("a binary's name has only {NAME_RULE}"),
            ));
        }
        let parts: Vec<&str> = origin.split('/').collect();
        let [owner, repo] = parts.as_slice() else {
            return Err(fail(
                format!(
                    "the origin `{}` (from {source}) is not <owner>/<repo>",
                    origin.escape_debug()
                ),
                FORM,
            ));
        };
        if let Some(bad) = [owner, repo].into_iter().find(|part| !is_bin_name(part)) {
            return Err(fail(
                format!(
                    "the origin `{}` (from {source}) has the segment `{}`",
                    origin.escape_debug(),
                    bad.escape_debug()
                ),
                &format!("an owner and a repository have only {NAME_RULE}"),
            ));
        }
        Ok(Self {
            owner: (*owner).to_owned(),
            repo: (*repo).to_owned(),
            bin: bin.to_owned(),
        })
    }

    /// `owner/repo` of the origin.
    pub fn repo(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// The binary's name.
    pub fn bin(&self) -> &str {
        &self.bin
    }
}

/// `owner/repo/bin`.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.owner, self.repo, self.bin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(tool: &str, origin: Option<&str>, env: Option<&str>) -> String {
        Address::parse(tool, origin, env)
            .expect_err(tool)
            .to_string()
    }

    #[test]
    fn the_address_holds_its_origin_and_wins_over_the_option() {
        let a = Address::parse("acme/origin/jira", Some("other/repo"), Some("x/y")).expect("ok");
        assert_eq!(a.to_string(), "acme/origin/jira");
        let dotted = Address::parse("my.org/my_skills/jira-cli.v2", None, None).expect("ok");
        assert_eq!(dotted.bin(), "jira-cli.v2");
    }

    #[test]
    fn a_bare_binary_takes_the_option_then_the_environment() {
        let option = Address::parse("jira", Some("acme/origin"), Some("env/origin")).expect("ok");
        assert_eq!(option.repo(), "acme/origin");
        let env = Address::parse("jira", None, Some("env/origin")).expect("ok");
        assert_eq!(env.repo(), "env/origin");
        let empty_option = Address::parse("jira", Some(""), Some("env/origin")).expect("ok");
        assert_eq!(empty_option.repo(), "env/origin");
    }

    #[test]
    fn errors_name_the_problem_and_the_fix() {
        assert_eq!(
            err("jira", None, None),
            "skillrig:jira: names no origin; write skillrig:<owner>/<repo>/<bin>, e.g. \
             skillrig:acme/origin/jira, or give the tool the option origin = \"<owner>/<repo>\", \
             or set SKILLRIG_ORIGIN=<owner>/<repo>"
        );
        assert!(err("", None, None).contains("names no binary"));
        assert!(
            err("acme/jira", None, None)
                .contains("the origin `acme` (from the address) is not <owner>/<repo>")
        );
        assert!(err("a/b/c/jira", None, None).contains("the origin `a/b/c`"));
        assert!(err("jira", Some("acme"), None).contains("(from the tool option `origin`) is not"));
        assert!(
            err("jira", None, Some("acme/")).contains("(from SKILLRIG_ORIGIN) has the segment ``")
        );
        assert!(err("acme/../jira", None, None).contains("has the segment `..`"));
        assert!(err("acme/origin/..", None, None).contains("the binary `..` is not a name"));
        assert!(err("acme/origin/ji ra", None, None).contains("the binary `ji ra`"));
        assert!(err("acme/origin/", None, None).contains("the binary `` is not a name"));
    }
}
