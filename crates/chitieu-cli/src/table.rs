//! Aligned tables for the terminal.

use chitieu_core::indicator::Catalog;

/// Prints rows as a table with columns padded to their widest cell (by characters).
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i].saturating_sub(c.chars().count());
                format!("{c}{}", " ".repeat(pad))
            })
            .collect();
        println!("{}", padded.join(" │ ").trim_end());
    };
    line(header.to_vec());
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("─┼─")
    );
    for r in rows {
        line(r.iter().map(|s| s.as_str()).collect());
    }
}

pub fn print_catalog(cat: &Catalog) {
    let rows: Vec<Vec<String>> = cat
        .indicators
        .iter()
        .map(|i| {
            vec![
                i.code.to_string(),
                i.name_vi.clone(),
                i.unit.clone(),
                i.direction.as_str().to_string(),
                i.aggregation.to_string(),
                i.temporal.as_str().to_string(),
            ]
        })
        .collect();
    print_table(
        &[
            "mã",
            "tên chỉ tiêu",
            "đơn vị",
            "hướng",
            "tổng hợp",
            "theo thời gian",
        ],
        &rows,
    );
}
