//! A fake GitHub on wiremock, faithful enough that what mise does against it is what it would do
//! against github.com.
//!
//! Each host is served below a path prefix: `https://api.github.com` at `<uri>/api.github.com`,
//! `https://github.com` at `<uri>/github.com`, `https://raw.githubusercontent.com` at
//! `<uri>/raw.githubusercontent.com`, GitHub's objects host at `<uri>/objects`. mise reaches
//! them as on github.com, over TLS through the tripwire's front ([`crate::tls_front`]), which
//! forwards each request below its host's prefix; a mise that does not trust the front's test CA
//! is given `url_replacements` instead ([`FakeGithub::url_replacements`]). Payloads and `Link`
//! headers hold the public URLs ([`FakeGithub::public`]).
//!
//! # Routes
//! Every route is one mock named after it (see [`RouteKind::name`]) and answers `GET` and `HEAD`.
//! `{o}/{r}` is matched case-insensitively; `/repositories/{id}` (the form of `Link` headers)
//! works wherever `/repos/{o}/{r}` does. A route naming a repository the fake does not host
//! falls to the catch-all.
//!
//! API, under `/api.github.com` (each response carries `x-ratelimit-*` headers):
//! - `GET /repos/{o}/{r}`: the repository (`id`, `full_name`, `default_branch`, `private`, ...).
//! - `GET /repos/{o}/{r}/releases?per_page=&page=`: newest `published` first (ties: higher id
//!   first); `per_page` defaults to 30 and is clamped to 100; `Link` with `prev`, `next`, `last`,
//!   `first` as GitHub sends them, pointing at `https://api.github.com/repositories/{id}/releases`.
//!   Drafts are listed only to a request carrying the origin's token (GitHub lists them to users
//!   with push access).
//! - `GET /repos/{o}/{r}/releases/latest`: the newest release that is neither draft nor
//!   prerelease; 404 when there is none.
//! - `GET /repos/{o}/{r}/releases/tags/{tag}`: the tag raw or percent-encoded (`+` or `%2B`,
//!   `/` or `%2F`: the rest of the path is the tag). Drafts have no tag: 404.
//! - `GET /repos/{o}/{r}/releases/{id}`: drafts only with the origin's token.
//! - `GET /repos/{o}/{r}/releases/assets/{id}`: the asset's JSON; with
//!   `Accept: application/octet-stream`, a 302 to its object URL.
//! - `GET /repos/{o}/{r}/tags?per_page=&page=`: tags of non-draft releases, names in descending
//!   byte order, paged like releases.
//! - `GET /repos/{o}/{r}/contents/{path}?ref=`: a file as JSON (`encoding: base64`, content
//!   wrapped at 60 columns), or its bytes with `Accept: application/vnd.github.raw` (also
//!   `.raw+json`); a directory as an array (an object with `entries` under
//!   `application/vnd.github.object`). `ref` defaults to the default branch and may also name the
//!   branch's commit or a release tag (every ref sees the same files); any other ref, or a path
//!   that is not there, is a 404.
//! - `GET /repos/{o}/{r}/commits/{sha}`: the commit a tag's `commit.url` names (its date is the
//!   release's time); 422 for an unknown SHA.
//! - `GET /repos/{o}/{r}/attestations/sha256:{hex}`: `{"attestations": [{"bundle": …}]}`, the
//!   origin's attestation bundles whose statement attests that digest (fixtures'
//!   `[[attestation]]`: real bundles from the `mise-sigstore` crate, see
//!   [`crate::attestation`]); 404 when none does.
//!
//! Web, under `/github.com`:
//! - `GET /{o}/{r}/releases/download/{tag}/{name}` (the tag raw or encoded) and
//!   `GET /{o}/{r}/releases/latest/download/{name}`: a 302 to the object URL; `Not Found` as
//!   text otherwise. For a private origin this is a 404 even with a token, as on github.com.
//!
//! Raw, under `/raw.githubusercontent.com`: `GET /{o}/{r}/{ref}/{path}`, the file as text (a
//! private origin needs its token).
//!
//! Objects, under `/objects/github-production-release-asset`: `GET /{repo_id}/{asset_id}?...`
//! (the 302s name `https://objects.githubusercontent.com/github-production-release-asset/...`
//! when the run reaches github.com over TLS, else the fake's own address), the bytes (`application/octet-stream`, `content-length`), needing no token like GitHub's
//! signed URLs. Faults from [`FakeGithub::truncate`] and [`FakeGithub::alter`] apply here.
//!
//! Enterprise Server: the fake is also a GitHub Enterprise Server at its own address
//! ([`FakeGithub::enterprise_api`]): the same API under `/api/v3`, web downloads at the root
//! (`/{o}/{r}/releases/download/...`), payloads naming `http://127.0.0.1:PORT/api/v3` and
//! `http://127.0.0.1:PORT`, and release objects redirected to `http://localhost:PORT` (another host,
//! as GitHub's storage is). mise gives a token to an Enterprise API on a loopback address, and
//! reaches it with no `url_replacements`.
//!
//! Catch-all (lowest priority): 404 `{"message":"Not Found",...}`, and the request is recorded in
//! [`FakeGithub::unexpected`].
//!
//! Private origins answer 404 with the same body on every route unless the request carries
//! `Authorization: Bearer <token>` (or `token <token>`) equal to the origin's token.

mod journal;
mod payload;
mod route;
mod state;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow};
use wiremock::{Match, Mock, MockServer, matchers};

pub use journal::{Auth, JournalEntry, render};
pub use route::{
    API_PREFIX, ENTERPRISE_API_PREFIX, OBJECTS_PREFIX, OBJECTS_ROOT, RAW_PREFIX, RouteKind,
    WEB_PREFIX,
};
use state::{
    CatchAll, Failure, Hosted, KnownRoute, RateLimit, RouteResponder, Shared, State, lock,
};

use crate::fixture::{BuiltOrigin, Origin, Release};

/// The first repository id; origins get ids in the order they are given.
const FIRST_REPO_ID: u64 = 700_000_001;

/// The public base URLs that payloads and `Link` headers name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrls {
    /// `https://api.github.com`
    pub api: String,
    /// `https://github.com`
    pub web: String,
    /// `https://raw.githubusercontent.com`
    pub raw: String,
    /// `https://uploads.github.com` (only named in `upload_url`, never served)
    pub uploads: String,
}

impl Default for PublicUrls {
    fn default() -> PublicUrls {
        PublicUrls {
            api: "https://api.github.com".to_string(),
            web: "https://github.com".to_string(),
            raw: "https://raw.githubusercontent.com".to_string(),
            uploads: "https://uploads.github.com".to_string(),
        }
    }
}

/// A running fake GitHub serving some origins.
pub struct FakeGithub {
    server: MockServer,
    shared: Shared,
    /// The public URLs payloads use (what mise must rewrite to reach [`FakeGithub::uri`]).
    pub public: PublicUrls,
}

impl FakeGithub {
    /// Builds the origins and serves them on `127.0.0.1` at a free port.
    pub async fn start(origins: Vec<Origin>) -> Result<FakeGithub> {
        let built = origins.iter().map(Origin::build).collect::<Result<_>>()?;
        Self::serve(built).await
    }

    /// Serves origins already built (a caller that also reads them builds them once).
    pub async fn serve(origins: Vec<BuiltOrigin>) -> Result<FakeGithub> {
        let hosted: Vec<Hosted> = (0u64..)
            .zip(origins)
            .map(|(index, origin)| Hosted {
                id: FIRST_REPO_ID + index,
                origin,
            })
            .collect();
        let server = MockServer::builder().start().await;
        let public = PublicUrls::default();
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            + 3600;
        let shared: Shared = Arc::new(Mutex::new(State {
            uri: server.uri(),
            objects: format!("{}{OBJECTS_ROOT}", server.uri()),
            public: public.clone(),
            origins: hosted,
            rate: RateLimit {
                limit: 5000,
                used: 0,
                enforced: false,
                reset,
            },
            truncated: BTreeSet::new(),
            altered: BTreeSet::new(),
            unexpected: Vec::new(),
        }));
        for kind in RouteKind::ALL {
            Mock::given(KnownRoute {
                shared: shared.clone(),
                kind,
            })
            .respond_with(RouteResponder {
                shared: shared.clone(),
            })
            .named(kind.name())
            .mount(&server)
            .await;
        }
        Mock::given(matchers::any())
            .respond_with(CatchAll {
                shared: shared.clone(),
            })
            .with_priority(u8::MAX)
            .named("catch-all: GitHub's 404")
            .mount(&server)
            .await;
        Ok(FakeGithub {
            server,
            shared,
            public,
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Where `https://api.github.com` is served: `<uri>/api.github.com`.
    pub fn api_base(&self) -> String {
        format!("{}{API_PREFIX}", self.uri())
    }

    /// The REST API of the Enterprise Server the fake also is: `<uri>/api/v3`, its web
    /// routes at `<uri>/` and its release objects on `http://localhost:PORT` (another host).
    pub fn enterprise_api(&self) -> String {
        format!("{}{ENTERPRISE_API_PREFIX}", self.uri())
    }

    /// Where `https://github.com` is served: `<uri>/github.com`.
    pub fn web_base(&self) -> String {
        format!("{}{WEB_PREFIX}", self.uri())
    }

    /// Sends github.com's release downloads to `base` (`https://objects.githubusercontent.com`)
    /// instead of the fake's own address: a client then reaches them as it would on github.com.
    pub fn serve_objects_at(&self, base: &str) {
        lock(&self.shared).objects = base.trim_end_matches('/').to_string();
    }

    /// The value of mise's `url_replacements` setting that sends GitHub traffic here.
    pub fn url_replacements(&self) -> serde_json::Value {
        serde_json::json!({
            self.public.api.clone(): self.api_base(),
            self.public.web.clone(): self.web_base(),
            self.public.raw.clone(): format!("{}{RAW_PREFIX}", self.uri()),
        })
    }

    /// The repository id the fake gave `owner/repo`.
    pub fn repo_id(&self, full_name: &str) -> Option<u64> {
        let state = lock(&self.shared);
        state.find_full_name(full_name).map(|i| state.origins[i].id)
    }

    /// A snapshot of the origin `owner/repo` as served now (ids, bytes, digests).
    pub fn origin(&self, full_name: &str) -> Option<BuiltOrigin> {
        let state = lock(&self.shared);
        state
            .find_full_name(full_name)
            .map(|i| state.origins[i].origin.clone())
    }

    /// Runs `change` on the origin `owner/repo`.
    fn with_origin<T>(
        &self,
        full_name: &str,
        change: impl FnOnce(&mut BuiltOrigin) -> Result<T>,
    ) -> Result<T> {
        let mut state = lock(&self.shared);
        let index = state
            .find_full_name(full_name)
            .ok_or_else(|| anyhow!("the fake hosts no origin `{full_name}`"))?;
        change(&mut state.origins[index].origin)
    }

    /// Publishes a new release on `owner/repo` while running ("a new release appears").
    pub fn publish(&self, full_name: &str, release: Release) -> Result<u64> {
        self.with_origin(full_name, |origin| origin.publish(release))
    }

    /// Publishes `version` on the stream of `binary`, one interval after its last release.
    pub fn publish_version(&self, full_name: &str, binary: &str, version: &str) -> Result<u64> {
        self.with_origin(full_name, |origin| origin.publish_version(binary, version))
    }

    /// Adds or replaces a file at the default branch.
    pub fn set_file(&self, full_name: &str, path: &str, text: &str) -> Result<()> {
        self.with_origin(full_name, |origin| {
            origin.files.insert(path.to_string(), text.to_string());
            Ok(())
        })
    }

    /// Starts enforcing the core rate limit: `allowed` more API requests succeed, then each
    /// answers 403 `API rate limit exceeded` with `x-ratelimit-remaining: 0`.
    pub fn rate_limit(&self, allowed: u32) {
        let mut state = lock(&self.shared);
        state.rate.enforced = true;
        state.rate.used = state.rate.limit.saturating_sub(allowed);
    }

    /// Stops enforcing the rate limit and resets the count.
    pub fn lift_rate_limit(&self) {
        let mut state = lock(&self.shared);
        state.rate.enforced = false;
        state.rate.used = 0;
    }

    /// Answers requests matching `when` with `status` the next `times` times, then normally.
    ///
    /// `when` is any wiremock matcher; a [`RouteKind`] targets one route.
    pub async fn fail(&self, when: impl Match + 'static, status: u16, times: u64) {
        Mock::given(when)
            .respond_with(Failure { status })
            .up_to_n_times(times)
            .with_priority(1)
            .named(format!(
                "fault: {status} for the next {times} matching requests"
            ))
            .mount(&self.server)
            .await;
    }

    /// Serves the first half of every asset named `name` (with a `content-length` matching what
    /// is sent); its `digest`, `size` and checksum lines still describe the whole file.
    pub fn truncate(&self, asset_name: &str) {
        lock(&self.shared).truncated.insert(asset_name.to_string());
    }

    /// Serves every asset named `name` with its middle byte flipped; its `digest` and checksum
    /// lines still describe the original.
    pub fn alter(&self, asset_name: &str) {
        lock(&self.shared).altered.insert(asset_name.to_string());
    }

    /// Every request received so far, in arrival order.
    pub async fn journal(&self) -> Vec<JournalEntry> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        let state = lock(&self.shared);
        let tokens = state.tokens();
        requests
            .iter()
            .map(|request| JournalEntry::of(request, &tokens))
            .collect()
    }

    /// Requests that no route served (only the catch-all answered them), in arrival order.
    pub fn unexpected(&self) -> Vec<JournalEntry> {
        lock(&self.shared).unexpected.clone()
    }
}
