//! Bar charts drawn on the server as inline SVG. Pages carry no script and no `style=`
//! attribute (the CSP forbids both), so a chart is plain SVG geometry whose colours come from
//! classes in `app.css` (`.chart .bar.s0`, `.s1`, ...). A chart is an image to assistive
//! technology (`role="img"`) named by its `<title>` and described by a text summary of every
//! number; the page shows the same numbers in a table beside it.

use std::fmt::Write;

/// The drawing area, in SVG user units (the `viewBox`; CSS scales it to the page).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 36.0;
/// The share of a category's band its bars fill (the rest separates the categories).
const GROUP_SHARE: f64 = 0.7;
/// The widest a bar gets (a chart of one or two categories would otherwise be all bar).
const MAX_BAR: f64 = 56.0;
/// The line height of a category's label.
const LABEL_LINE: f64 = 12.0;

/// One named series of values, one per category.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub values: Vec<u64>,
}

/// A vertical bar chart: categories along the bottom, one bar per series in each.
#[derive(Clone, Debug)]
pub struct BarChart {
    /// Prefix of the chart's element ids; unique on its page.
    pub id: String,
    pub title: String,
    /// The categories' names, as the summary says them.
    pub categories: Vec<String>,
    /// Shorter names under the bars, one per category (`\n` breaks a line); the categories'
    /// names when empty.
    pub axis_labels: Vec<String>,
    pub series: Vec<Series>,
}

/// One bar's place, in SVG user units (`y` is its top; it stands on the baseline).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub series: usize,
    pub category: usize,
    pub value: u64,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl BarChart {
    /// A chart of one series.
    pub fn single(
        id: &str,
        title: &str,
        name: &str,
        points: impl IntoIterator<Item = (String, u64)>,
    ) -> Self {
        let (categories, values) = points.into_iter().unzip();
        Self {
            id: id.into(),
            title: title.into(),
            categories,
            axis_labels: Vec::new(),
            series: vec![Series {
                name: name.into(),
                values,
            }],
        }
    }

    fn value(&self, series: usize, category: usize) -> u64 {
        self.series[series]
            .values
            .get(category)
            .copied()
            .unwrap_or(0)
    }

    fn baseline() -> f64 {
        HEIGHT - BOTTOM
    }

    /// Every bar, category by category: heights proportional to the values, the largest
    /// value filling the plot's height; all zero when every value is zero.
    pub fn bars(&self) -> Vec<Bar> {
        let n = self.categories.len();
        let k = self.series.len();
        if n == 0 || k == 0 {
            return Vec::new();
        }
        let max = (0..k)
            .flat_map(|s| (0..n).map(move |c| (s, c)))
            .map(|(s, c)| self.value(s, c))
            .max()
            .unwrap_or(0);
        let plot_h = Self::baseline() - TOP;
        let band = (WIDTH - LEFT - RIGHT) / n as f64;
        let width = (band * GROUP_SHARE / k as f64).min(MAX_BAR);
        let group = width * k as f64;
        let mut out = Vec::with_capacity(n * k);
        for c in 0..n {
            let left = LEFT + band * c as f64 + (band - group) / 2.0;
            for s in 0..k {
                let value = self.value(s, c);
                let height = if max == 0 {
                    0.0
                } else {
                    plot_h * value as f64 / max as f64
                };
                out.push(Bar {
                    series: s,
                    category: c,
                    value,
                    x: left + width * s as f64,
                    y: Self::baseline() - height,
                    width,
                    height,
                });
            }
        }
        out
    }

    /// Every number of the chart in words, for its description.
    pub fn summary(&self) -> String {
        if self.categories.is_empty() {
            return "No data yet.".into();
        }
        let parts: Vec<String> = self
            .categories
            .iter()
            .enumerate()
            .map(|(c, label)| {
                if self.series.len() == 1 {
                    format!("{label} {}", self.value(0, c))
                } else {
                    let values: Vec<String> = self
                        .series
                        .iter()
                        .enumerate()
                        .map(|(s, series)| format!("{} {}", series.name, self.value(s, c)))
                        .collect();
                    format!("{label}: {}", values.join(", "))
                }
            })
            .collect();
        format!("{}.", parts.join("; "))
    }

    /// The chart as an `<svg>` element, every text escaped.
    pub fn svg(&self) -> String {
        let id = escape(&self.id);
        let mut o = String::new();
        let _ = write!(
            o,
            "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
             aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" \
             xmlns=\"http://www.w3.org/2000/svg\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            escape(&self.title),
            escape(&self.summary())
        );
        let base = Self::baseline();
        let _ = write!(
            o,
            "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>",
            WIDTH - RIGHT
        );
        let bars = self.bars();
        if bars.is_empty() {
            let _ = write!(
                o,
                "<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">No data yet</text>",
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
        }
        let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
        let _ = write!(
            o,
            "<text class=\"scale\" x=\"{}\" y=\"{base:.1}\" text-anchor=\"end\">0</text>",
            LEFT - 4.0,
        );
        if max > 0 {
            let _ = write!(
                o,
                "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{}\" y2=\"{TOP}\"/>\
                 <text class=\"scale\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text>",
                WIDTH - RIGHT,
                LEFT - 4.0,
                TOP + 4.0,
            );
        }
        for b in &bars {
            let _ = write!(
                o,
                "<rect class=\"bar s{}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\">\
                 <title>{}: {} {}</title></rect>",
                b.series,
                b.x,
                b.y,
                b.width,
                b.height,
                escape(&self.categories[b.category]),
                escape(&self.series[b.series].name),
                b.value,
            );
            // Zeros go unlabelled: a row of them would only crowd the baseline.
            if b.value > 0 {
                let _ = write!(
                    o,
                    "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    b.x + b.width / 2.0,
                    b.y - 3.0,
                    b.value
                );
            }
        }
        let band = (WIDTH - LEFT - RIGHT) / self.categories.len().max(1) as f64;
        for (c, name) in self.categories.iter().enumerate() {
            let label = self.axis_labels.get(c).unwrap_or(name);
            let x = LEFT + band * (c as f64 + 0.5);
            let _ = write!(
                o,
                "<text class=\"label\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">",
                base + 14.0
            );
            for (i, line) in label.split('\n').enumerate() {
                let dy = if i == 0 { 0.0 } else { LABEL_LINE };
                let _ = write!(
                    o,
                    "<tspan x=\"{x:.1}\" dy=\"{dy}\">{}</tspan>",
                    escape(line)
                );
            }
            o.push_str("</text>");
        }
        if self.series.len() > 1 {
            // The legend, right-aligned above the plot.
            let mut x = WIDTH - RIGHT;
            for (s, series) in self.series.iter().enumerate().rev() {
                let text_w = 7.0 * series.name.chars().count() as f64;
                x -= text_w;
                let _ = write!(
                    o,
                    "<text class=\"legend\" x=\"{x:.1}\" y=\"14\">{}</text>",
                    escape(&series.name)
                );
                x -= 14.0;
                let _ = write!(
                    o,
                    "<rect class=\"swatch s{s}\" x=\"{x:.1}\" y=\"5\" width=\"10\" height=\"10\"/>"
                );
                x -= 12.0;
            }
        }
        o.push_str("</svg>");
        o
    }
}

/// Text made safe for SVG (XML) content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: &[u64]) -> BarChart {
        BarChart::single(
            "t",
            "Test",
            "Companies",
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("c{i}"), *v)),
        )
    }

    #[test]
    fn bar_heights_are_proportional_to_the_values() {
        let bars = chart(&[4, 2, 1, 0]).bars();
        assert_eq!(bars.len(), 4);
        let full = HEIGHT - BOTTOM - TOP;
        assert!((bars[0].height - full).abs() < 1e-9, "the largest fills");
        assert!((bars[1].height - full / 2.0).abs() < 1e-9);
        assert!((bars[2].height - full / 4.0).abs() < 1e-9);
        assert_eq!(bars[3].height, 0.0);
        for b in &bars {
            assert!(
                (b.y + b.height - (HEIGHT - BOTTOM)).abs() < 1e-9,
                "on the baseline"
            );
            assert!(b.x >= LEFT && b.x + b.width <= WIDTH - RIGHT);
        }
        // Bars go left to right without overlapping.
        assert!(bars.windows(2).all(|w| w[0].x + w[0].width <= w[1].x));
    }

    #[test]
    fn paired_bars_share_one_scale() {
        let c = BarChart {
            id: "m".into(),
            title: "New and churned".into(),
            categories: vec!["Jan".into(), "Feb".into()],
            axis_labels: vec!["Jan\n2026".into()],
            series: vec![
                Series {
                    name: "New".into(),
                    values: vec![2, 1],
                },
                Series {
                    name: "Churned".into(),
                    values: vec![0, 1],
                },
            ],
        };
        let bars = c.bars();
        assert_eq!(bars.len(), 4);
        assert_eq!((bars[1].series, bars[1].category), (1, 0));
        assert!((bars[1].height).abs() < 1e-9);
        assert!((bars[2].height * 2.0 - bars[0].height).abs() < 1e-9);
        assert!((bars[3].height - bars[2].height).abs() < 1e-9);
        assert_eq!(c.summary(), "Jan: New 2, Churned 0; Feb: New 1, Churned 1.");
        let svg = c.svg();
        assert_eq!(svg.matches("class=\"bar s").count(), 4);
        assert_eq!(svg.matches("class=\"swatch").count(), 2, "a legend");
        assert!(
            svg.contains(">Jan</tspan><tspan x=\"185.0\" dy=\"12\">2026</tspan>"),
            "{svg}"
        );
        assert!(
            svg.contains(">Feb</tspan></text>"),
            "the category's name without a label"
        );
        // Zero bars carry no value label; the others do.
        assert_eq!(svg.matches("class=\"value\"").count(), 3);
    }

    #[test]
    fn a_lone_bar_stays_a_bar() {
        let bars = chart(&[5]).bars();
        assert_eq!(bars.len(), 1);
        assert!((bars[0].width - MAX_BAR).abs() < 1e-9);
        let mid = LEFT + (WIDTH - LEFT - RIGHT) / 2.0;
        assert!(
            (bars[0].x + bars[0].width / 2.0 - mid).abs() < 1e-9,
            "centred"
        );
    }

    #[test]
    fn zero_and_empty_data_draw_no_nan() {
        for c in [chart(&[0, 0, 0]), chart(&[])] {
            assert!(c.bars().iter().all(|b| b.height == 0.0 && b.y.is_finite()));
            let svg = c.svg();
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
        assert!(chart(&[]).svg().contains("No data yet"));
        assert_eq!(chart(&[]).summary(), "No data yet.");
    }

    #[test]
    fn labels_and_titles_are_escaped() {
        let c = BarChart::single(
            "x\"y",
            "<script>alert(1)</script>",
            "A & B",
            [("<b>\"bold\"</b>".to_owned(), 3)],
        );
        let svg = c.svg();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&lt;b&gt;&quot;bold&quot;&lt;/b&gt;"));
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains("id=\"x&quot;y-title\""));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn the_summary_names_every_number() {
        let c = BarChart::single(
            "s",
            "By status",
            "Companies",
            [("Active".to_owned(), 3), ("Suspended".to_owned(), 1)],
        );
        assert_eq!(c.summary(), "Active 3; Suspended 1.");
        assert!(
            c.svg()
                .contains("<desc id=\"s-desc\">Active 3; Suspended 1.</desc>")
        );
    }
}
