//! The weekly post's chart as a PNG (where Slack's native chart is refused
//! or turned off): decisions per week over the last 12 weeks as stacked bars
//! (at the applied level, downlevelled, no hire, other), each as tall as the
//! week's count against the busiest week, so one decision does not look as
//! solid as twenty.

use crate::domain::metrics::Week;
use crate::render::{Canvas, GLYPH, INK};

const BAR_W: usize = 36;
const GAP: usize = 12;
const PLOT_H: usize = 160;
const PAD: usize = 16;
const AT_LEVEL: [u8; 3] = [42, 157, 143];
const DOWNLEVEL: [u8; 3] = [244, 162, 97];
const NO_HIRE: [u8; 3] = [214, 69, 65];
const OTHER: [u8; 3] = [173, 181, 189];
const EMPTY: [u8; 3] = [233, 236, 239];

pub fn weekly_png(weeks: &[Week]) -> Vec<u8> {
    let w = PAD * 2 + weeks.len().max(1) * (BAR_W + GAP);
    let top = PAD + GLYPH * 2 + 8;
    let h = top + PLOT_H + GLYPH * 3 + PAD;
    let mut c = Canvas::new(w, h);
    // Legend.
    let mut x = PAD;
    for (label, colour) in [
        ("at level", AT_LEVEL),
        ("downlevel", DOWNLEVEL),
        ("no hire", NO_HIRE),
        ("other", OTHER),
    ] {
        c.rect(x, PAD, GLYPH, GLYPH, colour);
        c.text(x + GLYPH + 4, PAD, label, 1, INK);
        x += GLYPH + 4 + label.len() * GLYPH + 12;
    }
    let busiest = weeks.iter().map(|w| w.decisions).max().unwrap_or(0).max(1) as usize;
    for (i, week) in weeks.iter().enumerate() {
        let x = PAD + i * (BAR_W + GAP);
        c.rect(x, top, BAR_W, PLOT_H, EMPTY);
        if week.decisions > 0 {
            let bar = week.decisions as usize * PLOT_H / busiest;
            let mut y = top + PLOT_H;
            let mut drawn = 0;
            for (n, colour) in [
                (week.at_level, AT_LEVEL),
                (week.downlevel, DOWNLEVEL),
                (week.no_hire, NO_HIRE),
                (week.other, OTHER),
            ] {
                let height = n as usize * PLOT_H / busiest;
                y -= height;
                drawn += height;
                c.rect(x, y, BAR_W, height, colour);
            }
            // Rounding leaves a sliver at the top: give it to the last colour drawn.
            if bar > drawn {
                c.rect(x, y - (bar - drawn), BAR_W, bar - drawn, OTHER);
            }
        }
        let date = chrono::DateTime::from_timestamp(week.starts, 0)
            .map(|d| d.format("%m-%d").to_string())
            .unwrap_or_default();
        c.text(x, top + PLOT_H + 6, &date, 1, INK);
        c.text(
            x,
            top + PLOT_H + 6 + GLYPH + 4,
            &format!("n={}", week.decisions.min(9999)),
            1,
            INK,
        );
    }
    c.to_png()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_a_png() {
        let weeks: Vec<Week> = (0..12)
            .map(|i| Week {
                starts: 1_790_000_000 + i * 604_800,
                decisions: i as u64 % 4,
                at_level: 1.min(i as u64 % 4),
                downlevel: 0,
                no_hire: 0,
                other: 0,
            })
            .collect();
        let png = weekly_png(&weeks);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        assert_eq!(reader.info().width as usize, PAD * 2 + 12 * (BAR_W + GAP));
    }
}
