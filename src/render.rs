//! A tiny raster canvas for the PNGs the bot uploads (the reveal's heat map,
//! the weekly chart): rectangles, 8×8 bitmap text, PNG encoding. Drawn in
//! process so the host needs no fonts or image tools.

use font8x8::{UnicodeFonts, BASIC_FONTS};

pub const GLYPH: usize = 8;
pub const BG: [u8; 3] = [255, 255, 255];
pub const INK: [u8; 3] = [33, 37, 41];

/// ASCII only (the font has nothing else), cut to `max` characters.
pub fn ascii(s: &str, max: usize) -> String {
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

pub struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    pub fn new(w: usize, h: usize) -> Canvas {
        Canvas {
            w,
            h,
            px: BG.iter().copied().cycle().take(w * h * 3).collect(),
        }
    }

    pub fn rect(&mut self, x: usize, y: usize, w: usize, h: usize, c: [u8; 3]) {
        for yy in y..(y + h).min(self.h) {
            for xx in x..(x + w).min(self.w) {
                let i = (yy * self.w + xx) * 3;
                self.px[i..i + 3].copy_from_slice(&c);
            }
        }
    }

    /// Draws ASCII text with the 8×8 font at `scale`.
    pub fn text(&mut self, x: usize, y: usize, s: &str, scale: usize, c: [u8; 3]) {
        for (n, ch) in s.chars().enumerate() {
            let glyph = BASIC_FONTS
                .get(ch)
                .or_else(|| BASIC_FONTS.get('?'))
                .unwrap_or([0; 8]);
            for (gy, row) in glyph.iter().enumerate() {
                for gx in 0..GLYPH {
                    if row & (1 << gx) != 0 {
                        self.rect(
                            x + (n * GLYPH + gx) * scale,
                            y + gy * scale,
                            scale,
                            scale,
                            c,
                        );
                    }
                }
            }
        }
    }
}

impl Canvas {
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.w as u32, self.h as u32);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header().expect("writing to memory cannot fail");
            writer
                .write_image_data(&self.px)
                .expect("the buffer matches the header");
        }
        out
    }
}
