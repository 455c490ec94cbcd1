//! Extraction of targets and reported figures from Vietnamese report and news text.
//!
//! [`extract`] reads one text and returns an [`Extraction`] in the shape of the extraction
//! contract (`shared/spec/extraction.md`): the meetings it reports, the people it names with
//! their titles, and every figure with its indicator, measure, exact value, unit, qualifier,
//! comparison, period and unit scope; beyond the contract, the key tasks the text proposes
//! ([`tasks`]). The crate is pure: it reads no files.
//!
//! The work is linear in the size of the text: one tokenizing pass, one pass to find the
//! catalog's phrases, one for period mentions, and one sentence by sentence for figures.

pub mod context;
pub mod facts;
pub mod figures;
pub mod lexicon;
pub mod model;
pub mod people;
pub mod phrases;
pub mod tasks;
pub mod token;

pub use model::{Approx, Extraction, Fact, Measure, Meeting, Person};
pub use tasks::ProposedTask;

use chitieu_core::indicator::Catalog;
use phrases::PhraseIndex;

/// The version of the extraction rules, written into every result.
pub const EXTRACTOR_VERSION: &str = "0.2.0";

/// How to extract.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// The indicator catalog; the built-in one when `None`.
    pub catalog: Option<Catalog>,
    /// Extra `(indicator code, phrase)` synonyms, on top of the catalog's phrases.
    pub extra_synonyms: Vec<(String, String)>,
}

/// A prepared extractor: build once, extract many texts.
#[derive(Debug, Clone)]
pub struct Extractor {
    index: PhraseIndex,
}

impl Extractor {
    pub fn new(opts: &ExtractOptions) -> Extractor {
        let builtin;
        let catalog = match &opts.catalog {
            Some(c) => c,
            None => {
                builtin = Catalog::builtin();
                &builtin
            }
        };
        // The crate's own phrases for catalog indicators, then the caller's.
        let mut synonyms: Vec<(String, String)> = lexicon::extra_phrases()
            .filter(|(code, _)| catalog.indicators.iter().any(|i| i.code.as_str() == code))
            .collect();
        synonyms.extend(opts.extra_synonyms.iter().cloned());
        Extractor {
            index: PhraseIndex::new(catalog, &synonyms),
        }
    }

    /// Extracts from `text`, naming the result `source`.
    pub fn extract(&self, source: &str, text: &str) -> Extraction {
        let text = chitieu_text::nfc(text);
        let toks = token::tokenize(&text);
        let ctx = context::DocContext::build(&text, &toks);
        let mark = chitieu_text::detect_decimal_mark(&text);
        let doc = facts::Doc {
            text: &text,
            toks: &toks,
            index: &self.index,
            ctx: &ctx,
            mark,
        };
        Extraction {
            source: source.to_string(),
            meetings: people::find_meetings(&text, &toks, &ctx),
            people: people::find_people(&text, &toks),
            facts: facts::find_facts(&doc),
            tasks: tasks::find_tasks(&text, &toks, &ctx),
            document_date: ctx.doc_date,
            extractor_version: EXTRACTOR_VERSION.to_string(),
        }
    }
}

/// Extracts meetings, people and facts from one text. `source` names the input in the result.
/// For many texts, build an [`Extractor`] once instead.
pub fn extract(source: &str, text: &str, opts: &ExtractOptions) -> Extraction {
    Extractor::new(opts).extract(source, text)
}
