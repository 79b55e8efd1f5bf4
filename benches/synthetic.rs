//! Throughput of the built-in generator: 1,000,000 users in batches of 1,000, three times; prints
//! each run and the median in users per second. Run with `cargo bench --bench synthetic`.

use std::hint::black_box;
use std::time::Instant;

use userstream::source::SyntheticSource;

const USERS: usize = 1_000_000;
const BATCH: usize = 1_000;
const RUNS: usize = 3;

fn main() {
    let mut rates = Vec::with_capacity(RUNS);
    for run in 1..=RUNS {
        let mut source = SyntheticSource::new(run as u64, Vec::new());
        let started = Instant::now();
        let mut made = 0;
        while made < USERS {
            let batch = source.generate(BATCH);
            made += batch.len();
            black_box(batch);
        }
        let seconds = started.elapsed().as_secs_f64();
        let rate = made as f64 / seconds;
        println!(
            "run {run}: {made} users in {seconds:.3} s: {rate:.0} users/s ({:.0} ns/user)",
            seconds * 1e9 / made as f64
        );
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    println!("median: {:.0} users/s", rates[RUNS / 2]);
}
