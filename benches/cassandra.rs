//! Write throughput of the Cassandra store against the in-process CQL peer: 10,000 new users in
//! batches of 2,000 over three partitions, then the same batches again (a replay: reads only).
//! Prints users per second for each. `cargo bench --bench cassandra` (release), or
//! `cargo test --bench cassandra` for a debug-build figure.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use userstream::store::Store;
use userstream::store::cassandra::CassandraStore;

const USERS: u32 = 10_000;
const BATCH: u32 = 2_000;
const BASE_MS: i64 = 1_790_000_000_000;

async fn pass(store: &CassandraStore, label: &str) {
    let started = Instant::now();
    let mut inserted = 0;
    for start in (0..USERS).step_by(BATCH as usize) {
        let batch = support::cassandra::batch(start..start + BATCH, 3, BASE_MS);
        inserted += store.write(Arc::new(batch)).await.unwrap().inserted;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{label}: {USERS} users ({inserted} new) in {seconds:.3} s: {:.0} users/s",
        f64::from(USERS) / seconds
    );
}

fn main() {
    let peer = support::cql_peer::CqlPeer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = support::cassandra::peer_config(&peer.contact_point());
        let store = CassandraStore::connect(config).await.unwrap();
        pass(&store, "first write").await;
        pass(&store, "replay").await;
    });
}
