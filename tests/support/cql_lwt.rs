//! Lightweight transactions for the CQL test peer, which `kassandra` lacks: a statement sent as
//! text that ends in `IF NOT EXISTS` (an `INSERT`) or `IF col = literal [AND …]` (an `UPDATE`),
//! alone or as one statement of a batch. The peer reads the row the statement names, checks
//! the condition, and applies the statement without its condition (and the rest of the batch)
//! only if it holds, answering a row with the `[applied]` column as Cassandra does. Every request
//! is answered under the database's one lock, so conditions and writes are linearizable, as
//! Paxos makes them on a cluster.
//!
//! What it does not model: values bound to the conditional statement (it must carry literals),
//! the current values Cassandra returns beside `[applied] = false`, and Paxos itself (a
//! proposal whose answer is lost but that a later round completes, replica failures).

use std::collections::HashMap;

use bytes::{BufMut, BytesMut};
use kassandra::KassandraSession;
use kassandra::cql::column::ColumnType;
use kassandra::cql::value::CqlValue;
use kassandra::error::DbError;
use kassandra::frame::FrameFlags;
use kassandra::frame::request::batch::Batch;
use kassandra::frame::request::{Request, RequestOpcode};
use kassandra::frame::response::Response;
use kassandra::frame::response::error::Error;
use kassandra::frame::response::result::{
    ColumnSpec, QueryResult, ResultMetadata, Row, Rows, TableSpec,
};

/// The primary key columns of every table created through the peer (`kassandra` lists no
/// columns of user tables in `system_schema.columns`), by `keyspace.table`.
#[derive(Debug, Default)]
pub struct Keys(HashMap<String, Vec<String>>);

impl Keys {
    /// Notes the key of a `CREATE TABLE` statement.
    fn learn(&mut self, text: &str) {
        let text = text.trim();
        let Some(rest) = text
            .strip_prefix("CREATE TABLE IF NOT EXISTS ")
            .or_else(|| text.strip_prefix("CREATE TABLE "))
        else {
            return;
        };
        let Some((table, body)) = rest.split_once('(') else {
            return;
        };
        let key: Vec<String> = if let Some((_, key)) = body.split_once("PRIMARY KEY (") {
            let mut depth = 0;
            let end = key
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' if depth == 0 => return true,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    false
                })
                .map_or(key.len(), |(i, _)| i);
            key[..end]
                .split(',')
                .map(|c| {
                    c.trim()
                        .trim_matches(|c| c == '(' || c == ')')
                        .trim()
                        .to_owned()
                })
                .collect()
        } else {
            body.split(',')
                .find(|item| item.contains("PRIMARY KEY"))
                .and_then(|item| item.split_whitespace().next())
                .map(|c| vec![c.to_owned()])
                .unwrap_or_default()
        };
        self.0.insert(table.trim().to_owned(), key);
    }
}

/// A conditional statement, parsed.
struct Conditional {
    /// The statement without its condition.
    base: String,
    /// `keyspace.table`.
    table: String,
    condition: Condition,
}

enum Condition {
    /// `INSERT … IF NOT EXISTS`: the inserted columns and literals.
    NotExists(Vec<(String, String)>),
    /// `UPDATE … WHERE key IF col = literal AND …`.
    Equals {
        key: String,
        tests: Vec<(String, String)>,
    },
}

/// The answer to `opcode`/`data` if it is, or holds, a conditional statement.
pub fn answer(
    db: &mut KassandraSession,
    keys: &mut Keys,
    opcode: RequestOpcode,
    data: &[u8],
    flags: FrameFlags,
) -> Option<Response> {
    let (conditional, rest) = match opcode {
        RequestOpcode::Query => {
            let text = long_string(data, 0)?.0;
            keys.learn(text);
            (parse(text)?, None)
        }
        RequestOpcode::Batch => {
            let (conditional, rest) = split_batch(data)?;
            (conditional, Some(rest))
        }
        _ => return None,
    };
    let outcome = apply(db, keys, &conditional, flags, |db| match &rest {
        Some(body) => db.process_batch(Batch::deserialize(body)?).map(|_| ()),
        None => Ok(()),
    });
    Some(match outcome {
        Ok(applied) => {
            Response::Result(QueryResult::Rows(applied_row(&conditional.table, applied)))
        }
        Err(error) => Response::Error(error),
    })
}

/// Checks the condition and, if it holds, applies the statement, then `rest`.
fn apply(
    db: &mut KassandraSession,
    keys: &Keys,
    c: &Conditional,
    flags: FrameFlags,
    rest: impl FnOnce(&mut KassandraSession) -> Result<(), Error>,
) -> Result<bool, Error> {
    let holds = match &c.condition {
        Condition::NotExists(columns) => {
            let key: Vec<String> = keys
                .0
                .get(&c.table)
                .ok_or_else(|| Error::new(DbError::Invalid, format!("unknown table {}", c.table)))?
                .iter()
                .map(|k| {
                    columns
                        .iter()
                        .find(|(c, _)| c == k)
                        .map(|(c, v)| format!("{c} = {v}"))
                        .ok_or_else(|| Error::new(DbError::Invalid, format!("no value for {k}")))
                })
                .collect::<Result<_, _>>()?;
            let found = run(
                db,
                &format!(
                    "SELECT {} FROM {} WHERE {}",
                    columns[0].0,
                    c.table,
                    key.join(" AND ")
                ),
                flags,
            )?;
            found.is_empty()
        }
        Condition::Equals { key, tests } => {
            let names: Vec<&str> = tests.iter().map(|(n, _)| n.as_str()).collect();
            let found = run(
                db,
                &format!("SELECT {} FROM {} WHERE {key}", names.join(", "), c.table),
                flags,
            )?;
            found.first().is_some_and(|row| {
                row.columns
                    .iter()
                    .zip(tests)
                    .all(|(value, (_, literal))| equals(value.as_ref(), literal))
            })
        }
    };
    if holds {
        run(db, &c.base, flags)?;
        rest(db)?;
    }
    Ok(holds)
}

/// Whether a stored value equals a CQL literal (numbers, strings, `null`).
fn equals(value: Option<&CqlValue>, literal: &str) -> bool {
    let literal = literal.trim();
    match value {
        None => literal.eq_ignore_ascii_case("null"),
        Some(CqlValue::BigInt(n)) => literal.parse() == Ok(*n),
        Some(CqlValue::Int(n)) => literal.parse() == Ok(*n),
        Some(CqlValue::Text(s)) => unquote(literal) == Some(s.clone()),
        Some(_) => false,
    }
}

fn unquote(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// Runs `text` (no bind markers) and returns its rows.
fn run(db: &mut KassandraSession, text: &str, flags: FrameFlags) -> Result<Vec<Row>, Error> {
    let mut body = BytesMut::new();
    body.put_i32(text.len() as i32);
    body.put_slice(text.as_bytes());
    body.put_u16(0x0001); // consistency ONE
    body.put_u8(0); // no parameters
    let request = Request::deserialize(RequestOpcode::Query, &body, flags)?;
    let Request::Query(query) = request else {
        return Err(Error::new(DbError::ProtocolError, "not a query"));
    };
    match db.process(query)? {
        QueryResult::Rows(rows) => Ok(rows.rows),
        _ => Ok(Vec::new()),
    }
}

/// The `[applied]` answer.
fn applied_row(table: &str, applied: bool) -> Rows {
    let (ks, name) = table.split_once('.').unwrap_or(("", table));
    Rows {
        metadata: ResultMetadata {
            global_spec: Some(TableSpec {
                ks_name: ks.to_owned(),
                table_name: name.to_owned(),
            }),
            paging_state: None,
            col_specs: vec![ColumnSpec::new("[applied]", ColumnType::Boolean)],
        },
        rows: vec![Row {
            columns: vec![Some(CqlValue::Boolean(applied))],
        }],
    }
}

/// Parses a conditional statement; `None` for any other text.
fn parse(text: &str) -> Option<Conditional> {
    let text = text.trim().trim_end_matches(';');
    let at = text.rfind(" IF ")?;
    let (base, condition) = (text[..at].trim(), text[at + 4..].trim());
    if let Some(rest) = base.strip_prefix("INSERT INTO ") {
        if !condition.eq_ignore_ascii_case("NOT EXISTS") {
            return None;
        }
        let (table, rest) = rest.split_once(" (")?;
        let (columns, rest) = rest.split_once(") VALUES (")?;
        let values = split_values(rest.strip_suffix(')')?);
        let columns: Vec<String> = columns.split(',').map(|c| c.trim().to_owned()).collect();
        if columns.len() != values.len() {
            return None;
        }
        return Some(Conditional {
            base: base.to_owned(),
            table: table.trim().to_owned(),
            condition: Condition::NotExists(columns.into_iter().zip(values).collect()),
        });
    }
    let rest = base.strip_prefix("UPDATE ")?;
    let (table, rest) = rest.split_once(" SET ")?;
    let (_, key) = rest.split_once(" WHERE ")?;
    let tests = condition
        .split(" AND ")
        .map(|t| {
            let (column, literal) = t.split_once('=')?;
            Some((column.trim().to_owned(), literal.trim().to_owned()))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Conditional {
        base: base.to_owned(),
        table: table.trim().to_owned(),
        condition: Condition::Equals {
            key: key.trim().to_owned(),
            tests,
        },
    })
}

/// Splits `a, 'b, c', 3` at the commas outside quotes.
fn split_values(s: &str) -> Vec<String> {
    let (mut out, mut current, mut quoted) = (Vec::new(), String::new(), false);
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    out.push(current.trim().to_owned());
    out
}

fn long_string(data: &[u8], at: usize) -> Option<(&str, usize)> {
    let len = i32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?);
    let end = at + 4 + usize::try_from(len).ok()?;
    Some((std::str::from_utf8(data.get(at + 4..end)?).ok()?, end))
}

fn short(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

/// A batch holding a conditional text statement: that statement, and the body of the batch of
/// the other statements.
fn split_batch(data: &[u8]) -> Option<(Conditional, Vec<u8>)> {
    let count = short(data, 1)? as usize;
    let mut at = 3;
    let mut conditional = None;
    let mut others: Vec<&[u8]> = Vec::new();
    for _ in 0..count {
        let start = at;
        let kind = *data.get(at)?;
        at += 1;
        let mut text = None;
        if kind == 0 {
            let (t, end) = long_string(data, at)?;
            text = Some(t);
            at = end;
        } else {
            at += 2 + short(data, at)? as usize;
        }
        let values = short(data, at)?;
        at += 2;
        for _ in 0..values {
            let len = i32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?);
            at += 4 + usize::try_from(len).unwrap_or(0);
        }
        match text.and_then(parse) {
            Some(c) if conditional.is_none() => conditional = Some(c),
            _ => others.push(&data[start..at]),
        }
    }
    let conditional = conditional?;
    let mut body = vec![data[0]];
    body.extend_from_slice(&(others.len() as u16).to_be_bytes());
    for statement in others {
        body.extend_from_slice(statement);
    }
    body.extend_from_slice(&data[at..]);
    Some((conditional, body))
}
