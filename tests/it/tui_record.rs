//! Recordings end to end, in a real terminal (tmux): `layerlab record` of a
//! short Korean session (a build, the screen key, a resize, quit) leaves an
//! asciicast v2 file whose output events hold the screen's text, and that
//! `asciinema cat` replays where asciinema is installed; the screen key's
//! SVG parses as XML and puts every piece of text on the cell the terminal
//! shows it in, and its text file is what `tmux capture-pane` prints.

use crate::support::binary::layerlab;
use crate::support::docker::{in_ci, loud};
use crate::support::tmux::{assert_restored, exited, tmux, tmux_available, Session};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const DOCKERFILE: &str =
    "FROM alpine\nRUN echo slow > /slow\nCOPY app.js /app/\nCMD [\"node\", \"/app/app.js\"]\n";

fn fixture(ctx: &Path) {
    std::fs::create_dir_all(ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(ctx.join("app.js"), "console.log('hi')\n").unwrap();
}

/// A terminal just big enough for what ratatui writes: cursor moves,
/// clears and text (a Hangul glyph over two cells); styles and modes are
/// read past. What the screen shows after `output`, as `capture-pane -p`
/// prints it.
struct Screen {
    cells: Vec<Vec<String>>,
    row: usize,
    col: usize,
}

impl Screen {
    fn new(cols: usize, rows: usize) -> Screen {
        Screen {
            cells: vec![vec![" ".to_string(); cols]; rows],
            row: 0,
            col: 0,
        }
    }

    fn resize(&mut self, cols: usize, rows: usize) {
        self.cells.resize(rows, vec![" ".to_string(); cols]);
        for line in &mut self.cells {
            line.resize(cols, " ".to_string());
        }
    }

    fn put(&mut self, c: char) {
        let width = c.width().unwrap_or(0);
        let cols = self.cells.first().map_or(0, Vec::len);
        if width == 0 || self.row >= self.cells.len() || self.col + width > cols {
            return;
        }
        self.cells[self.row][self.col] = c.to_string();
        if width == 2 {
            // The second half of the glyph: nothing of its own.
            self.cells[self.row][self.col + 1] = String::new();
        }
        self.col += width;
    }

    fn feed(&mut self, output: &str) {
        let mut chars = output.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\x1b' => match chars.next() {
                    Some('[') => {
                        let mut params = String::new();
                        for c in chars.by_ref() {
                            if ('@'..='~').contains(&c) {
                                self.csi(&params, c);
                                break;
                            }
                            params.push(c);
                        }
                    }
                    // OSC: up to BEL or ST.
                    Some(']') => {
                        while let Some(c) = chars.next() {
                            if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                                break;
                            }
                        }
                    }
                    _ => {}
                },
                '\r' => self.col = 0,
                '\n' => self.row += 1,
                c if c < ' ' => {}
                c => self.put(c),
            }
        }
    }

    fn csi(&mut self, params: &str, command: char) {
        let n: Vec<usize> = params.split(';').map(|p| p.parse().unwrap_or(1)).collect();
        match command {
            'H' => {
                self.row = n[0].max(1) - 1;
                self.col = n.get(1).copied().unwrap_or(1).max(1) - 1;
            }
            'J' if params == "2" => {
                let (cols, rows) = (self.cells[0].len(), self.cells.len());
                *self = Screen {
                    row: self.row,
                    col: self.col,
                    ..Screen::new(cols, rows)
                };
            }
            // Styles, cursor shape and visibility, modes: nothing drawn.
            _ => {}
        }
    }

    fn text(&self) -> String {
        self.cells
            .iter()
            .map(|line| format!("{}\n", line.concat().trim_end_matches(' ')))
            .collect()
    }
}

/// What a recording shows at its end, replayed on a terminal of its size.
fn replay(header: &Value, events: &[(f64, String, String)]) -> String {
    let size = |v: &Value| v.as_u64().unwrap() as usize;
    let mut screen = Screen::new(size(&header["width"]), size(&header["height"]));
    for (_, code, data) in events {
        match code.as_str() {
            "o" => screen.feed(data),
            "r" => {
                let (w, h) = data.split_once('x').unwrap();
                screen.resize(w.parse().unwrap(), h.parse().unwrap());
            }
            _ => {}
        }
    }
    screen.text()
}

/// An asciicast v2 file: its header and its events `(time, code, data)`.
fn parse_cast(text: &str) -> (Value, Vec<(f64, String, String)>) {
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().expect("a header")).expect("JSON");
    let events = lines
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("an event ({e}): {l}")))
        .collect();
    (header, events)
}

/// The output events' data, one string.
fn output_of(events: &[(f64, String, String)]) -> String {
    events
        .iter()
        .filter(|(_, code, _)| code == "o")
        .map(|(_, _, data)| data.as_str())
        .collect()
}

/// `line` from display column `col` on (a Hangul glyph is two columns);
/// None when `col` falls inside a wide glyph.
fn from_column(line: &str, col: usize) -> Option<&str> {
    let mut at = 0;
    for (i, c) in line.char_indices() {
        if at == col {
            return Some(&line[i..]);
        }
        if at > col {
            return None;
        }
        at += c.width().unwrap_or(0);
    }
    (at == col).then_some("")
}

/// The screen once it stops changing.
fn settled(s: &Session) -> String {
    let mut last = s.screen();
    loop {
        std::thread::sleep(Duration::from_millis(400));
        let now = s.screen();
        if now == last {
            return now;
        }
        last = now;
    }
}

/// Check the SVG against the screen it was taken of: XML, the grid's size,
/// every `<text>` on its cell with the characters the terminal shows there.
fn check_svg(svg: &str, screen: &str, cols: u32, rows: u32) {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses as XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let number = |n: roxmltree::Node, name: &str| -> u32 {
        n.attribute(name)
            .unwrap_or_else(|| panic!("{name} on {n:?}"))
            .parse()
            .unwrap()
    };
    let (w, h) = (number(root, "width"), number(root, "height"));
    assert!(w % cols == 0 && h % rows == 0, "{w}x{h} is a grid of cells");
    let (cell_w, cell_h) = (w / cols, h / rows);
    let lines: Vec<&str> = screen.lines().collect();
    let mut all = String::new();
    let mut checked = 0;
    for node in root.descendants().filter(|n| n.has_tag_name("text")) {
        let content = node.text().unwrap_or_default();
        let (col, row) = (number(node, "x") / cell_w, number(node, "y") / cell_h);
        let line = lines.get(row as usize).copied().unwrap_or_default();
        let shown = from_column(line, col as usize)
            .unwrap_or_else(|| panic!("column {col} of row {row} is inside a glyph: {line}"));
        assert!(
            shown.starts_with(content),
            "row {row}, column {col}: the SVG has {content:?}, the terminal {shown:?}"
        );
        all.push_str(content);
        checked += 1;
    }
    assert!(checked > 20, "{checked} runs of text");
    for text in ["FROM", "alpine", "MISS", "빌드", "레이어"] {
        assert!(all.contains(text), "{text} in the SVG's text: {all}");
    }
}

/// `asciinema cat FILE` where asciinema is installed (it reads /dev/tty,
/// so it runs in a tmux pane); its output, as terminal output.
fn asciinema_cat(cast: &Path, dir: &Path, name: &str) -> Option<String> {
    let installed = std::process::Command::new("asciinema")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        loud("asciinema is not installed: `asciinema cat` of the recording NOT checked (apt-get install -y asciinema)");
        assert!(!in_ci(), "asciinema is required under CI");
        return None;
    }
    let (out, rc) = (dir.join("cat.out"), dir.join("cat.rc"));
    let cmd = format!(
        "asciinema cat '{}' > '{}' 2>&1; echo $? > '{}'",
        cast.display(),
        out.display(),
        rc.display()
    );
    let _pane = Session::start(name, (100, 30), &cmd);
    let start = Instant::now();
    while !rc.exists() || std::fs::read_to_string(&rc).unwrap().trim().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "asciinema cat did not end"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(std::fs::read_to_string(&rc).unwrap().trim(), "0", "{text}");
    // asciinema 3 writes the concatenation as a recording again.
    Some(if text.starts_with('{') {
        output_of(&parse_cast(&text).1)
    } else {
        text
    })
}

/// `layerlab --lang ko record demo.cast CTX` started in `cwd`, in a 100×30
/// tmux pane, under a shell that writes its pid to `root/pid` and prints
/// layerlab's exit status.
fn start(name: &str, root: &Path, cwd: &Path, ctx: &Path) -> Session {
    let layerlab = format!(
        "env LANG=C.UTF-8 TERM=xterm-256color {} --state '{}' --lang ko record demo.cast '{}'",
        env!("CARGO_BIN_EXE_layerlab"),
        root.join("state").display(),
        ctx.display()
    );
    let cmd = format!(
        "bash -c \"echo \\$\\$ > '{}'; cd '{}' && {}; echo EXIT=\\$?; sleep 60\"",
        root.join("pid").display(),
        cwd.display(),
        layerlab
    );
    Session::start(name, (100, 30), &cmd)
}

#[test]
fn a_recorded_session_is_asciicast_v2_and_x_writes_the_screen_it_shows() {
    if !tmux_available() {
        loud("tmux is not installed: `layerlab record` and the screen key NOT tested in a terminal (apt-get install -y tmux)");
        assert!(!in_ci(), "tmux is required under CI");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let ctx = root.join("project");
    fixture(&ctx);
    // Started in a folder of slides, beside the project.
    let slides = root.join("slides");
    std::fs::create_dir(&slides).unwrap();
    let cast = slides.join("demo.cast");
    let name = format!("record-tui-{}", std::process::id());
    let s = start(&name, &root, &slides, &ctx);
    s.wait_up_to(30, "the first preview", |sc| {
        sc.contains("FROM alpine") && sc.contains("MISS")
    });
    s.keys(&["F5"]);
    s.wait("build #1", |sc| {
        sc.contains("빌드 #1") && sc.contains("MISS")
    });

    // A docker command's table in the output pane, for the picture.
    s.keys(&[":"]);
    s.type_text("docker image ls");
    s.keys(&["Enter"]);
    s.wait("the image table", |sc| sc.contains("REPOSITORY"));

    // The screen key: the picture and the text of the screen as shown.
    let before = settled(&s);
    s.keys(&["X"]);
    let said = s.wait("where the screen went", |sc| {
        sc.contains("layerlab-screen-1.svg")
    });
    assert!(said.contains("화면을"), "in Korean: {said}");
    let text = std::fs::read_to_string(slides.join("layerlab-screen-1.txt")).unwrap();
    assert_eq!(text, before, "the text file is what capture-pane shows");
    let svg = std::fs::read_to_string(slides.join("layerlab-screen-1.svg")).unwrap();
    check_svg(&svg, &before, 100, 30);
    assert!(
        !ctx.join("layerlab-screen-1.svg").exists(),
        "not in the build context"
    );

    // A resize, then quit.
    tmux(&["resize-window", "-t", &name, "-x", "90", "-y", "28"]);
    s.wait("the screen at 90 columns", |sc| {
        sc.lines().count() <= 28 && sc.contains("FROM alpine")
    });
    let last = settled(&s);
    assert!(last.lines().all(|l| l.width() <= 90), "{last}");
    s.keys(&["q"]);
    assert_eq!(exited(&s, 15), Some(0), "{}", s.screen());
    let after = s.screen();
    assert!(after.contains("demo.cast"), "says where it went: {after}");

    let recorded = std::fs::read_to_string(&cast).unwrap();
    let (header, events) = parse_cast(&recorded);
    assert_eq!(header["version"], 2);
    assert_eq!(header["width"], 100);
    assert_eq!(header["height"], 30);
    assert_eq!(header["env"]["TERM"], "xterm-256color");
    assert!(header["timestamp"]
        .as_u64()
        .is_some_and(|t| t > 1_700_000_000));
    assert!(events.len() >= 3, "{events:?}");
    assert!(
        events.windows(2).all(|w| w[0].0 <= w[1].0),
        "event times never go back"
    );
    let codes: Vec<&str> = events.iter().map(|(_, c, _)| c.as_str()).collect();
    assert!(codes.iter().all(|c| *c == "o" || *c == "r"), "{codes:?}");
    let resizes: Vec<&str> = events
        .iter()
        .filter(|(_, c, _)| c == "r")
        .map(|(_, _, d)| d.as_str())
        .collect();
    assert_eq!(resizes, ["90x28"]);
    // Played back, the recording ends on the screen tmux showed last.
    let shown = replay(&header, &events);
    assert_eq!(shown, last, "the recording's last screen");
    for text in [
        "FROM alpine",
        "COPY app.js /app/",
        "MISS",
        "빌드 #1",
        "화면을",
    ] {
        assert!(shown.contains(text), "{text} in the recording: {shown}");
    }
    // The viewer's terminal is handed back at the end.
    assert!(output_of(&events).ends_with("\x1b[?1049l"));

    if let Some(replayed) = asciinema_cat(&cast, &root, &format!("{name}-cat")) {
        // asciinema cat prints the output without the resize: what it
        // draws lands in the top left of a terminal of the first size.
        let mut screen = Screen::new(100, 30);
        screen.feed(&replayed);
        let replayed = screen.text();
        assert_eq!(
            replayed.trim_end_matches('\n'),
            last.trim_end_matches('\n'),
            "asciinema cat ends on the last screen"
        );
    }
}

/// SIGTERM ends a recorded session as it ends an unrecorded one (128 + 15,
/// the terminal restored), and the recording is closed: it parses to its
/// last line and hands the viewer's terminal back.
#[test]
fn sigterm_closes_the_recording() {
    if !tmux_available() {
        loud("tmux is not installed: `layerlab record` under SIGTERM NOT tested (apt-get install -y tmux)");
        assert!(!in_ci(), "tmux is required under CI");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let ctx = root.join("project");
    fixture(&ctx);
    let name = format!("record-term-{}", std::process::id());
    let s = start(&name, &root, &root, &ctx);
    s.wait_up_to(30, "the first preview", |sc| {
        sc.contains("FROM alpine") && sc.contains("MISS")
    });
    // The shell's one child is layerlab.
    let shell = std::fs::read_to_string(root.join("pid")).unwrap();
    let out = std::process::Command::new("pgrep")
        .args(["-P", shell.trim()])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "layerlab runs under the shell");
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert_eq!(exited(&s, 10), Some(143), "{}", s.screen());
    assert_restored(&s);

    let recorded = std::fs::read_to_string(root.join("demo.cast")).unwrap();
    assert!(recorded.ends_with("]\n"), "whole lines only: {recorded}");
    let (header, events) = parse_cast(&recorded);
    assert_eq!(header["version"], 2);
    assert!(output_of(&events).ends_with("\x1b[?1049l"));
    assert!(replay(&header, &events).contains("FROM alpine"));
}

#[test]
fn a_recording_never_replaces_a_file_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("project");
    fixture(&ctx);
    let cast = dir.path().join("demo.cast");
    std::fs::write(&cast, "an older talk\n").unwrap();
    let out = layerlab()
        .arg("--state")
        .arg(dir.path().join("state"))
        .args(["--lang", "en", "record"])
        .arg(&cast)
        .arg(&ctx)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("already exists") && stderr.contains("--overwrite"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&cast).unwrap(), "an older talk\n");
}

#[test]
fn the_test_terminal_places_glyphs_as_a_terminal_does() {
    let mut screen = Screen::new(10, 2);
    screen.feed(
        "\x1b[?1049h\x1b[2J\x1b[1;2H빌\x1b[1;4H드\x1b[1m #1\x1b]0;title\x07\x1b[2;1Hok\x1b[0m",
    );
    assert_eq!(screen.text(), " 빌드 #1\nok\n");
    screen.feed("\x1b[2J");
    assert_eq!(screen.text(), "\n\n");
    assert_eq!(from_column("a빌드b", 3), Some("드b"));
    assert_eq!(from_column("a빌드b", 2), None);
    assert_eq!(from_column("ab", 5), None);
}
