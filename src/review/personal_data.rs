//! Likely personal data in a leaf's texts: e-mail addresses and phone numbers, found by
//! regular expressions. A heuristic for the reviewer, not a guarantee either way.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// Where a text sits in a leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The example's 0-based index, or `None` for a leaf-level field.
    #[serde(rename = "example_index")]
    pub example: Option<usize>,
    /// The field, named as in the leaf file (`answer`, `questions_and_answers[2].question`,
    /// `document_outline`).
    pub field: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.example {
            Some(index) => write!(f, "example {}, {}", index + 1, self.field),
            None => f.write_str(&self.field),
        }
    }
}

/// A text to scan and where it is.
#[derive(Debug, Clone)]
pub struct Scanned<'a> {
    /// The example it belongs to, 0-based; `None` for a leaf-level field.
    pub example: Option<usize>,
    /// The field's name.
    pub field: String,
    /// The text.
    pub text: &'a str,
}

impl Scanned<'_> {
    /// Its place.
    pub fn place(&self) -> Place {
        Place {
            example: self.example,
            field: self.field.clone(),
        }
    }
}

/// What kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalDataKind {
    /// An e-mail address outside the domains reserved for examples.
    Email,
    /// A phone number: 9 to 15 digits grouped as phone numbers are written.
    Phone,
}

impl PersonalDataKind {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "e-mail address",
            Self::Phone => "phone number",
        }
    }
}

/// One likely piece of personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonalData {
    /// What it looks like.
    pub kind: PersonalDataKind,
    /// Where it is.
    pub place: Place,
    /// The text that matched.
    pub matched: String,
}

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})").ok()
});

/// An optional `+country` code, an area code (in parentheses or followed by a
/// separator), then two groups of three or four digits; not glued to a word.
static PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\w+])((?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]?\d{3,4})\b",
    )
    .ok()
});

/// Domains that cannot belong to anyone (RFC 2606, RFC 6761).
fn is_reserved_domain(domain: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        || [".example", ".invalid", ".test", ".localhost"]
            .iter()
            .any(|tld| domain.ends_with(tld))
}

/// The likely personal data in `texts`, in order.
pub fn find_personal_data(texts: &[Scanned<'_>]) -> Vec<PersonalData> {
    let mut found = Vec::new();
    for scanned in texts {
        if let Some(email) = EMAIL.as_ref() {
            for caps in email.captures_iter(scanned.text) {
                let reserved = caps.get(1).is_some_and(|d| is_reserved_domain(d.as_str()));
                if let (Some(all), false) = (caps.get(0), reserved) {
                    found.push(PersonalData {
                        kind: PersonalDataKind::Email,
                        place: scanned.place(),
                        matched: all.as_str().to_owned(),
                    });
                }
            }
        }
        if let Some(phone) = PHONE.as_ref() {
            for number in phone.captures_iter(scanned.text).filter_map(|c| c.get(1)) {
                let digits = number.as_str().chars().filter(char::is_ascii_digit).count();
                if (9..=15).contains(&digits) {
                    found.push(PersonalData {
                        kind: PersonalDataKind::Phone,
                        place: scanned.place(),
                        matched: number.as_str().to_owned(),
                    });
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<(PersonalDataKind, String)> {
        let texts = [Scanned {
            example: Some(2),
            field: "answer".into(),
            text,
        }];
        find_personal_data(&texts)
            .into_iter()
            .map(|d| (d.kind, d.matched))
            .collect()
    }

    #[test]
    fn patterns_compile() {
        assert!(EMAIL.is_some() && PHONE.is_some());
    }

    #[test]
    fn finds_emails_but_not_reserved_ones() {
        assert_eq!(
            scan("Write to jane.doe@gmail.com or bo@example.com, or ops@mail.example.org."),
            [(PersonalDataKind::Email, "jane.doe@gmail.com".to_owned())]
        );
    }

    #[test]
    fn finds_phone_numbers_in_common_shapes() {
        for number in [
            "+1 415 555 2671",
            "(415) 555-2671",
            "415-555-2671",
            "+44 20 7946 0958",
            "020 7946 0958",
            "415.555.2671",
        ] {
            assert_eq!(
                scan(&format!("Call {number} today.")),
                [(PersonalDataKind::Phone, number.to_owned())],
                "{number}"
            );
        }
    }

    #[test]
    fn leaves_dates_amounts_and_short_numbers_alone() {
        for text in [
            "On 2024-03-12 at 10:30 the ticket TKT-20240312 was opened.",
            "It costs 12 345 678 yen.",
            "Dial 555-2671.",
            "Pi is 3.14159265358979.",
            "Order v1.2.3 of 10 000 units.",
        ] {
            assert_eq!(scan(text), [], "{text}");
        }
    }

    #[test]
    fn names_the_example_and_field() {
        let found = find_personal_data(&[Scanned {
            example: Some(0),
            field: "questions_and_answers[2].answer".into(),
            text: "mail ana@corp.io",
        }]);
        assert_eq!(
            found[0].place.to_string(),
            "example 1, questions_and_answers[2].answer"
        );
    }
}
