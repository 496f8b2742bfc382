//! The fake's shared state and the responders that read it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use wiremock::{Match, Request, Respond, ResponseTemplate};

use super::PublicUrls;
use super::journal::{JournalEntry, presented_token};
use super::payload;
use super::route::{
    ENTERPRISE_API_PREFIX, Endpoint, Host, OBJECTS_ROOT, RepoRef, Route, RouteKind, TagRef, parse,
    parse_on,
};
use crate::fixture::BuiltOrigin;

/// GitHub's page size when `per_page` is absent.
pub(crate) const DEFAULT_PER_PAGE: usize = 30;
/// GitHub's largest page.
pub(crate) const MAX_PER_PAGE: usize = 100;

/// Everything the responders read and the test mutates.
#[derive(Debug)]
pub(crate) struct State {
    /// `http://127.0.0.1:PORT`
    pub uri: String,
    /// Where github.com's release downloads are redirected: `<uri>/objects`, or GitHub's objects
    /// host when the run reaches github.com over TLS.
    pub objects: String,
    pub public: PublicUrls,
    pub origins: Vec<Hosted>,
    pub rate: RateLimit,
    /// Asset names served with half their bytes.
    pub truncated: BTreeSet<String>,
    /// Asset names served with one byte flipped.
    pub altered: BTreeSet<String>,
    /// Requests only the catch-all matched.
    pub unexpected: Vec<JournalEntry>,
}

/// An origin with the repository id the fake gave it.
#[derive(Debug)]
pub(crate) struct Hosted {
    pub id: u64,
    pub origin: BuiltOrigin,
}

/// The core rate limit. Not enforced until a test calls `FakeGithub::rate_limit`.
#[derive(Debug)]
pub(crate) struct RateLimit {
    pub limit: u32,
    pub used: u32,
    pub enforced: bool,
    /// Epoch seconds of the next reset.
    pub reset: u64,
}

impl RateLimit {
    /// Counts one request; `false` when the limit was already spent.
    fn take(&mut self) -> bool {
        if self.enforced && self.used >= self.limit {
            return false;
        }
        self.used = self.used.saturating_add(1);
        true
    }

    fn headers(&self, response: ResponseTemplate) -> ResponseTemplate {
        response
            .insert_header("x-ratelimit-limit", self.limit.to_string())
            .insert_header(
                "x-ratelimit-remaining",
                self.limit.saturating_sub(self.used).to_string(),
            )
            .insert_header("x-ratelimit-reset", self.reset.to_string())
            .insert_header("x-ratelimit-used", self.used.min(self.limit).to_string())
            .insert_header("x-ratelimit-resource", "core")
    }
}

pub(crate) type Shared = Arc<Mutex<State>>;

/// The state, even if a responder panicked while holding it.
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Matches a route of `kind` for a repository the fake hosts; the rest falls to the catch-all.
pub(crate) struct KnownRoute {
    pub shared: Shared,
    pub kind: RouteKind,
}

impl Match for KnownRoute {
    fn matches(&self, request: &Request) -> bool {
        if !matches!(request.method.as_str(), "GET" | "HEAD") {
            return false;
        }
        let Some(route) = parse(request.url.path()) else {
            return false;
        };
        route.kind() == self.kind && lock(&self.shared).hosts(&route)
    }
}

/// Answers one route from the shared state.
pub(crate) struct RouteResponder {
    pub shared: Shared,
}

impl Respond for RouteResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        lock(&self.shared).respond(request)
    }
}

/// The lowest-priority mock: GitHub's 404, and a note that the request was not expected.
pub(crate) struct CatchAll {
    pub shared: Shared,
}

impl Respond for CatchAll {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = lock(&self.shared);
        let entry = JournalEntry::of(request, &state.tokens());
        state.unexpected.push(entry);
        json_response(404, &payload::not_found())
    }
}

/// An injected server error.
pub(crate) struct Failure {
    pub status: u16,
}

impl Respond for Failure {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let message = http_reason(self.status);
        json_response(self.status, &json!({ "message": message }))
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        500 => "Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

pub(crate) fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    ResponseTemplate::new(status).set_body_raw(bytes, "application/json; charset=utf-8")
}

/// The web host's 404: plain text, not JSON.
fn web_not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_raw("Not Found", "text/plain; charset=utf-8")
}

fn redirect(location: String) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("location", location)
}

/// `per_page` (default 30, at most 100) and `page` (from 1) of a query.
pub(crate) fn page_params(query: Option<&str>) -> (usize, usize) {
    let mut per_page = DEFAULT_PER_PAGE;
    let mut page = 1;
    for pair in query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "per_page" => {
                if let Ok(n) = value.parse::<usize>() {
                    per_page = if n == 0 {
                        DEFAULT_PER_PAGE
                    } else {
                        n.min(MAX_PER_PAGE)
                    };
                }
            }
            "page" => {
                if let Ok(n) = value.parse::<usize>() {
                    page = n.max(1);
                }
            }
            _ => {}
        }
    }
    (per_page, page)
}

/// `query` with `page` set to `page`, other parameters kept in their order.
fn with_page(query: Option<&str>, page: usize) -> String {
    let mut pairs: Vec<String> = Vec::new();
    let mut replaced = false;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        if pair.split('=').next() == Some("page") {
            pairs.push(format!("page={page}"));
            replaced = true;
        } else {
            pairs.push(pair.to_string());
        }
    }
    if !replaced {
        pairs.push(format!("page={page}"));
    }
    pairs.join("&")
}

/// GitHub's `Link` header for `page` of `last` pages at `base`, or `None` when one page holds all.
pub(crate) fn link_header(
    base: &str,
    query: Option<&str>,
    page: usize,
    last: usize,
) -> Option<String> {
    if last <= 1 && page <= 1 {
        return None;
    }
    let url = |n: usize| format!("<{base}?{}>", with_page(query, n));
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!(
            "{}; rel=\"prev\"",
            url((page - 1).min(last.max(1)))
        ));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    Some(links.join(", "))
}

impl State {
    /// Every configured token.
    pub(crate) fn tokens(&self) -> Vec<&str> {
        self.origins
            .iter()
            .filter_map(|h| h.origin.token.as_deref())
            .collect()
    }

    fn find_by_name(&self, owner: &str, repo: &str) -> Option<usize> {
        // GitHub matches owner and repository names case-insensitively.
        self.origins.iter().position(|h| {
            h.origin.owner.eq_ignore_ascii_case(owner) && h.origin.repo.eq_ignore_ascii_case(repo)
        })
    }

    fn find(&self, repo: &RepoRef) -> Option<usize> {
        match repo {
            RepoRef::Name(owner, name) => self.find_by_name(owner, name),
            RepoRef::Id(id) => self.origins.iter().position(|h| h.id == *id),
        }
    }

    pub(crate) fn find_full_name(&self, full_name: &str) -> Option<usize> {
        let (owner, repo) = full_name.split_once('/')?;
        self.find_by_name(owner, repo)
    }

    /// Whether `route` names a repository the fake hosts.
    fn hosts(&self, route: &Route) -> bool {
        match route {
            Route::Api { repo, .. } => self.find(repo).is_some(),
            Route::Download { owner, repo, .. } | Route::Raw { owner, repo, .. } => {
                self.find_by_name(owner, repo).is_some()
            }
            Route::Object { repo_id, .. } => self.find(&RepoRef::Id(*repo_id)).is_some(),
        }
    }

    /// Whether `request` carries the token of the origin at `index`.
    fn authorized(&self, request: &Request, index: usize) -> bool {
        let expected = self.origins[index].origin.token.as_deref();
        expected.is_some() && presented_token(request).as_deref() == expected
    }

    /// The public URLs and the objects host of `host`: github.com, or the Enterprise Server the
    /// fake also is. The server's release objects sit on another host (`localhost` rather than
    /// `127.0.0.1`), as GitHub's do, so a client following the redirect must not carry the API's
    /// token along.
    fn urls_of(&self, host: Host) -> (PublicUrls, String) {
        if host == Host::GithubCom {
            return (self.public.clone(), self.objects.clone());
        }
        let public = PublicUrls {
            api: format!("{}{ENTERPRISE_API_PREFIX}", self.uri),
            web: self.uri.clone(),
            raw: format!("{}/raw", self.uri),
            uploads: format!("{}/api/uploads", self.uri),
        };
        let objects = format!(
            "{}{OBJECTS_ROOT}",
            self.uri.replacen("127.0.0.1", "localhost", 1)
        );
        (public, objects)
    }

    fn respond(&mut self, request: &Request) -> ResponseTemplate {
        let Some((host, route)) = parse_on(request.url.path()) else {
            return json_response(404, &payload::not_found());
        };
        let (public, objects) = self.urls_of(host);
        match route {
            Route::Api { repo, endpoint } => {
                let authed = self
                    .tokens()
                    .contains(&presented_token(request).unwrap_or_default().as_str());
                if !self.rate.take() {
                    return self.rate.headers(rate_limited(authed));
                }
                let response = match self.find(&repo) {
                    Some(index) => self.api(request, index, endpoint, &public, &objects),
                    None => json_response(404, &payload::not_found()),
                };
                self.rate
                    .headers(response)
                    .insert_header("x-github-media-type", "github.v3; format=json")
                    .insert_header("x-github-api-version-selected", "2022-11-28")
            }
            Route::Download {
                owner,
                repo,
                tag,
                name,
            } => self.download(&owner, &repo, &tag, &name, &objects),
            Route::Raw {
                owner,
                repo,
                git_ref,
                path,
            } => self.raw(request, &owner, &repo, &git_ref, &path),
            Route::Object { repo_id, asset_id } => self.object(repo_id, asset_id),
        }
    }
}

/// GitHub's 403 once the core limit is spent.
fn rate_limited(authed: bool) -> ResponseTemplate {
    let message = if authed {
        "API rate limit exceeded for user ID 1.".to_string()
    } else {
        "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated \
         requests get a higher rate limit. Check out the documentation for more details.)"
            .to_string()
    };
    json_response(
        403,
        &json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        }),
    )
}

impl State {
    fn api(
        &self,
        request: &Request,
        index: usize,
        endpoint: Endpoint,
        public: &PublicUrls,
        objects: &str,
    ) -> ResponseTemplate {
        let authorized = self.authorized(request, index);
        let hosted = &self.origins[index];
        let origin = &hosted.origin;
        if origin.private && !authorized {
            return json_response(404, &payload::not_found());
        }
        let not_found = || json_response(404, &payload::not_found());
        let query = request.url.query();
        match endpoint {
            Endpoint::Repo => json_response(200, &payload::repo(public, origin, hosted.id)),
            Endpoint::ReleasesList => {
                // GitHub shows drafts only to users with push access: here, the origin's token.
                let listed = origin.listed(authorized);
                let items: Vec<Value> = listed
                    .iter()
                    .map(|r| payload::release(public, origin, r))
                    .collect();
                self.paged(
                    &format!("{}/repositories/{}/releases", public.api, hosted.id),
                    query,
                    items,
                )
            }
            Endpoint::Tags => {
                let mut names: Vec<&str> = origin
                    .listed(false)
                    .iter()
                    .map(|r| r.tag.as_str())
                    .collect();
                names.sort_unstable_by(|a, b| b.cmp(a));
                names.dedup();
                let items: Vec<Value> = names
                    .iter()
                    .map(|name| payload::tag(public, origin, name))
                    .collect();
                self.paged(
                    &format!("{}/repositories/{}/tags", public.api, hosted.id),
                    query,
                    items,
                )
            }
            Endpoint::Latest => match origin.latest() {
                Some(release) => json_response(200, &payload::release(public, origin, release)),
                None => not_found(),
            },
            Endpoint::ByTag(tag) => match origin.release_by_tag(&tag) {
                Some(release) => json_response(200, &payload::release(public, origin, release)),
                None => not_found(),
            },
            Endpoint::ById(id) => match origin.release_by_id(id) {
                Some(release) if authorized || !release.draft => {
                    json_response(200, &payload::release(public, origin, release))
                }
                _ => not_found(),
            },
            Endpoint::Asset(id) => match origin.asset_by_id(id) {
                Some((release, asset)) if authorized || !release.draft => {
                    let wants_bytes = request
                        .headers
                        .get("accept")
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|accept| accept.contains("application/octet-stream"));
                    if wants_bytes {
                        redirect(payload::object_url(objects, hosted.id, asset))
                    } else {
                        json_response(200, &payload::asset(public, origin, release, asset))
                    }
                }
                _ => not_found(),
            },
            Endpoint::Contents(path) => self.contents(request, index, &path, public),
            Endpoint::Commit(sha) => self.commit(index, &sha, public),
            Endpoint::Attestations(digest) => {
                let hex = digest.strip_prefix("sha256:").unwrap_or(&digest);
                let found = origin.attestations_of(hex);
                if found.is_empty() {
                    return not_found();
                }
                let listed: Vec<Value> = found
                    .into_iter()
                    .map(|bundle| {
                        serde_json::json!({
                            "bundle": bundle,
                            "repository_id": hosted.id,
                            "bundle_url": null,
                        })
                    })
                    .collect();
                json_response(200, &serde_json::json!({ "attestations": listed }))
            }
        }
    }

    /// One page of `items` with GitHub's `Link` header.
    fn paged(&self, base: &str, query: Option<&str>, items: Vec<Value>) -> ResponseTemplate {
        let (per_page, page) = page_params(query);
        let last = items.len().div_ceil(per_page);
        let start = (page - 1).saturating_mul(per_page).min(items.len());
        let end = start.saturating_add(per_page).min(items.len());
        let response = json_response(200, &Value::Array(items[start..end].to_vec()));
        match link_header(base, query, page, last) {
            Some(link) => response.insert_header("link", link),
            None => response,
        }
    }

    /// Which ref a contents request reads: the default branch, or the tag of a release.
    fn known_ref(&self, index: usize, git_ref: &str) -> bool {
        let origin = &self.origins[index].origin;
        git_ref == origin.default_branch
            || git_ref == payload::commit_sha(origin, &origin.default_branch)
            || origin.release_by_tag(git_ref).is_some()
    }

    fn contents(
        &self,
        request: &Request,
        index: usize,
        path: &str,
        public: &PublicUrls,
    ) -> ResponseTemplate {
        let origin = &self.origins[index].origin;
        let git_ref = request
            .url
            .query_pairs()
            .find(|(key, _)| key == "ref")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_else(|| origin.default_branch.clone());
        if !self.known_ref(index, &git_ref) {
            return json_response(
                404,
                &json!({
                    "message": format!("No commit found for the ref {git_ref}"),
                    "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content",
                    "status": "404",
                }),
            );
        }
        let accept = request
            .headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if let Some(text) = origin.files.get(path) {
            if accept.contains("vnd.github.raw") {
                return ResponseTemplate::new(200)
                    .set_body_raw(text.clone().into_bytes(), "application/vnd.github.raw");
            }
            return json_response(200, &payload::file(public, origin, &git_ref, path, text));
        }
        // A directory: the files and subdirectories directly under `path`.
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let mut entries: Vec<(String, Option<&str>)> = Vec::new();
        for (file, text) in origin.files.range(prefix.clone()..) {
            let Some(rest) = file.strip_prefix(&prefix) else {
                break;
            };
            let entry = match rest.split_once('/') {
                Some((dir, _)) => (format!("{prefix}{dir}"), None),
                None => (file.clone(), Some(text.as_str())),
            };
            if entries.last().map(|(p, _)| p) != Some(&entry.0) {
                entries.push(entry);
            }
        }
        if entries.is_empty() {
            return json_response(404, &payload::not_found());
        }
        let listing: Vec<Value> = entries
            .iter()
            .map(|(p, text)| payload::dir_entry(public, origin, &git_ref, p, *text))
            .collect();
        if accept.contains("vnd.github.object") {
            let mut object = payload::dir_entry(public, origin, &git_ref, path, None);
            object["entries"] = Value::Array(listing);
            return json_response(200, &object);
        }
        json_response(200, &Value::Array(listing))
    }

    fn commit(&self, index: usize, sha: &str, public: &PublicUrls) -> ResponseTemplate {
        let origin = &self.origins[index].origin;
        let mut refs: Vec<(String, String)> = origin
            .listed(false)
            .iter()
            .map(|r| (r.tag.clone(), r.published.to_string()))
            .collect();
        refs.push((
            origin.default_branch.clone(),
            crate::fixture::DEFAULT_PUBLISHED.to_string(),
        ));
        for (git_ref, date) in refs {
            let ref_sha = payload::commit_sha(origin, &git_ref);
            if sha == ref_sha || sha == git_ref {
                return json_response(200, &payload::commit(public, origin, &ref_sha, &date));
            }
        }
        json_response(
            422,
            &json!({
                "message": format!("No commit found for SHA: {sha}"),
                "documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit",
                "status": "422",
            }),
        )
    }

    /// A browser download: a 302 to the object, as github.com answers.
    fn download(
        &self,
        owner: &str,
        repo: &str,
        tag: &TagRef,
        name: &str,
        objects: &str,
    ) -> ResponseTemplate {
        let Some(index) = self.find_by_name(owner, repo) else {
            return web_not_found();
        };
        let hosted = &self.origins[index];
        // github.com answers 404 for a private repository's download even with a token;
        // clients must use the API asset URL (as mise does).
        if hosted.origin.private {
            return web_not_found();
        }
        let release = match tag {
            TagRef::Latest => hosted.origin.latest(),
            TagRef::Tag(tag) => hosted.origin.release_by_tag(tag),
        };
        match release.and_then(|r| r.assets.iter().find(|a| a.name == name)) {
            Some(asset) => redirect(payload::object_url(objects, hosted.id, asset)),
            None => web_not_found(),
        }
    }

    fn raw(
        &self,
        request: &Request,
        owner: &str,
        repo: &str,
        git_ref: &str,
        path: &str,
    ) -> ResponseTemplate {
        let raw_not_found = || {
            ResponseTemplate::new(404).set_body_raw("404: Not Found", "text/plain; charset=utf-8")
        };
        let Some(index) = self.find_by_name(owner, repo) else {
            return raw_not_found();
        };
        let origin = &self.origins[index].origin;
        if (origin.private && !self.authorized(request, index)) || !self.known_ref(index, git_ref) {
            return raw_not_found();
        }
        match origin.files.get(path) {
            Some(text) => ResponseTemplate::new(200)
                .set_body_raw(text.clone().into_bytes(), "text/plain; charset=utf-8"),
            None => raw_not_found(),
        }
    }

    /// The asset's bytes, after any injected truncation or alteration.
    fn object(&self, repo_id: u64, asset_id: u64) -> ResponseTemplate {
        let found = self
            .find(&RepoRef::Id(repo_id))
            .and_then(|index| self.origins[index].origin.asset_by_id(asset_id));
        let Some((_, asset)) = found else {
            return ResponseTemplate::new(404).set_body_raw(
                "<Error><Code>BlobNotFound</Code></Error>",
                "application/xml",
            );
        };
        let mut bytes = asset.bytes.to_vec();
        if self.truncated.contains(&asset.name) {
            bytes.truncate(bytes.len() / 2);
        }
        if self.altered.contains(&asset.name) && !bytes.is_empty() {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0xff;
        }
        ResponseTemplate::new(200)
            .insert_header(
                "content-disposition",
                format!("attachment; filename={}", asset.name),
            )
            .set_body_raw(bytes, "application/octet-stream")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages() {
        assert_eq!(page_params(None), (30, 1));
        assert_eq!(page_params(Some("per_page=500&page=3")), (100, 3));
        assert_eq!(page_params(Some("per_page=0&page=0")), (30, 1));
    }

    #[test]
    fn links_like_github() {
        let base = "https://api.github.com/repositories/7/releases";
        assert_eq!(
            link_header(base, Some("per_page=100"), 1, 3).as_deref(),
            Some(
                "<https://api.github.com/repositories/7/releases?per_page=100&page=2>; rel=\"next\", \
                 <https://api.github.com/repositories/7/releases?per_page=100&page=3>; rel=\"last\""
            )
        );
        assert_eq!(
            link_header(base, Some("page=2&per_page=100"), 2, 3).as_deref(),
            Some(
                "<https://api.github.com/repositories/7/releases?page=1&per_page=100>; rel=\"prev\", \
                 <https://api.github.com/repositories/7/releases?page=3&per_page=100>; rel=\"next\", \
                 <https://api.github.com/repositories/7/releases?page=3&per_page=100>; rel=\"last\", \
                 <https://api.github.com/repositories/7/releases?page=1&per_page=100>; rel=\"first\""
            )
        );
        assert_eq!(link_header(base, None, 1, 1), None);
    }
}
