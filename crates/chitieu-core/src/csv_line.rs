//! The line a CSV record starts on, as a text editor numbers it.
//!
//! Every CSV error chitieu reports names the file, the line, the column and the reason. The
//! `csv` crate's own line count (`Position::line`, and the "line" inside its error messages)
//! cannot be used for that: with Windows line ends (CRLF) it lags one line behind from the
//! second record on, it does not count the blank lines and comment lines it skips before a
//! record, and it is off again after a quoted field with line breaks inside. Its byte offset is
//! exact, but it points just past the previous record, so it may point at line ends, blank
//! lines or comment lines that come before the record itself.
//!
//! [`CsvLines`] turns that byte offset into the 1-based line the record's first character is
//! on: it skips what the reader skips at the start of a record (line ends, and comment lines
//! when the reader has a comment character), then counts the line breaks before it. A line
//! break is `\n`, `\r\n` or a lone `\r`. A record whose quoted field runs over several lines is
//! named by the line it starts on; the records after it by their own lines. Counting goes on
//! from the previous record, so reading a whole file costs one pass over it.
//!
//! [`reason`] words a `csv` error without the crate's own (wrong) line numbers, so the caller
//! can put its own location in front.

/// Finds the lines of the records of one CSV text, in any order (fastest in file order).
#[derive(Debug, Clone)]
pub struct CsvLines<'a> {
    text: &'a [u8],
    comment: Option<u8>,
    /// The byte up to which line breaks are counted …
    at: usize,
    /// … and how many there are before it.
    breaks: u64,
}

impl<'a> CsvLines<'a> {
    /// Lines of `text`, the bytes given to the CSV reader (after any byte-order mark the
    /// caller removed: offsets count from the start of what the reader read).
    pub fn new(text: &'a (impl AsRef<[u8]> + ?Sized)) -> CsvLines<'a> {
        CsvLines {
            text: text.as_ref(),
            comment: None,
            at: 0,
            breaks: 0,
        }
    }

    /// For a reader built with `.comment(Some(c))`: lines starting with `c` before a record
    /// are skipped as the reader skips them.
    pub fn with_comment(mut self, comment: u8) -> CsvLines<'a> {
        self.comment = Some(comment);
        self
    }

    /// The 1-based line of the record whose position the reader gave at byte offset `byte`.
    pub fn at_byte(&mut self, byte: u64) -> u64 {
        let start = record_start(self.text, byte, self.comment);
        if start < self.at {
            self.at = 0;
            self.breaks = 0;
        }
        self.breaks += count_breaks(self.text, self.at, start);
        self.at = start;
        self.breaks + 1
    }

    /// The line of a record (or of an error) from the position the reader gave it. A reader
    /// gives every record it read a position; without one this is line 1.
    pub fn at(&mut self, position: Option<&csv::Position>) -> u64 {
        self.at_byte(position.map_or(0, |p| p.byte()))
    }

    /// The line an error belongs to (when the reader located it) and its reason, worded
    /// without the reader's own line numbers.
    pub fn error(&mut self, e: &csv::Error) -> (Option<u64>, String) {
        (e.position().map(|p| self.at_byte(p.byte())), reason(e))
    }
}

/// The 1-based line of the record the reader placed at `byte` in `text` (see [`CsvLines`]).
pub fn line_at(text: &(impl AsRef<[u8]> + ?Sized), byte: u64, comment: Option<u8>) -> u64 {
    let mut lines = CsvLines::new(text);
    lines.comment = comment;
    lines.at_byte(byte)
}

/// Where the record starts: past the line ends (and comment lines) the reader skips.
fn record_start(text: &[u8], byte: u64, comment: Option<u8>) -> usize {
    let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    while at < text.len() {
        match text[at] {
            b'\r' | b'\n' => at += 1,
            c if Some(c) == comment => {
                // The reader ends a comment at '\n' only.
                at = text[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(text.len(), |i| at + i + 1);
            }
            _ => break,
        }
    }
    at
}

/// Line breaks in `text[from..to]`: `\n`, and `\r` not followed by `\n`.
fn count_breaks(text: &[u8], from: usize, to: usize) -> u64 {
    text[from..to]
        .iter()
        .enumerate()
        .filter(|(i, b)| match b {
            b'\n' => true,
            b'\r' => text.get(from + i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count() as u64
}

/// A `csv` error's reason, without the reader's line and byte numbers.
pub fn reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "dòng có {len} cột, nhưng các dòng trước có {expected_len} cột (wrong column count): hãy kiểm tra dấu phẩy và dấu ngoặc kép"
        ),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!(
                "cột thứ {} không phải văn bản UTF-8 (encoding): hãy lưu lại tệp dạng CSV UTF-8",
                err.field() + 1
            )
        }
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        csv::ErrorKind::Io(err) => err.to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each data record's first cell and the line the reader's positions give it.
    fn lines(text: &str, comment: Option<u8>) -> Vec<(String, u64)> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(comment)
            .from_reader(text.as_bytes());
        let mut lines = CsvLines::new(text);
        lines.comment = comment;
        rdr.records()
            .map(|r| {
                let r = r.unwrap();
                (r.get(0).unwrap().to_string(), lines.at(r.position()))
            })
            .collect()
    }

    fn expect(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn unix_and_windows_line_ends_give_the_same_lines() {
        let lf = "h,v\na,1\nb,2\n\nc,3\n";
        let want = expect(&[("h", 1), ("a", 2), ("b", 3), ("c", 5)]);
        assert_eq!(lines(lf, None), want);
        assert_eq!(lines(&lf.replace('\n', "\r\n"), None), want);
        assert_eq!(lines(&lf.replace('\n', "\r"), None), want);
        // No line end after the last record.
        assert_eq!(
            lines("h,v\r\na,1\r\nb,2", None),
            expect(&[("h", 1), ("a", 2), ("b", 3)])
        );
    }

    #[test]
    fn quoted_fields_with_line_breaks_name_the_line_they_start_on() {
        let lf = "h,v\na,\"một\ndòng\nnữa\"\nb,2\nc,\"x\n\ny\"\nd,4\n";
        let want = expect(&[("h", 1), ("a", 2), ("b", 5), ("c", 6), ("d", 9)]);
        assert_eq!(lines(lf, None), want);
        assert_eq!(lines(&lf.replace('\n', "\r\n"), None), want);
        // A quoted first field that spans lines.
        assert_eq!(
            lines("\"a\r\nb\",1\r\n\"c\",2\r\n", None),
            expect(&[("a\r\nb", 1), ("c", 3)])
        );
    }

    #[test]
    fn comment_lines_and_blank_lines_before_a_record_are_skipped() {
        let lf = "# tiêu đề\nh,v\n# ghi chú\n\na,1\n#\nb,2\n";
        let want = expect(&[("h", 2), ("a", 5), ("b", 7)]);
        assert_eq!(lines(lf, Some(b'#')), want);
        assert_eq!(lines(&lf.replace('\n', "\r\n"), Some(b'#')), want);
    }

    #[test]
    fn the_csv_crate_is_wrong_where_this_is_right() {
        // Why this module exists: with CRLF the crate puts the third line's record on line 2.
        let text = "h,v\r\na,1\r\nb,2\r\n";
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
        let b = recs[1].position().unwrap();
        assert_ne!(b.line(), 3);
        assert_eq!(line_at(text, b.byte(), None), 3);
    }

    #[test]
    fn errors_are_located_and_worded_without_the_crates_line() {
        let text = "h,v\r\na,1\r\n\r\nb,2,3\r\n";
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let mut lines = CsvLines::new(text);
        let errors: Vec<(Option<u64>, String)> = rdr
            .records()
            .filter_map(|r| r.err())
            .map(|e| lines.error(&e))
            .collect();
        assert_eq!(
            errors,
            vec![(Some(4), "dòng có 3 cột, nhưng các dòng trước có 2 cột (wrong column count): hãy kiểm tra dấu phẩy và dấu ngoặc kép".to_string())]
        );
    }

    #[test]
    fn offsets_in_any_order_and_out_of_range() {
        let text = "a\nb\nc\n";
        let mut lines = CsvLines::new(text);
        assert_eq!(lines.at_byte(4), 3);
        assert_eq!(lines.at_byte(2), 2);
        assert_eq!(lines.at_byte(0), 1);
        assert_eq!(lines.at_byte(u64::MAX), 4);
        assert_eq!(line_at("", 0, None), 1);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the line ends, a record's line is the number of line breaks before
            /// its first character plus one, counted on the text with '\n' line ends.
            #[test]
            fn line_ends_do_not_change_lines(
                rows in proptest::collection::vec(("[a-z]{1,3}", "[a-z ]{0,3}", 0usize..3, any::<bool>()), 1..12),
                end in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
            ) {
                // Rows of two cells; some quoted with line breaks inside; some blank lines.
                let mut text = String::new();
                let mut want = Vec::new();
                let mut line = 1u64;
                for (first, second, blanks, multi) in &rows {
                    for _ in 0..*blanks {
                        text.push_str(end);
                        line += 1;
                    }
                    want.push((first.clone(), line));
                    if *multi {
                        text.push_str(&format!("{first},\"{second}{end}{second}\"{end}"));
                        line += 2;
                    } else {
                        text.push_str(&format!("{first},{second}{end}"));
                        line += 1;
                    }
                }
                prop_assert_eq!(lines(&text, None), want);
            }

            #[test]
            fn never_panics(text in "\\PC{0,60}", byte in 0u64..80, hash in any::<bool>()) {
                let comment = hash.then_some(b'#');
                let _ = line_at(&text, byte, comment);
            }
        }
    }
}
