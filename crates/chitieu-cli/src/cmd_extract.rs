//! `chitieu extract`: facts, meetings and people from Vietnamese report or news text, as JSON
//! in the shape of the extraction contract.

use anyhow::{Context, Result, bail};
use chitieu_extract::{ExtractOptions, Extraction, Extractor};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `chitieu extract`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExtractArgs {
    /// Text files to read (UTF-8, NFC or NFD).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format: `json` (one object per file, an array when several files are given).
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Extra indicator synonyms, as `CODE=PHRASE` (repeatable).
    #[arg(long = "synonym", value_name = "CODE=PHRASE")]
    pub synonyms: Vec<String>,
    /// Print compact JSON on one line instead of indented JSON.
    #[arg(long)]
    pub compact: bool,
}

/// Runs `chitieu extract`.
pub fn run(args: &ExtractArgs) -> Result<()> {
    if args.format != "json" {
        bail!(
            "định dạng '{}' không được hỗ trợ (unknown format): chỉ có 'json'",
            args.format
        );
    }
    let mut extra = Vec::new();
    for s in &args.synonyms {
        let (code, phrase) = s
            .split_once('=')
            .with_context(|| format!("--synonym '{s}': hãy viết dạng MÃ=CỤM TỪ (CODE=PHRASE)"))?;
        extra.push((code.trim().to_string(), phrase.trim().to_string()));
    }
    let extractor = Extractor::new(&ExtractOptions {
        catalog: None,
        extra_synonyms: extra,
    });
    let mut results = Vec::with_capacity(args.files.len());
    for path in &args.files {
        results.push(extract_file(&extractor, path)?);
    }
    let json = match (results.len(), args.compact) {
        (1, false) => serde_json::to_string_pretty(&results[0]),
        (1, true) => serde_json::to_string(&results[0]),
        (_, false) => serde_json::to_string_pretty(&results),
        (_, true) => serde_json::to_string(&results),
    }
    .context("không ghi được kết quả trích xuất dạng JSON")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").context("không ghi được ra đầu ra chuẩn (standard output)")?;
    Ok(())
}

/// Reads one file and extracts from it, naming the result by the file's name.
fn extract_file(extractor: &Extractor, path: &Path) -> Result<Extraction> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("không đọc được tệp {} (cannot read)", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: không phải văn bản UTF-8 (not UTF-8, byte {}): hãy lưu lại tệp dạng UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(extractor.extract(&source, &text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_that_is_not_utf8() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bad = dir.path().join("bad.txt");
        std::fs::write(&bad, [0x74, 0x68, 0xff, 0xfe]).expect("write");
        let extractor = Extractor::new(&ExtractOptions::default());
        let err = extract_file(&extractor, &bad).unwrap_err().to_string();
        assert!(
            err.contains("bad.txt") && err.contains("not UTF-8"),
            "{err}"
        );
        let missing = dir.path().join("missing.txt");
        let err = extract_file(&extractor, &missing).unwrap_err().to_string();
        assert!(err.contains("missing.txt"), "{err}");
    }

    #[test]
    fn extracts_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let f = dir.path().join("a.txt");
        std::fs::write(&f, "Thu ngân sách đạt 25 tỷ đồng.").expect("write");
        let extractor = Extractor::new(&ExtractOptions::default());
        let x = extract_file(&extractor, &f).expect("extracts");
        assert_eq!(x.source, "a.txt");
        assert_eq!(x.facts.len(), 1);
    }
}
