//! The SQL of `store.db`, built from the column table [`crate::store::columns::USER`].
//!
//! Users live in `user_rows`, a rowid table clustered by arrival (`seq`), with the id as 16
//! bytes: appending rows never splits pages in the middle of the table. Which row holds an id
//! is kept outside the database, in [`super::ids`], so inserts never touch a random page.
//! `created_users` is a view over it with the id as canonical UUID text and the columns of
//! `cql/schema.cql`, so `sqlite3 store.db` reads it as before (a query by id scans the table).

use rusqlite::{Connection, OptionalExtension};

use crate::store::columns::{self, Kind, USER};

/// The table holding the users.
pub const ROWS: &str = "user_rows";
/// The readable view of [`ROWS`].
pub const VIEW: &str = "created_users";

/// Tables other than the users', mirroring `cql/schema.cql` (`dead_letter_replays`: which dead
/// letters `userstream dead-letters replay` re-published, by origin).
const OTHER_TABLES: &str = "
CREATE TABLE IF NOT EXISTS user_counts (
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (dimension, value)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    rule TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT,
    payload_base64 TEXT,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letter_replays (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    replayed_at TEXT NOT NULL,
    PRIMARY KEY (topic, partition, offset)
);
";

/// SQL turning a 16-byte id into lowercase hyphenated UUID text.
fn uuid_text(column: &str) -> String {
    let part = |from: usize, len: usize| format!("substr(hex({column}), {from}, {len})");
    format!(
        "lower({} || '-' || {} || '-' || {} || '-' || {} || '-' || {})",
        part(1, 8),
        part(9, 4),
        part(13, 4),
        part(17, 4),
        part(21, 12)
    )
}

/// The unique id index of earlier layouts, dropped at open.
const OLD_ID_INDEX: &str = "user_rows_by_id";

/// The row table.
fn rows_ddl() -> String {
    let columns: Vec<String> = USER
        .iter()
        .map(|c| format!("    {} {} NOT NULL", c.name, c.kind.sql()))
        .collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {ROWS} (\n    seq INTEGER PRIMARY KEY,\n{}\n);\n",
        columns.join(",\n")
    )
}

/// The readable view.
fn view_ddl() -> String {
    let columns: Vec<String> = USER
        .iter()
        .map(|c| match c.kind {
            Kind::Id => format!("{} AS {}", uuid_text(c.name), c.name),
            _ => c.name.to_owned(),
        })
        .collect();
    format!(
        "CREATE VIEW IF NOT EXISTS {VIEW} AS SELECT {} FROM {ROWS};\n",
        columns.join(", ")
    )
}

/// Every statement that creates the schema, idempotent.
pub fn ddl() -> String {
    format!("{}{}{OTHER_TABLES}", rows_ddl(), view_ddl())
}

/// The insert of one row, parameters in [`USER`] order; with `replace`, parameter N + 1 is the
/// `seq` of the row it overwrites.
pub fn insert(replace: bool) -> String {
    let placeholders = vec!["?"; USER.len()].join(", ");
    if replace {
        format!(
            "INSERT OR REPLACE INTO {ROWS} ({}, seq) VALUES ({placeholders}, ?)",
            columns::names()
        )
    } else {
        format!(
            "INSERT INTO {ROWS} ({}) VALUES ({placeholders})",
            columns::names()
        )
    }
}

/// Selects every column of [`USER`], in order, followed by `rest` (a `WHERE` or `ORDER BY`).
pub fn select(rest: &str) -> String {
    format!("SELECT {} FROM {ROWS} {rest}", columns::names())
}

/// Creates the schema; a `store.db` of the earlier layout (a `created_users` table with text
/// ids) is converted in one transaction first.
pub fn apply(conn: &mut Connection) -> rusqlite::Result<()> {
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = ?1",
            [VIEW],
            |r| r.get(0),
        )
        .optional()?;
    if kind.as_deref() == Some("table") {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(&rows_ddl())?;
        let from: Vec<String> = USER
            .iter()
            .map(|c| match c.kind {
                Kind::Id => format!("unhex(replace({}, '-', ''))", c.name),
                _ => c.name.to_owned(),
            })
            .collect();
        tx.execute_batch(&format!(
            "INSERT INTO {ROWS} ({}) SELECT {} FROM {VIEW} ORDER BY stored_at;\n\
             DROP TABLE {VIEW};\n",
            columns::names(),
            from.join(", ")
        ))?;
        tx.execute_batch(&ddl())?;
        tx.commit()?;
        tracing::info!(
            table = VIEW,
            "Converted the store to the compact row layout."
        );
    }
    conn.execute_batch(&format!("{}DROP INDEX IF EXISTS {OLD_ID_INDEX};", ddl()))
}
