//! The byte layout of one log record: `[append time ms][byte position][payload]`, both numbers
//! u64 big-endian.

use std::io::Read;

use fjall::Slice;

/// A decoded log record, borrowing its payload.
pub struct Record<'a> {
    pub appended_ms: u64,
    pub position: u64,
    pub payload: &'a [u8],
}

const HEADER: usize = 16;

/// Encodes a record value, written straight into the one allocation fjall keeps (a `Vec`
/// handed to fjall would be copied into a second one). Reading from memory does not fail.
pub fn encode(appended_ms: u64, position: u64, payload: &[u8]) -> std::io::Result<Slice> {
    let mut header = [0u8; HEADER];
    header[..8].copy_from_slice(&appended_ms.to_be_bytes());
    header[8..].copy_from_slice(&position.to_be_bytes());
    Slice::from_reader(
        &mut header.as_slice().chain(payload),
        HEADER + payload.len(),
    )
}

/// Decodes a record value; fails on a value shorter than the header.
pub fn decode(value: &[u8]) -> Result<Record<'_>, String> {
    if value.len() < HEADER {
        return Err(format!("log record of {} bytes has no header", value.len()));
    }
    Ok(Record {
        appended_ms: read_u64(&value[..8]),
        position: read_u64(&value[8..16]),
        payload: &value[HEADER..],
    })
}

/// Reads a big-endian u64 from the first 8 bytes (0 when shorter).
pub fn read_u64(bytes: &[u8]) -> u64 {
    bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_short_values() {
        let v = encode(7, 1234, b"payload").unwrap();
        let r = decode(&v).unwrap();
        assert_eq!(
            (r.appended_ms, r.position, r.payload),
            (7, 1234, &b"payload"[..])
        );
        assert!(decode(&v[..10]).is_err());
    }
}
