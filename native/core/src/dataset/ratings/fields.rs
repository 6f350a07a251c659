//! One ratings line to one record, straight from bytes: no String per line, no float parsing.
//!
//! A rating is kept as a count of half stars (1..=10), which makes "a multiple of 0.5" and the range check exact
//! and lets records stay 12 bytes.

use crate::dataset::layout::{show, RatingsLayout};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    pub user: u32,
    pub movie: u32,
    /// Rating times two: 1 is 0.5 stars, 10 is 5 stars.
    pub half_stars: u8,
}

/// Parses one line (without its line ending). The error is the message for `CoreError::Parse`.
pub(crate) fn parse_line(line: &[u8], layout: RatingsLayout) -> Result<Record, String> {
    parse_fields(line, layout).map_err(|message| match std::str::from_utf8(line) {
        Ok(_) => message,
        Err(_) => format!("{message} (the line is not valid UTF-8)"),
    })
}

fn parse_fields(line: &[u8], layout: RatingsLayout) -> Result<Record, String> {
    let mut fields: [&[u8]; 4] = [&[]; 4];
    let count = split_fields(line, layout, &mut fields);
    if !(3..=4).contains(&count) {
        let sep = match layout {
            RatingsLayout::DoubleColon => "'::'",
            RatingsLayout::Tab => "tabs",
            RatingsLayout::CsvHeader => "','",
        };
        return Err(format!(
            "expected 3 or 4 fields separated by {sep}, found {count} in '{}'",
            show(line)
        ));
    }
    let user = parse_id(fields[0], "user id")?;
    let movie = parse_id(fields[1], "movie id")?;
    let half_stars = parse_half_stars(fields[2])?;
    if count == 4 {
        check_timestamp(fields[3])?;
    }
    Ok(Record {
        user,
        movie,
        half_stars,
    })
}

/// Fills `out` with up to 4 fields and returns how many fields the line has in total.
fn split_fields<'a>(line: &'a [u8], layout: RatingsLayout, out: &mut [&'a [u8]; 4]) -> usize {
    let mut count = 0;
    let mut rest = line;
    loop {
        let (field, next) = match layout {
            RatingsLayout::DoubleColon => match find_double_colon(rest) {
                Some(i) => (&rest[..i], Some(&rest[i + 2..])),
                None => (rest, None),
            },
            RatingsLayout::Tab | RatingsLayout::CsvHeader => {
                let sep = if layout == RatingsLayout::Tab { b'\t' } else { b',' };
                match memchr::memchr(sep, rest) {
                    Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                    None => (rest, None),
                }
            }
        };
        if count < out.len() {
            out[count] = field;
        }
        count += 1;
        match next {
            Some(next) => rest = next,
            None => return count,
        }
    }
}

fn find_double_colon(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b':', &bytes[from..]) {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b':') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A positive id that fits a u32 (MovieLens ids start at 1).
pub(crate) fn parse_id(field: &[u8], what: &str) -> Result<u32, String> {
    if field.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if !field.iter().all(u8::is_ascii_digit) {
        return Err(format!("{what} '{}' is not a positive integer", show(field)));
    }
    let significant = &field[field.iter().take_while(|&&b| b == b'0').count()..];
    if significant.is_empty() {
        return Err(format!("{what} 0 is not valid (ids start at 1)"));
    }
    // Ten digits can still overflow u32, but not u64.
    if significant.len() <= 10 {
        let value = significant.iter().fold(0u64, |v, &b| v * 10 + u64::from(b - b'0'));
        if let Ok(id) = u32::try_from(value) {
            return Ok(id);
        }
    }
    Err(format!(
        "{what} {} is too large (at most {})",
        show(significant),
        u32::MAX
    ))
}

/// A decimal rating in [0.5, 5.0] that is a multiple of 0.5, as half stars.
fn parse_half_stars(field: &[u8]) -> Result<u8, String> {
    if field.is_empty() {
        return Err("rating is empty".to_string());
    }
    let (negative, unsigned) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    let (whole, fraction) = match memchr::memchr(b'.', unsigned) {
        Some(i) => (&unsigned[..i], &unsigned[i + 1..]),
        None => (unsigned, &[][..]),
    };
    let is_number = (!whole.is_empty() || !fraction.is_empty())
        && whole.iter().all(u8::is_ascii_digit)
        && fraction.iter().all(u8::is_ascii_digit);
    if !is_number {
        return Err(format!("rating '{}' is not a number", show(field)));
    }
    let out_of_range = || format!("rating {} is outside [0.5, 5.0]", show(field));
    let whole = &whole[whole.iter().take_while(|&&b| b == b'0').count()..];
    if negative || whole.len() > 1 {
        // Any non-zero negative or two-digit value is out of range; "-0" is zero, also out of range.
        return Err(out_of_range());
    }
    let whole_value = whole.first().map_or(0, |&b| b - b'0');
    let first_decimal = fraction.first().map_or(0, |&b| b - b'0');
    let rest_is_zero = fraction.iter().skip(1).all(|&b| b == b'0');
    let half = match (first_decimal, rest_is_zero) {
        (0, true) => 0,
        (5, true) => 1,
        _ => {
            // Values like 7.3 are reported as out of range first; the step only matters inside the range.
            if whole_value >= 5 {
                return Err(out_of_range());
            }
            return Err(format!("rating {} is not a multiple of 0.5", show(field)));
        }
    };
    let half_stars = whole_value * 2 + half;
    if !(1..=10).contains(&half_stars) {
        return Err(out_of_range());
    }
    Ok(half_stars)
}

/// Timestamps are not used, but a malformed one means a malformed line.
fn check_timestamp(field: &[u8]) -> Result<(), String> {
    let digits = field.strip_prefix(b"-").unwrap_or(field);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        if field.is_empty() {
            return Err("timestamp is empty".to_string());
        }
        return Err(format!("timestamp '{}' is not an integer", show(field)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(s: &str) -> Result<u8, String> {
        parse_half_stars(s.as_bytes())
    }

    #[test]
    fn ratings_parse_exactly_as_half_stars() {
        assert_eq!(rating("4"), Ok(8));
        assert_eq!(rating("4.0"), Ok(8));
        assert_eq!(rating("3.5"), Ok(7));
        assert_eq!(rating("0.5"), Ok(1));
        assert_eq!(rating(".5"), Ok(1));
        assert_eq!(rating("5.000"), Ok(10));
        assert_eq!(rating("05"), Ok(10));
        assert!(rating("5.5").unwrap_err().contains("outside"));
        assert!(rating("0").unwrap_err().contains("outside"));
        assert!(rating("-1").unwrap_err().contains("outside"));
        assert!(rating("10").unwrap_err().contains("outside"));
        assert!(rating("99999999999999999999").unwrap_err().contains("outside"));
        assert!(rating("7.3").unwrap_err().contains("outside"));
        assert!(rating("3.7").unwrap_err().contains("multiple of 0.5"));
        assert!(rating("3.55").unwrap_err().contains("multiple of 0.5"));
        assert!(rating("four").unwrap_err().contains("not a number"));
        assert!(rating(".").unwrap_err().contains("not a number"));
        assert!(rating("4e0").unwrap_err().contains("not a number"));
        assert_eq!(rating(""), Err("rating is empty".to_string()));
    }

    #[test]
    fn ids_must_be_positive_u32() {
        assert_eq!(parse_id(b"42", "user id"), Ok(42));
        assert_eq!(parse_id(b"007", "user id"), Ok(7));
        assert_eq!(parse_id(b"4294967295", "user id"), Ok(u32::MAX));
        assert!(parse_id(b"4294967296", "user id").unwrap_err().contains("too large"));
        assert!(parse_id(b"123456789012345678901234", "user id")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_id(b"0", "user id").unwrap_err().contains("ids start at 1"));
        assert!(parse_id(b"-3", "user id")
            .unwrap_err()
            .contains("not a positive integer"));
        assert!(parse_id(b"", "movie id").unwrap_err().contains("movie id is empty"));
    }

    #[test]
    fn lines_split_by_layout() {
        let r = Record {
            user: 1,
            movie: 2,
            half_stars: 7,
        };
        assert_eq!(parse_line(b"1::2::3.5", RatingsLayout::DoubleColon), Ok(r));
        assert_eq!(parse_line(b"1::2::3.5::978300760", RatingsLayout::DoubleColon), Ok(r));
        assert_eq!(parse_line(b"1\t2\t3.5\t0", RatingsLayout::Tab), Ok(r));
        assert_eq!(parse_line(b"1,2,3.5", RatingsLayout::CsvHeader), Ok(r));
        let five = parse_line(b"1::2::3::4::5", RatingsLayout::DoubleColon).unwrap_err();
        assert!(five.contains("found 5"), "{five}");
        let two = parse_line(b"1,2", RatingsLayout::CsvHeader).unwrap_err();
        assert!(two.contains("found 2"), "{two}");
        let colon = parse_line(b"1:2::3::4", RatingsLayout::DoubleColon).unwrap_err();
        assert!(colon.contains("user id '1:2'"), "{colon}");
        let latin1 = parse_line(b"1::2::\xe9", RatingsLayout::DoubleColon).unwrap_err();
        assert!(latin1.contains("not valid UTF-8"), "{latin1}");
        let stamp = parse_line(b"1,2,3,", RatingsLayout::CsvHeader).unwrap_err();
        assert_eq!(stamp, "timestamp is empty");
    }
}
