//! A small RFC 4180 reader for movies.csv: fields separated by commas, a field in double quotes may contain commas,
//! line breaks and doubled quotes (`""` is one `"`). CRLF or LF line ends. Blank lines are skipped.

/// One record: the 1-based line it starts on, and its fields.
pub(super) type Record = (usize, Vec<String>);

/// Parses the whole text; an error is (line, message).
pub(super) fn parse(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    while pos < bytes.len() {
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            let field;
            if bytes[pos] == b'"' {
                let (value, end, lines) = quoted_field(text, pos + 1).map_err(|message| (line, message))?;
                line += lines;
                pos = end;
                field = value;
                match bytes.get(pos) {
                    None | Some(b',') | Some(b'\n') => {}
                    Some(b'\r') if matches!(bytes.get(pos + 1), None | Some(b'\n')) => pos += 1,
                    Some(_) => {
                        let after: String = text[pos..].chars().take(20).collect();
                        return Err((line, format!("unexpected text '{after}' after a closing quote")));
                    }
                }
            } else {
                let end = memchr::memchr2(b',', b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
                let raw = &text[pos..end];
                field = raw.strip_suffix('\r').unwrap_or(raw).to_string();
                pos = end;
            }
            fields.push(field);
            match bytes.get(pos) {
                Some(b',') => pos += 1,
                Some(b'\n') => {
                    pos += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        if !blank {
            records.push((start_line, fields));
        }
    }
    Ok(records)
}

/// Reads a quoted field whose content starts at `start`; returns (value, position after the closing quote,
/// line breaks inside).
fn quoted_field(text: &str, start: usize) -> Result<(String, usize, usize), String> {
    let bytes = text.as_bytes();
    let mut value = String::new();
    let mut pos = start;
    let mut lines = 0;
    loop {
        let Some(i) = memchr::memchr(b'"', &bytes[pos..]) else {
            return Err("quoted field is never closed".to_string());
        };
        let chunk = &text[pos..pos + i];
        lines += chunk.matches('\n').count();
        value.push_str(chunk);
        pos += i + 1;
        if bytes.get(pos) == Some(&b'"') {
            value.push('"');
            pos += 1;
        } else {
            return Ok((value, pos, lines));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn fields(text: &str) -> Vec<(usize, Vec<String>)> {
        parse(text).unwrap()
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_line_breaks() {
        let text = "movieId,title,genres\r\n1,\"Misérables, Les (1995)\",Drama|War\r\n\r\n\
                    2,\"11'09\"\"01 - September 11 (2002)\",Drama\n3,\"Two\nlines\",\n4,Plain,Comedy";
        let records = fields(text);
        assert_eq!(records.len(), 5);
        assert_eq!(
            records[1],
            (2, vec!["1".into(), "Misérables, Les (1995)".into(), "Drama|War".into()])
        );
        assert_eq!(records[2].1[1], "11'09\"01 - September 11 (2002)");
        assert_eq!(records[2].0, 4);
        assert_eq!(records[3], (5, vec!["3".into(), "Two\nlines".into(), "".into()]));
        assert_eq!(records[4], (7, vec!["4".into(), "Plain".into(), "Comedy".into()]));
    }

    #[test]
    fn malformed_quoting_is_an_error_with_its_line() {
        assert_eq!(parse("a,b\n1,\"open,x\n2,y").unwrap_err().0, 2);
        let (line, message) = parse("a\n1,\"t\"x,g").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("after a closing quote"), "{message}");
    }
}
