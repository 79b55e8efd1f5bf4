//! What a backend says about itself, for the console header and the start-up log: typed
//! parts, from which the long, medium and short forms are made here, in one place, so no
//! reader has to take a sentence apart again.

use std::fmt;

/// A broker or store backend, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// One word: `embedded`, `kafka`, `sqlite`, `cassandra`.
    pub name: &'static str,
    /// What it is, in a few words: `embedded log`, `kafka`.
    pub kind: &'static str,
    /// The network address it talks to: brokers or contact points.
    pub endpoint: Option<String>,
    /// Where inside it the data is: a file path, a keyspace.
    pub place: Option<String>,
    /// Partitions of the topic (brokers).
    pub partitions: Option<u32>,
}

impl Description {
    /// A backend called `name`, which is a `kind`, with no details yet.
    pub fn new(name: &'static str, kind: &'static str) -> Description {
        Description {
            name,
            kind,
            endpoint: None,
            place: None,
            partitions: None,
        }
    }

    /// Everything: `kafka 10.0.0.1:9092 (3 partitions)`, `cassandra 10.0.0.2:9042/ks`,
    /// `sqlite data/store.db`.
    pub fn long(&self) -> String {
        let mut out = self.kind.to_owned();
        match (&self.endpoint, &self.place) {
            (Some(endpoint), Some(place)) => out.push_str(&format!(" {endpoint}/{place}")),
            (Some(endpoint), None) => out.push_str(&format!(" {endpoint}")),
            (None, Some(place)) => out.push_str(&format!(" {place}")),
            (None, None) => {}
        }
        if let Some(n) = self.partitions {
            out.push_str(&format!(" ({n} partitions)"));
        }
        out
    }

    /// The kind and the endpoint: `embedded log`, `kafka 10.0.0.1:9092`, `sqlite`.
    pub fn medium(&self) -> String {
        match &self.endpoint {
            Some(endpoint) => format!("{} {endpoint}", self.kind),
            None => self.kind.to_owned(),
        }
    }

    /// The name alone.
    pub fn short(&self) -> &'static str {
        self.name
    }
}

impl fmt::Display for Description {
    /// The long form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.long())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_comes_from_the_parts() {
        let log = Description {
            partitions: Some(3),
            ..Description::new("embedded", "embedded log")
        };
        assert_eq!(
            [log.long(), log.medium(), log.short().to_owned()],
            ["embedded log (3 partitions)", "embedded log", "embedded"]
        );
        let cassandra = Description {
            endpoint: Some("10.0.0.2:9042".into()),
            place: Some("ks".into()),
            ..Description::new("cassandra", "cassandra")
        };
        assert_eq!(cassandra.to_string(), "cassandra 10.0.0.2:9042/ks");
        assert_eq!(cassandra.medium(), "cassandra 10.0.0.2:9042");
        let sqlite = Description {
            place: Some("data/store.db".into()),
            ..Description::new("sqlite", "sqlite")
        };
        assert_eq!(
            [sqlite.long(), sqlite.medium()],
            ["sqlite data/store.db", "sqlite"]
        );
    }
}
