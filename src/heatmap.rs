//! The reveal's heat map: interviewer × criterion scores as a PNG, drawn in
//! process (no fonts or tools on the host), because a panel reads a grid of
//! colours faster than a table.

use crate::render::{Canvas, BG, GLYPH, INK};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatMap {
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    /// `cells[row][column]`: a score 1–4, or none when not scored.
    pub cells: Vec<Vec<Option<u8>>>,
}

const CELL_W: usize = 56;
const CELL_H: usize = 36;
const PAD: usize = 8;
/// Longest row label drawn, in characters.
const MAX_LABEL_CHARS: usize = 32;
const EMPTY: [u8; 3] = [222, 226, 230];
/// Below senior, senior, staff, senior staff.
const SCORE_COLOURS: [[u8; 3]; 4] = [
    [214, 69, 65],
    [244, 162, 97],
    [144, 190, 109],
    [42, 157, 143],
];

fn ascii(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(max)
        .collect()
}

impl HeatMap {
    pub fn to_png(&self) -> Vec<u8> {
        let label_chars = self
            .rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0)
            .min(MAX_LABEL_CHARS);
        let left = PAD * 2 + label_chars * GLYPH;
        let top = PAD * 2 + GLYPH;
        let w = left + self.columns.len().max(1) * CELL_W + PAD;
        let h = top + self.rows.len().max(1) * CELL_H + PAD;
        let mut c = Canvas::new(w, h);
        for (i, col) in self.columns.iter().enumerate() {
            c.text(
                left + i * CELL_W + 2,
                PAD,
                &ascii(col, CELL_W / GLYPH),
                1,
                INK,
            );
        }
        for (r, label) in self.rows.iter().enumerate() {
            let y = top + r * CELL_H;
            c.text(
                PAD,
                y + (CELL_H - GLYPH) / 2,
                &ascii(label, MAX_LABEL_CHARS),
                1,
                INK,
            );
            for col in 0..self.columns.len() {
                let score = self
                    .cells
                    .get(r)
                    .and_then(|row| row.get(col))
                    .copied()
                    .flatten();
                let colour = match score {
                    Some(s @ 1..=4) => SCORE_COLOURS[s as usize - 1],
                    _ => EMPTY,
                };
                let x = left + col * CELL_W;
                c.rect(x + 1, y + 1, CELL_W - 2, CELL_H - 2, colour);
                if let Some(s) = score {
                    c.text(
                        x + (CELL_W - 2 * GLYPH) / 2,
                        y + (CELL_H - 2 * GLYPH) / 2,
                        &s.to_string(),
                        2,
                        BG,
                    );
                }
            }
        }
        c.to_png()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_decodable_png_of_the_right_size() {
        let map = HeatMap {
            columns: vec!["Scope".into(), "Arch".into()],
            rows: vec!["#1 Screen".into(), "#2 Deep-dive".into(), "#3 Bar".into()],
            cells: vec![
                vec![Some(2), None],
                vec![Some(3), Some(4)],
                vec![Some(1), Some(2)],
            ],
        };
        let bytes = map.to_png();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.height as usize, PAD * 2 + GLYPH + 3 * CELL_H + PAD);
        assert_eq!(info.width as usize, PAD * 2 + 12 * GLYPH + 2 * CELL_W + PAD);
    }
}
