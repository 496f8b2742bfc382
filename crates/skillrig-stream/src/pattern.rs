//! A binary's tag pattern: which tags are its releases and which version each carries.

use std::fmt;

use semver::Version;

use crate::convention::{self, Shape};
use crate::tag::{TagMatch, TagTemplate};

/// The tags of one binary's stream: the convention's shapes for its name, or the templates its
/// `[[binaries]]` entry declares (`stream = "+jira"` gives `{version}+jira` and `v{version}+jira`).
///
/// When one version is published under two tags of the pattern, the earlier shape or template wins:
/// [`Shape::ALL`]'s order for the convention, the declared order otherwise.
///
/// ```
/// use skillrig_stream::TagPattern;
///
/// let jira = TagPattern::convention("jira");
/// assert_eq!(jira.match_tag("1.7.0+jira").map(|v| v.to_string()), Some("1.7.0".into()));
/// assert_eq!(jira.match_tag("jira-v1.7.0").map(|v| v.to_string()), Some("1.7.0".into()));
/// assert_eq!(jira.match_tag("jira-cli-v1.0.0"), None);
/// assert_eq!(jira.to_string(), "`{version}+jira`, `v{version}+jira`, `jira-v{version}`, `jira-{version}` or `jira/v{version}`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TagPattern {
    /// The convention's five shapes for a binary of this name.
    Convention(String),
    /// Declared templates, in order of preference.
    Templates(Vec<TagTemplate>),
}

/// How a tag relates to a pattern, with the rank of the shape or template that read it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PatternMatch {
    Foreign,
    Malformed,
    Version { version: Version, rank: u8 },
}

impl TagPattern {
    /// The convention's pattern for the binary `bin`.
    pub fn convention(bin: &str) -> Self {
        Self::Convention(bin.to_owned())
    }

    /// The version a tag carries in this pattern, or `None`.
    pub fn match_tag(&self, tag: &str) -> Option<Version> {
        match self.classify(tag) {
            PatternMatch::Version { version, .. } => Some(version),
            PatternMatch::Foreign | PatternMatch::Malformed => None,
        }
    }

    /// The tags of `version` in this pattern, in order of preference.
    pub fn render(&self, version: &Version) -> Vec<String> {
        match self {
            Self::Convention(bin) => Shape::ALL.iter().map(|s| s.render(bin, version)).collect(),
            Self::Templates(templates) => templates.iter().map(|t| t.render(version)).collect(),
        }
    }

    /// The templates of the pattern, in order of preference, as written.
    pub fn templates(&self) -> Vec<String> {
        match self {
            Self::Convention(bin) => Shape::ALL.iter().map(|s| s.template(bin)).collect(),
            Self::Templates(templates) => templates.iter().map(|t| t.as_str().to_owned()).collect(),
        }
    }

    pub(crate) fn classify(&self, tag: &str) -> PatternMatch {
        match self {
            Self::Convention(bin) => match convention::parse_tag(tag) {
                Some(read) if read.bin == bin => PatternMatch::Version {
                    version: read.version,
                    rank: read.shape as u8,
                },
                Some(_) => PatternMatch::Foreign,
                None if convention::looks_like(tag, bin) => PatternMatch::Malformed,
                None => PatternMatch::Foreign,
            },
            Self::Templates(templates) => {
                let mut malformed = false;
                for (rank, template) in (0u8..).zip(templates) {
                    match template.classify(tag) {
                        TagMatch::Version(version) => {
                            return PatternMatch::Version { version, rank };
                        }
                        TagMatch::Malformed => malformed = true,
                        TagMatch::Foreign => {}
                    }
                }
                if malformed {
                    PatternMatch::Malformed
                } else {
                    PatternMatch::Foreign
                }
            }
        }
    }
}

impl From<&TagTemplate> for TagPattern {
    fn from(template: &TagTemplate) -> Self {
        Self::Templates(vec![template.clone()])
    }
}

impl From<TagTemplate> for TagPattern {
    fn from(template: TagTemplate) -> Self {
        Self::Templates(vec![template])
    }
}

impl From<&TagPattern> for TagPattern {
    fn from(pattern: &TagPattern) -> Self {
        pattern.clone()
    }
}

/// The templates, quoted and joined: `` `v{version}+jira` `` or `` `a`, `b` or `c` ``.
impl fmt::Display for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let templates = self.templates();
        for (i, template) in templates.iter().enumerate() {
            let separator = match i {
                0 => "",
                i if i + 1 == templates.len() => " or ",
                _ => ", ",
            };
            write!(f, "{separator}`{template}`")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates(list: &[&str]) -> TagPattern {
        TagPattern::Templates(
            list.iter()
                .map(|t| TagTemplate::new(t).expect("template"))
                .collect(),
        )
    }

    #[test]
    fn the_first_template_that_reads_a_version_wins() {
        let build = templates(&["{version}+jira", "v{version}+jira"]);
        assert_eq!(
            build.classify("1.7.0+jira"),
            PatternMatch::Version {
                version: Version::new(1, 7, 0),
                rank: 0
            }
        );
        assert_eq!(
            build.classify("v1.7.0+jira"),
            PatternMatch::Version {
                version: Version::new(1, 7, 0),
                rank: 1
            }
        );
        assert_eq!(build.classify("v1.7+jira"), PatternMatch::Malformed);
        assert_eq!(build.classify("1.7.0+tfc"), PatternMatch::Foreign);
    }

    #[test]
    fn a_clean_match_beats_a_malformed_one() {
        let prefix = templates(&["jira-{version}", "jira-v{version}"]);
        assert_eq!(
            prefix.classify("jira-v1.0.0"),
            PatternMatch::Version {
                version: Version::new(1, 0, 0),
                rank: 1
            }
        );
    }

    #[test]
    fn the_convention_ranks_shapes_and_notes_near_misses() {
        let jira = TagPattern::convention("jira");
        assert_eq!(
            jira.classify("jira/v2.0.0"),
            PatternMatch::Version {
                version: Version::new(2, 0, 0),
                rank: 4
            }
        );
        assert_eq!(jira.classify("jira-v1.7"), PatternMatch::Malformed);
        assert_eq!(jira.classify("1.7.0+tfc"), PatternMatch::Foreign);
        assert_eq!(jira.classify("jira-cli-v1.0.0"), PatternMatch::Foreign);
    }

    #[test]
    fn display_lists_the_templates() {
        assert_eq!(
            templates(&["v{version}+jira"]).to_string(),
            "`v{version}+jira`"
        );
        assert_eq!(
            templates(&["{version}+jira", "v{version}+jira"]).to_string(),
            "`{version}+jira` or `v{version}+jira`"
        );
    }
}
