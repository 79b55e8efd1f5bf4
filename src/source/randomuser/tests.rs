//! The HTTP source against a real local HTTP/1.1 server that plays the fixtures of
//! `tests/data/randomuser/` in a scripted order.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/randomuser");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{name}")).unwrap()
}

/// What the server does with one connection.
enum Step {
    /// Answer with a status, a content type and a body, then close.
    Answer(u16, &'static str, Vec<u8>),
    /// Read the request and never answer.
    Hang,
}

fn json(status: u16, name: &str) -> Step {
    Step::Answer(status, "application/json; charset=utf-8", fixture(name))
}

fn html(status: u16, name: &str) -> Step {
    Step::Answer(status, "text/html; charset=UTF-8", fixture(name))
}

/// A server on 127.0.0.1 that takes one connection per step, in order, and records each
/// request target.
struct Server {
    url: String,
    targets: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Server {
    async fn start(steps: Vec<Step>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/", listener.local_addr().unwrap());
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&targets);
        let task = tokio::spawn(async move {
            for step in steps {
                let (mut stream, _) = listener.accept().await.unwrap();
                let target = read_target(&mut stream).await;
                seen.lock().unwrap().push(target);
                match step {
                    Step::Answer(status, content_type, body) => {
                        let head = format!(
                            "HTTP/1.1 {status} Scripted\r\nContent-Type: {content_type}\r\n\
                             Content-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        stream.write_all(head.as_bytes()).await.unwrap();
                        stream.write_all(&body).await.unwrap();
                        stream.shutdown().await.unwrap();
                    }
                    Step::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
                }
            }
        });
        Server { url, targets, task }
    }

    fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads a request line and headers; returns the request target.
async fn read_target(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "client closed before the end of its request");
        head.extend_from_slice(&buffer[..read]);
    }
    let head = String::from_utf8(head).unwrap();
    head.split_whitespace().nth(1).unwrap().to_string()
}

fn source(url: &str, nats: &[&str], seed: Option<&str>, timeout_ms: u64) -> RandomUserSource {
    RandomUserSource::new(RandomUserConfig {
        api_url: url.to_string(),
        nats: nats.iter().map(|s| s.to_string()).collect(),
        seed: seed.map(str::to_string),
        timeout: Duration::from_millis(timeout_ms),
    })
    .unwrap()
}

#[tokio::test]
async fn a_good_answer_decodes_every_user() {
    let server = Server::start(vec![json(200, "nat-GB-20.json")]).await;
    let mut source = source(&server.url, &[], None, 5000);
    assert_eq!(source.last_status(), None);
    let users = source.fetch(20).await.unwrap().users;
    assert_eq!(users.len(), 20);
    assert!(users.iter().all(|u| u.nat.as_deref() == Some("GB")));
    assert_eq!(source.last_status(), Some(200));
    assert_eq!(source.name(), "randomuser");
    assert_eq!(server.targets(), ["/api/?results=20"]);
}

#[tokio::test]
async fn the_query_carries_results_nat_seed_and_a_page_that_advances_on_success() {
    let steps = vec![
        json(200, "one-user.json"),
        json(200, "one-user.json"),
        json(429, "errors/429-rate-limited.json"),
        json(200, "one-user.json"),
    ];
    let server = Server::start(steps).await;
    let mut source = source(&server.url, &["gb", " FR "], Some("fixture one"), 5000);
    source.fetch(7).await.unwrap();
    source.fetch(9000).await.unwrap();
    source.fetch(3).await.unwrap_err();
    source.fetch(3).await.unwrap();
    let query = "nat=gb,FR&seed=fixture%20one";
    assert_eq!(
        server.targets(),
        [
            format!("/api/?results=7&{query}&page=1"),
            format!("/api/?results=5000&{query}&page=2"),
            format!("/api/?results=3&{query}&page=3"),
            format!("/api/?results=3&{query}&page=3"),
        ]
    );
}

/// Whether an error is the one expected.
type Check = fn(&SourceError) -> bool;

#[tokio::test]
async fn failures_map_to_their_variants_and_statuses() {
    let cases: Vec<(Step, Option<u16>, Check)> = vec![
        (
            json(429, "errors/429-rate-limited.json"),
            Some(429),
            |e| matches!(e, SourceError::RateLimited(m) if m.starts_with("Whoa, ease up there cowboy")),
        ),
        (json(500, "errors/500-outage.json"), Some(500), |e| {
            matches!(e, SourceError::Status { status: 500, excerpt }
                if excerpt.starts_with(r#"{"error":"Uh oh, something has gone wrong."#))
        }),
        (html(503, "errors/503-cloudflare.html"), Some(503), |e| {
            matches!(e, SourceError::Status { status: 503, excerpt }
                if excerpt.starts_with(r#"<!DOCTYPE html> <html lang="en-US"> <head><title>"#)
                    && excerpt.chars().count() <= EXCERPT_CHARS + 1
                    && excerpt.ends_with('…'))
        }),
        (html(403, "errors/403-blocked.html"), Some(403), |e| {
            matches!(e, SourceError::Status { status: 403, excerpt }
                if excerpt.contains("Attention Required! | Cloudflare") && !excerpt.contains('\n'))
        }),
        (json(200, "errors/200-empty-results.json"), None, |e| {
            matches!(e, SourceError::Empty)
        }),
        (
            json(200, "errors/200-truncated.json"),
            None,
            |e| matches!(e, SourceError::Decode(m) if m.contains("EOF while parsing")),
        ),
        (
            json(200, "errors/500-outage.json"),
            None,
            |e| matches!(e, SourceError::Api(m) if m.starts_with("Uh oh, something has gone wrong.")),
        ),
        (html(200, "errors/503-cloudflare.html"), None, |e| {
            matches!(e, SourceError::Decode(_))
        }),
    ];
    for (step, want_status, check) in cases {
        let answered = match &step {
            Step::Answer(status, _, _) => *status,
            Step::Hang => unreachable!(),
        };
        let server = Server::start(vec![step]).await;
        let mut source = source(&server.url, &[], None, 5000);
        let error = source.fetch(5).await.unwrap_err();
        assert!(check(&error), "HTTP {answered}: {error:?}");
        assert_eq!(error.status(), want_status, "{error:?}");
        assert_eq!(source.last_status(), Some(answered));
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_transport_error_within_the_timeout() {
    let server = Server::start(vec![Step::Hang]).await;
    let mut source = source(&server.url, &[], None, 300);
    let started = Instant::now();
    let error = source.fetch(5).await.unwrap_err();
    assert!(
        matches!(&error, SourceError::Transport(m) if m.contains("timed out")),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(source.last_status(), None);
    assert_eq!(error.status(), None);
    assert_eq!(server.targets(), ["/api/?results=5"]);
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/", listener.local_addr().unwrap());
    drop(listener);
    let error = source(&url, &[], None, 2000).fetch(5).await.unwrap_err();
    assert!(matches!(error, SourceError::Transport(_)), "{error:?}");
}

#[test]
fn every_fixture_decodes_with_its_result_count() {
    let mut checked = 0;
    for entry in std::fs::read_dir(DATA).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let want = match name.as_str() {
            "mixed-500.json" => 500,
            "noinfo-3.json" | "inc-gender-name-nat-3.json" => 3,
            "one-user.json" => 1,
            n if n.starts_with("nat-") && n.ends_with("-20.json") => 20,
            _ => continue,
        };
        let got = classify(200, &std::fs::read(&path).unwrap(), 5000, 1).unwrap();
        assert!(got.rejects.is_empty(), "{name}: {:?}", got.rejects);
        let users = got.users;
        assert_eq!(users.len(), want, "{name}");
        if name.starts_with("nat-") {
            let nat = &name[4..6];
            assert!(
                users.iter().all(|u| u.nat.as_deref() == Some(nat)),
                "{name}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 25);
    let partial = classify(200, &fixture("inc-gender-name-nat-3.json"), 3, 1).unwrap();
    assert!(
        partial
            .users
            .iter()
            .all(|u| u.name.is_some() && u.location.is_none() && u.login.is_none())
    );
}

#[test]
fn excerpts_are_one_short_line() {
    assert_eq!(excerpt(b"  a \n\t b  "), "a b");
    assert_eq!(excerpt(b""), "(empty body)");
    let long = "word ".repeat(40);
    let cut = excerpt(long.as_bytes());
    // A cut never leaves a space before the ellipsis.
    assert_eq!(cut.chars().count(), EXCERPT_CHARS);
    assert!(cut.ends_with("word…") && !cut.contains("  "));
    assert_eq!(
        excerpt("é".repeat(100).as_bytes()).chars().count(),
        EXCERPT_CHARS + 1
    );
}

#[test]
fn urls_and_query_values_are_checked_and_encoded() {
    let bad = |url: &str| {
        RandomUserSource::new(RandomUserConfig {
            api_url: url.to_string(),
            nats: Vec::new(),
            seed: None,
            timeout: Duration::from_secs(1),
        })
    };
    assert!(matches!(bad("not a url"), Err(SourceError::Transport(_))));
    assert!(matches!(
        bad("ftp://randomuser.me/api/"),
        Err(SourceError::Transport(_))
    ));
    // An HTTPS client builds with the ring provider.
    let https = source(
        "https://randomuser.me/api/1.4/?inc=name",
        &["us"],
        Some("a&b=c"),
        1000,
    );
    assert_eq!(
        https.request_url(5000).as_str(),
        "https://randomuser.me/api/1.4/?inc=name&results=5000&nat=us&seed=a%26b%3Dc&page=1"
    );
    assert_eq!(percent_encode("ünï code~-._"), "%C3%BCn%C3%AF%20code~-._");
}

/// A page of `n` fixture users (`mixed-500.json`) as JSON values, to break some of them.
fn users_json(n: usize) -> Vec<serde_json::Value> {
    let page: Value = serde_json::from_slice(&fixture("mixed-500.json")).unwrap();
    page["results"].as_array().unwrap()[..n].to_vec()
}

fn body_of(results: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "results": results, "info": {"page": 4} })).unwrap()
}

#[test]
fn a_bad_result_is_rejected_alone_and_its_neighbours_go_on() {
    let mut results = users_json(6);
    results[1]["name"] = serde_json::json!(12345);
    results[2]["location"]["street"]["number"] = serde_json::json!("12B");
    results[3]["location"]["postcode"] = serde_json::json!(true);
    results[4] = Value::Null;
    let secret_holder = results[1]["login"]["password"].clone();
    assert!(secret_holder.is_string());
    let got = classify(200, &body_of(results.clone()), 6, 4).unwrap();
    assert_eq!(got.users.len(), 2);
    assert_eq!(got.rejects.len(), 4);
    for (reject, index) in got.rejects.iter().zip([1, 2, 3, 4]) {
        assert!(
            reject
                .reason
                .starts_with(&format!("result {index} of page 4 is not a user:")),
            "{}",
            reject.reason
        );
        assert_eq!(reject.page, 4);
        // The reason never quotes a value; the raw result keeps no login secret.
        assert!(!reject.reason.contains("12B"), "{}", reject.reason);
        for secret in ["password", "salt", "md5", "sha1", "sha256"] {
            assert!(!reject.raw.contains(secret), "{secret} in {}", reject.raw);
        }
    }
    assert_eq!(got.rejects[3].raw, "null");
    let first: Value = serde_json::from_str(&got.rejects[0].raw).unwrap();
    assert_eq!(first["name"], 12345);
    assert_eq!(first["login"]["uuid"], results[1]["login"]["uuid"]);
}

#[test]
fn a_page_of_users_reads_the_same_in_one_pass_as_result_by_result() {
    let body = fixture("mixed-500.json");
    let got = classify(200, &body, MAX_RESULTS, 1).unwrap();
    assert!(got.rejects.is_empty());
    let answer: Answer = serde_json::from_slice(&body).unwrap();
    let one_by_one: Vec<RawUser> = answer
        .results
        .unwrap()
        .into_iter()
        .map(|raw| RawUser::deserialize(raw).unwrap())
        .collect();
    assert_eq!(got.users.len(), 500);
    assert_eq!(got.users, one_by_one);
    // A null error is no error.
    let with_null = serde_json::to_vec(&serde_json::json!({
        "results": users_json(3),
        "error": null,
    }))
    .unwrap();
    assert_eq!(classify(200, &with_null, 3, 1).unwrap().users.len(), 3);
    // An error beside results is the API's error, read in one pass or not.
    let with_error = serde_json::to_vec(&serde_json::json!({
        "results": users_json(3),
        "error": "Uh oh",
    }))
    .unwrap();
    let error = classify(200, &with_error, 3, 1).unwrap_err();
    assert!(
        matches!(&error, SourceError::Api(m) if m == "Uh oh"),
        "{error}"
    );
}

#[test]
fn more_results_than_asked_fail_the_whole_answer() {
    let error = classify(200, &body_of(users_json(6)), 5, 1).unwrap_err();
    assert!(matches!(error, SourceError::Decode(_)), "{error}");
    assert!(
        error.to_string().contains("6 results; 5 were asked"),
        "{error}"
    );
}

#[tokio::test]
async fn an_oversize_answer_is_a_failure_read_no_further_than_the_limit() {
    let mut body = b"{\"results\": [".to_vec();
    body.resize(MAX_BODY_BYTES + 1024, b' ');
    let server = Server::start(vec![Step::Answer(200, "application/json", body)]).await;
    let error = source(&server.url, &[], None, 20_000)
        .fetch(5)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("larger than 64 MiB"), "{error}");
}
