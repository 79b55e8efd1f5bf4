//! The scripted fixture server, exercised with a plain std TCP client.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use serde_json::Value;
use support::http::{FixtureServer, Response, page_uuid, users_handler};

/// One GET over a fresh connection: the status, the content type and the body.
fn get(addr: SocketAddr, target: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: */*\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(answer[..split].to_vec()).unwrap();
    let body = answer[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let header = |name: &str| {
        head.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|value| value.trim().to_string())
            .unwrap()
    };
    assert_eq!(
        header("Content-Length:").parse::<usize>().unwrap(),
        body.len()
    );
    assert_eq!(header("Connection:"), "close");
    (status, header("Content-Type:"), body)
}

#[test]
fn scripted_answers_play_in_order_then_the_repeat() {
    let server = FixtureServer::start(
        vec![
            Response::fixture(429, "errors/429-rate-limited.json"),
            Response::fixture(503, "errors/503-cloudflare.html"),
        ],
        Some(Response::fixture(200, "one-user.json")),
    );
    assert!(server.url().starts_with("http://127.0.0.1:") && server.url().ends_with("/api/"));
    let addr = server.addr();

    let (status, content_type, body) = get(addr, "/api/?results=1&seed=a&page=1");
    assert_eq!(
        (status, content_type.as_str()),
        (429, "application/json; charset=utf-8")
    );
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("ease up there cowboy")
    );
    let (status, content_type, _) = get(addr, "/api/?results=1&seed=a&page=1");
    assert_eq!(
        (status, content_type.as_str()),
        (503, "text/html; charset=UTF-8")
    );
    for page in 1..=2 {
        let (status, _, body) = get(addr, &format!("/api/?results=1&seed=a&page={page}"));
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 200);
        assert_eq!(body["results"].as_array().unwrap().len(), 1);
    }
    assert_eq!(
        server.requests(),
        [
            "/api/?results=1&seed=a&page=1",
            "/api/?results=1&seed=a&page=1",
            "/api/?results=1&seed=a&page=1",
            "/api/?results=1&seed=a&page=2",
        ]
    );
}

#[test]
fn an_exhausted_script_without_a_repeat_answers_503() {
    let server = FixtureServer::start(vec![Response::json(200, "{}")], None);
    assert_eq!(get(server.addr(), "/api/").0, 200);
    let (status, _, body) = get(server.addr(), "/api/");
    assert_eq!(status, 503);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("no more scripted answers")
    );
}

#[test]
fn the_users_handler_serves_the_count_asked_with_ids_distinct_per_page() {
    let server = FixtureServer::start_with(users_handler());
    let mut ids = std::collections::HashSet::new();
    for (target, want, page) in [
        ("/api/?results=3&seed=s&page=2", 3, Some(2)),
        ("/api/?results=700&seed=s&page=3", 700, Some(3)),
        ("/api/?results=4", 4, None),
        ("/api/?results=4", 4, None),
    ] {
        let (status, _, body) = get(server.addr(), target);
        assert_eq!(status, 200);
        let body: Value = serde_json::from_slice(&body).unwrap();
        let users = body["results"].as_array().unwrap();
        assert_eq!(users.len(), want, "{target}");
        assert_eq!(body["info"]["results"], want);
        for (index, user) in users.iter().enumerate() {
            let uuid = user["login"]["uuid"].as_str().unwrap().to_string();
            if let Some(page) = page {
                assert_eq!(uuid, page_uuid(page, index));
            }
            assert!(user["name"]["first"].is_string() && user["nat"].is_string());
            assert!(ids.insert(uuid), "{target}: repeated id");
        }
    }
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn a_dropped_server_stops_listening() {
    let server = FixtureServer::start(Vec::new(), Some(Response::json(200, "{}")));
    let addr = server.addr();
    assert_eq!(get(addr, "/api/").0, 200);
    drop(server);
    assert!(TcpStream::connect(addr).is_err());
}

#[tokio::test]
async fn the_http_source_pages_through_the_server() {
    use std::time::Duration;
    use userstream::source::Source;
    use userstream::source::randomuser::{RandomUserConfig, RandomUserSource};

    let server = FixtureServer::start_with(users_handler());
    let mut source = RandomUserSource::new(RandomUserConfig {
        api_url: server.url(),
        nats: Vec::new(),
        seed: Some("s".to_string()),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    let first = source.fetch(10).await.unwrap().users;
    let second = source.fetch(10).await.unwrap().users;
    let uuid = |user: &userstream::model::RawUser| user.login.clone().unwrap().uuid.unwrap();
    assert_eq!(uuid(&first[0]), page_uuid(1, 0));
    assert_eq!(uuid(&second[9]), page_uuid(2, 9));
    assert_eq!(
        server.requests(),
        [
            "/api/?results=10&seed=s&page=1",
            "/api/?results=10&seed=s&page=2"
        ]
    );
}
