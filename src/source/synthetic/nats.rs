//! What sets the 21 nationalities apart besides their words: the country name, the titles, and
//! the formats of postcodes, phone numbers and national ids, as the randomuser.me v1.4 API
//! writes them.
//!
//! Formats are templates: `#` stands for a random digit, `@` for a random upper-case letter, and
//! every other character is copied.

use super::vocab::{self, Words};

/// One nationality's rules.
pub(super) struct Nat {
    /// The `nat` code, upper case.
    pub code: &'static str,
    /// `location.country`.
    pub country: &'static str,
    pub words: &'static Words,
    pub titles: Titles,
    pub postcode: PostcodeRule,
    /// Templates of `phone`; one is picked per user.
    pub phone: &'static [&'static str],
    /// Templates of `cell`; one is picked per user.
    pub cell: &'static [&'static str],
    pub id: IdRule,
}

/// Which titles go with a gender.
pub(super) enum Titles {
    /// `Mr` for men; `Mrs`, `Ms` or `Miss` for women.
    English,
    /// `Monsieur` for men; `Madame` or `Mademoiselle` for women (Swiss users).
    French,
}

/// How `location.postcode` looks: the API sends a JSON number for most nationalities and a
/// string for a few.
pub(super) enum PostcodeRule {
    /// A JSON number in `min..=max`.
    Number { min: i64, max: i64 },
    /// A JSON string from one of these templates.
    Text(&'static [&'static str]),
}

/// How the national `id` looks.
pub(super) enum IdRule {
    /// `{"name": "", "value": null}`, as the API answers for IR, NZ, TR and UA.
    Absent,
    /// A name and a value template.
    Template(&'static str, &'static str),
    /// German `SVNR`: `NN DDMMYY L NNN`, with the birth date and the last name's initial.
    GermanSvnr,
    /// Danish `CPR`: `DDMMYY-NNNN`, with the birth date.
    DanishCpr,
    /// Norwegian `FN`: `DDMMYYNNNNN`, with the birth date.
    NorwegianFn,
    /// French `INSEE`: sex digit, birth year and month, eight digits, a space and a key.
    FrenchInsee,
}

/// British postcode shapes, from `A9 9AA` to `AA9A 9AA`.
const GB_POSTCODES: &[&str] = &[
    "@# #@@", "@#@ #@@", "@@# #@@", "@@## #@@", "@@#@ #@@", "@## #@@",
];

/// British landlines come in several groupings.
const GB_PHONES: &[&str] = &[
    "01#### #####",
    "01### ######",
    "01### #####",
    "01#### ####",
    "02# #### ####",
    "01#1 ### ####",
    "011#### ### ####",
];

/// Ukrainian numbers carry a letter after the operator code.
const UA_PHONES: &[&str] = &[
    "(066) @##-####",
    "(067) @##-####",
    "(068) @##-####",
    "(096) @##-####",
    "(097) @##-####",
    "(098) @##-####",
    "(099) @##-####",
];

const FIVE_DIGITS: PostcodeRule = PostcodeRule::Number {
    min: 10000,
    max: 99999,
};
const PAREN_DASHED: &[&str] = &["(###)-###-####"];

/// Every nationality the API knows, in code order.
pub(super) static NATS: [Nat; 21] = [
    Nat {
        code: "AU",
        country: "Australia",
        words: &vocab::AU,
        titles: Titles::English,
        postcode: PostcodeRule::Number {
            min: 200,
            max: 9999,
        },
        phone: &["0#-####-####"],
        cell: &["04##-###-###"],
        id: IdRule::Template("TFN", "#########"),
    },
    Nat {
        code: "BR",
        country: "Brazil",
        words: &vocab::BR,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["(##) ####-####"],
        cell: &["(##) ####-####"],
        id: IdRule::Template("CPF", "###.###.###-##"),
    },
    Nat {
        code: "CA",
        country: "Canada",
        words: &vocab::CA,
        titles: Titles::English,
        postcode: PostcodeRule::Text(&["@#@ #@#"]),
        phone: &["@## @##-####"],
        cell: &["@## @##-####"],
        id: IdRule::Template("SIN", "#########"),
    },
    Nat {
        code: "CH",
        country: "Switzerland",
        words: &vocab::CH,
        titles: Titles::French,
        postcode: PostcodeRule::Number {
            min: 1000,
            max: 9999,
        },
        phone: &["07# ### ## ##"],
        cell: &["07# ### ## ##"],
        id: IdRule::Template("AVS", "756.####.####.##"),
    },
    Nat {
        code: "DE",
        country: "Germany",
        words: &vocab::DE,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["0###-#######"],
        cell: &["017#-#######"],
        id: IdRule::GermanSvnr,
    },
    Nat {
        code: "DK",
        country: "Denmark",
        words: &vocab::DK,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["########"],
        cell: &["########"],
        id: IdRule::DanishCpr,
    },
    Nat {
        code: "ES",
        country: "Spain",
        words: &vocab::ES,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["9##-###-###"],
        cell: &["6##-###-###"],
        id: IdRule::Template("DNI", "########-@"),
    },
    Nat {
        code: "FI",
        country: "Finland",
        words: &vocab::FI,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["0#-###-###"],
        cell: &["04#-###-##-##"],
        // The API's own bug, reproduced: its HETU generator prints JavaScript's NaN and undefined.
        id: IdRule::Template("HETU", "NaNNA###undefined"),
    },
    Nat {
        code: "FR",
        country: "France",
        words: &vocab::FR,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["0#-##-##-##-##"],
        cell: &["06-##-##-##-##"],
        id: IdRule::FrenchInsee,
    },
    Nat {
        code: "GB",
        country: "United Kingdom",
        words: &vocab::GB,
        titles: Titles::English,
        postcode: PostcodeRule::Text(GB_POSTCODES),
        phone: GB_PHONES,
        cell: &["07### ######"],
        id: IdRule::Template("NINO", "@@ ## ## ## @"),
    },
    Nat {
        code: "IE",
        country: "Ireland",
        words: &vocab::IE,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["0#1-###-####"],
        cell: &["081-###-####"],
        id: IdRule::Template("PPS", "#######T"),
    },
    Nat {
        code: "IN",
        country: "India",
        words: &vocab::IN,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["7#########", "8#########", "9#########"],
        cell: &["7#########", "8#########", "9#########"],
        id: IdRule::Template("UIDAI", "############"),
    },
    Nat {
        code: "IR",
        country: "Iran",
        words: &vocab::IR,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["0##-########"],
        cell: &["09##-###-####"],
        id: IdRule::Absent,
    },
    Nat {
        code: "MX",
        country: "Mexico",
        words: &vocab::MX,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["(6##) ### ####"],
        cell: &["(6##) ### ####"],
        id: IdRule::Template("NSS", "## ## ## #### #"),
    },
    Nat {
        code: "NL",
        country: "Netherlands",
        words: &vocab::NL,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: PAREN_DASHED,
        cell: PAREN_DASHED,
        id: IdRule::Template("BSN", "########"),
    },
    Nat {
        code: "NO",
        country: "Norway",
        words: &vocab::NO,
        titles: Titles::English,
        postcode: PostcodeRule::Text(&["####"]),
        phone: &["########"],
        cell: &["4#######", "9#######"],
        id: IdRule::NorwegianFn,
    },
    Nat {
        code: "NZ",
        country: "New Zealand",
        words: &vocab::NZ,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: PAREN_DASHED,
        cell: PAREN_DASHED,
        id: IdRule::Absent,
    },
    Nat {
        code: "RS",
        country: "Serbia",
        words: &vocab::RS,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["0##-####-###"],
        cell: &["06#-####-###"],
        id: IdRule::Template("SID", "#########"),
    },
    Nat {
        code: "TR",
        country: "Turkey",
        words: &vocab::TR,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: PAREN_DASHED,
        cell: PAREN_DASHED,
        id: IdRule::Absent,
    },
    Nat {
        code: "UA",
        country: "Ukraine",
        words: &vocab::UA,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: UA_PHONES,
        cell: UA_PHONES,
        id: IdRule::Absent,
    },
    Nat {
        code: "US",
        country: "United States",
        words: &vocab::US,
        titles: Titles::English,
        postcode: FIVE_DIGITS,
        phone: &["(###) ###-####"],
        cell: &["(###) ###-####"],
        id: IdRule::Template("SSN", "###-##-####"),
    },
];
