//! Every statement the store prepares, described as a table and typed columns from which the
//! CQL text is generated, so a test can check each one against `cql/schema.cql`.
//!
//! Only what both Apache Cassandra and the in-memory CQL peer used in tests understand: single
//! `=` restrictions joined by `AND`, no `IN`, no `ORDER BY` (clustering order does it), no
//! `LIMIT` (readers stop paging instead), no counters. The conditional statements (lightweight
//! transactions) of the owner row are in `fence.rs`, built from [`OWNER_COLUMNS`].

use crate::store::columns;

/// A column and the CQL type the code binds or reads it as.
pub type Column = (&'static str, &'static str);

/// What a prepared statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Insert,
    Select,
}

/// A statement as data: its CQL is [`Spec::cql`].
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub kind: Kind,
    pub table: &'static str,
    /// Inserted or selected columns, in bind or result order.
    pub columns: &'static [Column],
    /// `WHERE` columns of a select, each `= ?`.
    pub key: &'static [Column],
}

impl Spec {
    /// The CQL text for `keyspace`.
    pub fn cql(&self, keyspace: &str) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| *n).collect();
        match self.kind {
            Kind::Insert => format!(
                "INSERT INTO {keyspace}.{} ({}) VALUES ({})",
                self.table,
                names.join(", "),
                vec!["?"; names.len()].join(", ")
            ),
            Kind::Select => {
                let conditions: Vec<String> =
                    self.key.iter().map(|(n, _)| format!("{n} = ?")).collect();
                format!(
                    "SELECT {} FROM {keyspace}.{} WHERE {}",
                    names.join(", "),
                    self.table,
                    conditions.join(" AND ")
                )
            }
        }
    }
}

/// `created_users`, built from the column table [`crate::store::columns::USER`].
pub const USER_COLUMNS: &[Column] = &columns::cql_columns::<{ columns::USER_LEN }>(columns::USER);

pub const INSERT_USER: Spec = Spec {
    kind: Kind::Insert,
    table: "created_users",
    columns: USER_COLUMNS,
    key: &[],
};

pub const SELECT_USER: Spec = Spec {
    kind: Kind::Select,
    table: "created_users",
    columns: USER_COLUMNS,
    key: &[("id", "uuid")],
};

pub const INSERT_LATEST: Spec = Spec {
    kind: Kind::Insert,
    table: "latest_users",
    columns: &[
        ("bucket", "timestamp"),
        ("recency", "bigint"),
        ("id", "uuid"),
    ],
    key: &[],
};

pub const SELECT_LATEST: Spec = Spec {
    kind: Kind::Select,
    table: "latest_users",
    columns: &[("id", "uuid")],
    key: &[("bucket", "timestamp")],
};

pub const INSERT_BUCKET: Spec = Spec {
    kind: Kind::Insert,
    table: "buckets",
    columns: &[
        ("kind", "text"),
        ("recency", "bigint"),
        ("bucket", "timestamp"),
    ],
    key: &[],
};

pub const SELECT_BUCKETS: Spec = Spec {
    kind: Kind::Select,
    table: "buckets",
    columns: &[("bucket", "timestamp")],
    key: &[("kind", "text")],
};

/// The key of a topic partition's partition of `partition_counts`.
const PARTITION_KEY: &[Column] = &[("topic", "text"), ("topic_partition", "int")];

/// The key of one row of `partition_counts`; the owner row has `dimension = ''` and
/// `value = ''`.
pub const COUNT_ROW_KEY: &[Column] = &[
    ("topic", "text"),
    ("topic_partition", "int"),
    ("dimension", "text"),
    ("value", "text"),
];

/// The owner row's columns, in the order [`SELECT_OWNER`] reads them.
pub const OWNER_COLUMNS: &[Column] = &[
    ("epoch", "bigint"),
    ("owner", "text"),
    ("log", "text"),
    ("counted_upto", "bigint"),
];

/// One absolute count (the owner columns of the row stay as they are).
pub const INSERT_COUNT: Spec = Spec {
    kind: Kind::Insert,
    table: "partition_counts",
    columns: &[
        ("topic", "text"),
        ("topic_partition", "int"),
        ("dimension", "text"),
        ("value", "text"),
        ("count", "bigint"),
    ],
    key: &[],
};

/// A topic partition's counts and owner row, in one paged read.
pub const SELECT_PARTITION: Spec = Spec {
    kind: Kind::Select,
    table: "partition_counts",
    columns: &[
        ("dimension", "text"),
        ("value", "text"),
        ("count", "bigint"),
        ("epoch", "bigint"),
        ("counted_upto", "bigint"),
    ],
    key: PARTITION_KEY,
};

/// The owner row alone.
pub const SELECT_OWNER: Spec = Spec {
    kind: Kind::Select,
    table: "partition_counts",
    columns: OWNER_COLUMNS,
    key: COUNT_ROW_KEY,
};

pub const INSERT_COUNT_PARTITION: Spec = Spec {
    kind: Kind::Insert,
    table: "count_partitions",
    columns: PARTITION_KEY,
    key: &[],
};

pub const SELECT_COUNT_PARTITIONS: Spec = Spec {
    kind: Kind::Select,
    table: "count_partitions",
    columns: &[("topic_partition", "int")],
    key: &[("topic", "text")],
};

/// `dead_letters`, in the order of [`super::values::dead_letter_values`].
pub const DEAD_LETTER_COLUMNS: &[Column] = &[
    ("bucket", "timestamp"),
    ("recency", "bigint"),
    ("topic", "text"),
    ("topic_partition", "int"),
    ("offset", "bigint"),
    ("failed_at", "timestamp"),
    ("rule", "text"),
    ("reason", "text"),
    ("payload", "text"),
    ("payload_base64", "text"),
];

pub const INSERT_DEAD_LETTER: Spec = Spec {
    kind: Kind::Insert,
    table: "dead_letters",
    columns: DEAD_LETTER_COLUMNS,
    key: &[],
};

pub const SELECT_DEAD_LETTERS: Spec = Spec {
    kind: Kind::Select,
    table: "dead_letters",
    columns: DEAD_LETTER_COLUMNS,
    key: &[("bucket", "timestamp")],
};

/// Every statement the store prepares.
pub const ALL: [Spec; 15] = [
    INSERT_USER,
    SELECT_USER,
    INSERT_LATEST,
    SELECT_LATEST,
    INSERT_BUCKET,
    SELECT_BUCKETS,
    INSERT_COUNT,
    SELECT_PARTITION,
    SELECT_OWNER,
    INSERT_COUNT_PARTITION,
    SELECT_COUNT_PARTITIONS,
    INSERT_DEAD_LETTER,
    SELECT_DEAD_LETTERS,
    INSERT_REPLAY,
    SELECT_REPLAYS,
];

/// The dead letters `userstream dead-letters replay` re-published, by origin. Prepared when a
/// replay asks (`replay.rs`), so a keyspace from before the table still serves the pipeline.
pub const INSERT_REPLAY: Spec = Spec {
    kind: Kind::Insert,
    table: "dead_letter_replays",
    columns: &[
        ("topic", "text"),
        ("topic_partition", "int"),
        ("offset", "bigint"),
        ("replayed_at", "timestamp"),
    ],
    key: &[],
};

/// The replayed offsets of one topic partition.
pub const SELECT_REPLAYS: Spec = Spec {
    kind: Kind::Select,
    table: "dead_letter_replays",
    columns: &[("offset", "bigint")],
    key: PARTITION_KEY,
};
