//! Binding a user to a statement and reading one back, column by column from the column table:
//! ids become 16 bytes on the way in and canonical UUID text on the way out.

use rusqlite::Statement;
use rusqlite::types::ValueRef;
use uuid::Uuid;

use crate::model::StoredUser;
use crate::store::StoreError;
use crate::store::columns::{self, Kind, USER, Value};

/// The 16 bytes an id is stored as.
pub fn id_bytes(id: &str) -> Result<[u8; 16], StoreError> {
    Uuid::parse_str(id)
        .map(|u| u.into_bytes())
        .map_err(|e| StoreError::Fatal(format!("id '{id}' is not a UUID: {e}")))
}

/// Binds every column of `user` to `stmt`'s parameters 1..=N, in [`USER`] order, with the id
/// already parsed into `id`.
pub fn bind(stmt: &mut Statement<'_>, user: &StoredUser, id: &[u8; 16]) -> rusqlite::Result<()> {
    for (i, column) in USER.iter().enumerate() {
        let index = i + 1;
        match (column.kind, column.get(user)) {
            (Kind::Id, _) => stmt.raw_bind_parameter(index, &id[..])?,
            (_, Value::Text(s)) => stmt.raw_bind_parameter(index, s)?,
            (_, Value::Int(n)) => stmt.raw_bind_parameter(index, n)?,
        }
    }
    Ok(())
}

/// A result row of a statement that selects every column of [`USER`] in order.
struct RowCells<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    next: usize,
}

impl columns::Cells for RowCells<'_, '_> {
    type Error = rusqlite::Error;

    fn text(&mut self, kind: Kind) -> rusqlite::Result<String> {
        let i = self.next;
        self.next += 1;
        match (kind, self.row.get_ref(i)?) {
            (Kind::Id, ValueRef::Blob(b)) => Uuid::from_slice(b)
                .map(|u| u.hyphenated().to_string())
                .map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        i,
                        rusqlite::types::Type::Blob,
                        e.into(),
                    )
                }),
            _ => self.row.get(i),
        }
    }

    fn int(&mut self) -> rusqlite::Result<i32> {
        let i = self.next;
        self.next += 1;
        self.row.get(i)
    }
}

/// Reads a user from a row of a [`super::schema::select`] statement.
pub fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredUser> {
    columns::read_user(&mut RowCells { row, next: 0 })
}
