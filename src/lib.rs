//! userstream: a real-time user-data pipeline and its operations console.
//!
//! source → ingest → broker → process (transform + validate) → store, with live stats that the
//! console and the headless reporter sample. See `README.md` for the flow and the guarantees.

#![forbid(unsafe_code)]

pub mod broker;
pub mod cli;
pub mod console;
pub mod datadir;
pub mod describe;
pub mod exit;
pub mod headless;
pub mod inspect;
pub mod logs;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod redact;
pub mod replay;
pub mod retry;
pub mod runner;
pub mod source;
pub mod stats;
pub mod store;
pub mod util;
