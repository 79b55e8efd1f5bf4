//! An in-memory, single-node CQL (protocol v4) server for tests, on the `kassandra` library:
//! it listens on 127.0.0.1 on a port of its own, on a thread of its own, so both async tests and
//! tests that spawn the real binary can talk to it. It stops when dropped.
//!
//! What it lacks, compared with Cassandra: counters, `IN`, `ORDER BY`, lightweight
//! transactions, authentication and TLS; clustering order is always ascending; a logged batch
//! is applied statement by statement under one lock. The store only uses what both support.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use kassandra::KassandraSession;
use kassandra::error::DbError;
use kassandra::frame::request::Request;
use kassandra::frame::response::Response;
use kassandra::frame::response::error::Error;
use kassandra::frame::{request_stream, response_sink};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A running peer.
pub struct CqlPeer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CqlPeer {
    /// Starts a peer with an empty database.
    pub fn start() -> CqlPeer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, serve(listener, stopped));
        });
        CqlPeer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `host:port` for `--cassandra`.
    pub fn contact_point(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for CqlPeer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(listener: std::net::TcpListener, mut stopped: oneshot::Receiver<()>) {
    let listener = TcpListener::from_std(listener).unwrap();
    let db = Arc::new(Mutex::new(KassandraSession::new()));
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    stream.set_nodelay(true).ok();
                    tokio::task::spawn_local(client(db.clone(), stream));
                }
            }
        }
    }
}

async fn client(db: Arc<Mutex<KassandraSession>>, mut stream: TcpStream) {
    let (mut read, mut write) = stream.split();
    let mut frames = request_stream(&mut read);
    let mut sink = response_sink(&mut write);
    while let Some(Ok((frame, opcode, data))) = frames.next().await {
        let response = match Request::deserialize(opcode, &data, frame.flags) {
            Ok(request) => answer(&db, request),
            Err(_) => Response::Error(Error::new(DbError::ProtocolError, "cannot parse request")),
        };
        if sink.send((response, frame.stream)).await.is_err() {
            return;
        }
    }
}

fn answer(db: &Mutex<KassandraSession>, request: Request<'_>) -> Response {
    let mut db = match db.lock() {
        Ok(db) => db,
        Err(poisoned) => poisoned.into_inner(),
    };
    let result = match request {
        Request::StartUp(_) | Request::Register { .. } => return Response::Ready,
        Request::Options => return Response::options(),
        Request::AuthResponse => {
            return Response::Error(Error::new(DbError::ProtocolError, "no authentication"));
        }
        Request::Query(query) => db.process(query),
        Request::Prepare(query) => db.prepare(query),
        Request::Execute(execute) => db.execute(execute),
        Request::Batch(batch) => db.process_batch(batch),
    };
    match result {
        Ok(result) => Response::Result(result),
        Err(error) => Response::Error(error),
    }
}
