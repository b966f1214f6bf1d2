//! A small RFC 4180 reader: comma-separated fields, double-quoted fields holding commas, line
//! breaks and doubled quotes (`""`), LF or CRLF line ends, an optional UTF-8 byte order
//! mark. Each record remembers the line it starts on, for error reports.

/// One record and the (1-based) line of the file it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// A file that cannot be read as CSV at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads every record. Blank lines are skipped. A quote inside an unquoted field is kept as
/// it is; text after a closing quote, or a quoted field left open at the end, is an error.
pub fn parse(text: &str) -> Result<Vec<Record>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    let mut start_line = 1usize;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    // A field that was quoted and closed: only a separator or line end may follow.
    let mut closed = false;
    let mut at_field_start = true;

    let end_record = |fields: &mut Vec<String>, out: &mut Vec<Record>, start: usize| {
        let rec = std::mem::take(fields);
        if !(rec.len() == 1 && rec[0].is_empty()) {
            out.push(Record {
                line: start,
                fields: rec,
            });
        }
    };

    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    quoted = false;
                    closed = true;
                }
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                '\r' if chars.peek() == Some(&'\n') => {
                    // CRLF inside a quoted field is one line break.
                }
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                closed = false;
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                fields.push(std::mem::take(&mut field));
                end_record(&mut fields, &mut out, start_line);
                line += 1;
                start_line = line;
                closed = false;
                at_field_start = true;
            }
            other if closed => {
                return Err(CsvError {
                    line,
                    message: format!("unexpected {other:?} after a closing quote"),
                });
            }
            other => {
                field.push(other);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(CsvError {
            line: start_line,
            message: "a quoted field is not closed".into(),
        });
    }
    if !fields.is_empty() || !field.is_empty() || closed {
        fields.push(field);
        end_record(&mut fields, &mut out, start_line);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        parse(text).unwrap().into_iter().map(|r| r.fields).collect()
    }

    #[test]
    fn plain_records_with_lf_and_crlf() {
        assert_eq!(
            fields("a,b,c\n1,2,3\n"),
            vec![vec!["a", "b", "c"], vec!["1", "2", "3"]]
        );
        assert_eq!(
            fields("a,b\r\n1,2\r\n"),
            vec![vec!["a", "b"], vec!["1", "2"]]
        );
        assert_eq!(fields("a,b\n1,2"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(fields("a,,\n"), vec![vec!["a", "", ""]]);
    }

    #[test]
    fn quotes_commas_escaped_quotes_and_newlines() {
        let text = "name,note\r\n\"Smith, John\",\"said \"\"hi\"\"\"\r\n\"multi\r\nline\",x\r\n";
        let recs = parse(text).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].fields, vec!["Smith, John", "said \"hi\""]);
        assert_eq!(recs[2].fields, vec!["multi\nline", "x"]);
        assert_eq!(
            recs.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let after = parse("a\n\"x\ny\"\nb\n").unwrap();
        assert_eq!(after[2].line, 4, "a record after a two-line field");
        assert_eq!(fields("\"\",\"\"\n"), vec![vec!["", ""]]);
    }

    #[test]
    fn bom_blank_lines_and_errors() {
        assert_eq!(
            fields("\u{feff}a,b\n\n1,2\n"),
            vec![vec!["a", "b"], vec!["1", "2"]]
        );
        let recs = parse("a\n\nb\n").unwrap();
        assert_eq!(recs[1].line, 3);
        assert_eq!(parse("a,\"open\n").unwrap_err().line, 1);
        assert!(parse("\"x\"y,z\n").is_err());
        assert_eq!(fields("it's,5\" tall\n"), vec![vec!["it's", "5\" tall"]]);
    }
}
