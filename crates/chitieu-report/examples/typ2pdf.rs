//! Compiles a Typst file with the report fonts: `cargo run -p chitieu-report --example typ2pdf -- IN.typ OUT.pdf [FILE.svg…]`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        return Err("usage: typ2pdf IN.typ OUT.pdf [FILE…]".into());
    };
    let files = args[3..]
        .iter()
        .map(|f| {
            let name = std::path::Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            std::fs::read(f).map(|b| (name, b))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let pdf = chitieu_report::render::pdf::compile_pdf(&std::fs::read_to_string(input)?, &files)?;
    std::fs::write(output, pdf)?;
    Ok(())
}
