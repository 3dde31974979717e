//! Inline SVG charts: horizontal bars with their labels; no fonts, scripts or images fetched.

use crate::domain::text::escape_markup as esc;
use crate::report::small;

/// One bar.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Label on the left.
    pub label: String,
    /// Length, in the chart's unit; counts come in rounded (see [`small`]).
    pub value: f64,
    /// Text after the bar.
    pub text: String,
}

impl Bar {
    /// A bar for a count of sessions, shown under the small-counts rule.
    pub fn count(label: impl Into<String>, n: i64) -> Bar {
        Bar {
            label: label.into(),
            value: small::bar_length(n),
            text: small::cell(n),
        }
    }
}

const W: f64 = 760.0;
const LABEL_W: f64 = 230.0;
const ROW: f64 = 22.0;
const TOP: f64 = 40.0;

/// A horizontal bar chart. `stamp` (e.g. "données simulées") is written across it.
pub fn bars(title: &str, bars: &[Bar], stamp: Option<&str>) -> String {
    let h = TOP + ROW * bars.len().max(1) as f64 + 16.0;
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let span = W - LABEL_W - 190.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"13\" role=\"img\" aria-label=\"{t}\">\
<rect width=\"{W}\" height=\"{h}\" fill=\"#ffffff\"/>\
<text x=\"8\" y=\"22\" font-size=\"16\" font-weight=\"bold\" fill=\"#222\">{t}</text>",
        t = esc(title)
    );
    if bars.is_empty() {
        s.push_str(&format!(
            "<text x=\"{LABEL_W}\" y=\"{}\" fill=\"#666\">—</text>",
            TOP + 15.0
        ));
    }
    for (k, b) in bars.iter().enumerate() {
        let y = TOP + ROW * k as f64;
        let len = (b.value / max * span).max(0.0);
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222\">{}</text>\
<rect x=\"{LABEL_W}\" y=\"{}\" width=\"{len:.1}\" height=\"{}\" fill=\"#2a7ab0\"/>\
<text x=\"{:.1}\" y=\"{}\" fill=\"#222\">{}</text>",
            LABEL_W - 6.0,
            y + 15.0,
            esc(&b.label),
            y + 3.0,
            ROW - 6.0,
            LABEL_W + len + 5.0,
            y + 15.0,
            esc(&b.text)
        ));
    }
    if let Some(st) = stamp {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"34\" font-weight=\"bold\" fill=\"#c0392b\" fill-opacity=\"0.35\" transform=\"rotate(-12 {} {})\">{}</text>\
<text x=\"{}\" y=\"22\" text-anchor=\"end\" font-size=\"13\" font-weight=\"bold\" fill=\"#c0392b\">{}</text>",
            W / 2.0,
            h / 2.0 + 10.0,
            W / 2.0,
            h / 2.0,
            esc(st),
            W - 8.0,
            esc(st)
        ));
    }
    s.push_str("</svg>");
    s
}
