//! Conversions between the model and CQL rows, in the column orders of
//! [`super::statements`], plus the time buckets that keep "latest" reads off full scans.

use chrono::{DateTime, TimeZone, Utc};
use scylla::value::{CqlTimestamp, CqlValue, Row};
use uuid::Uuid;

use super::super::StoreError;
use crate::model::{DeadLetter, Origin, StoredUser};
use crate::store::columns::{self, Kind, Value};
use crate::util::rfc3339;

/// Bound values of one statement.
pub type Values = Vec<Option<CqlValue>>;

/// Width of a `latest_users` / `dead_letters` partition.
pub const BUCKET_MS: i64 = 60_000;

/// A time as the store keeps it: milliseconds since the epoch.
pub fn millis(rfc: &str) -> Result<i64, StoreError> {
    DateTime::parse_from_rfc3339(rfc)
        .map(|t| t.timestamp_millis())
        .map_err(|e| StoreError::Fatal(format!("'{rfc}' is not an RFC 3339 time: {e}")))
}

/// The bucket (start of the minute) holding a time.
pub fn bucket_of(ms: i64) -> i64 {
    ms.div_euclid(BUCKET_MS) * BUCKET_MS
}

/// Clustering value that sorts newest first in ascending order.
pub fn recency(ms: i64) -> i64 {
    -ms
}

/// Parses a stored id.
pub fn uuid(id: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(id).map_err(|e| StoreError::Fatal(format!("id '{id}' is not a UUID: {e}")))
}

fn text(s: &str) -> Option<CqlValue> {
    Some(CqlValue::Text(s.to_owned()))
}

fn ts(ms: i64) -> Option<CqlValue> {
    Some(CqlValue::Timestamp(CqlTimestamp(ms)))
}

/// A `created_users` row, in [`super::statements::USER_COLUMNS`] order.
pub fn user_values(u: &StoredUser) -> Result<Values, StoreError> {
    columns::USER
        .iter()
        .map(|column| {
            Ok(Some(match (column.kind, column.get(u)) {
                (Kind::Id, Value::Text(id)) => CqlValue::Uuid(uuid(id)?),
                (Kind::Time, Value::Text(time)) => CqlValue::Timestamp(CqlTimestamp(millis(time)?)),
                (_, Value::Text(s)) => CqlValue::Text(s.to_owned()),
                (_, Value::Int(n)) => CqlValue::Int(n),
            }))
        })
        .collect()
}

/// A `dead_letters` row, in [`super::statements::DEAD_LETTER_COLUMNS`] order.
pub fn dead_letter_values(l: &DeadLetter) -> Result<Values, StoreError> {
    let at = millis(&l.failed_at)?;
    Ok(vec![
        ts(bucket_of(at)),
        Some(CqlValue::BigInt(recency(at))),
        text(&l.origin.topic),
        Some(CqlValue::Int(l.origin.partition as i32)),
        Some(CqlValue::BigInt(l.origin.offset as i64)),
        ts(at),
        text(&l.rule),
        text(&l.reason),
        l.payload.as_deref().and_then(text),
        l.payload_base64.as_deref().and_then(text),
    ])
}

/// Reads the columns of a result row by position.
pub struct Cells(std::vec::IntoIter<Option<CqlValue>>);

impl Cells {
    pub fn new(row: Row) -> Cells {
        Cells(row.columns.into_iter())
    }

    fn next(&mut self) -> Option<CqlValue> {
        self.0.next().flatten()
    }

    pub fn text(&mut self) -> String {
        self.opt_text().unwrap_or_default()
    }

    pub fn opt_text(&mut self) -> Option<String> {
        match self.next() {
            Some(CqlValue::Text(s) | CqlValue::Ascii(s)) => Some(s),
            _ => None,
        }
    }

    pub fn int(&mut self) -> i32 {
        match self.next() {
            Some(CqlValue::Int(n)) => n,
            _ => 0,
        }
    }

    pub fn bigint(&mut self) -> i64 {
        match self.next() {
            Some(CqlValue::BigInt(n)) => n,
            _ => 0,
        }
    }

    pub fn uuid(&mut self) -> Option<Uuid> {
        match self.next() {
            Some(CqlValue::Uuid(u)) => Some(u),
            _ => None,
        }
    }

    pub fn millis(&mut self) -> i64 {
        match self.next() {
            Some(CqlValue::Timestamp(CqlTimestamp(ms))) => ms,
            _ => 0,
        }
    }

    pub fn time(&mut self) -> String {
        let ms = self.millis();
        Utc.timestamp_millis_opt(ms)
            .single()
            .map(rfc3339)
            .unwrap_or_default()
    }
}

impl columns::Cells for Cells {
    type Error = std::convert::Infallible;
    fn text(&mut self, kind: Kind) -> Result<String, Self::Error> {
        Ok(match kind {
            Kind::Id => self.uuid().map(|u| u.to_string()).unwrap_or_default(),
            Kind::Time => self.time(),
            Kind::Text | Kind::Int => Cells::text(self),
        })
    }
    fn int(&mut self) -> Result<i32, Self::Error> {
        Ok(Cells::int(self))
    }
}

/// A `created_users` row read with [`super::statements::SELECT_USER`].
pub fn user_from_row(row: Row) -> StoredUser {
    match columns::read_user(&mut Cells::new(row)) {
        Ok(user) => user,
        Err(never) => match never {},
    }
}

/// A `dead_letters` row read with [`super::statements::SELECT_DEAD_LETTERS`].
pub fn dead_letter_from_row(row: Row) -> DeadLetter {
    let mut c = Cells::new(row);
    let _bucket = c.millis();
    let _recency = c.bigint();
    let topic = c.text();
    let partition = c.int().max(0) as u32;
    let offset = c.bigint().max(0) as u64;
    DeadLetter {
        origin: Origin {
            topic,
            partition,
            offset,
        },
        failed_at: c.time(),
        rule: c.text(),
        reason: c.text(),
        payload: c.opt_text(),
        payload_base64: c.opt_text(),
    }
}

/// The CQL type a value is bound as, to check bound values against the declared columns.
pub fn cql_type(value: &CqlValue) -> &'static str {
    match value {
        CqlValue::Text(_) => "text",
        CqlValue::Uuid(_) => "uuid",
        CqlValue::Timestamp(_) => "timestamp",
        CqlValue::Int(_) => "int",
        CqlValue::BigInt(_) => "bigint",
        _ => "other",
    }
}
