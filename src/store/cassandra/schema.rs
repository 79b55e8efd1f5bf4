//! `cql/schema.cql` as the binary carries it, rendered for a keyspace and a replication, split
//! into the statements the store applies at start, and read back as tables of typed columns so
//! a test can hold the prepared statements to it.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The schema file, verbatim.
pub const SCHEMA_CQL: &str = include_str!("../../../cql/schema.cql");

/// The keyspace name written in the schema file.
pub const DEFAULT_KEYSPACE: &str = "spark_streams";

/// The replication map written in the schema file.
const FILE_REPLICATION: &str = "{'class': 'SimpleStrategy', 'replication_factor': '1'}";

/// Replication of a new keyspace: `simple:N` (SimpleStrategy) or `DC:N[,DC:N…]`
/// (NetworkTopologyStrategy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replication {
    Simple(u32),
    PerDatacenter(Vec<(String, u32)>),
}

impl Default for Replication {
    fn default() -> Replication {
        Replication::Simple(1)
    }
}

impl Replication {
    /// How `--replication` writes this: `simple:N` or `DC:N[,DC:N…]`.
    pub fn flag(&self) -> String {
        match self {
            Replication::Simple(n) => format!("simple:{n}"),
            Replication::PerDatacenter(dcs) => dcs
                .iter()
                .map(|(dc, n)| format!("{dc}:{n}"))
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

impl FromStr for Replication {
    type Err = String;
    fn from_str(s: &str) -> Result<Replication, String> {
        let factor = |n: &str| match n.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "'{n}' is not a replication factor (a whole number above 0)"
            )),
        };
        let s = s.trim();
        if let Some(n) = s
            .strip_prefix("simple:")
            .or_else(|| s.strip_prefix("SimpleStrategy:"))
        {
            return Ok(Replication::Simple(factor(n)?));
        }
        let mut dcs = Vec::new();
        for part in s.split(',') {
            let Some((dc, n)) = part.split_once(':') else {
                return Err(format!(
                    "'{s}' is not a replication: give simple:N or DC:N[,DC:N…]"
                ));
            };
            let dc = dc.trim();
            if dc.is_empty()
                || !dc
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            {
                return Err(format!("'{dc}' is not a datacenter name"));
            }
            dcs.push((dc.to_owned(), factor(n)?));
        }
        Ok(Replication::PerDatacenter(dcs))
    }
}

impl fmt::Display for Replication {
    /// The CQL map literal of `WITH replication = …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Replication::Simple(n) => {
                write!(
                    f,
                    "{{'class': 'SimpleStrategy', 'replication_factor': '{n}'}}"
                )
            }
            Replication::PerDatacenter(dcs) => {
                write!(f, "{{'class': 'NetworkTopologyStrategy'")?;
                for (dc, n) in dcs {
                    write!(f, ", '{dc}': '{n}'")?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// Whether `name` can be a keyspace: a letter, then up to 47 letters, digits or underscores.
pub fn valid_keyspace(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 48
}

/// The schema file for `keyspace` and `replication`, comments kept (what `userstream schema`
/// prints).
pub fn render(keyspace: &str, replication: &Replication) -> String {
    SCHEMA_CQL
        .replace(FILE_REPLICATION, &replication.to_string())
        .replace(&format!("{DEFAULT_KEYSPACE}."), &format!("{keyspace}."))
        .replace(
            &format!("EXISTS {DEFAULT_KEYSPACE}\n"),
            &format!("EXISTS {keyspace}\n"),
        )
}

/// The statements of a rendered schema, without comments or the closing semicolons.
pub fn statements(cql: &str) -> Vec<String> {
    let text: String = cql
        .lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n");
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Columns and their CQL types, per table, of the `CREATE TABLE` statements of `cql`.
pub fn tables(cql: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for statement in statements(cql) {
        let Some(rest) = statement.strip_prefix("CREATE TABLE IF NOT EXISTS ") else {
            continue;
        };
        let Some((name, body)) = rest.split_once('(') else {
            continue;
        };
        let table = name
            .trim()
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut columns = BTreeMap::new();
        for item in split_top_level(body) {
            let item = item.trim();
            if item.starts_with("PRIMARY KEY") || item.is_empty() {
                continue;
            }
            let mut words = item.split_whitespace();
            if let (Some(column), Some(ty)) = (words.next(), words.next()) {
                columns.insert(column.to_owned(), ty.to_owned());
            }
        }
        out.insert(table, columns);
    }
    out
}

/// The comma-separated items of a `( … )` body, up to its closing parenthesis.
fn split_top_level(body: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in body.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                items.push(&body[start..i]);
                return items;
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&body[start..]);
    items
}
