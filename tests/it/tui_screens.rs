//! Every screen and pane state as an insta snapshot (TestBackend), plus
//! style assertions where colour carries meaning: HIT vs MISS, the first
//! miss, NO_COLOR.

use layerlab::app::i18n::Lang;
use layerlab::app::{Event, Key};
use layerlab::runtime::{write_files, Session, EXAMPLE};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

use crate::support::tui;

struct Fixture {
    session: Session,
    _dir: tempfile::TempDir,
}

fn example(lang: Lang, size: (u16, u16)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("web-ping");
    std::fs::create_dir(&ctx).unwrap();
    write_files(&ctx, EXAMPLE).unwrap();
    let mut session = tui::open(dir.path(), ctx, "web-ping/Dockerfile", lang);
    session.model.sandbox = true;
    session.model.size = size;
    session.start();
    // The learner's first build: what follows is previewed against it.
    session.dispatch(Event::Key(Key::plain(layerlab::app::KeyCode::F(5))));
    Fixture { session, _dir: dir }
}

impl Fixture {
    fn keys(&mut self, keys: &str) -> &mut Self {
        tui::press(&mut self.session, keys);
        self
    }

    fn typed(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.session.dispatch(Event::Key(Key::char(c)));
        }
        self
    }

    fn buffer(&self) -> Buffer {
        let (w, h) = self.session.model.size;
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| layerlab::ui::draw(f, &self.session.model))
            .unwrap();
        t.backend().buffer().clone()
    }

    fn screen(&self) -> String {
        let b = self.buffer();
        let mut out = String::new();
        for y in 0..b.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..b.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = b[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
                line.push_str(sym);
            }
            out.push_str(&mask_digests(line.trim_end()));
            out.push('\n');
        }
        out
    }
}

/// Digests belong to the engine's tests: the screens show `######` in
/// their place so an engine change does not churn every screen snapshot.
/// Masks runs of 6 or more lower-case hex characters that contain a digit
/// or are cut short with "…" (a short digest can be all letters: "bcffcb…").
fn mask_digests(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        let mut j = i;
        while j < chars.len() && hex(chars[j]) {
            j += 1;
        }
        let word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        let word_end = j == chars.len() || !chars[j].is_alphanumeric();
        let run = &chars[i..j];
        let cut = chars.get(j) == Some(&'…');
        let digest = cut || run.iter().any(char::is_ascii_digit);
        if j - i >= 6 && word_start && word_end && digest {
            out.push_str(&"#".repeat(j - i));
            i = j;
        } else if j > i {
            out.extend(run);
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Where `text` starts on screen (first match, top to bottom).
fn find(b: &Buffer, text: &str) -> Option<(u16, u16)> {
    for y in 0..b.area.height {
        let row: Vec<String> = (0..b.area.width)
            .map(|x| b[(x, y)].symbol().to_string())
            .collect();
        let joined = row.concat();
        if let Some(byte) = joined.find(text) {
            let col = joined[..byte].chars().count() as u16;
            return Some((col, y));
        }
    }
    None
}

fn find_in_row(b: &Buffer, y: u16, text: &str) -> Option<u16> {
    let row: String = (0..b.area.width)
        .map(|x| b[(x, y)].symbol().to_string())
        .collect();
    row.find(text)
        .map(|byte| row[..byte].chars().count() as u16)
}

#[test]
fn first_build_roomy() {
    let f = example(Lang::En, (120, 35));
    insta::assert_snapshot!(f.screen());
}

#[test]
fn first_build_80x24() {
    let f = example(Lang::En, (80, 24));
    insta::assert_snapshot!(f.screen());
}

#[test]
fn cached_rebuild_after_moving_cmd_under_buildkit_and_classic() {
    let mut f = example(Lang::En, (120, 35));
    f.keys("j j j j K");
    insta::assert_snapshot!("buildkit_moved_cmd", f.screen());
    f.keys("b");
    insta::assert_snapshot!("classic_moved_cmd", f.screen());
}

#[test]
fn context_pane_and_a_simulated_change() {
    let mut f = example(Lang::En, (120, 35));
    f.keys("c j j e");
    insta::assert_snapshot!(f.screen());
    // A simulated delete: no question, the row stays listed as deleted and
    // the COPY of it fails as Docker's would; `r` brings it back.
    f.keys("x");
    insta::assert_snapshot!("context_pane_simulated_delete", f.screen());
    f.keys("r");
    insta::assert_snapshot!("context_pane_after_reset", f.screen());
}

#[test]
fn parse_error_at_its_line() {
    let mut f = example(Lang::En, (100, 30));
    f.keys("j a").typed("COPY").keys("esc");
    insta::assert_snapshot!(f.screen());
}

#[test]
fn editing_a_line() {
    let mut f = example(Lang::En, (80, 24));
    f.keys("j e home").typed("# ");
    insta::assert_snapshot!(f.screen());
}

#[test]
fn help_overlay() {
    let mut f = example(Lang::En, (100, 40));
    f.keys("?");
    insta::assert_snapshot!(f.screen());
}

#[test]
fn details_overlay_80x24() {
    let mut f = example(Lang::En, (80, 24));
    f.keys("j j j enter");
    insta::assert_snapshot!(f.screen());
}

#[test]
fn command_bar_and_output() {
    let mut f = example(Lang::En, (100, 30));
    f.keys(":")
        .typed("docker build -t web-ping .")
        .keys("enter");
    f.keys(":").typed("docker images").keys("enter");
    f.keys(":").typed("docker image ls --nmae");
    insta::assert_snapshot!(f.screen());
    f.keys("enter");
    insta::assert_snapshot!("command_output_with_error", f.screen());
}

#[test]
fn korean_screen_keeps_columns_aligned() {
    let mut f = example(Lang::Ko, (120, 35));
    f.keys("j j j");
    let s = f.screen();
    insta::assert_snapshot!(s);
    // Every line is exactly as wide as the terminal, wide characters and all.
    assert!(s.contains("┌ 이유 ─"), "the why-pane title in Korean");
    for line in s.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 120, "{line}");
    }
}

#[test]
fn verdict_colours_carry_meaning_and_words_remain_without_colour() {
    let mut f = example(Lang::En, (120, 35));
    // A change to app.js: COPY is the first miss (WORKDIR stays cached).
    f.keys("c j j e esc");
    let b = f.buffer();
    let (_, copy_row) = find(&b, "COPY app.js .  ").expect("COPY row in the layer pane");
    let miss_x = find_in_row(&b, copy_row, "MISS").expect("MISS word on the first-miss row");
    let cell = &b[(miss_x, copy_row)];
    assert_eq!(cell.bg, Color::Red, "the first miss is the loudest");
    assert!(cell.modifier.contains(Modifier::BOLD));
    assert!(
        find_in_row(&b, copy_row, "◆").is_some(),
        "marked without colour too"
    );
    // The layer pane's WORKDIR row (the Dockerfile pane has one too).
    let wd_row = (0..b.area.height)
        .find(|&y| {
            find_in_row(&b, y, "WORKDIR /web-ping").is_some() && find_in_row(&b, y, "HIT").is_some()
        })
        .expect("WORKDIR row with its verdict");
    let hit_x = find_in_row(&b, wd_row, "HIT").expect("HIT word");
    assert_eq!(b[(hit_x, wd_row)].fg, Color::Green);

    f.session.model.no_color = true;
    let b = f.buffer();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            let c = &b[(x, y)];
            assert_eq!(c.fg, Color::Reset, "colour at {x},{y} under NO_COLOR");
            assert_eq!(c.bg, Color::Reset, "colour at {x},{y} under NO_COLOR");
        }
    }
    let (_, copy_row) = find(&b, "COPY app.js .  ").unwrap();
    let miss_x = find_in_row(&b, copy_row, "MISS").unwrap();
    assert!(b[(miss_x, copy_row)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn the_selected_row_is_highlighted_on_both_sides() {
    let mut f = example(Lang::En, (120, 35));
    f.keys("j j j");
    let b = f.buffer();
    let (_, left) = find(&b, "▶ 5 COPY").expect("selected in the Dockerfile pane");
    let (x, right) = find(&b, "▶ MISS")
        .or_else(|| find(&b, "▶ HIT"))
        .expect("selected in the layer pane");
    assert_eq!(b[(x + 2, right)].bg, Color::DarkGray);
    assert_eq!(b[(3, left)].bg, Color::DarkGray);
}

#[test]
fn mouse_click_selects_on_either_side() {
    let mut f = example(Lang::En, (120, 35));
    let b = f.buffer();
    let (x, y) = find(&b, "COPY app.js .  ").unwrap();
    let ev = layerlab::ui::click(&f.session.model, x, y).expect("a row under the click");
    f.session.dispatch(ev);
    assert_eq!(f.session.model.selected, 3);
    let (x, y) = find(&b, "ENV TARGET").unwrap();
    let ev = layerlab::ui::click(&f.session.model, x, y).unwrap();
    f.session.dispatch(ev);
    assert_eq!(f.session.model.selected, 1);
}

/// Border glyphs a pane's sides and bottom are drawn with.
const BORDER: [&str; 6] = ["│", "─", "┌", "┐", "└", "┘"];

/// Every side and bottom cell of `r` is a border glyph, and no wide
/// character starts just left of a border cell (a terminal would draw its
/// second half over the border).
fn assert_borders(b: &Buffer, r: ratatui::layout::Rect, what: &str) {
    let mut cells: Vec<(u16, u16)> = Vec::new();
    for y in r.top() + 1..r.bottom() {
        cells.push((r.left(), y));
        cells.push((r.right() - 1, y));
    }
    for x in r.left()..r.right() {
        cells.push((x, r.bottom() - 1));
    }
    for (x, y) in cells {
        let sym = b[(x, y)].symbol();
        assert!(BORDER.contains(&sym), "{what}: {sym:?} at ({x}, {y})");
        if x > 0 {
            let left = b[(x - 1, y)].symbol();
            assert!(
                unicode_width::UnicodeWidthStr::width(left) <= 1,
                "{what}: wide {left:?} runs into the border at ({x}, {y})"
            );
        }
    }
}

#[test]
fn wrapped_korean_reasons_never_overwrite_a_border() {
    for (w, h) in [(80, 24), (100, 30), (120, 35)] {
        let mut f = example(Lang::Ko, (w, h));
        // app.js changed: COPY misses with a long Korean reason; select it.
        f.keys("c j j e esc tab j j j j");
        let model = &f.session.model;
        let a = layerlab::ui::areas(model);
        let b = f.buffer();
        assert!(f.screen().contains("MISS"), "{}", f.screen());
        assert_borders(&b, a.dockerfile, "Dockerfile pane");
        assert_borders(&b, a.layers, "layer pane");
        if let Some(why) = a.why {
            assert_borders(&b, why, "why-pane");
        }
        // The details overlay wraps the same reasons.
        f.keys("enter");
        let b = f.buffer();
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let overlay = layerlab::ui::help::overlay_area(area);
        // Its bottom border carries the closing hint: check its sides.
        let sides = ratatui::layout::Rect {
            height: overlay.height - 1,
            ..overlay
        };
        for y in sides.top() + 1..sides.bottom() {
            for x in [sides.left(), sides.right() - 1] {
                assert_eq!(b[(x, y)].symbol(), "│", "details at {w}×{h}: ({x}, {y})");
                let left = b[(x - 1, y)].symbol();
                assert!(
                    unicode_width::UnicodeWidthStr::width(left) <= 1,
                    "details at {w}×{h}: wide {left:?} before ({x}, {y})"
                );
            }
        }
        insta::assert_snapshot!(format!("korean_reasons_details_{w}x{h}"), f.screen());
    }
}

#[test]
fn help_scrolls_to_its_last_line_at_24_rows() {
    let mut f = example(Lang::En, (80, 24));
    f.keys("?");
    let first = f.screen();
    assert!(first.contains("lines 1–"), "a scroll indicator: {first}");
    // The help's last place is the lesson menu.
    let last_action = "reset the lesson's current step";
    assert!(!first.contains(last_action));
    f.keys("pagedown pagedown pagedown pagedown");
    let end = f.screen();
    assert!(end.contains(last_action), "{end}");
    assert!(end.contains("of 45 ·") || end.contains(" of "), "{end}");
    // Further down stays at the end; one up leaves it.
    f.keys("down");
    assert_eq!(f.screen(), end);
    f.keys("up");
    assert_ne!(f.screen(), end);
    f.keys("end");
    assert_eq!(f.screen(), end);
    insta::assert_snapshot!("help_scrolled_to_its_end_80x24", end);
}

#[test]
fn the_key_figure_stays_visible_at_80x24() {
    for lang in [Lang::En, Lang::Ko] {
        let f = example(lang, (80, 24));
        let s = f.screen();
        let figure = match lang {
            Lang::En => "2 of 2 steps rebuilt",
            Lang::Ko => "2단계 중 2단계 다시 빌드",
        };
        let saved = match lang {
            Lang::En => "cache saved ≈0.0 s",
            Lang::Ko => "캐시로 ≈0.0초 절약",
        };
        assert!(s.contains(figure), "{s}");
        assert!(s.contains(saved), "{s}");
        // The footer keeps building and points at the rest of the keys.
        let footer = s.lines().last().unwrap();
        assert!(footer.contains("F5/B"), "{footer}");
        assert!(!footer.ends_with('…'), "{footer}");
    }
}

#[test]
fn korean_screens_80x24_and_120x35() {
    let f = example(Lang::Ko, (80, 24));
    insta::assert_snapshot!("korean_first_build_80x24", f.screen());
    let f = example(Lang::Ko, (120, 35));
    insta::assert_snapshot!("korean_first_build_120x35", f.screen());
}

#[test]
fn the_base_image_row_lists_its_layers_files() {
    let mut f = example(Lang::En, (120, 35));
    // The FROM line is selected at start.
    let s = f.screen();
    assert!(s.contains("Files of the selected layer: 4 layers:"), "{s}");
    assert!(!s.contains("no layer: this step"), "{s}");
    f.keys("enter");
    let d = f.screen();
    assert!(d.contains("Layer 1 of 4"), "{d}");
    assert!(d.contains("Layer 4 of 4"), "{d}");
}

/// The lecture's reorder, with both builders' caches holding the
/// original: built under BuildKit (#1) and the classic builder (#2), back
/// to BuildKit, then CMD moved up to just after ENV.
fn lecture_reorder(lang: Lang, size: (u16, u16)) -> Fixture {
    let mut f = example(lang, size);
    f.keys("b f5 b j j j j K K");
    f
}

/// The words inside the borders of `r`, rows joined by single spaces
/// (a line wrapped in a pane reads as one).
fn words_inside(b: &Buffer, r: ratatui::layout::Rect) -> String {
    let mut out = String::new();
    for y in r.y + 1..r.bottom().saturating_sub(1) {
        let mut skip = 0;
        for x in r.x + 1..r.right().saturating_sub(1) {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = b[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push(' ');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn side_by_side_and_the_difference_line_agree_with_both_builders_for_the_lecture_reorder() {
    use layerlab::app::compare::Difference;
    use layerlab::engine::builder::BuilderKind;
    let mut f = lecture_reorder(Lang::En, (120, 35));
    let order: Vec<_> = f
        .session
        .model
        .outline
        .blocks
        .iter()
        .map(|b| b.keyword.as_str().to_uppercase())
        .collect();
    assert_eq!(order, ["FROM", "ENV", "CMD", "WORKDIR", "COPY"]);
    let view = f.session.view().expect("a preview");
    assert_eq!(view.builder, BuilderKind::Buildkit);
    let (kit, classic) = view.by_builder();
    let (kit, classic) = (kit.unwrap(), classic.unwrap());
    let (kit_r, classic_r) = (kit.report.clone().unwrap(), classic.report.clone().unwrap());
    assert_eq!(classic.builder, BuilderKind::Classic);
    // What each builder reports: BuildKit rebuilds nothing, the classic
    // builder CMD and the two steps after it.
    assert_eq!(kit_r.totals.rebuilt, 0);
    assert_eq!(classic_r.totals.rebuilt, 3);
    // The single view's line says exactly that.
    let d = Difference::of(view).expect("a difference");
    assert_eq!(
        d,
        Difference {
            costly: BuilderKind::Classic,
            rebuilt: classic_r.totals.rebuilt,
            metadata: vec!["ENV".into(), "CMD".into()],
        }
    );
    let single = layerlab::ui::areas(&f.session.model).layers;
    let screen = words_inside(&f.buffer(), single);
    let line = "In the classic builder, which the lecture uses, this change rebuilds 3 steps; \
                BuildKit keeps ENV and CMD as metadata";
    assert!(screen.contains(line), "{screen}");

    // Side by side: each column's title and its HIT/MISS words are its
    // builder's report; the difference line gives way to the two columns.
    f.keys("v");
    let b = f.buffer();
    let screen = f.screen();
    assert!(!screen.contains("which the lecture uses"), "{screen}");
    assert!(f.session.model.side_by_side);
    let summary = |r: &layerlab::engine::report::BuildReport| {
        format!(
            "{} of {} steps rebuilt",
            r.totals.rebuilt, r.totals.cacheable
        )
    };
    let (kx, ky) = find(&b, "BuildKit · preview").expect(&screen);
    let (cx, cy) = find(&b, "classic builder · preview").expect(&screen);
    assert_eq!(ky, cy, "the two columns side by side:\n{screen}");
    assert!(kx < cx);
    let layers = layerlab::ui::areas(&f.session.model).layers;
    // A column: its title row and what its borders hold.
    let column = |x0: u16, x1: u16| {
        let r = ratatui::layout::Rect::new(x0, layers.y, x1 - x0, layers.height);
        let title: String = (x0..x1).map(|x| b[(x, r.y)].symbol().to_string()).collect();
        format!("{title} {}", words_inside(&b, r))
    };
    let (kit_col, classic_col) = (column(kx - 2, cx - 2), column(cx - 2, layers.right()));
    assert!(kit_col.contains(&summary(&kit_r)), "{kit_col}");
    assert!(classic_col.contains(&summary(&classic_r)), "{classic_col}");
    let count = |r: &layerlab::engine::report::BuildReport| {
        let hit = r.steps.iter().filter(|s| s.verdict.cached()).count();
        (hit, r.totals.rebuilt)
    };
    let words = |c: &str, w: &str| c.split_whitespace().filter(|x| *x == w).count();
    assert_eq!(
        (words(&kit_col, "HIT"), words(&kit_col, "MISS")),
        count(&kit_r),
        "{kit_col}"
    );
    assert_eq!(
        (words(&classic_col, "HIT"), words(&classic_col, "MISS")),
        count(&classic_r),
        "{classic_col}"
    );
    // The same key goes back to one builder.
    f.keys("v");
    assert!(words_inside(&f.buffer(), single).contains(line));
}

#[test]
fn side_by_side_80x24_and_120x35_in_both_languages() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Ko, "ko")] {
        for size in [(80, 24), (120, 35)] {
            let mut f = lecture_reorder(lang, size);
            f.keys("v");
            insta::assert_snapshot!(
                format!("side_by_side_{name}_{}x{}", size.0, size.1),
                f.screen()
            );
        }
    }
}

#[test]
fn the_difference_line_in_korean() {
    let f = lecture_reorder(Lang::Ko, (120, 35));
    let layers = layerlab::ui::areas(&f.session.model).layers;
    let screen = words_inside(&f.buffer(), layers);
    let line = "강의에서 쓰는 classic 빌더는 이 변경으로 3단계를 다시 빌드함. \
                BuildKit은 ENV, CMD 명령을 메타데이터로만 기록함";
    assert!(screen.contains(line), "{screen}");
}

/// The text drawn left of the editor's cursor (the one reversed cell) on
/// its row, read as a terminal shows it: a wide character's second cell
/// adds nothing.
fn left_of_cursor(b: &Buffer, area: ratatui::layout::Rect) -> String {
    for y in area.top()..area.bottom() {
        let Some(x) =
            (area.left()..area.right()).find(|x| b[(*x, y)].modifier.contains(Modifier::REVERSED))
        else {
            continue;
        };
        let mut out = String::new();
        let mut skip = 0;
        for cx in area.left()..x {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = b[(cx, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        return out;
    }
    panic!("no cursor in {area:?}");
}

#[test]
fn the_multi_line_editor_80x24_in_both_languages() {
    for (lang, name, second) in [
        (Lang::En, "en", "INTERVAL=5000"),
        (Lang::Ko, "ko", "설명=안녕"),
    ] {
        let mut f = example(lang, (80, 24));
        f.keys("j a")
            .typed("ENV METHOD=HEAD \\")
            .keys("enter")
            .typed(second);
        insta::assert_snapshot!(format!("multi_line_editor_{name}_80x24"), f.screen());
        // The cursor sits right after the last character typed: every cell
        // left of it is the text (Korean takes two cells a syllable).
        let pane = layerlab::ui::areas(&f.session.model).dockerfile;
        let left = left_of_cursor(&f.buffer(), pane);
        assert!(left.ends_with(&format!("     {second}")), "{left:?}");
        // Moving left over Korean keeps the cursor on a character's first
        // cell.
        f.keys("left left");
        let left = left_of_cursor(&f.buffer(), pane);
        let kept: String = second.chars().take(second.chars().count() - 2).collect();
        assert!(left.ends_with(&kept), "{left:?}");
        f.keys("esc");
        let doc = &f.session.model.doc.lines;
        assert_eq!(doc[3], "ENV METHOD=HEAD \\");
        assert_eq!(doc[4], format!("    {second}"));
    }
}

#[test]
fn a_context_file_in_the_editor_80x24() {
    let mut f = example(Lang::En, (80, 24));
    f.keys("c j j enter");
    insta::assert_snapshot!(f.screen());
}

#[test]
fn the_side_by_side_key_is_in_the_footer_where_it_fits() {
    let footer = |f: &Fixture| f.screen().lines().last().unwrap_or("").to_string();
    let wide = example(Lang::En, (160, 40));
    assert!(
        footer(&wide).contains("v both builders"),
        "{}",
        footer(&wide)
    );
    let ko = example(Lang::Ko, (160, 40));
    assert!(footer(&ko).contains("v 빌더 나란히"), "{}", footer(&ko));
    // Narrower, it gives way to the keys a learner needs first.
    let narrow = example(Lang::En, (120, 35));
    assert!(!footer(&narrow).contains("both builders"));
    assert!(footer(&narrow).contains(": docker"), "{}", footer(&narrow));
}

/// A build check (`docker build --check`) on an instruction: a `!` after
/// its line number, in a colour that is not a cache verdict's, and in the
/// details the rule, BuildKit's message and why — in the learner's language.
#[test]
fn a_build_check_marks_its_instruction_and_explains_in_the_details() {
    for (lang, message, why) in [
        (
            Lang::En,
            "Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
            "Protocol in EXPOSE instruction should be lowercase",
        ),
        (
            Lang::Ko,
            "EXPOSE의 프로토콜은 소문자로 써야 함: '80/TCP'",
            "EXPOSE의 프로토콜(tcp, udp)은 소문자로 쓰세요.",
        ),
    ] {
        let mut f = example(lang, (100, 30));
        f.keys("j a").typed("EXPOSE 80/TCP").keys("esc");
        let b = f.buffer();
        let (x, y) = find(&b, "EXPOSE 80/TCP").expect("the new line");
        assert_eq!(b[(x - 1, y)].symbol(), "!", "{}", f.screen());
        assert_eq!(b[(x - 1, y)].fg, Color::Magenta);
        // An instruction no check warns about has no mark.
        let (x, y) = find(&b, "FROM diamol/node").expect("FROM");
        assert_eq!(b[(x - 1, y)].symbol(), " ", "{}", f.screen());

        f.keys("enter");
        let screen = f.screen();
        let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("! ExposeProtoCasing {message}")),
            "{screen}"
        );
        assert!(flat.contains(why), "{screen}");
    }
}
