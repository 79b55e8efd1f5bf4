//! A scripted HTTP/1.1 server on 127.0.0.1 standing in for randomuser.me in integration tests.
//! It plays answers in order (then repeats one, if asked), or asks a handler per request, and
//! records every request target. It runs on std threads, so sync and async tests can use it,
//! and a spawned `userstream` binary can talk to it. It stops when dropped.
//!
//! ```ignore
//! mod support;
//! use support::http::{FixtureServer, Response};
//! let server = FixtureServer::start(vec![Response::fixture(429, "errors/429-rate-limited.json")],
//!                                   Some(Response::fixture(200, "one-user.json")));
//! ```

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

/// The randomuser fixtures.
pub const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/randomuser");

/// One HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Response {
        let content_type = "application/json; charset=utf-8".to_string();
        Response {
            status,
            content_type,
            body: body.into(),
        }
    }

    /// An HTML answer, like the pages of the CDN in front of the API.
    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Response {
        let content_type = "text/html; charset=UTF-8".to_string();
        Response {
            status,
            content_type,
            body: body.into(),
        }
    }

    /// A fixture of `tests/data/randomuser/` (e.g. `errors/503-cloudflare.html`), served as HTML
    /// or JSON after its extension.
    pub fn fixture(status: u16, name: &str) -> Response {
        let path = format!("{DATA_DIR}/{name}");
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        if name.ends_with(".html") {
            Response::html(status, body)
        } else {
            Response::json(status, body)
        }
    }
}

type Handler = dyn Fn(&str) -> Response + Send + Sync;

/// A running server; see the module docs.
pub struct FixtureServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FixtureServer {
    /// Answers `responses` in order, then `then_repeat` for every further request; without it,
    /// further requests get a 503 JSON error that names the exhausted script.
    pub fn start(responses: Vec<Response>, then_repeat: Option<Response>) -> FixtureServer {
        let script = Mutex::new(VecDeque::from(responses));
        FixtureServer::start_with(move |_| {
            let next = script.lock().unwrap().pop_front();
            next.or_else(|| then_repeat.clone()).unwrap_or_else(|| {
                Response::json(
                    503,
                    r#"{"error":"fixture server: no more scripted answers"}"#,
                )
            })
        })
    }

    /// Answers each request with `handler(target)`, `target` being e.g. `/api/?results=5`.
    /// Requests are recorded and handled one at a time, in arrival order.
    pub fn start_with(handler: impl Fn(&str) -> Response + Send + Sync + 'static) -> FixtureServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (requests, handler) = (Arc::clone(&requests), Arc::clone(&handler));
                    std::thread::spawn(move || serve(stream, &requests, handler.as_ref()));
                }
            })
        };
        FixtureServer {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// The API URL to give a client: `http://127.0.0.1:PORT/api/`.
    pub fn url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    /// The socket address, for raw clients.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Request targets seen so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One connection: read the request head, answer, close. A client that stalls or hangs up is
/// dropped without an answer.
fn serve(mut stream: TcpStream, requests: &Mutex<Vec<String>>, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(target) = read_target(&mut stream) else {
        return;
    };
    let response = {
        // One lock for recording and answering keeps `requests` in the order answers were given.
        let mut requests = requests.lock().unwrap();
        requests.push(target.clone());
        handler(&target)
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&response.body);
    let _ = stream.flush();
}

/// The target of the request line, once the whole head (up to the blank line) has arrived.
fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    head.split_whitespace().nth(1).map(str::to_string)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Scripted",
    }
}

/// The value of query parameter `name` in a request target, as sent (not decoded).
pub fn query_param(target: &str, name: &str) -> Option<String> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// A valid randomuser v1.4 body of `results` users, taken cyclically from `mixed-500.json`, with
/// each `login.uuid` replaced by [`page_uuid`]`(page, index)` so every page has its own ids.
pub fn users_page(results: usize, page: u64) -> Vec<u8> {
    static MIXED: OnceLock<Vec<Value>> = OnceLock::new();
    let mixed = MIXED.get_or_init(|| {
        let path = format!("{DATA_DIR}/mixed-500.json");
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let page: Value = serde_json::from_slice(&body).expect("mixed-500.json is JSON");
        page["results"]
            .as_array()
            .expect("mixed-500.json has results")
            .clone()
    });
    let users: Vec<Value> = (0..results)
        .map(|index| {
            let mut user = mixed[index % mixed.len()].clone();
            user["login"]["uuid"] = Value::String(page_uuid(page, index));
            user
        })
        .collect();
    let info =
        json!({"seed": "fixture-server", "results": results, "page": page, "version": "1.4"});
    serde_json::to_vec(&json!({"results": users, "info": info})).expect("serialisable")
}

/// A version-4-shaped UUID that encodes `page` (below 2^48) and `index` (below 2^48), so ids of
/// different pages or positions never collide.
pub fn page_uuid(page: u64, index: usize) -> String {
    format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        page & 0xffff_ffff,
        (page >> 32) & 0xffff,
        index as u64 & 0xffff_ffff_ffff
    )
}

/// A handler that answers every request with [`users_page`]: as many users as `results` asks
/// (1 when absent, at most 5000), for the `page` asked. Unseeded requests carry no page: they
/// get pages counted per request from 2^40 up, so every answer has new ids and none meets a
/// seeded page's.
pub fn users_handler() -> impl Fn(&str) -> Response + Send + Sync + 'static {
    let unpaged = AtomicU64::new(1);
    move |target| {
        let results = query_param(target, "results")
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, 5000);
        let page = query_param(target, "page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or_else(|| unpaged.fetch_add(1, Ordering::SeqCst) + (1 << 40));
        Response::json(200, users_page(results, page))
    }
}
