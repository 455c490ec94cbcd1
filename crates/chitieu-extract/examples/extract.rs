//! Extracts facts from files and prints the JSON, as `chitieu extract --format json` does:
//! `cargo run -p chitieu-extract --example extract -- FILE...`

use std::path::Path;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let extractor = chitieu_extract::Extractor::new(&Default::default());
    let mut out = Vec::new();
    for f in &files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{f}: {e}");
                std::process::exit(1);
            }
        };
        let name = Path::new(f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.clone());
        out.push(extractor.extract(&name, &text));
    }
    let json = if out.len() == 1 {
        serde_json::to_string_pretty(&out[0])
    } else {
        serde_json::to_string_pretty(&out)
    };
    match json {
        Ok(j) => println!("{j}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
