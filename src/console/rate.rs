//! The ingest rates `+` and `-` step through.

/// The rates `+` and `-` step through, users per second; above the last comes "max".
pub const RATE_STEPS: [u64; 16] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
];

/// One step up or down [`RATE_STEPS`]; up from the top is "max", down from "max" the top step.
pub fn step_rate(rate: Option<u64>, up: bool) -> Option<u64> {
    let last = RATE_STEPS[RATE_STEPS.len() - 1];
    match (rate, up) {
        (None, true) => None,
        (None, false) => Some(last),
        (Some(r), true) => RATE_STEPS.iter().copied().find(|s| *s > r),
        (Some(r), false) => Some(
            RATE_STEPS
                .iter()
                .rev()
                .copied()
                .find(|s| *s < r)
                .unwrap_or(RATE_STEPS[0]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_steps_reach_max_and_come_back() {
        assert_eq!(step_rate(Some(1000), true), Some(2000));
        assert_eq!(step_rate(Some(1500), false), Some(1000));
        assert_eq!(step_rate(Some(100_000), true), None);
        assert_eq!(step_rate(None, false), Some(100_000));
        assert_eq!(step_rate(Some(1), false), Some(1));
    }
}
