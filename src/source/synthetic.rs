//! Built-in generator of randomuser.me v1.4-shaped users, for runs without the network and for
//! load far beyond the API's rate limit.
//!
//! It reproduces the API's quirks so that everything downstream meets them: a postcode that is a
//! JSON number for most nationalities and a string for CA, GB and NO; `id.value` null for IR,
//! NZ, TR and UA; Persian script for Iran; letters in Canadian and Ukrainian phone numbers.
//! A seed fixes the whole sequence, ids included; only `age` follows the calendar.

mod format;
mod nats;
#[cfg(test)]
mod tests;
mod vocab;

use chrono::{Datelike, NaiveDate, Utc};

use crate::model::{
    Postcode, RawDated, RawId, RawLocation, RawLogin, RawName, RawPicture, RawStreet, RawUser,
};
use crate::source::{Fetched, Source, SourceError};
use crate::util::SplitMix64;

use format::Civil;
use nats::{IdRule, Nat, PostcodeRule, Titles};
use vocab::{ADJECTIVES, ANIMALS};

/// The nationality codes the generator (and the API) knows.
pub const NATIONALITIES: [&str; 21] = [
    "AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IN", "IR", "MX", "NL", "NO",
    "NZ", "RS", "TR", "UA", "US",
];

/// Birth dates fall in 1944–2001, registrations in 2002–2022, as in the API's answers.
const DOB_MS: (i64, i64) = (ms_of(1944, 1, 1), ms_of(2002, 1, 1));
const REGISTERED_MS: (i64, i64) = (ms_of(2002, 1, 1), ms_of(2023, 1, 1));

const fn ms_of(year: i64, month: u32, day: u32) -> i64 {
    format::days_from_civil(year, month, day) * 86_400_000
}

/// A name with its e-mail form, computed once rather than per user.
struct Name {
    text: &'static str,
    email: String,
}

impl Name {
    fn list(texts: &'static [&'static str]) -> Vec<Name> {
        texts
            .iter()
            .map(|&text| Name {
                text,
                email: format::email_part(text),
            })
            .collect()
    }
}

/// One nationality, ready to generate from.
struct Prepared {
    nat: &'static Nat,
    male: Vec<Name>,
    female: Vec<Name>,
    last: Vec<Name>,
}

/// Deterministic generator of API-shaped users.
pub struct SyntheticSource {
    rng: SplitMix64,
    nats: Vec<Prepared>,
}

impl SyntheticSource {
    /// A generator seeded with `seed`, limited to `nats` (codes in any case; all 21 when empty).
    /// Unknown codes are ignored, and if none is known every nationality is used: check codes
    /// against [`NATIONALITIES`] before calling this to refuse them instead.
    pub fn new(seed: u64, nats: Vec<String>) -> SyntheticSource {
        let wanted: Vec<String> = nats.iter().map(|n| n.trim().to_ascii_uppercase()).collect();
        let mut chosen: Vec<&'static Nat> = nats::NATS
            .iter()
            .filter(|nat| wanted.iter().any(|w| w == nat.code))
            .collect();
        if chosen.is_empty() {
            chosen = nats::NATS.iter().collect();
        }
        let nats = chosen
            .into_iter()
            .map(|nat| Prepared {
                nat,
                male: Name::list(nat.words.male),
                female: Name::list(nat.words.female),
                last: Name::list(nat.words.last),
            })
            .collect();
        SyntheticSource {
            rng: SplitMix64::new(seed),
            nats,
        }
    }

    /// The next `n` users, with ages as of today (UTC).
    pub fn generate(&mut self, n: usize) -> Vec<RawUser> {
        self.generate_on(n, Utc::now().date_naive())
    }

    /// The next `n` users, with ages as of `today`.
    pub fn generate_on(&mut self, n: usize, today: NaiveDate) -> Vec<RawUser> {
        let today = Civil {
            year: i64::from(today.year()),
            month: today.month(),
            day: today.day(),
        };
        (0..n).map(|_| self.user(today)).collect()
    }

    fn user(&mut self, today: Civil) -> RawUser {
        let rng = &mut self.rng;
        let prepared = pick(rng, &self.nats);
        let nat = prepared.nat;
        let words = nat.words;
        let male = rng.next_u64() & 1 == 0;
        let firsts = if male {
            &prepared.male
        } else {
            &prepared.female
        };
        let first = pick(rng, firsts);
        let last = pick(rng, &prepared.last);
        let title = title(&nat.titles, male, rng);

        let street = RawStreet {
            number: Some(1 + rng.below(9999) as i64),
            name: Some(word(rng, words.streets).to_string()),
        };
        let city = word(rng, words.cities).to_string();
        let state = word(rng, words.states).to_string();
        let postcode = match nat.postcode {
            PostcodeRule::Number { min, max } => {
                Postcode::Number(min + rng.below((max - min + 1) as u64) as i64)
            }
            PostcodeRule::Text(templates) => {
                Postcode::Text(format::template(word(rng, templates), rng))
            }
        };

        let mut email = String::with_capacity(first.email.len() + last.email.len() + 13);
        email.push_str(&first.email);
        email.push('.');
        email.push_str(&last.email);
        email.push_str("@example.com");

        let uuid = format::uuid(rng);
        let mut username = String::with_capacity(24);
        username.push_str(word(rng, ADJECTIVES));
        username.push_str(word(rng, ANIMALS));
        // The API's numbers run from 100 to 999.
        format::push_number(&mut username, 100 + rng.below(900));

        let (dob, born) = format::timestamp(in_range(rng, DOB_MS));
        let (registered, joined) = format::timestamp(in_range(rng, REGISTERED_MS));
        let phone = format::template(word(rng, nat.phone), rng);
        let cell = format::template(word(rng, nat.cell), rng);
        let id = national_id(&nat.id, rng, born, last.text, male);
        let picture = picture(male, rng.below(100));

        RawUser {
            gender: Some(if male { "male" } else { "female" }.to_string()),
            name: Some(RawName {
                title: Some(title.to_string()),
                first: Some(first.text.to_string()),
                last: Some(last.text.to_string()),
            }),
            location: Some(RawLocation {
                street: Some(street),
                city: Some(city),
                state: Some(state),
                country: Some(nat.country.to_string()),
                postcode: Some(postcode),
            }),
            email: Some(email),
            login: Some(RawLogin {
                uuid: Some(uuid),
                username: Some(username),
            }),
            dob: Some(RawDated {
                date: Some(dob),
                age: Some(format::age(born, today)),
            }),
            registered: Some(RawDated {
                date: Some(registered),
                age: Some(format::age(joined, today)),
            }),
            phone: Some(phone),
            cell: Some(cell),
            id: Some(id),
            picture: Some(picture),
            nat: Some(nat.code.to_string()),
        }
    }
}

impl Source for SyntheticSource {
    async fn fetch(&mut self, n: usize) -> Result<Fetched, SourceError> {
        Ok(Fetched {
            users: self.generate(n),
            rejects: Vec::new(),
        })
    }

    fn name(&self) -> &'static str {
        "synthetic"
    }
}

/// A random word of a non-empty list.
fn word(rng: &mut SplitMix64, words: &[&'static str]) -> &'static str {
    words[rng.below(words.len() as u64) as usize]
}

/// A random element of a non-empty slice.
fn pick<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

/// A random instant in `[start, end)`, in ms since the epoch.
fn in_range(rng: &mut SplitMix64, (start, end): (i64, i64)) -> i64 {
    start + rng.below((end - start) as u64) as i64
}

fn title(titles: &Titles, male: bool, rng: &mut SplitMix64) -> &'static str {
    match (titles, male) {
        (Titles::English, true) => "Mr",
        (Titles::English, false) => word(rng, &["Mrs", "Ms", "Miss"]),
        (Titles::French, true) => "Monsieur",
        (Titles::French, false) => word(rng, &["Madame", "Mademoiselle"]),
    }
}

fn national_id(rule: &IdRule, rng: &mut SplitMix64, born: Civil, last: &str, male: bool) -> RawId {
    let (name, value) = match rule {
        IdRule::Absent => ("", None),
        IdRule::Template(name, template) => (*name, Some(format::template(template, rng))),
        IdRule::GermanSvnr => {
            let mut value = format::template("## ", rng);
            format::push_ddmmyy(&mut value, born);
            value.push(' ');
            value.extend(last.chars().next().into_iter().flat_map(char::to_uppercase));
            format::push_template(&mut value, " ###", rng);
            ("SVNR", Some(value))
        }
        IdRule::DanishCpr => {
            let mut value = String::with_capacity(11);
            format::push_ddmmyy(&mut value, born);
            format::push_template(&mut value, "-####", rng);
            ("CPR", Some(value))
        }
        IdRule::NorwegianFn => {
            let mut value = String::with_capacity(11);
            format::push_ddmmyy(&mut value, born);
            format::push_template(&mut value, "#####", rng);
            ("FN", Some(value))
        }
        IdRule::FrenchInsee => {
            let mut value = String::with_capacity(16);
            value.push(if male { '1' } else { '2' });
            format::push_two(&mut value, born.year.rem_euclid(100) as u64);
            format::push_two(&mut value, u64::from(born.month));
            format::push_template(&mut value, "######## ##", rng);
            ("INSEE", Some(value))
        }
    };
    RawId {
        name: Some(name.to_string()),
        value,
    }
}

/// The API's portrait URLs: `portraits/{men|women}/N.jpg`, with `med/` and `thumb/` sizes.
fn picture(male: bool, index: u64) -> RawPicture {
    const BASE: &str = "https://randomuser.me/api/portraits/";
    let folder = if male { "men/" } else { "women/" };
    let url = |size: &str| {
        let mut url = String::with_capacity(BASE.len() + size.len() + folder.len() + 6);
        url.push_str(BASE);
        url.push_str(size);
        url.push_str(folder);
        format::push_number(&mut url, index);
        url.push_str(".jpg");
        url
    };
    RawPicture {
        large: Some(url("")),
        medium: Some(url("med/")),
        thumbnail: Some(url("thumb/")),
    }
}
