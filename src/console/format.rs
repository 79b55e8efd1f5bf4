//! How the console writes numbers, rates and durations. Plain functions of their inputs, so
//! every tab and the state can use them without depending on the drawing.

use chrono::{DateTime, TimeDelta, Utc};

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate with one decimal below 10, none above: `0.5`, `12`, `1,024`.
pub fn rate(per_s: f64) -> String {
    if per_s > 0.0 && per_s < 10.0 {
        format!("{per_s:.1}")
    } else {
        thousands(per_s.round() as u64)
    }
}

/// At most three characters: `999`, `12k`, `3M`.
pub fn compact(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => format!("{}k", n / 1_000),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// `45s`, `3m 07s`, `2h 05m`, `3d 04h`.
pub fn duration(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m {:02}s", s / 60, s % 60),
        3_600..86_400 => format!("{}h {:02}m", s / 3_600, (s % 3_600) / 60),
        _ => format!("{}d {:02}h", s / 86_400, (s % 86_400) / 3_600),
    }
}

/// `3s ago`, or `—` when it never happened.
pub fn ago(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |at| format!("{} ago", duration(now - at)),
    )
}

/// `in 12s`, `now`, or `—`.
pub fn until(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> String {
    match at {
        Some(at) if at > now => format!("in {}", duration(at - now)),
        Some(_) => "now".to_owned(),
        None => "—".to_owned(),
    }
}

/// `1,000 users/s` or `max`.
pub fn rate_label(rate: Option<u64>) -> String {
    match rate {
        Some(r) => format!("{}/s", thousands(r)),
        None => "max".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(100), "100");
        assert_eq!(rate(0.0), "0");
        assert_eq!(rate(2.44), "2.4");
        assert_eq!(rate(1024.4), "1,024");
        assert_eq!(compact(12_345), "12k");
        assert_eq!(duration(TimeDelta::seconds(187)), "3m 07s");
        assert_eq!(duration(TimeDelta::seconds(7_500)), "2h 05m");
        assert_eq!(rate_label(Some(1000)), "1,000/s");
        assert_eq!(rate_label(None), "max");
    }
}
