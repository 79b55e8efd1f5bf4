//! The small writers the generator is built from: templates, UUIDs, calendar dates and the ASCII
//! form of a name that the API puts in e-mail addresses. They append to a caller's `String`, so
//! a user costs one allocation per field and nothing more.

use crate::util::SplitMix64;

const HEX: &[u8; 16] = b"0123456789abcdef";
const MS_PER_DAY: i64 = 86_400_000;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

/// Appends the last `digits` (at most 20) decimal digits of `value`, zero-padded.
fn push_decimal(out: &mut String, mut value: u64, digits: u32) {
    let mut buffer = [b'0'; 20];
    let digits = (digits as usize).min(buffer.len());
    for slot in buffer[..digits].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    for &digit in &buffer[..digits] {
        out.push(char::from(digit));
    }
}

/// Appends `value` in decimal, without padding.
pub(super) fn push_number(out: &mut String, value: u64) {
    let digits = value.checked_ilog10().unwrap_or(0) + 1;
    push_decimal(out, value, digits);
}

/// Appends `template` with each `#` replaced by a random digit and each `@` by a random
/// upper-case letter.
pub(super) fn push_template(out: &mut String, template: &str, rng: &mut SplitMix64) {
    for c in template.chars() {
        match c {
            '#' => out.push(char::from(b'0' + rng.below(10) as u8)),
            '@' => out.push(char::from(b'A' + rng.below(26) as u8)),
            other => out.push(other),
        }
    }
}

/// A new string from `template`, sized for it.
pub(super) fn template(template: &str, rng: &mut SplitMix64) -> String {
    let mut out = String::with_capacity(template.len());
    push_template(&mut out, template, rng);
    out
}

/// A random version-4 UUID in its 8-4-4-4-12 hexadecimal form.
pub(super) fn uuid(rng: &mut SplitMix64) -> String {
    // Version nibble 4 at the top of the third group, variant bits 10 at the top of the fourth.
    let high = (rng.next_u64() & !0xf000) | 0x4000;
    let low = (rng.next_u64() & !(0b11 << 62)) | (0b10 << 62);
    let mut out = String::with_capacity(36);
    for index in 0..32 {
        if matches!(index, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        let word = if index < 16 { high } else { low };
        let nibble = (word >> (60 - 4 * (index % 16))) & 0xf;
        out.push(char::from(HEX[nibble as usize]));
    }
    out
}

/// Days since 1970-01-01 of a calendar date.
pub(super) const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Count from March, so the leap day ends a year; eras of 400 years repeat exactly.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month as i64 + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The calendar date `days` after 1970-01-01.
pub(super) fn civil_from_days(days: i64) -> Civil {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    Civil {
        year: era * 400 + year_of_era + i64::from(month <= 2),
        month: month as u32,
        day: day as u32,
    }
}

/// `ms` since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the API's date format, with its date.
/// Years must be in `0..=9999`.
pub(super) fn timestamp(ms: i64) -> (String, Civil) {
    let date = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let in_day = ms.rem_euclid(MS_PER_DAY) as u64;
    let mut out = String::with_capacity(24);
    push_decimal(&mut out, date.year as u64, 4);
    out.push('-');
    push_decimal(&mut out, u64::from(date.month), 2);
    out.push('-');
    push_decimal(&mut out, u64::from(date.day), 2);
    out.push('T');
    push_decimal(&mut out, in_day / 3_600_000, 2);
    out.push(':');
    push_decimal(&mut out, in_day / 60_000 % 60, 2);
    out.push(':');
    push_decimal(&mut out, in_day / 1000 % 60, 2);
    out.push('.');
    push_decimal(&mut out, in_day % 1000, 3);
    out.push('Z');
    (out, date)
}

/// Whole years from `born` to `today`.
pub(super) fn age(born: Civil, today: Civil) -> i64 {
    let before_birthday = (today.month, today.day) < (born.month, born.day);
    today.year - born.year - i64::from(before_birthday)
}

/// Appends `date` as `DDMMYY`, the way Nordic and German ids embed a birth date.
pub(super) fn push_ddmmyy(out: &mut String, date: Civil) {
    push_decimal(out, u64::from(date.day), 2);
    push_decimal(out, u64::from(date.month), 2);
    push_decimal(out, date.year.rem_euclid(100) as u64, 2);
}

/// Appends `value` as two digits.
pub(super) fn push_two(out: &mut String, value: u64) {
    push_decimal(out, value, 2);
}

/// The e-mail form of a name, as the API derives it: lower case, spaces dropped, Latin accents
/// removed, and Persian letters spelled out the API's way (the alef dropped, `ع` as `aa`).
pub(super) fn email_part(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii() {
            if c != ' ' {
                out.push(c);
            }
        } else {
            out.push_str(ascii_of(c));
        }
    }
    out
}

/// The ASCII spelling of one lower-case non-ASCII letter; empty for marks and unknown letters.
fn ascii_of(c: char) -> &'static str {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' => "c",
        'ď' | 'đ' => "d",
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ĝ' => "g",
        'ì'..='ï' | 'ı' | 'ī' | 'į' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò'..='ö' | 'ø' | 'ő' | 'ō' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù'..='ü' | 'ů' | 'ű' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        'آ' => "a",
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ط' => "t",
        'ث' => "th",
        'ج' | 'ژ' => "j",
        'چ' => "ch",
        'ح' | 'ه' | 'ة' => "h",
        'خ' | 'ک' => "kh",
        'د' | 'ض' => "d",
        'ذ' | 'ز' | 'ظ' => "z",
        'ر' => "r",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'ع' => "aa",
        'غ' | 'ق' => "gh",
        'ف' => "f",
        'ك' => "k",
        'گ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' => "w",
        'ی' | 'ي' => "y",
        _ => "",
    }
}
