//! A drawn screen as a file, for slides and READMEs: an SVG that looks like
//! the terminal (colours, bold, Korean glyphs two cells wide) and the plain
//! text `tmux capture-pane` would show. Pure: a `Buffer` in, a `String` out,
//! so the runtime's screen key and a presentation export without a terminal
//! write the same pictures.
//!
//! ```
//! use layerlab::ui::export;
//! use ratatui::buffer::Buffer;
//! let buffer = Buffer::with_lines(["FROM alpine", "캐시 HIT"]);
//! assert_eq!(export::text(&buffer), "FROM alpine\n캐시 HIT\n");
//! assert!(export::svg(&buffer).starts_with("<?xml"));
//! ```

use ratatui::buffer::{Buffer, Cell, CellWidth};
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

/// Width and height of one terminal cell in the SVG, in pixels. A
/// monospace font at 15 px is about 9 px wide; every run of text is also
/// stretched to its cells (`textLength`), so columns line up whatever font
/// the viewer finds.
const CELL_W: u32 = 9;
const CELL_H: u32 = 18;
const FONT_PX: u32 = 15;
/// Where the baseline sits in a cell (descenders below it).
const BASELINE: u32 = 14;

/// Monospace fonts: D2Coding (Latin and Hangul drawn together) where it is
/// installed, then the usual terminal fonts for Latin and box drawing, then
/// monospace fonts with Hangul for what those lack (a font is chosen per
/// glyph, in this order).
const FONT_FAMILY: &str = "'D2Coding', 'DejaVu Sans Mono', 'Menlo', 'Consolas', \
'Noto Sans Mono CJK KR', 'Sarasa Mono K', 'NanumGothicCoding', monospace";

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// What ratatui's named colours look like in the picture: a terminal's
/// palette, fixed so the same screen gives the same file everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// `Color::Reset` as a foreground.
    pub foreground: Rgb,
    /// `Color::Reset` as a background (the whole picture's background).
    pub background: Rgb,
    /// ANSI colours 0–15: black, red, green, yellow, blue, magenta, cyan,
    /// gray, then their bright forms (dark gray … white).
    pub ansi: [Rgb; 16],
}

impl Palette {
    /// A dark terminal (the colours of xterm's defaults, slightly softened).
    pub const DARK: Palette = Palette {
        foreground: (229, 229, 229),
        background: (24, 24, 24),
        ansi: [
            (0, 0, 0),
            (205, 49, 49),
            (13, 188, 121),
            (229, 229, 16),
            (36, 114, 200),
            (188, 63, 188),
            (17, 168, 205),
            (204, 204, 204),
            (118, 118, 118),
            (241, 76, 76),
            (35, 209, 139),
            (245, 245, 67),
            (59, 142, 234),
            (214, 112, 214),
            (41, 184, 219),
            (255, 255, 255),
        ],
    };

    fn rgb(&self, color: Color, reset: Rgb) -> Rgb {
        match color {
            Color::Reset => reset,
            Color::Black => self.ansi[0],
            Color::Red => self.ansi[1],
            Color::Green => self.ansi[2],
            Color::Yellow => self.ansi[3],
            Color::Blue => self.ansi[4],
            Color::Magenta => self.ansi[5],
            Color::Cyan => self.ansi[6],
            Color::Gray => self.ansi[7],
            Color::DarkGray => self.ansi[8],
            Color::LightRed => self.ansi[9],
            Color::LightGreen => self.ansi[10],
            Color::LightYellow => self.ansi[11],
            Color::LightBlue => self.ansi[12],
            Color::LightMagenta => self.ansi[13],
            Color::LightCyan => self.ansi[14],
            Color::White => self.ansi[15],
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Indexed(i) => self.indexed(i),
        }
    }

    /// The 256-colour palette: the 16 above, a 6×6×6 cube, 24 grays (as
    /// xterm defines them).
    fn indexed(&self, i: u8) -> Rgb {
        match i {
            0..=15 => self.ansi[i as usize],
            16..=231 => {
                let n = i - 16;
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                (level(n / 36), level(n / 6 % 6), level(n % 6))
            }
            _ => {
                let v = 8 + 10 * (i - 232);
                (v, v, v)
            }
        }
    }
}

/// The screen as an SVG picture with the dark palette.
pub fn svg(buffer: &Buffer) -> String {
    svg_with(buffer, &Palette::DARK)
}

/// The screen as an SVG picture: one cell `CELL_W`×`CELL_H` pixels, its
/// background a rectangle and its text in runs of cells of one style.
pub fn svg_with(buffer: &Buffer, palette: &Palette) -> String {
    let area = buffer.area;
    let (w, h) = (
        u32::from(area.width) * CELL_W,
        u32::from(area.height) * CELL_H,
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
viewBox=\"0 0 {w} {h}\" xml:space=\"preserve\">\n\
<style>text {{ font-family: {FONT_FAMILY}; font-size: {FONT_PX}px; white-space: pre; }}</style>\n\
<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>\n",
        hex(palette.background)
    );
    for y in 0..area.height {
        let runs = runs(buffer, area.y + y, palette);
        let top = u32::from(y) * CELL_H;
        for run in runs.iter().filter(|r| r.bg != palette.background) {
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{CELL_H}\" fill=\"{}\"/>",
                run.col * CELL_W,
                run.cells * CELL_W,
                hex(run.bg)
            );
        }
        for run in &runs {
            text_element(&mut out, run, top + BASELINE);
        }
    }
    out.push_str("</svg>\n");
    out
}

/// The screen as plain text: one line a row, trailing spaces trimmed, a
/// wide glyph once (what `tmux capture-pane -p` prints).
pub fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for (_, cell) in cells(buffer, y) {
            line.push_str(cell.symbol());
        }
        out.push_str(line.trim_end_matches(' '));
        out.push('\n');
    }
    out
}

/// The drawn cells of row `y` with their columns (from the buffer's left
/// edge): the cell a wide glyph covers is left out, as a terminal shows it.
fn cells(buffer: &Buffer, y: u16) -> impl Iterator<Item = (u16, &Cell)> {
    let area = buffer.area;
    let mut covered = 0u16;
    (0..area.width).filter_map(move |col| {
        if covered > 0 {
            covered -= 1;
            return None;
        }
        let cell = &buffer[(area.x + col, y)];
        covered = cell.cell_width().saturating_sub(1);
        Some((col, cell))
    })
}

/// Cells of one look side by side, drawn as one `<text>`.
#[derive(Debug, PartialEq)]
struct Run {
    /// First column.
    col: u32,
    /// How many columns the run covers (a wide glyph counts two).
    cells: u32,
    text: String,
    fg: Rgb,
    bg: Rgb,
    modifier: Modifier,
    /// Whether its glyphs are two cells wide (runs never mix widths, so
    /// stretching a run to its cells never moves a glyph off its column).
    wide: bool,
}

fn runs(buffer: &Buffer, y: u16, palette: &Palette) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (col, cell) in cells(buffer, y) {
        let width = u32::from(cell.cell_width().max(1));
        let mut fg = palette.rgb(cell.fg, palette.foreground);
        let mut bg = palette.rgb(cell.bg, palette.background);
        if cell.modifier.contains(Modifier::REVERSED) {
            std::mem::swap(&mut fg, &mut bg);
        }
        // Reversal is already in the colours; what is left shapes the glyph.
        let modifier = cell.modifier - Modifier::REVERSED;
        let wide = width > 1;
        match runs.last_mut() {
            Some(run)
                if run.fg == fg && run.bg == bg && run.modifier == modifier && run.wide == wide =>
            {
                run.cells += width;
                run.text.push_str(cell.symbol());
            }
            _ => runs.push(Run {
                col: u32::from(col),
                cells: width,
                text: cell.symbol().to_string(),
                fg,
                bg,
                modifier,
                wide,
            }),
        }
    }
    runs
}

fn text_element(out: &mut String, run: &Run, baseline: u32) {
    // Trailing spaces show nothing unless a line is drawn through them.
    let lines = Modifier::UNDERLINED | Modifier::CROSSED_OUT;
    let shown = if run.modifier.intersects(lines) {
        run.text.as_str()
    } else {
        run.text.trim_end_matches(' ')
    };
    if shown.is_empty() || run.modifier.contains(Modifier::HIDDEN) {
        return;
    }
    // A space is one byte and one cell.
    let cells = run.cells - (run.text.len() - shown.len()) as u32;
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{baseline}\" textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\" fill=\"{}\"",
        run.col * CELL_W,
        cells * CELL_W,
        hex(run.fg)
    );
    if run.modifier.contains(Modifier::BOLD) {
        out.push_str(" font-weight=\"bold\"");
    }
    if run.modifier.contains(Modifier::ITALIC) {
        out.push_str(" font-style=\"italic\"");
    }
    if run.modifier.contains(Modifier::DIM) {
        out.push_str(" fill-opacity=\"0.6\"");
    }
    match (
        run.modifier.contains(Modifier::UNDERLINED),
        run.modifier.contains(Modifier::CROSSED_OUT),
    ) {
        (true, true) => out.push_str(" text-decoration=\"underline line-through\""),
        (true, false) => out.push_str(" text-decoration=\"underline\""),
        (false, true) => out.push_str(" text-decoration=\"line-through\""),
        (false, false) => {}
    }
    out.push('>');
    escape_into(out, shown);
    out.push_str("</text>\n");
}

fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// XML text: the five special characters as entities, and characters
/// XML 1.0 cannot hold at all (control characters) as U+FFFD, so the file
/// always parses.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c < ' ' || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn texts(svg: &str) -> Vec<(u32, u32, String)> {
        // (x, y, content) of every <text>, read back the simple way: the
        // writer above puts one element a line.
        svg.lines()
            .filter(|l| l.starts_with("<text "))
            .map(|l| {
                let attr = |name: &str| -> u32 {
                    let start = l.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    let end = start + l[start..].find('"').unwrap();
                    l[start..end].parse().unwrap()
                };
                let open = l.find('>').unwrap();
                let close = l.rfind("</text>").unwrap();
                (attr("x"), attr("y"), l[open + 1..close].to_string())
            })
            .collect()
    }

    #[test]
    fn text_trims_each_line_and_writes_a_wide_glyph_once() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 12, 3));
        buffer.set_string(0, 0, "FROM alpine", Style::default());
        buffer.set_string(2, 1, "캐시 HIT", Style::default());
        assert_eq!(text(&buffer), "FROM alpine\n  캐시 HIT\n\n");
    }

    #[test]
    fn a_korean_line_keeps_every_glyph_on_its_columns() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 20, 1));
        buffer.set_string(0, 0, "a 캐시 HIT b", Style::default());
        let svg = svg(&buffer);
        // `a` at 0, the two Hangul glyphs at columns 2 and 4 (one run
        // four cells wide), ` HIT b` from column 6.
        assert_eq!(
            texts(&svg),
            vec![
                (0, BASELINE, "a".to_string()),
                (2 * CELL_W, BASELINE, "캐시".to_string()),
                (6 * CELL_W, BASELINE, " HIT b".to_string()),
            ]
        );
        assert!(svg.contains(&format!(
            "x=\"{}\" y=\"{BASELINE}\" textLength=\"{}\"",
            2 * CELL_W,
            4 * CELL_W
        )));
        // The cell under a glyph's second half is not drawn: no `<text>`
        // holds the space ratatui leaves there.
        assert!(!svg.contains("캐 시"));
    }

    #[test]
    fn text_is_escaped_and_spaces_are_kept() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 30, 1));
        buffer.set_string(0, 0, "RUN a<b && echo \"x\" 'y'  z", Style::default());
        let svg = svg(&buffer);
        assert!(svg.contains(">RUN a&lt;b &amp;&amp; echo &quot;x&quot; &apos;y&apos;  z</text>"));
        assert!(svg.contains("xml:space=\"preserve\""));
        assert!(svg.contains("white-space: pre"));
        assert!(svg.contains("Noto Sans Mono CJK KR"));
    }

    #[test]
    fn control_characters_never_reach_the_file() {
        let mut out = String::new();
        escape_into(&mut out, "a\u{1b}[31mb\u{7f}");
        assert_eq!(out, "a\u{fffd}[31mb\u{fffd}");
    }

    /// The SVG's line that holds `needle`.
    fn line_with(svg: &str, needle: &str) -> String {
        svg.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in {svg}"))
            .to_string()
    }

    #[test]
    fn colours_come_from_the_cells_through_the_palette() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 10, 1));
        buffer.set_string(
            0,
            0,
            "MISS",
            Style::default().fg(Color::White).bg(Color::Red),
        );
        buffer.set_string(5, 0, "ok", Style::default().fg(Color::Rgb(1, 2, 3)));
        buffer.set_string(8, 0, "i", Style::default().fg(Color::Indexed(196)));
        let svg = svg(&buffer);
        let line = |needle: &str| line_with(&svg, needle);
        assert!(line(">MISS<").contains("fill=\"#ffffff\""));
        assert!(svg.contains(&format!(
            "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{CELL_H}\" fill=\"#cd3131\"/>",
            4 * CELL_W
        )));
        assert!(line(">ok<").contains("fill=\"#010203\""));
        // 196 in the cube is (5, 0, 0): full red.
        assert!(line(">i<").contains("fill=\"#ff0000\""));
        // The default background is the picture's, not a rectangle a cell.
        assert_eq!(svg.matches("<rect ").count(), 2);
    }

    #[test]
    fn styles_shape_the_glyphs_and_reverse_swaps_the_colours() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 20, 1));
        let m = |m: Modifier| Style::default().add_modifier(m);
        buffer.set_string(0, 0, "B", m(Modifier::BOLD));
        buffer.set_string(2, 0, "I", m(Modifier::ITALIC));
        buffer.set_string(4, 0, "U", m(Modifier::UNDERLINED));
        buffer.set_string(6, 0, "R", m(Modifier::REVERSED));
        let svg = svg(&buffer);
        let line = |needle: &str| line_with(&svg, needle);
        assert!(line(">B<").contains("font-weight=\"bold\""));
        assert!(line(">I<").contains("font-style=\"italic\""));
        assert!(line(">U<").contains("text-decoration=\"underline\""));
        let p = Palette::DARK;
        assert!(line(">R<").contains(&format!("fill=\"{}\"", hex(p.background))));
        assert!(svg.contains(&format!(
            "<rect x=\"{}\" y=\"0\" width=\"{CELL_W}\" height=\"{CELL_H}\" fill=\"{}\"/>",
            6 * CELL_W,
            hex(p.foreground)
        )));
        assert!(!line(">B<").contains("font-style"));
    }

    #[test]
    fn the_picture_is_the_buffer_s_size_in_cells() {
        let buffer = Buffer::empty(Rect::new(0, 0, 80, 24));
        let svg = svg(&buffer);
        assert!(svg.contains(&format!(
            "width=\"{}\" height=\"{}\"",
            80 * CELL_W,
            24 * CELL_H
        )));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(text(&buffer), "\n".repeat(24));
    }
}
