//! State of the Records tab: which rows pass the filter, in which order, which one is selected,
//! and how email and phone are masked. Recomputed when the data or the filter changes, never
//! per frame.

use crate::model::{DeadLetter, StoredUser};

use super::view::StoreView;

/// A column the users can be sorted by, in the order `o` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Gender,
    Country,
    Email,
    Registered,
    Stored,
}

impl SortColumn {
    /// Every column, left to right.
    pub const ALL: [SortColumn; 6] = [
        SortColumn::Name,
        SortColumn::Gender,
        SortColumn::Country,
        SortColumn::Email,
        SortColumn::Registered,
        SortColumn::Stored,
    ];

    /// The column header.
    pub fn title(self) -> &'static str {
        match self {
            SortColumn::Name => "Name",
            SortColumn::Gender => "Gender",
            SortColumn::Country => "Country",
            SortColumn::Email => "Email",
            SortColumn::Registered => "Registered",
            SortColumn::Stored => "Stored at",
        }
    }

    fn next(self) -> SortColumn {
        let i = SortColumn::ALL.iter().position(|c| *c == self).unwrap_or(0);
        SortColumn::ALL[(i + 1) % SortColumn::ALL.len()]
    }

    fn key(self, user: &StoredUser) -> String {
        match self {
            SortColumn::Name => full_name(user).to_lowercase(),
            SortColumn::Gender => user.gender.clone(),
            SortColumn::Country => user.country.clone(),
            SortColumn::Email => user.email.to_lowercase(),
            SortColumn::Registered => user.registered_date.clone(),
            SortColumn::Stored => user.stored_at.clone(),
        }
    }
}

/// What the Records tab shows and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsState {
    /// Case-insensitive text a row must contain.
    pub filter: String,
    /// Whether keys are typed into the filter.
    pub typing: bool,
    pub sort: SortColumn,
    pub descending: bool,
    /// Whether email and phone are masked in the users view.
    pub masked: bool,
    /// Whether email and phone are masked in the dead letters (on until `m`: their payloads
    /// come from any producer and their reasons from any version).
    pub letters_masked: bool,
    /// Dead letters instead of users.
    pub dead_letters: bool,
    /// Whether the selected row is shown whole.
    pub detail: bool,
    /// Index into `rows`.
    pub selected: usize,
    /// Indices into the store view's users (or dead letters) that pass the filter, in order.
    pub rows: Vec<usize>,
    selected_key: Option<String>,
}

impl Default for RecordsState {
    fn default() -> RecordsState {
        RecordsState {
            filter: String::new(),
            typing: false,
            sort: SortColumn::Stored,
            descending: true,
            masked: false,
            letters_masked: true,
            dead_letters: false,
            detail: false,
            selected: 0,
            rows: Vec::new(),
            selected_key: None,
        }
    }
}

impl RecordsState {
    /// Recomputes the rows for `view`, keeping the selection on the same record when it moved;
    /// a selection on the first row stays on the first row, so the newest users stay in view.
    pub fn refresh(&mut self, view: &StoreView) {
        let needle = self.filter.to_lowercase();
        if self.dead_letters {
            self.rows = (0..view.dead_letters.len())
                .filter(|&i| {
                    needle.is_empty() || letter_text(&view.dead_letters[i]).contains(&needle)
                })
                .collect();
        } else {
            let mut rows: Vec<usize> = (0..view.users.len())
                .filter(|&i| needle.is_empty() || user_text(&view.users[i]).contains(&needle))
                .collect();
            let keys: Vec<String> = view.users.iter().map(|u| self.sort.key(u)).collect();
            // A stable sort keeps the store's newest-first order among equal keys.
            rows.sort_by(|&a, &b| {
                let order = keys[a].cmp(&keys[b]);
                if self.descending {
                    order.reverse()
                } else {
                    order
                }
            });
            self.rows = rows;
        }
        if self.selected > 0
            && let Some(key) = &self.selected_key
            && let Some(pos) = self
                .rows
                .iter()
                .position(|&i| self.key_of(view, i) == Some(key))
        {
            self.selected = pos;
        }
        self.clamp(view);
    }

    fn key_of<'v>(&self, view: &'v StoreView, index: usize) -> Option<&'v String> {
        if self.dead_letters {
            view.dead_letters.get(index).map(|d| &d.failed_at)
        } else {
            view.users.get(index).map(|u| &u.id)
        }
    }

    fn clamp(&mut self, view: &StoreView) {
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.selected_key = self
            .rows
            .get(self.selected)
            .and_then(|&i| self.key_of(view, i).cloned());
        if self.rows.is_empty() {
            self.detail = false;
        }
    }

    /// Whether the view shown now masks email and phone.
    pub fn masking(&self) -> bool {
        if self.dead_letters {
            self.letters_masked
        } else {
            self.masked
        }
    }

    /// Masks or shows email and phone in the view shown now.
    pub fn toggle_mask(&mut self) {
        if self.dead_letters {
            self.letters_masked = !self.letters_masked;
        } else {
            self.masked = !self.masked;
        }
    }

    /// Moves the selection by `delta` rows, within bounds.
    pub fn move_by(&mut self, delta: isize, view: &StoreView) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
        self.clamp(view);
    }

    /// Sorts by the next column; time columns start newest first, the others A to Z.
    pub fn next_sort(&mut self, view: &StoreView) {
        self.sort = self.sort.next();
        self.descending = matches!(self.sort, SortColumn::Registered | SortColumn::Stored);
        self.refresh(view);
    }

    /// The selected user, when users are shown.
    pub fn selected_user<'v>(&self, view: &'v StoreView) -> Option<&'v StoredUser> {
        if self.dead_letters {
            return None;
        }
        self.rows
            .get(self.selected)
            .and_then(|&i| view.users.get(i))
    }

    /// The selected dead letter, when dead letters are shown.
    pub fn selected_letter<'v>(&self, view: &'v StoreView) -> Option<&'v DeadLetter> {
        if !self.dead_letters {
            return None;
        }
        self.rows
            .get(self.selected)
            .and_then(|&i| view.dead_letters.get(i))
    }
}

/// First and last name.
pub fn full_name(user: &StoredUser) -> String {
    format!("{} {}", user.first_name, user.last_name)
}

fn user_text(user: &StoredUser) -> String {
    format!(
        "{} {} {} {} {} {} {}",
        user.first_name, user.last_name, user.email, user.country, user.gender, user.nat, user.city
    )
    .to_lowercase()
}

fn letter_text(letter: &DeadLetter) -> String {
    format!(
        "{} {} {}",
        letter.rule,
        letter.reason,
        letter.payload.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

/// `jane.doe@example.com` → `j•••@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

/// A dead letter's payload with emails and phones masked: by field name (`email`, `phone`,
/// `cell`) at any depth when it is JSON, else every email-shaped word.
pub fn mask_payload(payload: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(payload) {
        Ok(mut value) if value.is_object() || value.is_array() => {
            mask_fields(&mut value);
            serde_json::to_string(&value).unwrap_or_else(|_| mask_emails(payload))
        }
        _ => mask_emails(payload),
    }
}

fn mask_fields(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                match (name.to_ascii_lowercase().as_str(), &*v) {
                    ("email", Value::String(s)) => *v = Value::String(mask_email(s)),
                    ("phone" | "cell", Value::String(s)) => *v = Value::String(mask_phone(s)),
                    _ => mask_fields(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_fields),
        Value::String(s) => *s = mask_emails(s),
        _ => {}
    }
}

/// Text with every word that holds an `@` between other characters masked as an email.
pub fn mask_emails(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        let looks_like_email = core
            .find('@')
            .is_some_and(|at| at > 0 && at + 1 < core.len());
        if looks_like_email {
            let start = word.find(core).unwrap_or(0);
            out.push_str(&word[..start]);
            out.push_str(&mask_email(core));
            out.push_str(&word[start + core.len()..]);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || c == '"' || c == ',' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Keeps the last two digits: `(272) 790-0888` → `•••88`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_alphanumeric).collect();
    let tail: String = digits[digits.len().saturating_sub(2)..].iter().collect();
    format!("•••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, first: &str, country: &str, stored_at: &str) -> StoredUser {
        StoredUser {
            id: id.to_owned(),
            first_name: first.to_owned(),
            last_name: "X".to_owned(),
            country: country.to_owned(),
            email: format!("{first}@example.com"),
            stored_at: stored_at.to_owned(),
            ..StoredUser::default()
        }
    }

    fn view() -> StoreView {
        StoreView {
            users: vec![
                user("c", "Carla", "Spain", "2026-01-01T00:00:03Z"),
                user("b", "Борис", "Ukraine", "2026-01-01T00:00:02Z"),
                user("a", "Ana", "Brazil", "2026-01-01T00:00:01Z"),
            ],
            ..StoreView::default()
        }
    }

    #[test]
    fn filter_is_case_insensitive_across_scripts() {
        let view = view();
        let mut state = RecordsState {
            filter: "БОР".to_owned(),
            ..RecordsState::default()
        };
        state.refresh(&view);
        assert_eq!(state.rows, vec![1]);
    }

    #[test]
    fn sorting_cycles_columns_and_reverses() {
        let view = view();
        let mut state = RecordsState::default();
        state.refresh(&view);
        assert_eq!(state.rows, vec![0, 1, 2]);
        state.next_sort(&view);
        assert_eq!(state.sort, SortColumn::Name);
        assert_eq!(state.rows, vec![2, 0, 1]);
        state.descending = true;
        state.refresh(&view);
        assert_eq!(state.rows, vec![1, 0, 2]);
    }

    #[test]
    fn selection_follows_its_record_when_new_rows_arrive() {
        let mut view = view();
        let mut state = RecordsState::default();
        state.refresh(&view);
        state.move_by(1, &view);
        assert_eq!(state.selected_user(&view).unwrap().id, "b");
        view.users
            .insert(0, user("d", "Dee", "Chile", "2026-01-01T00:00:04Z"));
        state.refresh(&view);
        assert_eq!(state.selected_user(&view).unwrap().id, "b");
    }

    #[test]
    fn dead_letters_are_masked_until_m_and_apart_from_users() {
        let mut state = RecordsState::default();
        assert!(!state.masking());
        state.dead_letters = true;
        assert!(state.masking());
        state.toggle_mask();
        assert!(!state.masking());
        state.dead_letters = false;
        assert!(!state.masking());
    }

    #[test]
    fn payloads_and_reasons_mask_emails_and_phones() {
        let payload = r#"{"id":"x","email":"ann@example.com","phone":"(272) 790-0888",
            "contact":{"cell":"0176-1234567","note":"write to bob@example.org"}}"#;
        let masked = mask_payload(payload);
        for gone in ["ann@", "790-0888", "1234567", "bob@"] {
            assert!(!masked.contains(gone), "{gone} in {masked}");
        }
        assert!(
            masked.contains("a•••@example.com") && masked.contains("•••88"),
            "{masked}"
        );
        assert_eq!(
            mask_emails("email 'ann.lee@example.com' has, x@y and a@ @b"),
            "email 'a•••@example.com' has, x•••@y and a@ @b"
        );
        assert_eq!(
            mask_payload("not json ann@example.com"),
            "not json a•••@example.com"
        );
    }

    #[test]
    fn masks_keep_only_a_hint() {
        assert_eq!(mask_email("jane.doe@example.com"), "j•••@example.com");
        assert_eq!(mask_phone("(272) 790-0888"), "•••88");
        assert_eq!(mask_phone(""), "•••");
    }
}
