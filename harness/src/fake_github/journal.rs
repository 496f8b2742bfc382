//! The request journal: what the fake received, in arrival order, as stable text.

use std::fmt;

use base64::Engine;
use wiremock::Request;

/// What a request's `Authorization` header amounted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// No `Authorization` header.
    None,
    /// A token equal to some origin's configured token.
    Valid,
    /// An `Authorization` header carrying anything else.
    Invalid,
}

impl Auth {
    /// `none`, `valid` or `invalid`.
    pub fn as_str(self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Valid => "valid",
            Auth::Invalid => "invalid",
        }
    }
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The path and query exactly as sent, fake prefix included
    /// (`/api.github.com/repos/acme/origin/releases?per_page=100`).
    pub target: String,
    /// Whether it carried a token, and whether that token is one the fake knows.
    pub auth: Auth,
    /// The `Accept` header, if any (asset downloads differ from asset metadata only by it).
    pub accept: Option<String>,
}

impl JournalEntry {
    /// Builds the entry for `request`, judging its token against `tokens`.
    pub(crate) fn of(request: &Request, tokens: &[&str]) -> JournalEntry {
        let target = match request.url.query() {
            Some(query) => format!("{}?{query}", request.url.path()),
            None => request.url.path().to_string(),
        };
        let auth = match presented_token(request) {
            None if request.headers.contains_key("authorization") => Auth::Invalid,
            None => Auth::None,
            Some(token) if tokens.contains(&token.as_str()) => Auth::Valid,
            Some(_) => Auth::Invalid,
        };
        JournalEntry {
            method: request.method.to_string(),
            target,
            auth,
            accept: request
                .headers
                .get("accept")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }

    /// Whether the request carried a token the fake knows.
    pub fn token(&self) -> bool {
        self.auth == Auth::Valid
    }

    /// Whether a client may send a token with this request: to the REST API (github.com's or
    /// the Enterprise Server's) and to raw file contents, never with a download or to the
    /// objects host, where it would leave the API host.
    pub fn may_carry_token(&self) -> bool {
        let path = self.target.split('?').next().unwrap_or_default();
        super::route::parse(path)
            .is_some_and(|route| route.kind().is_api() || route.kind() == super::RouteKind::Raw)
    }

    /// Whether this is the second hop of a download: the fake serves asset bytes only on the
    /// objects host, which clients reach by following a 302 from a browser download URL or an
    /// API asset URL (as on github.com), so each such request is half of a download.
    pub fn is_redirect_hop(&self) -> bool {
        self.target.starts_with(super::route::OBJECTS_PREFIX)
    }
}

/// `GET /path?query`, then `auth=valid` or `auth=invalid` when a token was sent.
impl fmt::Display for JournalEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.target)?;
        if self.auth != Auth::None {
            write!(f, "  auth={}", self.auth.as_str())?;
        }
        Ok(())
    }
}

/// The journal as snapshot text: one request a line, in arrival order.
pub fn render(entries: &[JournalEntry]) -> String {
    entries.iter().map(|e| format!("{e}\n")).collect()
}

/// The token in `Authorization: Bearer <t>`, `token <t>` or `Basic base64(user:<t>)`.
pub(crate) fn presented_token(request: &Request) -> Option<String> {
    let value = request.headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, credential) = value.split_once(' ')?;
    let credential = credential.trim();
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" | "token" => Some(credential.to_string()),
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(credential)
                .ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            decoded
                .split_once(':')
                .map(|(_, password)| password.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(target: &str) -> JournalEntry {
        JournalEntry {
            method: "GET".into(),
            target: target.into(),
            auth: Auth::None,
            accept: None,
        }
    }

    #[test]
    fn only_the_objects_host_is_a_redirect_hop() {
        assert!(
            get("/objects/github-production-release-asset/700000001/500006?rscd=x")
                .is_redirect_hop()
        );
        assert!(!get("/github.com/acme/origin/releases/download/v1/a.tar.gz").is_redirect_hop());
        assert!(!get("/api.github.com/repos/acme/origin/releases/assets/500006").is_redirect_hop());
    }
}
