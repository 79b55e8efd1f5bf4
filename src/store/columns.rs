//! The columns of a stored user (`created_users`), declared once: name, kind and the field of
//! [`StoredUser`] each one holds. The SQLite DDL, statements and readers and the Cassandra
//! statements, bound values and readers are all built from [`USER`]; tests hold it against
//! `cql/schema.cql`, SQLite's `PRAGMA table_info` and the fields of `StoredUser`.

use crate::model::StoredUser;

/// How a column is typed in each backend and in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A UUID: text in the model, 16 bytes in SQLite, `uuid` in CQL.
    Id,
    /// Free text.
    Text,
    /// An RFC 3339 UTC time: text in the model and in SQLite, `timestamp` in CQL.
    Time,
    /// A 32-bit integer.
    Int,
}

impl Kind {
    /// The declared SQLite type of the column in the row table.
    pub const fn sql(self) -> &'static str {
        match self {
            Kind::Id => "BLOB",
            Kind::Text | Kind::Time => "TEXT",
            Kind::Int => "INTEGER",
        }
    }

    /// The CQL type of the column.
    pub const fn cql(self) -> &'static str {
        match self {
            Kind::Id => "uuid",
            Kind::Text => "text",
            Kind::Time => "timestamp",
            Kind::Int => "int",
        }
    }
}

/// Where a column's value lives in a [`StoredUser`].
#[derive(Clone, Copy)]
pub enum Field {
    Text(
        fn(&StoredUser) -> &String,
        fn(&mut StoredUser) -> &mut String,
    ),
    Int(fn(&StoredUser) -> &i32, fn(&mut StoredUser) -> &mut i32),
}

/// One column of `created_users`.
#[derive(Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub field: Field,
}

/// A column's value, borrowed from a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    Text(&'a str),
    Int(i32),
}

impl Column {
    /// This column's value in `user`.
    pub fn get(self, user: &StoredUser) -> Value<'_> {
        match self.field {
            Field::Text(get, _) => Value::Text(get(user).as_str()),
            Field::Int(get, _) => Value::Int(*get(user)),
        }
    }
}

/// The values of one result row, read in table order.
pub trait Cells {
    type Error;
    /// The next value, of a text-held column of `kind` (`Id`, `Text` or `Time`).
    fn text(&mut self, kind: Kind) -> Result<String, Self::Error>;
    /// The next value, of an `Int` column.
    fn int(&mut self) -> Result<i32, Self::Error>;
}

/// A user read from a row holding every column of [`USER`] in order.
pub fn read_user<C: Cells>(cells: &mut C) -> Result<StoredUser, C::Error> {
    let mut user = StoredUser::default();
    for column in USER {
        match column.field {
            Field::Text(_, set) => *set(&mut user) = cells.text(column.kind)?,
            Field::Int(_, set) => *set(&mut user) = cells.int()?,
        }
    }
    Ok(user)
}

macro_rules! field {
    (Int, $name:ident) => {
        Field::Int(|u| &u.$name, |u| &mut u.$name)
    };
    ($kind:ident, $name:ident) => {
        Field::Text(|u| &u.$name, |u| &mut u.$name)
    };
}

macro_rules! columns {
    ($($name:ident: $kind:ident),* $(,)?) => {
        /// Every column of `created_users`, in table order.
        pub const USER: &[Column] = &[$(Column {
            name: stringify!($name),
            kind: Kind::$kind,
            field: field!($kind, $name),
        }),*];
    };
}

columns! {
    id: Id,
    first_name: Text,
    last_name: Text,
    gender: Text,
    address: Text,
    post_code: Text,
    email: Text,
    username: Text,
    dob: Text,
    registered_date: Text,
    phone: Text,
    picture: Text,
    nat: Text,
    city: Text,
    state: Text,
    country: Text,
    ingested_at: Time,
    source: Text,
    year: Int,
    month: Int,
    day: Int,
    email_domain: Text,
    stored_at: Time,
}

/// Number of columns in [`USER`].
pub const USER_LEN: usize = USER.len();

/// `(name, CQL type)` of every column, in table order (what the CQL statements are built from).
pub const fn cql_columns<const N: usize>(columns: &[Column]) -> [(&'static str, &'static str); N] {
    let mut out = [("", ""); N];
    let mut i = 0;
    while i < N {
        out[i] = (columns[i].name, columns[i].kind.cql());
        i += 1;
    }
    out
}

/// The column names joined by `", "`, for statements.
pub fn names() -> String {
    USER.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_stored_user_has_exactly_one_column() {
        let fields = serde_json::to_value(StoredUser::default()).unwrap();
        let mut fields: Vec<&str> = fields
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names: Vec<&str> = USER.iter().map(|c| c.name).collect();
        fields.sort_unstable();
        names.sort_unstable();
        assert_eq!(fields, names);
    }

    /// Cells that number the values they hand out.
    struct Counting(i32);

    impl Cells for Counting {
        type Error = std::convert::Infallible;
        fn text(&mut self, _: Kind) -> Result<String, Self::Error> {
            self.0 += 1;
            Ok(format!("v{}", self.0))
        }
        fn int(&mut self) -> Result<i32, Self::Error> {
            self.0 += 1;
            Ok(self.0)
        }
    }

    #[test]
    fn each_column_reads_and_writes_its_own_field() {
        let user = read_user(&mut Counting(0)).unwrap();
        let json = serde_json::to_value(&user).unwrap();
        for (i, column) in USER.iter().enumerate() {
            let n = i as i32 + 1;
            let (got, wanted) = match column.get(&user) {
                Value::Int(v) => (serde_json::json!(v), serde_json::json!(n)),
                Value::Text(s) => (serde_json::json!(s), serde_json::json!(format!("v{n}"))),
            };
            assert_eq!(got, wanted, "{}", column.name);
            assert_eq!(json[column.name], got, "{}", column.name);
            assert_eq!(
                column.kind == Kind::Int,
                matches!(got, serde_json::Value::Number(_))
            );
        }
    }
}
