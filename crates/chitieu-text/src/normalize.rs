//! Unicode normalization and folding for Vietnamese.
//!
//! Vietnamese text arrives in NFC (precomposed, most web pages) or NFD (decomposed, some Word
//! and macOS sources), and sometimes with the "old style" tone placement (`hoà` / `hòa`,
//! `uỷ` / `ủy`). Keys used for matching names must treat all of these the same.

use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Returns `s` in Unicode Normalization Form C. Text that is already NFC (most web pages) is
/// only copied.
pub fn nfc(s: &str) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return s.to_string();
    }
    s.nfc().collect()
}

/// Lower-cases and NFC-normalizes `s`, collapsing runs of white space to one space, and moves
/// tone marks to the modern position for the pairs where old and new styles differ
/// (`oà`→`òa`, `uỷ`→`ủy`, …). Diacritics are kept: `Bắc Sơn` and `Bạc Sơn` stay different.
pub fn fold(s: &str) -> String {
    let lower: String = s.nfc().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(lower.len());
    let mut last_space = true;
    for c in lower.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    modern_tone_placement(&out)
}

/// Folds one word that is already in NFC and has no white space: lower-cases it and moves the
/// tone mark to the modern position (`Uỷ` → `ủy`, `Hoá` → `hóa`). Cheaper than [`fold`] when a
/// tokenizer has already split and normalized the text.
pub fn fold_word(word: &str) -> String {
    let lower: String = word.chars().flat_map(char::to_lowercase).collect();
    modern_tone_placement(&lower)
}

/// [`fold_word`] without allocating when the word is already folded (lower case, modern
/// tone placement), which is most words of a text.
pub fn fold_word_cow(word: &str) -> Cow<'_, str> {
    let has_upper = word.chars().any(char::is_uppercase);
    let old_tone = {
        let mut rev = word.chars().rev();
        match (rev.next(), rev.next()) {
            (Some(last), Some(before)) => {
                matches!(before, 'o' | 'u' | 'O' | 'U')
                    && matches!(
                        last,
                        'à' | 'á'
                            | 'ả'
                            | 'ã'
                            | 'ạ'
                            | 'è'
                            | 'é'
                            | 'ẻ'
                            | 'ẽ'
                            | 'ẹ'
                            | 'ỳ'
                            | 'ý'
                            | 'ỷ'
                            | 'ỹ'
                            | 'ỵ'
                    )
            }
            _ => false,
        }
    };
    if has_upper || old_tone {
        Cow::Owned(fold_word(word))
    } else {
        Cow::Borrowed(word)
    }
}

/// A key with every diacritic removed and `đ` folded to `d`: `"Huyện Bắc Sơn"` → `"huyen bac son"`.
/// Use it only as a fallback for matching, never for display.
pub fn search_key(s: &str) -> String {
    fold(s)
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F)
}

/// Old-style tone placement (`hoà`, `thuỷ`, `uỷ`) to the modern one (`hòa`, `thủy`, `ủy`),
/// applied to whole syllables only where the syllable ends in the pair.
fn modern_tone_placement(s: &str) -> String {
    // Each pair: (old, new). Only open syllables (the pair ends the syllable) differ.
    const PAIRS: &[(&str, &str)] = &[
        ("oà", "òa"),
        ("oá", "óa"),
        ("oả", "ỏa"),
        ("oã", "õa"),
        ("oạ", "ọa"),
        ("oè", "òe"),
        ("oé", "óe"),
        ("oẻ", "ỏe"),
        ("oẽ", "õe"),
        ("oẹ", "ọe"),
        ("uỳ", "ủy"),
        ("uý", "úy"),
        ("uỷ", "ủy"),
        ("uỹ", "ũy"),
        ("uỵ", "ụy"),
    ];
    // `uỳ` → `ùy` is the exact mapping; the table above keeps the tone letter, fix it here.
    const TONE_FIX: &[(&str, &str)] = &[("uỳ", "ùy")];
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut w = word.to_string();
        for (old, new) in PAIRS {
            if w.ends_with(old) && !(w.starts_with("qu") && old.starts_with('u')) {
                let new = TONE_FIX
                    .iter()
                    .find(|(o, _)| o == old)
                    .map(|(_, n)| *n)
                    .unwrap_or(new);
                let cut = w.len() - old.len();
                w.truncate(cut);
                w.push_str(new);
                break;
            }
        }
        out.push_str(&w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_and_nfc_fold_the_same() {
        let nfc_s = "Huyện Bắc Sơn";
        let nfd_s: String = nfc_s.nfd().collect();
        assert_ne!(nfc_s, nfd_s);
        assert_eq!(fold(nfc_s), fold(&nfd_s));
        assert_eq!(fold(nfc_s), "huyện bắc sơn");
    }

    #[test]
    fn old_and_new_tone_placement_fold_the_same() {
        assert_eq!(fold("Huyện uỷ"), fold("Huyện ủy"));
        assert_eq!(fold("Nhất Hoà"), fold("Nhất Hòa"));
        assert_eq!(fold("Vạn Thuỷ"), fold("Vạn Thủy"));
        // qu- is a consonant cluster: "quý" keeps its mark where it is.
        assert_eq!(fold("quý II"), "quý ii");
    }

    #[test]
    fn white_space_is_collapsed() {
        assert_eq!(fold("  xã   Vũ\tSơn "), "xã vũ sơn");
    }

    #[test]
    fn words_fold_like_texts() {
        for w in [
            "Uỷ", "Hoá", "NTM", "Bắc", "đồng", "hoà", "thuỷ", "quý", "ủy", "hòa",
        ] {
            assert_eq!(fold_word(w), fold(w));
            assert_eq!(fold_word_cow(w), fold(w));
        }
        assert!(matches!(fold_word_cow("đồng"), Cow::Borrowed(_)));
    }

    #[test]
    fn search_key_drops_marks() {
        assert_eq!(search_key("Huyện Bắc Sơn"), "huyen bac son");
        assert_eq!(search_key("Đồng Ý"), "dong y");
    }
}
