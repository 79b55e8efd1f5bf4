//! The one retry helper every loop that waits on a peer goes through: fetch, produce, poll,
//! store write, commit and dead-letter. Waits double from `initial` up to `max` with jitter, an
//! optional circuit breaker stretches them to a cool-down after a run of failures, and the
//! helper returns as soon as its stop token fires, also in the middle of an attempt.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::util::SplitMix64;

/// A failure that may or may not go away when the same call is made again.
pub trait Retryable: Display {
    /// Whether retrying the same call can succeed.
    fn is_retryable(&self) -> bool;
}

impl Retryable for crate::broker::BrokerError {
    fn is_retryable(&self) -> bool {
        crate::broker::BrokerError::is_retryable(self)
    }
}

impl Retryable for crate::store::StoreError {
    fn is_retryable(&self) -> bool {
        crate::store::StoreError::is_retryable(self)
    }
}

impl Retryable for crate::source::SourceError {
    /// Every bad answer of a source is worth asking again.
    fn is_retryable(&self) -> bool {
        true
    }
}

/// Retry settings shared by the stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First wait; doubles per failure.
    pub initial: Duration,
    /// Longest wait between two attempts.
    pub max: Duration,
    /// Failures in a row that open the circuit (the source's breaker); `None` never opens.
    pub circuit_threshold: Option<u32>,
    /// How long an open circuit waits before one trial attempt.
    pub circuit_cooldown: Duration,
}

impl RetryPolicy {
    /// The same waits without a circuit breaker.
    pub fn without_circuit(self) -> RetryPolicy {
        RetryPolicy {
            circuit_threshold: None,
            ..self
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            circuit_threshold: Some(5),
            circuit_cooldown: Duration::from_secs(30),
        }
    }
}

/// What the caller hears about one failed attempt, before the helper waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Failures in a row so far, from 1.
    pub failures: u32,
    /// How long the helper waits before the next attempt.
    pub wait: Duration,
    /// Whether the circuit is open (the wait is the cool-down).
    pub circuit_open: bool,
}

/// Why [`Retrier::run`] gave up.
#[derive(Debug)]
pub enum GaveUp<E> {
    /// The stop token fired; the call may or may not have taken effect.
    Stopped,
    /// A failure that retrying cannot fix.
    Fatal(E),
}

/// Doubling, jittered waits with a failure count; one per loop.
#[derive(Debug, Clone)]
pub struct Retrier {
    policy: RetryPolicy,
    failures: u32,
    rng: SplitMix64,
}

impl Retrier {
    /// A retrier seeded with `seed`, so runs that fail alike back off alike.
    pub fn new(policy: RetryPolicy, seed: u64) -> Retrier {
        Retrier {
            policy,
            failures: 0,
            rng: SplitMix64::new(seed),
        }
    }

    /// Failures in a row since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Counts a failure and says how long to wait before the next attempt.
    pub fn fail(&mut self) -> Failure {
        self.failures = self.failures.saturating_add(1);
        let open = self
            .policy
            .circuit_threshold
            .is_some_and(|t| self.failures >= t.max(1));
        let wait = if open {
            self.policy.circuit_cooldown
        } else {
            backoff(
                self.policy.initial,
                self.policy.max,
                self.failures - 1,
                &mut self.rng,
            )
        };
        Failure {
            failures: self.failures,
            wait,
            circuit_open: open,
        }
    }

    /// Forgets the failures after a success.
    pub fn succeed(&mut self) {
        self.failures = 0;
    }

    /// Calls `op` until it succeeds, fails for good, or `stop` fires. `on_failure` hears of
    /// every retryable failure before the wait (to log it and show it).
    pub async fn run<T, E, Fut>(
        &mut self,
        stop: &CancellationToken,
        mut op: impl FnMut() -> Fut,
        mut on_failure: impl FnMut(&E, Failure),
    ) -> Result<T, GaveUp<E>>
    where
        E: Retryable,
        Fut: Future<Output = Result<T, E>>,
    {
        loop {
            let result = tokio::select! {
                biased;
                _ = stop.cancelled() => return Err(GaveUp::Stopped),
                r = op() => r,
            };
            match result {
                Ok(value) => {
                    self.succeed();
                    return Ok(value);
                }
                Err(error) if error.is_retryable() => {
                    let failure = self.fail();
                    on_failure(&error, failure);
                    if !sleep_or_stop(failure.wait, stop).await {
                        return Err(GaveUp::Stopped);
                    }
                }
                Err(error) => return Err(GaveUp::Fatal(error)),
            }
        }
    }
}

/// Sleeps for `wait`; `false` when `stop` fired first.
pub async fn sleep_or_stop(wait: Duration, stop: &CancellationToken) -> bool {
    tokio::select! {
        _ = stop.cancelled() => false,
        _ = tokio::time::sleep(wait) => true,
    }
}

/// Doubling backoff with "equal jitter": attempt `n` (from 0) waits between half and all of
/// `initial * 2^n`, capped at `max`, so many clients never retry in lockstep.
pub fn backoff(initial: Duration, max: Duration, attempt: u32, rng: &mut SplitMix64) -> Duration {
    let full = initial
        .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX))
        .min(max);
    full / 2 + full.mul_f64(rng.unit() / 2.0)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[derive(Debug)]
    struct Flaky(bool);

    impl Display for Flaky {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(if self.0 { "transient" } else { "fatal" })
        }
    }

    impl Retryable for Flaky {
        fn is_retryable(&self) -> bool {
            self.0
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
            circuit_threshold: Some(3),
            circuit_cooldown: Duration::from_secs(30),
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let mut rng = SplitMix64::new(1);
        let (i, m) = (Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 0..10 {
            let d = backoff(i, m, attempt, &mut rng);
            let full = (i * 2u32.pow(attempt)).min(m);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn the_circuit_opens_after_the_threshold_and_closes_on_success() {
        let mut r = Retrier::new(policy(), 1);
        assert!(!r.fail().circuit_open);
        assert!(!r.fail().circuit_open);
        let third = r.fail();
        assert!(third.circuit_open);
        assert_eq!(third.wait, Duration::from_secs(30));
        r.succeed();
        assert!(!r.fail().circuit_open);
        let mut plain = Retrier::new(policy().without_circuit(), 1);
        assert!((0..10).all(|_| !plain.fail().circuit_open));
    }

    #[tokio::test(start_paused = true)]
    async fn retries_until_success_and_reports_each_failure() {
        let calls = AtomicU32::new(0);
        let mut seen = Vec::new();
        let mut r = Retrier::new(policy().without_circuit(), 1);
        let stop = CancellationToken::new();
        let got = r
            .run(
                &stop,
                || async {
                    let n = calls.fetch_add(1, Ordering::SeqCst);
                    if n < 3 { Err(Flaky(true)) } else { Ok(n) }
                },
                |_, f| seen.push(f.failures),
            )
            .await;
        assert!(matches!(got, Ok(3)));
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(r.failures(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_fatal_error_is_returned_at_once() {
        let mut r = Retrier::new(policy(), 1);
        let stop = CancellationToken::new();
        let got: Result<(), _> = r
            .run(&stop, || async { Err(Flaky(false)) }, |_, _| {})
            .await;
        assert!(matches!(got, Err(GaveUp::Fatal(Flaky(false)))));
    }

    #[tokio::test(start_paused = true)]
    async fn stop_ends_a_wait_and_a_hanging_call() {
        let stop = CancellationToken::new();
        let mut r = Retrier::new(policy(), 1);
        let (s, started) = (stop.clone(), tokio::time::Instant::now());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            s.cancel();
        });
        // Fails into the 30 s cool-down, then is stopped 5 s in.
        let got: Result<(), _> = r.run(&stop, || async { Err(Flaky(true)) }, |_, _| {}).await;
        assert!(matches!(got, Err(GaveUp::Stopped)));
        assert!(started.elapsed() < Duration::from_secs(6));

        let mut r = Retrier::new(policy(), 1);
        let got: Result<(), GaveUp<Flaky>> = r.run(&stop, std::future::pending, |_, _| {}).await;
        assert!(matches!(got, Err(GaveUp::Stopped)));
    }
}
