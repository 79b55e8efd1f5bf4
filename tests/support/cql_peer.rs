//! An in-memory, single-node CQL (protocol v4) server for tests, on the `kassandra` library:
//! it listens on 127.0.0.1 on a port of its own, on a thread of its own, so both async tests and
//! tests that spawn the real binary can talk to it. It stops when dropped.
//!
//! What it lacks, compared with Cassandra: counters, `IN`, `ORDER BY`, static columns, roles
//! and TLS (the TLS tests put stunnel in front, see [`super::tls`]); clustering
//! order is always ascending; a logged batch is applied statement by statement under one lock.
//! Lightweight transactions with literal values are added by [`super::cql_lwt`].
//! [`CqlPeer::with_password`] asks for one user's password as Cassandra's
//! `PasswordAuthenticator` does (`AUTHENTICATE`, then SASL PLAIN in `AUTH_RESPONSE`). The store
//! only uses what both support.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use kassandra::KassandraSession;
use kassandra::error::DbError;
use kassandra::frame::request::{Request, RequestOpcode};
use kassandra::frame::response::error::Error;
use kassandra::frame::response::{Response, ResponseFrameCodec, ResponseOpcode};
use kassandra::frame::{FrameFlags, FrameParams, ProtocolVersion, request_stream};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_util::codec::FramedWrite;

use super::cql_lwt::Keys;

/// The database and the primary keys the conditional statements need, under one lock.
type Db = Mutex<(KassandraSession, Keys)>;

/// The authenticator Cassandra names for password authentication.
pub const PASSWORD_AUTHENTICATOR: &str = "org.apache.cassandra.auth.PasswordAuthenticator";

/// The one user and password a peer started with [`CqlPeer::with_password`] accepts.
#[derive(Clone, PartialEq, Eq)]
struct Credentials {
    user: String,
    password: String,
}

/// A running peer.
pub struct CqlPeer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CqlPeer {
    /// Starts a peer with an empty database.
    pub fn start() -> CqlPeer {
        CqlPeer::serve(None)
    }

    /// Starts a peer that lets a client in only with `user` and `password`.
    pub fn with_password(user: &str, password: &str) -> CqlPeer {
        CqlPeer::serve(Some(Credentials {
            user: user.to_owned(),
            password: password.to_owned(),
        }))
    }

    fn serve(credentials: Option<Credentials>) -> CqlPeer {
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
            local.block_on(&runtime, serve(listener, credentials, stopped));
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

async fn serve(
    listener: std::net::TcpListener,
    credentials: Option<Credentials>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = TcpListener::from_std(listener).unwrap();
    let db: Arc<Db> = Arc::new(Mutex::new((KassandraSession::new(), Keys::default())));
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    stream.set_nodelay(true).ok();
                    tokio::task::spawn_local(client(db.clone(), credentials.clone(), stream));
                }
            }
        }
    }
}

async fn client(db: Arc<Db>, credentials: Option<Credentials>, mut stream: TcpStream) {
    let (mut read, mut write) = stream.split();
    let mut frames = request_stream(&mut read);
    let mut sink = FramedWrite::new(&mut write, ResponseFrameCodec);
    let mut authenticated = credentials.is_none();
    while let Some(Ok((frame, opcode, data))) = frames.next().await {
        if !authenticated && opcode != RequestOpcode::Options {
            let params = FrameParams {
                version: ProtocolVersion::V4,
                flags: FrameFlags::empty(),
                stream: frame.stream,
            };
            let (opcode, body) = match (opcode, &credentials) {
                (RequestOpcode::Startup, _) => {
                    let mut body = BytesMut::new();
                    body.put_u16(PASSWORD_AUTHENTICATOR.len() as u16);
                    body.put_slice(PASSWORD_AUTHENTICATOR.as_bytes());
                    (ResponseOpcode::Authenticate, body.freeze())
                }
                (RequestOpcode::AuthResponse, Some(c)) if plain_token(&data) == Some(c.clone()) => {
                    authenticated = true;
                    // An empty (null) success token.
                    (ResponseOpcode::AuthSuccess, Bytes::from_static(&[0xff; 4]))
                }
                (RequestOpcode::AuthResponse, _) => {
                    let user = plain_token(&data).map(|c| c.user).unwrap_or_default();
                    let message = format!("Provided username {user} and/or password are incorrect");
                    (ResponseOpcode::Error, error_body(0x0100, &message))
                }
                _ => (
                    ResponseOpcode::Error,
                    error_body(0x000A, "the client must authenticate first"),
                ),
            };
            if sink.send((params, opcode, body)).await.is_err() {
                return;
            }
            continue;
        }
        let data = serial_as_one(opcode, data.to_vec());
        let conditional = {
            let mut db = match db.lock() {
                Ok(db) => db,
                Err(poisoned) => poisoned.into_inner(),
            };
            let (db, keys) = &mut *db;
            super::cql_lwt::answer(db, keys, opcode, &data, frame.flags)
        };
        let response = match conditional {
            Some(response) => response,
            None => match Request::deserialize(opcode, &data, frame.flags) {
                Ok(request) => answer(&db, request),
                Err(_) => {
                    Response::Error(Error::new(DbError::ProtocolError, "cannot parse request"))
                }
            },
        };
        if sink.send((response, frame.stream)).await.is_err() {
            return;
        }
    }
}

/// The user and password of a SASL PLAIN token (`[bytes]`: `\0user\0password`).
fn plain_token(data: &[u8]) -> Option<Credentials> {
    let length = i32::from_be_bytes(data.get(..4)?.try_into().ok()?);
    let token = data.get(4..4 + usize::try_from(length).ok()?)?;
    let mut parts = token.split(|b| *b == 0).skip(1);
    let user = String::from_utf8(parts.next()?.to_vec()).ok()?;
    let password = String::from_utf8(parts.next()?.to_vec()).ok()?;
    Some(Credentials { user, password })
}

/// An `ERROR` body: the code, then the message as a `[string]`.
fn error_body(code: i32, message: &str) -> Bytes {
    let mut body = BytesMut::new();
    body.put_i32(code);
    body.put_u16(message.len() as u16);
    body.put_slice(message.as_bytes());
    body.freeze()
}

/// `kassandra` knows no serial consistency; on one node a serial read is a read at `ONE`.
fn serial_as_one(opcode: RequestOpcode, mut data: Vec<u8>) -> Vec<u8> {
    let at = match opcode {
        RequestOpcode::Execute => data
            .get(..2)
            .map(|l| 2 + usize::from(u16::from_be_bytes([l[0], l[1]]))),
        RequestOpcode::Query => data
            .get(..4)
            .map(|l| 4 + u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize),
        _ => None,
    };
    if let Some(c) = at.and_then(|at| data.get_mut(at..at + 2))
        && (c == [0, 8] || c == [0, 9])
    {
        c.copy_from_slice(&[0, 1]);
    }
    data
}

fn answer(db: &Db, request: Request<'_>) -> Response {
    let mut guard = match db.lock() {
        Ok(db) => db,
        Err(poisoned) => poisoned.into_inner(),
    };
    let db = &mut guard.0;
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
