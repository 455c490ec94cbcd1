//! Splitting NFC text into words, numerals and punctuation, with byte and char offsets, and
//! grouping tokens into lines, sentences and clauses.

use chitieu_text::fold_word_cow;
use std::borrow::Cow;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A run of letters (and combining marks): `thu`, `HTX`, `km`.
    Word,
    /// ASCII digits with `.` or `,` between digits: `6.000`, `43,248`, `2022`.
    Num,
    /// Any other single non-space character: `%`, `/`, `–`, `;`.
    Punct,
}

/// One token of the text. Keys borrow from the text unless folding changed them.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    pub kind: Kind,
    /// Byte range in the NFC text.
    pub start: usize,
    pub end: usize,
    /// Char range in the NFC text (what spans report).
    pub cstart: usize,
    pub cend: usize,
    /// Words: lower-cased with modern tone placement. Numerals: as written. Punctuation: the
    /// character, with every dash folded to `-`.
    pub key: Cow<'a, str>,
    /// The word starts with an upper-case letter.
    pub upper: bool,
    /// White space comes right before the token.
    pub space_before: bool,
    /// A line break comes before the token (or it is the first token).
    pub line_start: bool,
}

impl Token<'_> {
    /// The key as a plain string slice.
    pub fn k(&self) -> &str {
        &self.key
    }
    pub fn is_word(&self, w: &str) -> bool {
        self.kind == Kind::Word && self.key == w
    }
    pub fn is_punct(&self, c: &str) -> bool {
        self.kind == Kind::Punct && self.key == c
    }
    pub fn is_dash(&self) -> bool {
        self.is_punct("-")
    }
}

fn is_word_char(c: char) -> bool {
    match c as u32 {
        // ASCII, then the Latin blocks Vietnamese lives in, decided without table look-ups.
        0..=0x7F => c.is_ascii_alphabetic(),
        0xC0..=0x24F => c != '×' && c != '÷',
        0x1EA0..=0x1EFF | 0x0300..=0x036F => true,
        _ => c.is_alphabetic(),
    }
}

/// Splits `text` (already NFC) into tokens.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut chars = text.char_indices().peekable();
    let mut cpos = 0usize; // char index of the char about to be read
    let mut space_before = false;
    let mut line_start = true;
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            if c == '\n' || c == '\r' || c == '\u{2028}' {
                line_start = true;
            }
            space_before = true;
            chars.next();
            cpos += 1;
            continue;
        }
        let (start, cstart) = (i, cpos);
        let kind;
        if c.is_ascii_digit() {
            kind = Kind::Num;
            let mut end = i;
            // Digits, and a separator only when a digit follows it.
            while let Some(&(j, d)) = chars.peek() {
                let separator = (d == '.' || d == ',')
                    && text[j + 1..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_ascii_digit());
                if !(d.is_ascii_digit() || separator) {
                    break;
                }
                chars.next();
                cpos += 1;
                end = j + 1;
            }
            push(
                &mut out,
                text,
                kind,
                (start, end),
                (cstart, cpos),
                space_before,
                line_start,
            );
        } else if is_word_char(c) {
            kind = Kind::Word;
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if is_word_char(d) {
                    chars.next();
                    cpos += 1;
                    end = j + d.len_utf8();
                } else {
                    break;
                }
            }
            push(
                &mut out,
                text,
                kind,
                (start, end),
                (cstart, cpos),
                space_before,
                line_start,
            );
        } else {
            chars.next();
            cpos += 1;
            push(
                &mut out,
                text,
                Kind::Punct,
                (start, i + c.len_utf8()),
                (cstart, cpos),
                space_before,
                line_start,
            );
        }
        space_before = false;
        line_start = false;
    }
    out
}

fn push<'a>(
    out: &mut Vec<Token<'a>>,
    text: &'a str,
    kind: Kind,
    (start, end): (usize, usize),
    (cstart, cend): (usize, usize),
    space_before: bool,
    line_start: bool,
) {
    let raw = &text[start..end];
    let (key, upper) = match kind {
        Kind::Word => (
            spelling_variant(fold_word_cow(raw)),
            raw.chars().next().is_some_and(char::is_uppercase),
        ),
        Kind::Num => (Cow::Borrowed(raw), false),
        Kind::Punct => {
            let k: Cow<'a, str> = match raw {
                "–" | "—" | "‐" | "‑" | "−" => Cow::Borrowed("-"),
                "…" => Cow::Borrowed("..."),
                other => Cow::Borrowed(other),
            };
            (k, false)
        }
    };
    out.push(Token {
        kind,
        start,
        end,
        cstart,
        cend,
        key,
        upper,
        space_before,
        line_start,
    });
}

/// Words written with "i" or "y" alike ("tỉ lệ" / "tỷ lệ", "kỉ luật" / "kỷ luật", "Mĩ" / "Mỹ"),
/// keyed as the catalog writes them.
fn spelling_variant(key: Cow<'_, str>) -> Cow<'_, str> {
    match key.as_ref() {
        "tỉ" => Cow::Borrowed("tỷ"),
        "kỉ" => Cow::Borrowed("kỷ"),
        "mĩ" => Cow::Borrowed("mỹ"),
        _ => key,
    }
}

/// A sentence: a token range ended by `.`, `!`, `?`, `…` or a line break.
#[derive(Debug, Clone, Copy)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

/// Splits the tokens into sentences. A line break always ends a sentence.
pub fn sentences(tokens: &[Token]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if i > start && t.line_start {
            out.push(Sentence { start, end: i });
            start = i;
        }
        let ends = t.kind == Kind::Punct && matches!(t.k(), "." | "!" | "?" | "...");
        // "52 tr.đồng", "TP.Hà Tĩnh": a dot glued to a word on both sides abbreviates.
        let glued = t.is_punct(".")
            && !t.space_before
            && i > 0
            && tokens[i - 1].kind == Kind::Word
            && tokens
                .get(i + 1)
                .is_some_and(|n| n.kind == Kind::Word && !n.space_before);
        if ends && !glued {
            out.push(Sentence { start, end: i + 1 });
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(Sentence {
            start,
            end: tokens.len(),
        });
    }
    out.retain(|s| s.end > s.start);
    out
}

/// Whether a token ends a clause (`;`) or a sentence.
pub fn is_clause_break(t: &Token) -> bool {
    t.kind == Kind::Punct && matches!(t.k(), ";" | "." | "!" | "?" | "...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_words_and_punctuation() {
        let text = "đạt 43,248 tỷ, 14km; 8/17 xã. Hết";
        let toks = tokenize(text);
        let keys: Vec<&str> = toks.iter().map(|t| t.k()).collect();
        assert_eq!(
            keys,
            [
                "đạt", "43,248", "tỷ", ",", "14", "km", ";", "8", "/", "17", "xã", ".", "hết"
            ]
        );
        assert_eq!(toks[1].kind, Kind::Num);
        assert!(!toks[5].space_before);
        let s = sentences(&toks);
        assert_eq!(s.len(), 2);
        assert_eq!(sentences(&tokenize("đạt 52 tr.đồng. Hết")).len(), 2);
        // Char offsets count chars, not bytes.
        assert_eq!(toks[0].cstart, 0);
        assert_eq!(toks[0].cend, 3);
        assert_eq!(toks[1].cstart, 4);
    }

    #[test]
    fn dashes_fold_and_lines_split() {
        let toks = tokenize("8 – 9%\nThứ ba");
        assert!(toks[1].is_dash());
        assert!(toks[4].line_start);
        assert_eq!(sentences(&toks).len(), 2);
    }
}
