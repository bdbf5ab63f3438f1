//! The presentation layout as a room sees it: insta snapshots in both
//! themes at 80×24 and 100×30 (a projector's usual size), and the style
//! assertions snapshots cannot make: every verdict badge and the key figure
//! bold and high in contrast (the WCAG ratio, computed from the cells'
//! colours), and every verdict a word or a mark, so the screen reads the
//! same without colour.

use layerlab::app::i18n::Lang;
use layerlab::app::present::ThemeName;
use layerlab::app::{Event, Key, KeyCode};
use layerlab::lesson::embedded;
use layerlab::runtime::present::DemoSession;
use layerlab::runtime::{write_files, EXAMPLE};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

use crate::support::tui;

/// The reordering demo (lesson 02, step 2) after its last action: app.js
/// changed and built again, COPY the one step rebuilt.
fn reorder_demo(
    lang: Lang,
    theme: ThemeName,
    size: (u16, u16),
) -> (DemoSession, tempfile::TempDir) {
    let lesson = embedded()
        .into_iter()
        .find(|l| l.id == "02-build-cache")
        .expect("lesson 02");
    let actions = lesson.steps[1].solution.len();
    let dir = tempfile::tempdir().unwrap();
    let mut s = DemoSession::new(lesson, dir.path().join("demo"), lang, theme).unwrap();
    s.model.size = size;
    s.key(Key::char('2'));
    for _ in 0..actions {
        s.key(Key::plain(KeyCode::Right));
    }
    let card = s.model.demo.as_ref().expect("a demo card");
    assert_eq!((card.step, card.error.as_deref()), (1, None));
    (s, dir)
}

fn buffer(model: &layerlab::app::Model) -> Buffer {
    let (w, h) = model.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| layerlab::ui::draw(f, model)).unwrap();
    t.backend().buffer().clone()
}

/// The cells of row `y` as text, and the x of each character (a Korean
/// character takes two cells).
fn row(b: &Buffer, y: u16) -> (String, Vec<u16>) {
    let mut text = String::new();
    let mut xs = Vec::new();
    let mut x = 0;
    while x < b.area.width {
        let sym = b[(x, y)].symbol();
        for c in sym.chars() {
            text.push(c);
            xs.push(x);
        }
        x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
    }
    (text, xs)
}

fn screen(b: &Buffer) -> String {
    (0..b.area.height)
        .map(|y| format!("{}\n", row(b, y).0.trim_end()))
        .collect()
}

/// WCAG's relative luminance of an sRGB colour.
fn luminance(c: Color) -> f64 {
    let Color::Rgb(r, g, b) = c else {
        panic!("the presentation layout gives every colour exactly: {c:?}");
    };
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// The contrast ratio of two colours, 1 to 21.
fn contrast(a: Color, b: Color) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// WCAG's enhanced level (AAA) for text: what a washed-out projector
/// still shows.
const HIGH: f64 = 7.0;

fn assert_loud(b: &Buffer, x: u16, y: u16, what: &str) {
    let cell = &b[(x, y)];
    assert!(
        cell.modifier.contains(Modifier::BOLD),
        "{what} at ({x},{y}) is not bold: {cell:?}"
    );
    let ratio = contrast(cell.fg, cell.bg);
    assert!(
        ratio >= HIGH,
        "{what} at ({x},{y}): contrast {ratio:.1} under {HIGH}: {cell:?}"
    );
}

/// The verdict badges: (word, y) of every row whose badge holds one, the
/// badge's cells checked loud.
fn badges(b: &Buffer) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    for y in 0..b.area.height {
        let word: String = (3..7).map(|x| b[(x, y)].symbol()).collect();
        let word = word.trim().to_string();
        if ["HIT", "MISS", "BASE"].contains(&word.as_str()) {
            for x in 2..8 {
                assert_loud(b, x, y, &format!("the {word} badge"));
            }
            out.push((word, y));
        }
    }
    out
}

#[test]
fn the_demo_on_the_presentation_layout_in_both_themes_and_both_sizes() {
    for theme in [ThemeName::Dark, ThemeName::Light] {
        for size in [(80, 24), (100, 30)] {
            let (s, _dir) = reorder_demo(Lang::En, theme, size);
            let b = buffer(&s.model);
            let name = format!("present_reorder_{}_{}x{}", theme.name(), size.0, size.1);
            insta::assert_snapshot!(name.clone(), screen(&b));

            // Every badge loud; the reorder's last build hits three steps
            // and rebuilds COPY, the first (and only) miss.
            let found = badges(&b);
            let words: Vec<&str> = found.iter().map(|(w, _)| w.as_str()).collect();
            assert_eq!(words, ["BASE", "HIT", "HIT", "HIT", "MISS"], "{name}");
            let (_, miss_y) = found[4];
            let (text, _) = row(&b, miss_y);
            assert!(text.contains("◆ COPY app.js ."), "{name}: {text}");

            // The key figure: its large digits and its words, loud.
            let (words_row, xs) = (2..6)
                .map(|y| (y, row(&b, y)))
                .find(|(_, (t, _))| t.contains("1 of 4 steps rebuilt"))
                .map(|(y, (t, xs))| ((y, t), xs))
                .unwrap_or_else(|| panic!("{name}: no key figure\n{}", screen(&b)));
            let (y, text) = words_row;
            let at = text.find("1 of 4").unwrap();
            let first = text[..at].chars().count();
            for i in 0.."1 of 4 steps rebuilt".len() {
                assert_loud(&b, xs[first + i], y, "the key figure's words");
            }
            let mut blocks = 0;
            for gy in y..y + 3 {
                for x in 0..20 {
                    if ["█", "▀", "▄"].contains(&b[(x, gy)].symbol()) {
                        assert_loud(&b, x, gy, "the key figure's digits");
                        blocks += 1;
                    }
                }
            }
            assert!(blocks >= 10, "{name}: the large digits are missing");
            // The caption and the step are on the screen.
            let all = screen(&b);
            assert!(
                all.contains("COPY is last, so only one step is rebuilt."),
                "{name}"
            );
            assert!(all.contains("step 2 of 4"), "{name}");
        }
    }
}

#[test]
fn the_demo_reads_in_korean_at_80x24() {
    let (s, _dir) = reorder_demo(Lang::Ko, ThemeName::Dark, (80, 24));
    let b = buffer(&s.model);
    insta::assert_snapshot!("present_reorder_ko_dark_80x24", screen(&b));
    assert!(screen(&b).contains("4단계 중 1단계 다시 빌드함"));
    assert_eq!(badges(&b).len(), 5);
    // L: the same frame in English, the lesson's own English caption.
    let mut s = s;
    s.key(Key::char('L'));
    let en = screen(&buffer(&s.model));
    assert!(en.contains("1 of 4 steps rebuilt"), "{en}");
    assert!(
        en.contains("COPY is last, so only one step is rebuilt."),
        "{en}"
    );
    assert_eq!(s.demo.played(), 6, "the language changes no state");
}

/// Without colour the words and the marks carry it all: the same text,
/// the first miss in reverse video.
#[test]
fn no_verdict_leans_on_colour_alone() {
    let (mut s, _dir) = reorder_demo(Lang::En, ThemeName::Light, (80, 24));
    let coloured = screen(&buffer(&s.model));
    s.model.no_color = true;
    let b = buffer(&s.model);
    assert_eq!(screen(&b), coloured);
    let mut first_miss = 0;
    for y in 0..b.area.height {
        let word: String = (3..7).map(|x| b[(x, y)].symbol()).collect();
        let cell = &b[(3, y)];
        if word.trim() == "MISS" {
            assert!(cell.modifier.contains(Modifier::BOLD | Modifier::REVERSED));
            first_miss += 1;
        }
        if ["HIT", "BASE"].contains(&word.trim()) {
            assert!(cell.modifier.contains(Modifier::BOLD));
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
        }
    }
    assert_eq!(first_miss, 1);
    // The help of a demo lists the keys that work in it, not the editor's.
    s.key(Key::char('?'));
    let help = screen(&buffer(&s.model));
    assert!(help.contains("play the demo's next action"), "{help}");
    assert!(help.contains("1–9"), "{help}");
    assert!(!help.contains("move the instruction up"), "{help}");
}

/// `p` on the ordinary screen: the same build in the presentation layout,
/// the footer and the pane borders gone; `p` again brings them back, and
/// `T` puts the light theme on either.
#[test]
fn p_toggles_the_presentation_layout_on_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("web-ping");
    std::fs::create_dir(&ctx).unwrap();
    write_files(&ctx, EXAMPLE).unwrap();
    let mut session = tui::open(dir.path(), ctx, "web-ping/Dockerfile", Lang::En);
    session.model.sandbox = true;
    session.model.size = (80, 24);
    session.start();
    session.dispatch(Event::Key(Key::plain(KeyCode::F(5))));
    let normal = screen(&buffer(&session.model));
    assert!(normal.contains("help"), "{normal}");
    tui::press(&mut session, "p");
    let b = buffer(&session.model);
    insta::assert_snapshot!("present_screen_dark_80x24", screen(&b));
    assert!(!screen(&b).contains('┌'), "no pane borders");
    assert!(!screen(&b).contains("q quit"), "no footer");
    let words: Vec<String> = badges(&b).into_iter().map(|(w, _)| w).collect();
    assert_eq!(words, ["BASE", "MISS", "MISS"]);
    tui::press(&mut session, "T");
    let light = buffer(&session.model);
    assert_eq!(screen(&light), screen(&b));
    assert_eq!(light[(0, 0)].bg, Color::Rgb(255, 255, 255));
    badges(&light);
    tui::press(&mut session, "p");
    assert_eq!(screen(&buffer(&session.model)), normal);
}

/// `layerlab present --export DIR LESSON`: one SVG per action played (and
/// the screen before the first), each well-formed XML holding the screen's
/// text, at the size asked for, without a terminal.
#[test]
fn the_export_writes_one_svg_per_demo_action() {
    let lesson = embedded()
        .into_iter()
        .find(|l| l.id == "04-smaller-images")
        .expect("lesson 04");
    let actions: usize = lesson.steps.iter().map(|s| s.solution.len()).sum();
    let first_caption = lesson.steps[0].captions[0].en.clone();
    let out = tempfile::tempdir().unwrap();
    let written = layerlab::runtime::present::export_demo(
        lesson,
        Lang::En,
        ThemeName::Light,
        (80, 24),
        out.path(),
    )
    .expect("export");
    let svgs: Vec<_> = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert_eq!(svgs.len(), actions + 1);
    for (n, svg) in svgs.iter().enumerate() {
        assert_eq!(
            svg.file_name().unwrap().to_string_lossy(),
            format!("04-smaller-images-{n:02}.svg")
        );
        let text = std::fs::read_to_string(svg).unwrap();
        let doc = roxmltree::Document::parse(&text).expect("the SVG parses as XML");
        let shown: String = doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert!(shown.contains("BuildKit"), "{}: {shown}", svg.display());
    }
    let after_first = std::fs::read_to_string(out.path().join("04-smaller-images-01.txt")).unwrap();
    assert_eq!(after_first.lines().count(), 24);
    let joined = after_first.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(joined.contains(&first_caption), "{after_first}");
    assert!(after_first.contains("step 1 of 3"), "{after_first}");
}
