//! Which route a request path names. One parser serves the mocks' matchers and the responders.

use percent_encoding::percent_decode_str;
use wiremock::{Match, Request};

/// Path prefix of the REST API (`https://api.github.com` is replaced by `<uri>/api.github.com`).
pub const API_PREFIX: &str = "/api.github.com";
/// Path prefix of the web host (`https://github.com`).
pub const WEB_PREFIX: &str = "/github.com";
/// Path prefix of raw file contents (`https://raw.githubusercontent.com`).
pub const RAW_PREFIX: &str = "/raw.githubusercontent.com";
/// Path below which the fake serves GitHub's objects host (`https://objects.githubusercontent.com`).
pub const OBJECTS_ROOT: &str = "/objects";
/// Path prefix of release asset bytes, standing in for GitHub's signed objects host.
pub const OBJECTS_PREFIX: &str = "/objects/github-production-release-asset";
/// Path prefix of a GitHub Enterprise Server's REST API: the fake is also an Enterprise Server
/// at its own address, its API under `/api/v3` and its web routes at the root, as on a real one.
pub const ENTERPRISE_API_PREFIX: &str = "/api/v3";

/// The routes the fake serves. Each is mounted as one named mock, and each is also a
/// [`wiremock::Match`] (on the path alone), so a fault can target it:
/// `fake.fail(RouteKind::ReleasesList, 502, 2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// `GET /repos/{o}/{r}`
    Repo,
    /// `GET /repos/{o}/{r}/releases`
    ReleasesList,
    /// `GET /repos/{o}/{r}/releases/latest`
    ReleaseLatest,
    /// `GET /repos/{o}/{r}/releases/tags/{tag}`
    ReleaseByTag,
    /// `GET /repos/{o}/{r}/releases/{id}`
    ReleaseById,
    /// `GET /repos/{o}/{r}/releases/assets/{id}`
    ReleaseAsset,
    /// `GET /repos/{o}/{r}/tags`
    Tags,
    /// `GET /repos/{o}/{r}/contents/{path}`
    Contents,
    /// `GET /repos/{o}/{r}/commits/{sha}`
    Commit,
    /// `GET /repos/{o}/{r}/attestations/{digest}`
    Attestations,
    /// `GET /{o}/{r}/releases/download/{tag}/{name}` on the web host
    Download,
    /// `GET /{o}/{r}/{ref}/{path}` on the raw host
    Raw,
    /// `GET /objects/...`: asset bytes
    Object,
}

impl RouteKind {
    /// Every route, in the order they are mounted.
    pub const ALL: [RouteKind; 13] = [
        RouteKind::Repo,
        RouteKind::ReleasesList,
        RouteKind::ReleaseLatest,
        RouteKind::ReleaseByTag,
        RouteKind::ReleaseById,
        RouteKind::ReleaseAsset,
        RouteKind::Tags,
        RouteKind::Contents,
        RouteKind::Commit,
        RouteKind::Attestations,
        RouteKind::Download,
        RouteKind::Raw,
        RouteKind::Object,
    ];

    /// The mock's name, as wiremock reports it.
    pub fn name(self) -> &'static str {
        match self {
            RouteKind::Repo => "api GET /repos/{o}/{r}",
            RouteKind::ReleasesList => "api GET /repos/{o}/{r}/releases",
            RouteKind::ReleaseLatest => "api GET /repos/{o}/{r}/releases/latest",
            RouteKind::ReleaseByTag => "api GET /repos/{o}/{r}/releases/tags/{tag}",
            RouteKind::ReleaseById => "api GET /repos/{o}/{r}/releases/{id}",
            RouteKind::ReleaseAsset => "api GET /repos/{o}/{r}/releases/assets/{id}",
            RouteKind::Tags => "api GET /repos/{o}/{r}/tags",
            RouteKind::Contents => "api GET /repos/{o}/{r}/contents/{path}",
            RouteKind::Commit => "api GET /repos/{o}/{r}/commits/{sha}",
            RouteKind::Attestations => "api GET /repos/{o}/{r}/attestations/{digest}",
            RouteKind::Download => "web GET /{o}/{r}/releases/download/{tag}/{name}",
            RouteKind::Raw => "raw GET /{o}/{r}/{ref}/{path}",
            RouteKind::Object => "objects GET /{repo_id}/{asset_id}",
        }
    }

    /// Whether the route is part of the REST API (rate limited, `x-ratelimit-*` headers).
    pub fn is_api(self) -> bool {
        !matches!(
            self,
            RouteKind::Download | RouteKind::Raw | RouteKind::Object
        )
    }
}

impl Match for RouteKind {
    fn matches(&self, request: &Request) -> bool {
        parse(request.url.path()).is_some_and(|route| route.kind() == *self)
    }
}

/// How an API path names a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RepoRef {
    /// `/repos/{owner}/{repo}`
    Name(String, String),
    /// `/repositories/{id}`, the form of GitHub's `Link` headers.
    Id(u64),
}

/// A REST endpoint under a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Repo,
    ReleasesList,
    Latest,
    ByTag(String),
    ById(u64),
    Asset(u64),
    Tags,
    Contents(String),
    Commit(String),
    Attestations(String),
}

/// Which release a web download names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TagRef {
    /// `/releases/latest/download/{name}`
    Latest,
    /// `/releases/download/{tag}/{name}`
    Tag(String),
}

/// A parsed request path, percent-decoded where GitHub decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Api {
        repo: RepoRef,
        endpoint: Endpoint,
    },
    Download {
        owner: String,
        repo: String,
        tag: TagRef,
        name: String,
    },
    Raw {
        owner: String,
        repo: String,
        git_ref: String,
        path: String,
    },
    Object {
        repo_id: u64,
        asset_id: u64,
    },
}

impl Route {
    /// The mock this route belongs to.
    pub(crate) fn kind(&self) -> RouteKind {
        match self {
            Route::Api { endpoint, .. } => match endpoint {
                Endpoint::Repo => RouteKind::Repo,
                Endpoint::ReleasesList => RouteKind::ReleasesList,
                Endpoint::Latest => RouteKind::ReleaseLatest,
                Endpoint::ByTag(_) => RouteKind::ReleaseByTag,
                Endpoint::ById(_) => RouteKind::ReleaseById,
                Endpoint::Asset(_) => RouteKind::ReleaseAsset,
                Endpoint::Tags => RouteKind::Tags,
                Endpoint::Contents(_) => RouteKind::Contents,
                Endpoint::Commit(_) => RouteKind::Commit,
                Endpoint::Attestations(_) => RouteKind::Attestations,
            },
            Route::Download { .. } => RouteKind::Download,
            Route::Raw { .. } => RouteKind::Raw,
            Route::Object { .. } => RouteKind::Object,
        }
    }
}

pub(crate) fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Splits `a/b/rest` into `("a", "b", "/rest")`; `rest` keeps its leading slash, or is empty.
fn two_segments(path: &str) -> Option<(&str, &str, &str)> {
    let (first, after) = path.split_once('/')?;
    let (second, rest) = match after.find('/') {
        Some(at) => (&after[..at], &after[at..]),
        None => (after, ""),
    };
    (!first.is_empty() && !second.is_empty()).then_some((first, second, rest))
}

/// Which host a request was sent to: github.com (through the prefixes `url_replacements` add)
/// or the Enterprise Server the fake also is (its API under `/api/v3`, its web routes at the root).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    GithubCom,
    Enterprise,
}

/// The route `path` names, or `None` for a path the fake does not serve.
pub(crate) fn parse(path: &str) -> Option<Route> {
    parse_on(path).map(|(_, route)| route)
}

/// The host `path` was sent to and the route it names, or `None` for a path the fake does not
/// serve. The host decides which URLs the payloads name.
pub(crate) fn parse_on(path: &str) -> Option<(Host, Route)> {
    let on = |host, route: Option<Route>| route.map(|route| (host, route));
    if let Some(rest) = path.strip_prefix(API_PREFIX) {
        return on(Host::GithubCom, parse_api(rest));
    }
    if let Some(rest) = path.strip_prefix(WEB_PREFIX) {
        return on(Host::GithubCom, parse_web(rest.strip_prefix('/')?));
    }
    if let Some(rest) = path.strip_prefix(RAW_PREFIX) {
        let (owner, repo, rest) = two_segments(rest.strip_prefix('/')?)?;
        let (git_ref, file) = rest.strip_prefix('/')?.split_once('/')?;
        if git_ref.is_empty() || file.is_empty() {
            return None;
        }
        return on(
            Host::GithubCom,
            Some(Route::Raw {
                owner: decode(owner),
                repo: decode(repo),
                git_ref: decode(git_ref),
                path: decode(file),
            }),
        );
    }
    if let Some(rest) = path.strip_prefix(OBJECTS_PREFIX) {
        let (repo_id, asset_id, rest) = two_segments(rest.strip_prefix('/')?)?;
        if !rest.is_empty() {
            return None;
        }
        return on(
            Host::GithubCom,
            Some(Route::Object {
                repo_id: repo_id.parse().ok()?,
                asset_id: asset_id.parse().ok()?,
            }),
        );
    }
    if let Some(rest) = path.strip_prefix(ENTERPRISE_API_PREFIX) {
        return on(Host::Enterprise, parse_api(rest));
    }
    // The Enterprise Server's web host: `/{o}/{r}/releases/download/...` at the root.
    on(Host::Enterprise, parse_web(path.strip_prefix('/')?))
}

/// A web download below the web host's root: `{o}/{r}/releases/download/{tag}/{name}` or
/// `{o}/{r}/releases/latest/download/{name}`.
fn parse_web(rest: &str) -> Option<Route> {
    let (owner, repo, rest) = two_segments(rest)?;
    let (tag, name) = if let Some(name) = rest.strip_prefix("/releases/latest/download/") {
        (TagRef::Latest, name)
    } else {
        let rest = rest.strip_prefix("/releases/download/")?;
        // A tag may arrive with raw slashes (`cli/jira/v1.0.0`): the name is the last segment.
        let (tag, name) = rest.rsplit_once('/')?;
        (TagRef::Tag(decode(tag)), name)
    };
    if name.is_empty() || name.contains('/') || matches!(&tag, TagRef::Tag(t) if t.is_empty()) {
        return None;
    }
    Some(Route::Download {
        owner: decode(owner),
        repo: decode(repo),
        tag,
        name: decode(name),
    })
}

fn parse_api(path: &str) -> Option<Route> {
    let (repo, rest) = if let Some(rest) = path.strip_prefix("/repos/") {
        let (owner, repo, rest) = two_segments(rest)?;
        (RepoRef::Name(decode(owner), decode(repo)), rest)
    } else {
        let rest = path.strip_prefix("/repositories/")?;
        let (id, rest) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        (RepoRef::Id(id.parse().ok()?), rest)
    };
    let trimmed = rest.trim_end_matches('/');
    let endpoint = match trimmed {
        "" => Endpoint::Repo,
        "/releases" => Endpoint::ReleasesList,
        "/releases/latest" => Endpoint::Latest,
        "/tags" => Endpoint::Tags,
        "/contents" => Endpoint::Contents(String::new()),
        _ => {
            if let Some(tag) = rest.strip_prefix("/releases/tags/") {
                // The tag is the rest of the path: `+` raw or `%2B`, `/` raw or `%2F`.
                (!tag.is_empty()).then(|| Endpoint::ByTag(decode(tag)))?
            } else if let Some(id) = trimmed.strip_prefix("/releases/assets/") {
                Endpoint::Asset(id.parse().ok()?)
            } else if let Some(id) = trimmed.strip_prefix("/releases/") {
                Endpoint::ById(id.parse().ok()?)
            } else if let Some(file) = rest.strip_prefix("/contents/") {
                Endpoint::Contents(decode(file.trim_matches('/')))
            } else if let Some(sha) = trimmed.strip_prefix("/commits/") {
                (!sha.contains('/')).then(|| Endpoint::Commit(decode(sha)))?
            } else if let Some(digest) = trimmed.strip_prefix("/attestations/") {
                (!digest.contains('/')).then(|| Endpoint::Attestations(decode(digest)))?
            } else {
                return None;
            }
        }
    };
    Some(Route::Api { repo, endpoint })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(owner: &str, repo: &str, endpoint: Endpoint) -> Option<Route> {
        Some(Route::Api {
            repo: RepoRef::Name(owner.into(), repo.into()),
            endpoint,
        })
    }

    #[test]
    fn api_paths() {
        assert_eq!(
            parse("/api.github.com/repos/acme/origin"),
            api("acme", "origin", Endpoint::Repo)
        );
        assert_eq!(
            parse("/api.github.com/repos/acme/origin/releases"),
            api("acme", "origin", Endpoint::ReleasesList)
        );
        for path in [
            "/api.github.com/repos/acme/origin/releases/tags/v1.0.0+jira",
            "/api.github.com/repos/acme/origin/releases/tags/v1.0.0%2Bjira",
        ] {
            assert_eq!(
                parse(path),
                api("acme", "origin", Endpoint::ByTag("v1.0.0+jira".into()))
            );
        }
        for path in [
            "/api.github.com/repos/acme/origin/releases/tags/cli/jira/v1.0.0",
            "/api.github.com/repos/acme/origin/releases/tags/cli%2Fjira%2Fv1.0.0",
        ] {
            assert_eq!(
                parse(path),
                api("acme", "origin", Endpoint::ByTag("cli/jira/v1.0.0".into()))
            );
        }
        assert_eq!(
            parse("/api.github.com/repos/acme/origin/releases/assets/500001"),
            api("acme", "origin", Endpoint::Asset(500_001))
        );
        assert_eq!(
            parse("/api.github.com/repos/acme/origin/releases/100001"),
            api("acme", "origin", Endpoint::ById(100_001))
        );
        assert_eq!(
            parse("/api.github.com/repos/acme/origin/contents/skills/a.md"),
            api("acme", "origin", Endpoint::Contents("skills/a.md".into()))
        );
        assert_eq!(
            parse("/api.github.com/repositories/7/releases"),
            Some(Route::Api {
                repo: RepoRef::Id(7),
                endpoint: Endpoint::ReleasesList
            })
        );
        assert_eq!(parse("/api.github.com/repos/acme/origin/pulls"), None);
        assert_eq!(
            parse("/api.github.com/repos/acme/origin/releases/nope"),
            None
        );
        assert_eq!(parse("/api.github.com/user"), None);
        assert_eq!(
            parse("/api/v3/repos/acme/origin/releases"),
            api("acme", "origin", Endpoint::ReleasesList),
            "the Enterprise Server's API"
        );
        let host = |path| parse_on(path).map(|(host, _)| host);
        assert_eq!(host("/api/v3/repos/acme/origin"), Some(Host::Enterprise));
        assert_eq!(
            host("/acme/origin/releases/download/v1/a"),
            Some(Host::Enterprise)
        );
        assert_eq!(
            host("/api.github.com/repos/acme/origin"),
            Some(Host::GithubCom)
        );
        assert_eq!(
            host("/objects/github-production-release-asset/7/1"),
            Some(Host::GithubCom)
        );
    }

    #[test]
    fn web_and_objects() {
        let download = |tag: &str| {
            Some(Route::Download {
                owner: "acme".into(),
                repo: "origin".into(),
                tag: TagRef::Tag(tag.into()),
                name: "jira.tar.gz".into(),
            })
        };
        assert_eq!(
            parse("/github.com/acme/origin/releases/download/v1.7.0%2Bjira/jira.tar.gz"),
            download("v1.7.0+jira")
        );
        assert_eq!(
            parse("/github.com/acme/origin/releases/download/cli/jira/v1.7.0/jira.tar.gz"),
            download("cli/jira/v1.7.0")
        );
        assert_eq!(
            parse("/objects/github-production-release-asset/7/500001"),
            Some(Route::Object {
                repo_id: 7,
                asset_id: 500_001
            })
        );
        assert_eq!(parse("/github.com/acme/origin"), None);
        assert_eq!(
            parse("/acme/origin/releases/download/v1.7.0%2Bjira/jira.tar.gz"),
            download("v1.7.0+jira"),
            "the Enterprise Server's web host"
        );
        assert_eq!(parse("/acme/origin"), None);
        assert_eq!(
            parse("/raw.githubusercontent.com/acme/origin/main/a/b.toml"),
            Some(Route::Raw {
                owner: "acme".into(),
                repo: "origin".into(),
                git_ref: "main".into(),
                path: "a/b.toml".into()
            })
        );
    }
}
