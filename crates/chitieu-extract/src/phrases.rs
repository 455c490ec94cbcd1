//! Finding the catalog's indicator phrases in a token stream.
//!
//! Phrases are matched word by word on folded keys, so case, NFD input and old-style tone
//! marks do not matter, and dashes and commas inside the text are skipped ("vụ Đông – Xuân"
//! matches "vụ đông xuân", "nông, lâm nghiệp" matches "nông lâm nghiệp").

use crate::token::{Kind, Token, tokenize};
use chitieu_core::indicator::Catalog;
use std::collections::HashMap;

/// One indicator as extraction sees it.
#[derive(Debug, Clone)]
pub struct IndicatorInfo {
    pub code: String,
    /// The unit of the indicator (`VND`, `%`, `xã`, …).
    pub unit: String,
}

/// The phrases of every indicator, indexed by their first word.
#[derive(Debug, Clone, Default)]
pub struct PhraseIndex {
    pub indicators: Vec<IndicatorInfo>,
    /// Phrase words (key, and whether a comma stands before it in the phrase) and the
    /// indicator (index into `indicators`) they name.
    phrases: Vec<(Vec<(String, bool)>, usize)>,
    by_first: HashMap<String, Vec<usize>>,
    /// Whole phrases, words joined by one space, for exact look-ups.
    exact: HashMap<String, usize>,
}

/// A phrase found in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseMatch {
    /// First and one-past-last token.
    pub start: usize,
    pub end: usize,
    /// Index into [`PhraseIndex::indicators`].
    pub indicator: usize,
    /// Number of words in the phrase.
    pub words: usize,
}

impl PhraseIndex {
    /// Builds the index from a catalog plus extra `(code, phrase)` synonyms. Synonyms for a
    /// code the catalog lacks add an indicator with an empty unit (it matches any figure).
    pub fn new(catalog: &Catalog, extra: &[(String, String)]) -> PhraseIndex {
        let mut idx = PhraseIndex::default();
        for ind in &catalog.indicators {
            let i = idx.indicators.len();
            idx.indicators.push(IndicatorInfo {
                code: ind.code.to_string(),
                unit: ind.unit.clone(),
            });
            for p in &ind.phrases {
                idx.add_phrase(p, i);
            }
        }
        for (code, phrase) in extra {
            let i = match idx.indicators.iter().position(|x| &x.code == code) {
                Some(i) => i,
                None => {
                    idx.indicators.push(IndicatorInfo {
                        code: code.clone(),
                        unit: String::new(),
                    });
                    idx.indicators.len() - 1
                }
            };
            idx.add_phrase(phrase, i);
        }
        idx
    }

    fn add_phrase(&mut self, phrase: &str, indicator: usize) {
        let nfc = chitieu_text::nfc(phrase);
        let mut words: Vec<(String, bool)> = Vec::new();
        let mut comma = false;
        for t in tokenize(&nfc) {
            if t.kind == Kind::Punct {
                comma |= t.key == ",";
                continue;
            }
            words.push((t.key.into_owned(), comma));
            comma = false;
        }
        let Some(first) = words.first().map(|w| w.0.clone()) else {
            return;
        };
        let joined: Vec<&str> = words.iter().map(|w| w.0.as_str()).collect();
        self.exact.entry(joined.join(" ")).or_insert(indicator);
        if self
            .phrases
            .iter()
            .any(|(w, i)| *i == indicator && *w == words)
        {
            return;
        }
        self.by_first
            .entry(first)
            .or_default()
            .push(self.phrases.len());
        self.phrases.push((words, indicator));
    }

    /// The indicator whose phrase is exactly these words.
    pub fn lookup(&self, words: &[&str]) -> Option<usize> {
        self.exact.get(&words.join(" ")).copied()
    }

    /// Every phrase occurrence in `toks`, in order of start. Overlapping matches are all kept;
    /// the caller chooses.
    pub fn find_all(&self, toks: &[Token]) -> Vec<PhraseMatch> {
        let mut out = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if t.kind == Kind::Punct {
                continue;
            }
            let Some(cands) = self.by_first.get(t.k()) else {
                continue;
            };
            // A longer expression that means something else hides the phrases it starts with.
            let hidden = FALSE_FRIENDS
                .iter()
                .filter(|f| f[0] == t.k())
                .filter_map(|f| {
                    let words: Vec<(String, bool)> =
                        f.iter().map(|w| (w.to_string(), false)).collect();
                    match_words(toks, i, &words)
                })
                .max();
            for &c in cands {
                let (words, indicator) = &self.phrases[c];
                if let Some(end) = match_words(toks, i, words)
                    && hidden.is_none_or(|h| end > h)
                {
                    out.push(PhraseMatch {
                        start: i,
                        end,
                        indicator: *indicator,
                        words: words.len(),
                    });
                }
            }
        }
        out
    }
}

/// Expressions that start with a catalog phrase but name something else: "xuất khẩu lao
/// động" (workers going abroad) is not "xuất khẩu" (exports).
const FALSE_FRIENDS: &[&[&str]] = &[&["xuất", "khẩu", "lao", "động"]];

/// Matches `words` from token `i`, skipping dashes between words, and a comma where the
/// phrase has one. Returns the token after the match.
fn match_words(toks: &[Token], i: usize, words: &[(String, bool)]) -> Option<usize> {
    let mut j = i;
    for (n, (w, comma)) in words.iter().enumerate() {
        if n > 0 {
            while toks
                .get(j)
                .is_some_and(|t| t.is_dash() || (*comma && t.is_punct(",")))
            {
                j += 1;
            }
        }
        let t = toks.get(j)?;
        if t.kind == Kind::Punct || t.key != *w {
            return None;
        }
        j += 1;
    }
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_across_dashes_and_case() {
        let idx = PhraseIndex::new(&Catalog::builtin(), &[]);
        let text = chitieu_text::nfc("tổng diện tích gieo trồng vụ Đông – Xuân được gần 6.000 ha");
        let toks = tokenize(&text);
        let found = idx.find_all(&toks);
        let codes: Vec<&str> = found
            .iter()
            .map(|m| idx.indicators[m.indicator].code.as_str())
            .collect();
        assert!(codes.contains(&"crop_area"), "{codes:?}");
        assert!(codes.contains(&"sown_area"), "{codes:?}");
    }

    #[test]
    fn false_friends_hide_the_phrase_they_start_with() {
        let idx = PhraseIndex::new(&Catalog::builtin(), &[]);
        let toks = tokenize("xuất khẩu lao động 215 người; kim ngạch xuất khẩu đạt 5 triệu USD");
        let found: Vec<(usize, &str)> = idx
            .find_all(&toks)
            .iter()
            .map(|m| (m.start, idx.indicators[m.indicator].code.as_str()))
            .collect();
        assert!(found.iter().all(|(start, _)| *start > 4), "{found:?}");
        assert!(found.iter().any(|(_, c)| *c == "export_value"), "{found:?}");
    }

    #[test]
    fn extra_synonyms_are_used() {
        let extra = vec![("budget_revenue".to_string(), "thu NS".to_string())];
        let idx = PhraseIndex::new(&Catalog::builtin(), &extra);
        let toks = tokenize("Thu NS đạt 5 tỷ");
        let found = idx.find_all(&toks);
        assert_eq!(idx.indicators[found[0].indicator].code, "budget_revenue");
    }
}
