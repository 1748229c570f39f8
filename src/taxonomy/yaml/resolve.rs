//! PyYAML's implicit resolution of plain scalars (YAML 1.1) and the construction
//! of tagged scalars, as `yaml.SafeLoader` does it.

use super::node::Value;
use super::repr::str_repr;

/// What a plain scalar resolves to before construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScalarKind {
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
    Merge,
    /// `=`, which PyYAML resolves to `tag:yaml.org,2002:value` and cannot construct.
    Value,
    Str,
    /// `!!binary`: base64 text.
    Binary,
}

/// Resolves an untagged plain scalar the way PyYAML's `Resolver` does.
pub(super) fn resolve_plain(text: &str) -> ScalarKind {
    let Some(first) = text.chars().next() else {
        return ScalarKind::Null;
    };
    match first {
        'y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' if is_bool(text) => {
            ScalarKind::Bool
        }
        '-' | '+' | '0'..='9' | '.' if is_float(text) => ScalarKind::Float,
        '-' | '+' | '0'..='9' if is_int(text) => ScalarKind::Int,
        '<' if text == "<<" => ScalarKind::Merge,
        '=' if text == "=" => ScalarKind::Value,
        '~' | 'n' | 'N' if matches!(text, "~" | "null" | "Null" | "NULL") => ScalarKind::Null,
        '0'..='9' if is_timestamp(text) => ScalarKind::Timestamp,
        _ => ScalarKind::Str,
    }
}

fn is_bool(text: &str) -> bool {
    matches!(
        text,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn strip_sign(text: &str) -> &str {
    text.strip_prefix(['-', '+']).unwrap_or(text)
}

fn all(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    text.bytes().all(allowed)
}

fn digit_or_underscore(b: u8) -> bool {
    b.is_ascii_digit() || b == b'_'
}

/// `:[0-5]?[0-9]` repeated one or more times, the sexagesimal tail.
fn is_sexagesimal_tail(text: &str) -> bool {
    let mut rest = text;
    let mut groups = 0;
    while let Some(after_colon) = rest.strip_prefix(':') {
        let digits = after_colon.bytes().take_while(u8::is_ascii_digit).count();
        let group = &after_colon[..digits];
        let ok = match group.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
        rest = &after_colon[digits..];
    }
    groups > 0 && rest.is_empty()
}

/// `[eE][-+][0-9]+`, PyYAML's exponent (the sign is mandatory).
fn is_exponent(text: &str) -> bool {
    let Some(rest) = text.strip_prefix(['e', 'E']) else {
        return false;
    };
    let Some(digits) = rest.strip_prefix(['-', '+']) else {
        return false;
    };
    !digits.is_empty() && all(digits, |b| b.is_ascii_digit())
}

fn is_float(text: &str) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = strip_sign(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    // \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?  (no sign allowed)
    if let Some(fraction) = text.strip_prefix('.') {
        let body_len = fraction
            .bytes()
            .take_while(|&b| digit_or_underscore(b))
            .count();
        return fraction.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && (body_len == fraction.len() || is_exponent(&fraction[body_len..]));
    }
    // [-+]?[0-9][0-9_]* then either \.[0-9_]*(exp)? or (:[0-5]?[0-9])+\.[0-9_]*
    if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let int_len = unsigned
        .bytes()
        .take_while(|&b| digit_or_underscore(b))
        .count();
    let rest = &unsigned[int_len..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let frac_len = fraction
            .bytes()
            .take_while(|&b| digit_or_underscore(b))
            .count();
        return frac_len == fraction.len() || is_exponent(&fraction[frac_len..]);
    }
    // The sexagesimal float: the integer part may not contain the tail itself.
    match rest.find('.') {
        Some(dot) => {
            is_sexagesimal_tail(&rest[..dot]) && all(&rest[dot + 1..], digit_or_underscore)
        }
        None => false,
    }
}

fn is_int(text: &str) -> bool {
    let unsigned = strip_sign(text);
    if let Some(bits) = unsigned.strip_prefix("0b") {
        return !bits.is_empty() && all(bits, |b| matches!(b, b'0' | b'1' | b'_'));
    }
    if let Some(hex) = unsigned.strip_prefix("0x") {
        return !hex.is_empty() && all(hex, |b| b.is_ascii_hexdigit() || b == b'_');
    }
    if unsigned == "0" {
        return true;
    }
    if let Some(octal) = unsigned.strip_prefix('0') {
        return !octal.is_empty() && all(octal, |b| matches!(b, b'0'..=b'7' | b'_'));
    }
    let bytes = unsigned.as_bytes();
    if !bytes.first().is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return false;
    }
    let int_len = unsigned
        .bytes()
        .take_while(|&b| digit_or_underscore(b))
        .count();
    let rest = &unsigned[int_len..];
    rest.is_empty() || is_sexagesimal_tail(rest)
}

fn take_digits(text: &str, min: usize, max: usize) -> Option<&str> {
    let n = text
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_digit)
        .count();
    (n >= min).then(|| &text[n..])
}

fn is_timestamp(text: &str) -> bool {
    timestamp_parts(text).is_some()
}

/// Splits a timestamp into (year, month, day, time) when it matches PyYAML's
/// timestamp pattern.
fn timestamp_parts(text: &str) -> Option<(u32, u32, u32, bool)> {
    let b = text.as_bytes();
    let field = |s: &str| s.parse::<u32>().ok();
    // Date only: exactly YYYY-MM-DD.
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if digits(0..4) && digits(5..7) && digits(8..10) {
            return Some((
                field(&text[0..4])?,
                field(&text[5..7])?,
                field(&text[8..10])?,
                false,
            ));
        }
    }
    // YYYY-M?M-D?D (T|[ \t]+) H?H:MM:SS(.frac)? ([ \t]*(Z|[-+]H?H(:MM)?))?
    let rest = take_digits(text, 4, 4)?;
    let year = field(&text[..4])?;
    let rest = rest.strip_prefix('-')?;
    let after_month = take_digits(rest, 1, 2)?;
    let month = field(&rest[..rest.len() - after_month.len()])?;
    let rest = after_month.strip_prefix('-')?;
    let after_day = take_digits(rest, 1, 2)?;
    let day = field(&rest[..rest.len() - after_day.len()])?;
    let rest = match after_day.strip_prefix(['T', 't']) {
        Some(r) => r,
        None => {
            let trimmed = after_day.trim_start_matches([' ', '\t']);
            if trimmed.len() == after_day.len() {
                return None;
            }
            trimmed
        }
    };
    let rest = take_digits(rest, 1, 2)?.strip_prefix(':')?;
    let rest = take_digits(rest, 2, 2)?.strip_prefix(':')?;
    let mut rest = take_digits(rest, 2, 2)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let zone = rest.trim_start_matches([' ', '\t']);
    let zone_ok =
        if zone.len() == rest.len() && !rest.is_empty() && !rest.starts_with(['Z', '-', '+']) {
            false
        } else if zone.is_empty() {
            rest.is_empty()
        } else if zone == "Z" {
            true
        } else if let Some(offset) = zone.strip_prefix(['-', '+']) {
            take_digits(offset, 1, 2).is_some_and(|tail| {
                tail.is_empty()
                    || tail
                        .strip_prefix(':')
                        .and_then(|m| take_digits(m, 2, 2))
                        .is_some_and(str::is_empty)
            })
        } else {
            false
        };
    zone_ok.then_some((year, month, day, true))
}

/// The prefix of the tags of YAML's core types (`!!str` is `tag:yaml.org,2002:str`).
pub(super) const CORE_TAG: &str = "tag:yaml.org,2002:";

/// Why a tag has no constructor for a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagProblem {
    /// A collection's tag on a scalar (`expected a ... node`).
    Collection(&'static str),
    /// A tag `SafeConstructor` does not know.
    Unknown(String),
}

impl TagProblem {
    /// The message for a node of kind `node` (`scalar`, `mapping`, `sequence`).
    pub(super) fn for_node(&self, node: &str) -> String {
        match self {
            Self::Collection(expected) => format!("expected {expected}, but found {node}"),
            Self::Unknown(tag) => format!(
                "could not determine a constructor for the tag {}",
                str_repr(tag)
            ),
        }
    }
}

/// The scalar kind an explicit tag asks for.
pub(super) fn tagged_kind(tag: &str) -> Result<ScalarKind, TagProblem> {
    let unknown = || TagProblem::Unknown(tag.to_owned());
    Ok(match tag.strip_prefix(CORE_TAG).ok_or_else(unknown)? {
        "str" => ScalarKind::Str,
        "binary" => ScalarKind::Binary,
        "int" => ScalarKind::Int,
        "float" => ScalarKind::Float,
        "bool" => ScalarKind::Bool,
        "null" => ScalarKind::Null,
        "timestamp" => ScalarKind::Timestamp,
        "merge" => ScalarKind::Merge,
        "map" | "set" => return Err(TagProblem::Collection("a mapping node")),
        "seq" => return Err(TagProblem::Collection("a sequence node")),
        "omap" | "pairs" => return Err(TagProblem::Collection("a sequence")),
        _ => return Err(unknown()),
    })
}

/// Why a scalar could not be constructed (PyYAML would raise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConstructError(pub String);

/// Constructs the value of a scalar of `kind` from its text, as `SafeConstructor` does.
pub(super) fn construct(kind: ScalarKind, text: &str) -> Result<Value, ConstructError> {
    match kind {
        ScalarKind::Null => Ok(Value::Null),
        ScalarKind::Bool => match text.to_ascii_lowercase().as_str() {
            "yes" | "true" | "on" => Ok(Value::Bool(true)),
            "no" | "false" | "off" => Ok(Value::Bool(false)),
            _ => Err(ConstructError(format!("invalid boolean value '{text}'"))),
        },
        ScalarKind::Int => construct_int(text),
        ScalarKind::Float => construct_float(text),
        ScalarKind::Timestamp => construct_timestamp(text),
        ScalarKind::Value => Err(ConstructError(
            "could not determine a constructor for the tag 'tag:yaml.org,2002:value'".into(),
        )),
        ScalarKind::Merge | ScalarKind::Str => Ok(Value::Str(text.to_owned())),
        ScalarKind::Binary => check_base64(text)
            .map(|()| Value::Binary(text.to_owned()))
            .map_err(ConstructError),
    }
}

/// Python's `base64.decodebytes` on `!!binary` text (CPython's non-strict
/// `a2b_base64`: characters outside the alphabet are skipped, the input ends at a
/// complete padding).
fn check_base64(text: &str) -> Result<(), String> {
    if !text.is_ascii() {
        return Err("failed to convert base64 data into ascii characters".into());
    }
    let mut quad = 0usize;
    let mut pads = 0usize;
    let mut data = 0usize;
    for b in text.bytes() {
        if b == b'=' {
            if quad >= 2 {
                pads += 1;
                if quad + pads >= 4 {
                    return Ok(());
                }
            }
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/') {
            continue;
        }
        pads = 0;
        data += 1;
        quad = (quad + 1) % 4;
    }
    match quad {
        0 => Ok(()),
        1 => Err(format!(
            "failed to decode base64 data: Invalid base64-encoded string: number of data \
             characters ({data}) cannot be 1 more than a multiple of 4"
        )),
        _ => Err("failed to decode base64 data: Incorrect padding".into()),
    }
}

fn construct_int(text: &str) -> Result<Value, ConstructError> {
    let invalid = || ConstructError(format!("invalid literal for int(): '{text}'"));
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, digits) = match cleaned.as_bytes().first() {
        Some(b'-') => (true, &cleaned[1..]),
        Some(b'+') => (false, &cleaned[1..]),
        _ => (false, cleaned.as_str()),
    };
    // Each digit in its radix, most significant first; a sexagesimal part
    // (`1:30`) is one digit of radix 60.
    let (radix, places): (u32, Vec<u32>) = if digits == "0" {
        (10, vec![0])
    } else if let Some(bits) = digits.strip_prefix("0b") {
        (2, radix_digits(bits, 2).ok_or_else(invalid)?)
    } else if let Some(hex) = digits.strip_prefix("0x") {
        (16, radix_digits(hex, 16).ok_or_else(invalid)?)
    } else if digits.starts_with('0') {
        (8, radix_digits(digits, 8).ok_or_else(invalid)?)
    } else if let Some((first, rest)) = digits.split_once(':') {
        // Only the first part may be larger than 59 (the resolver's pattern).
        let mut places = Vec::new();
        for part in rest.split(':') {
            places.push(part.parse::<u32>().map_err(|_| invalid())?);
        }
        if let Some(error) = too_many_digits(first.len(), places.len(), 60) {
            return Err(error);
        }
        let value = Magnitude::from_places(&radix_digits(first, 10).ok_or_else(invalid)?, 10);
        return Ok(value.times_and_plus(60, &places).into_value(negative));
    } else {
        (10, radix_digits(digits, 10).ok_or_else(invalid)?)
    };
    if let Some(error) = too_many_digits(0, places.len(), radix) {
        return Err(error);
    }
    Ok(Magnitude::from_places(&places, radix).into_value(negative))
}

/// Python's limit on the decimal digits of an integer it converts from or to a
/// string (`sys.get_int_max_str_digits()`); it also keeps the conversion here,
/// quadratic in the digits, short.
const MAX_INT_DIGITS: usize = 4300;

/// The digits of `text` in `radix`, most significant first.
fn radix_digits(text: &str, radix: u32) -> Option<Vec<u32>> {
    if text.is_empty() {
        return None;
    }
    text.chars().map(|c| c.to_digit(radix)).collect()
}

/// Python's error for an integer of more than [`MAX_INT_DIGITS`] decimal digits,
/// written with `places` digits of `radix` after `decimal` decimal ones.
fn too_many_digits(decimal: usize, places: usize, radix: u32) -> Option<ConstructError> {
    let decimal_digits = decimal + (places as f64 * f64::from(radix).log10()).ceil() as usize;
    (decimal_digits > MAX_INT_DIGITS).then(|| {
        ConstructError(format!(
            "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: value \
             has {decimal_digits} digits; use sys.set_int_max_str_digits() to increase the limit"
        ))
    })
}

/// An integer's magnitude of any size, in base 10^9 limbs, least significant first.
struct Magnitude(Vec<u32>);

impl Magnitude {
    const LIMB: u64 = 1_000_000_000;

    fn from_places(places: &[u32], radix: u32) -> Self {
        Magnitude(vec![0]).times_and_plus(radix, places)
    }

    /// For each of `places` in turn: times `radix`, plus the place.
    fn times_and_plus(mut self, radix: u32, places: &[u32]) -> Self {
        for &place in places {
            let mut carry = u64::from(place);
            for limb in &mut self.0 {
                let next = u64::from(*limb) * u64::from(radix) + carry;
                *limb = (next % Self::LIMB) as u32;
                carry = next / Self::LIMB;
            }
            while carry > 0 {
                self.0.push((carry % Self::LIMB) as u32);
                carry /= Self::LIMB;
            }
        }
        self
    }

    /// The integer with this magnitude: an `Int` when it fits in 128 bits, else a
    /// `BigInt` in decimal.
    fn into_value(self, negative: bool) -> Value {
        let small = self.0.iter().rev().try_fold(0i128, |acc, &limb| {
            acc.checked_mul(Self::LIMB as i128)?
                .checked_add(i128::from(limb))
        });
        if let Some(small) = small {
            return Value::Int(if negative { -small } else { small });
        }
        let mut decimal = String::from(if negative { "-" } else { "" });
        let mut limbs = self.0.iter().rev();
        if let Some(top) = limbs.next() {
            decimal.push_str(&top.to_string());
        }
        for limb in limbs {
            decimal.push_str(&format!("{limb:09}"));
        }
        Value::BigInt(decimal)
    }
}

fn construct_float(text: &str) -> Result<Value, ConstructError> {
    let cleaned: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let (sign, body) = match cleaned.as_bytes().first() {
        Some(b'-') => (-1.0, &cleaned[1..]),
        Some(b'+') => (1.0, &cleaned[1..]),
        _ => (1.0, cleaned.as_str()),
    };
    let value = if body == ".inf" {
        f64::INFINITY
    } else if body == ".nan" {
        return Ok(Value::Float(f64::NAN));
    } else if body.contains(':') {
        body.split(':')
            .map(|part| part.parse::<f64>().ok())
            .try_fold(0.0, |acc, part| part.map(|p| acc * 60.0 + p))
            .ok_or_else(|| ConstructError(format!("could not convert string to float: '{text}'")))?
    } else {
        body.parse::<f64>()
            .map_err(|_| ConstructError(format!("could not convert string to float: '{text}'")))?
    };
    Ok(Value::Float(sign * value))
}

fn construct_timestamp(text: &str) -> Result<Value, ConstructError> {
    let (year, month, day, _) = timestamp_parts(text)
        .ok_or_else(|| ConstructError(format!("invalid timestamp '{text}'")))?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if year == 0 || day == 0 || day > days_in_month {
        return Err(ConstructError(format!(
            "{} is out of range for a date: '{text}'",
            if days_in_month == 0 { "month" } else { "day" }
        )));
    }
    Ok(Value::Timestamp(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expectations checked against PyYAML 6.0.3: `yaml.safe_load("v: <text>")`.
    #[test]
    fn resolves_like_pyyaml() {
        let cases = [
            ("", ScalarKind::Null),
            ("~", ScalarKind::Null),
            ("null", ScalarKind::Null),
            ("Null", ScalarKind::Null),
            ("nULL", ScalarKind::Str),
            ("yes", ScalarKind::Bool),
            ("No", ScalarKind::Bool),
            ("ON", ScalarKind::Bool),
            ("tRue", ScalarKind::Str),
            ("y", ScalarKind::Str),
            ("n", ScalarKind::Str),
            ("0777", ScalarKind::Int),
            ("0x1F", ScalarKind::Int),
            ("0b101", ScalarKind::Int),
            ("1_000", ScalarKind::Int),
            ("1:30", ScalarKind::Int),
            ("+12", ScalarKind::Int),
            ("-0", ScalarKind::Int),
            ("09", ScalarKind::Str),
            ("1e3", ScalarKind::Str),
            ("1.0e+3", ScalarKind::Float),
            ("1.5", ScalarKind::Float),
            ("1.", ScalarKind::Float),
            (".5", ScalarKind::Float),
            ("-.5", ScalarKind::Str),
            (".inf", ScalarKind::Float),
            ("-.Inf", ScalarKind::Float),
            (".NaN", ScalarKind::Float),
            ("-.nan", ScalarKind::Str),
            ("1:30.5", ScalarKind::Float),
            ("2024-01-31", ScalarKind::Timestamp),
            ("2024-1-3 10:00:00", ScalarKind::Timestamp),
            ("2001-12-14t21:59:43.10-05:00", ScalarKind::Timestamp),
            ("2001-12-14 21:59:43.10 Z", ScalarKind::Timestamp),
            ("2024-1-3", ScalarKind::Str),
            ("<<", ScalarKind::Merge),
            ("hello", ScalarKind::Str),
            ("3 apples", ScalarKind::Str),
        ];
        for (text, kind) in cases {
            assert_eq!(resolve_plain(text), kind, "{text:?}");
        }
    }

    #[test]
    fn constructs_numbers_like_pyyaml() {
        assert_eq!(construct(ScalarKind::Int, "0777"), Ok(Value::Int(511)));
        assert_eq!(construct(ScalarKind::Int, "-0x1F"), Ok(Value::Int(-31)));
        assert_eq!(construct(ScalarKind::Int, "1:30"), Ok(Value::Int(90)));
        assert_eq!(construct(ScalarKind::Int, "1_000"), Ok(Value::Int(1000)));
        assert!(construct(ScalarKind::Int, "0b_").is_err());
    }

    #[test]
    fn integers_beyond_128_bits_are_read_as_python_reads_them() {
        let big = |text: &str| construct(ScalarKind::Int, text);
        let digits = |d: &str| Ok(Value::BigInt(d.to_owned()));
        assert_eq!(
            big("1234567890123456789012345678901234567890123"),
            digits("1234567890123456789012345678901234567890123")
        );
        assert_eq!(
            big("-0x1234567890123456789012345678901234567890"),
            digits("-103929005307130220006098923584552504982110632080")
        );
        assert_eq!(
            big(&format!("0{}", "7".repeat(50))),
            digits("1427247692705959881058285969449495136382746623")
        );
        assert_eq!(
            big("170141183460469231731687303715884105727:59"),
            digits("10208471007628153903901238222953046343679")
        );
        assert_eq!(
            big("170141183460469231731687303715884105728"),
            digits("170141183460469231731687303715884105728")
        );
        assert_eq!(
            big("170141183460469231731687303715884105727"),
            Ok(Value::Int(i128::MAX))
        );
        // Python refuses more than 4,300 decimal digits, which also keeps the
        // conversion (quadratic in the digits) short.
        let error = big(&"9".repeat(4301)).unwrap_err();
        assert!(
            error.0.contains("Exceeds the limit (4300 digits)"),
            "{error:?}"
        );
        assert!(big(&"9".repeat(4300)).is_ok());
        assert_eq!(
            construct(ScalarKind::Float, "1:30.5"),
            Ok(Value::Float(90.5))
        );
        assert_eq!(
            construct(ScalarKind::Float, "-.inf"),
            Ok(Value::Float(f64::NEG_INFINITY))
        );
        assert!(construct(ScalarKind::Timestamp, "2024-02-30").is_err());
        assert!(construct(ScalarKind::Timestamp, "2024-02-29").is_ok());
    }
}
