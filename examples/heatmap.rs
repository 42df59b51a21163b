//! Renders a sample reveal heat map to a PNG file, to look at the picture
//! the debrief thread gets: `cargo run --example heatmap -- /tmp/heatmap.png`.

use staffloop::heatmap::HeatMap;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "heatmap.png".into());
    let map = HeatMap {
        columns: [
            "Scope", "Arch", "XTeam", "Mentor", "Diag", "Review", "Refact", "Speed",
        ]
        .map(String::from)
        .to_vec(),
        rows: [
            "#1 Hiring-manager screen",
            "#2 Written design document",
            "#3 Design-document deep-dive",
            "#4 Design-document deep-dive",
            "#5 Coding round",
            "#6 Bar raiser",
        ]
        .map(String::from)
        .to_vec(),
        cells: vec![
            vec![Some(2), None, None, None, None, None, None, None],
            vec![Some(3), Some(3), None, None, None, None, None, None],
            vec![Some(4), Some(4), None, None, None, None, None, None],
            vec![Some(1), Some(1), None, None, None, None, None, None],
            vec![None, None, None, None, Some(3), Some(4), Some(2), Some(3)],
            vec![Some(3), Some(2), Some(3), Some(2), None, None, None, None],
        ],
    };
    std::fs::write(&path, map.to_png()).expect("write the PNG");
    println!("wrote {path}");
}
