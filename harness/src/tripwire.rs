//! The tripwire: the proxy every mise run is pointed at, so a request that is not for the fake
//! GitHub fails at once (403) instead of reaching the network or hanging, and is recorded.
//!
//! mise's HTTP client honours `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` with `NO_PROXY`, so with
//! `NO_PROXY=127.0.0.1` only the fake is reached directly and everything else arrives here as
//! `CONNECT host:443` (or `GET http://host/...`).

use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A listening tripwire proxy and the request lines it caught.
#[derive(Debug)]
pub struct Tripwire {
    port: u16,
    caught: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Tripwire {
    /// Listen on a free loopback port.
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the tripwire proxy")?;
        let port = listener.local_addr()?.port();
        let caught = Arc::new(Mutex::new(Vec::new()));
        let sink = caught.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let sink = sink.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 2048];
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]);
                    let line = head.lines().next().unwrap_or("<empty>").to_string();
                    if let Ok(mut caught) = sink.lock() {
                        caught.push(line);
                    }
                    let _ = stream
                        .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .await;
                });
            }
        });
        Ok(Self { port, caught, task })
    }

    /// The proxy URL to put in `HTTPS_PROXY` and friends.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The first line of every request that reached the tripwire, in arrival order.
    pub fn caught(&self) -> Vec<String> {
        self.caught.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_a_connect_and_refuses_it() {
        let tripwire = Tripwire::start().await.expect("tripwire starts");
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", tripwire.port))
            .await
            .expect("connects");
        stream
            .write_all(b"CONNECT api.github.com:443 HTTP/1.1\r\nHost: api.github.com:443\r\n\r\n")
            .await
            .expect("writes");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.expect("reads");
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert_eq!(tripwire.caught(), ["CONNECT api.github.com:443 HTTP/1.1"]);
    }
}
