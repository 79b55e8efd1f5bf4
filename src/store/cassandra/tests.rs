use super::schema::{Replication, SCHEMA_CQL, render, statements, tables};
use super::statements::{ALL, DEAD_LETTER_COLUMNS, Kind, USER_COLUMNS};
use super::values::{bucket_of, cql_type, dead_letter_values, recency, user_values};
use crate::model::{DeadLetter, Origin, StoredUser};

fn user() -> StoredUser {
    StoredUser {
        id: "71aceb8a-a3b6-4c9b-85b4-86ecd1b60e47".into(),
        gender: "female".into(),
        country: "France".into(),
        nat: "FR".into(),
        ingested_at: "2026-01-02T03:04:05.123456Z".into(),
        stored_at: "2026-01-02T03:04:06.000001Z".into(),
        year: 2019,
        month: 7,
        day: 3,
        ..StoredUser::default()
    }
}

#[test]
fn every_prepared_statement_matches_the_schema_file() {
    let tables = tables(SCHEMA_CQL);
    assert!(tables.len() >= 5, "{tables:?}");
    for spec in ALL {
        let table = tables
            .get(spec.table)
            .unwrap_or_else(|| panic!("{} is not in cql/schema.cql", spec.table));
        for (column, ty) in spec.columns.iter().chain(spec.key) {
            assert_eq!(
                table.get(*column).map(String::as_str),
                Some(*ty),
                "{}.{column} in {}",
                spec.table,
                spec.cql("ks")
            );
        }
        if spec.kind == Kind::Insert && spec.table != "partition_counts" {
            // An insert writes every column of its table (a count row leaves the owner
            // columns of its partition's owner row alone).
            assert_eq!(spec.columns.len(), table.len(), "{}", spec.cql("ks"));
        }
    }
}

#[test]
fn the_conditional_statements_name_columns_of_the_schema() {
    let tables = tables(SCHEMA_CQL);
    let counts = &tables["partition_counts"];
    for (column, ty) in super::statements::OWNER_COLUMNS
        .iter()
        .chain(super::statements::COUNT_ROW_KEY)
    {
        assert_eq!(
            counts.get(*column).map(String::as_str),
            Some(*ty),
            "{column}"
        );
    }
    // The owner row and the count rows share one partition: the conditional batch may hold
    // both only if (topic, topic_partition) is the whole partition key.
    let key = SCHEMA_CQL
        .split("partition_counts (")
        .nth(1)
        .and_then(|t| t.split("PRIMARY KEY ").nth(1))
        .unwrap();
    assert!(
        key.starts_with("((topic, topic_partition), dimension, value)"),
        "{key}"
    );
}

#[test]
fn bound_values_have_the_declared_types() {
    let row = user_values(&user()).unwrap();
    assert_eq!(row.len(), USER_COLUMNS.len());
    for (value, (column, ty)) in row.iter().zip(USER_COLUMNS) {
        assert_eq!(cql_type(value.as_ref().unwrap()), *ty, "{column}");
    }
    let letter = DeadLetter {
        rule: "id_uuid".into(),
        reason: "no id".into(),
        payload: Some("{}".into()),
        payload_base64: None,
        origin: Origin {
            topic: "users_created".into(),
            partition: 2,
            offset: 9,
        },
        failed_at: "2026-01-02T03:04:06Z".into(),
    };
    let row = dead_letter_values(&letter).unwrap();
    assert_eq!(row.len(), DEAD_LETTER_COLUMNS.len());
    for (value, (column, ty)) in row.iter().zip(DEAD_LETTER_COLUMNS) {
        if let Some(value) = value {
            assert_eq!(cql_type(value), *ty, "{column}");
        }
    }
}

#[test]
fn rendering_swaps_keyspace_and_replication_only() {
    let text = render("other_ks", &"dc1:3,dc2:2".parse().unwrap());
    assert!(!text.contains("spark_streams"));
    assert!(text.contains("CREATE KEYSPACE IF NOT EXISTS other_ks\n"));
    assert!(text.contains("{'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '2'}"));
    let statements = statements(&text);
    assert_eq!(statements.len(), 8);
    assert!(
        statements
            .iter()
            .all(|s| !s.contains("--") && !s.ends_with(';'))
    );
    assert_eq!(tables(&text), tables(SCHEMA_CQL));
    assert_eq!(render("spark_streams", &Replication::default()), SCHEMA_CQL);
}

#[test]
fn replication_and_consistency_flags_parse_or_explain() {
    assert_eq!("simple:3".parse(), Ok(Replication::Simple(3)));
    assert!("simple:0".parse::<Replication>().is_err());
    assert!("three".parse::<Replication>().is_err());
    assert!("dc'1:3".parse::<Replication>().is_err());
    assert!(super::parse_consistency("local_quorum").is_ok());
    assert!(super::parse_consistency("most").is_err());
}

#[test]
fn buckets_are_minutes_and_recency_sorts_newest_first() {
    assert_eq!(bucket_of(125_000), 120_000);
    assert_eq!(bucket_of(-1), -60_000);
    assert!(recency(2_000) < recency(1_000));
}

#[test]
fn secrets_do_not_print() {
    let s: super::Secret = "hunter2".parse().unwrap();
    assert!(!format!("{s:?}").contains("hunter2"));
    assert_eq!(s.expose(), "hunter2");
}
