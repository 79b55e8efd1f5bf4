//! Helpers shared by integration tests: `mod support;` in a test file brings them in.
//! A `mod.rs` here, not `tests/support.rs`, because Cargo would build the latter as a test of
//! its own.

pub mod http;
