//! Charts as inline SVG, drawn on the server: no script, prints well, scales with the text.

use crate::pages::escape;
use chitieu_core::Decimal;

fn f(d: Decimal) -> f64 {
    // Charts are the one place floats are fine: positions on a picture.
    d.to_string().parse::<f64>().unwrap_or(0.0)
}

/// Vertical bars, one per labelled value, with the value written above each bar and an
/// optional target line.
pub fn bars(title: &str, points: &[(String, Decimal, String)], target: Option<Decimal>) -> String {
    let w = 640.0;
    let h = 260.0;
    let (left, right, top, bottom) = (10.0, 10.0, 28.0, 48.0);
    let n = points.len().max(1) as f64;
    let max = points
        .iter()
        .map(|p| f(p.1))
        .chain(target.map(f))
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let slot = (w - left - right) / n;
    let bar_w = (slot * 0.6).min(70.0);
    let plot_h = h - top - bottom;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" class=\"axis\"/>",
        y = top + plot_h,
        x2 = w - right
    ));
    for (i, (label, value, text)) in points.iter().enumerate() {
        let v = f(*value).max(0.0);
        let bh = plot_h * v / max;
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let y = top + plot_h - bh;
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{bh:.1}\" class=\"bar\"><title>{l}: {t}</title></rect>",
            l = escape(label),
            t = escape(text)
        ));
        s.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{ty:.1}\" class=\"val\" text-anchor=\"middle\">{t}</text>",
            cx = x + bar_w / 2.0,
            ty = (y - 6.0).max(12.0),
            t = escape(text)
        ));
        s.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{ly:.1}\" class=\"lbl\" text-anchor=\"middle\">{l}</text>",
            cx = x + bar_w / 2.0,
            ly = h - bottom + 18.0,
            l = escape(label)
        ));
    }
    if let Some(t) = target {
        let y = top + plot_h - plot_h * f(t) / max;
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{x2}\" y2=\"{y:.1}\" class=\"target\"/><text x=\"{left}\" y=\"{ty:.1}\" class=\"lbl target-label\">kế hoạch</text>",
            x2 = w - right,
            ty = y - 4.0
        ));
    }
    s.push_str("</svg>");
    s
}

/// A progress bar for a percentage (clamped to 0–100 for the drawing), coloured by status.
pub fn progress(percent: impl std::borrow::Borrow<u32>, colour: &str) -> String {
    let p = (*percent.borrow()).min(100);
    format!(
        "<svg class=\"progress\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect width=\"100\" height=\"8\" class=\"track\"/><rect width=\"{p}\" height=\"8\" class=\"fill {colour}\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let s = bars(
            "<b>",
            &[("<script>".into(), Decimal::from(3), "3".into())],
            Some(Decimal::from(4)),
        );
        assert!(!s.contains("<script>"));
        assert!(s.contains("&lt;script&gt;"));
        assert!(s.starts_with("<svg"));
    }
}
