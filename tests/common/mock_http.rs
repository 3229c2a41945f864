//! A tiny in-process HTTP server on 127.0.0.1:0 for the fetch tests: one thread, one handler,
//! every request logged.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// One request as the handler sees it.
#[derive(Debug, Clone)]
pub struct Req {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn params(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(status: u16, v: &serde_json::Value) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: v.to_string(),
        }
    }

    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }
}

/// (request, status answered).
pub type Log = Arc<Mutex<Vec<(Req, u16)>>>;

pub struct MockServer {
    pub url: String,
    pub log: Log,
    /// (path, body) of every 2xx answer, in order: what a client should have hashed.
    pub bodies: Arc<Mutex<Vec<(String, String)>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl MockServer {
    pub fn start(handler: impl Fn(&Req) -> Resp + Send + 'static) -> MockServer {
        let server =
            Arc::new(tiny_http::Server::from_listener(nodelay_listener(), None).expect("server"));
        let port = server.server_addr().to_ip().expect("ip address").port();
        let log: Log = Arc::default();
        let bodies: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let (s, l, b) = (server.clone(), log.clone(), bodies.clone());
        let thread = std::thread::spawn(move || {
            for mut request in s.incoming_requests() {
                let url = reqwest::Url::parse(&format!("http://127.0.0.1{}", request.url()))
                    .expect("url");
                let req = Req {
                    path: url.path().to_string(),
                    query: url
                        .query_pairs()
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
                        .collect(),
                };
                let mut sink = Vec::new();
                let _ = std::io::Read::read_to_end(request.as_reader(), &mut sink);
                let resp = handler(&req);
                if (200..300).contains(&resp.status) {
                    b.lock()
                        .unwrap()
                        .push((req.path.clone(), resp.body.clone()));
                }
                l.lock().unwrap().push((req, resp.status));
                let mut out =
                    tiny_http::Response::from_string(resp.body).with_status_code(resp.status);
                for (k, v) in resp.headers {
                    out.add_header(
                        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap(),
                    );
                }
                let _ = request.respond(out);
            }
        });
        MockServer {
            url: format!("http://127.0.0.1:{port}"),
            log,
            bodies,
            server,
            thread: Some(thread),
        }
    }

    /// Requests whose path starts with `prefix`, with the status they got.
    pub fn requests(&self, prefix: &str) -> Vec<(Req, u16)> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _)| r.path.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// A listener on 127.0.0.1:0 whose accepted sockets have TCP_NODELAY (Linux copies it from the
/// listener): tiny_http writes headers and body separately, and Nagle + delayed ACK would
/// otherwise add 40 ms to every response.
fn nodelay_listener() -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    #[cfg(unix)]
    {
        use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
        // SAFETY: the stream borrows the listener's descriptor only to set an option on it and
        // gives it back with into_raw_fd, so the descriptor is never closed twice.
        let alias = unsafe { std::net::TcpStream::from_raw_fd(listener.as_raw_fd()) };
        let _ = alias.set_nodelay(true);
        let _ = alias.into_raw_fd();
    }
    listener
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
