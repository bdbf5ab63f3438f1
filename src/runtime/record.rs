//! `layerlab record FILE.cast`: what the screen shows, as an asciicast v2
//! file (<https://docs.asciinema.org/manual/asciicast/v2/>) that
//! `asciinema play` replays. The bytes the terminal backend writes are
//! teed into the file as they are flushed, one output event a frame,
//! timed from the start of the recording.
//!
//! The file is written as it goes (each event flushed), so a session a
//! crash or a kill ends still leaves a file that plays up to that point.
//! The terminal's guard closes it when it gives the terminal back (on
//! quit, signals and errors alike), with the sequences that hand the
//! viewer's terminal back too.

use crate::messages::{Lang, Message};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What the recording opens with: the alternate screen, cleared, as the
/// real terminal is when the first frame is drawn (ratatui draws only the
/// cells that differ from blank).
const OPENING: &str = "\x1b[?1049h\x1b[H\x1b[2J";

/// What it closes with: the viewer's screen and cursor back.
const CLOSING: &str = "\x1b[?25h\x1b[?1049l";

/// An asciicast v2 file being written.
struct Cast {
    out: Option<BufWriter<File>>,
    started: Instant,
    /// Output written but not yet flushed by the backend: one event a flush.
    pending: Vec<u8>,
    /// The first write that failed: the recording stops there, the screen
    /// goes on, and the error is reported when the session ends.
    failed: Option<std::io::Error>,
}

/// Where `layerlab record` writes.
#[derive(Debug, Clone)]
pub struct RecordTo {
    pub path: PathBuf,
    /// Replace a file already there (else it is kept and nothing is
    /// recorded).
    pub overwrite: bool,
}

/// A recording under way: the file, and what to tell the learner when it
/// ends.
pub struct Recording {
    cast: Cast,
    path: PathBuf,
    lang: Lang,
    /// The terminal's size as last recorded: a change is a resize event.
    size: (u16, u16),
}

/// Start recording a `size` (columns, rows) terminal; why not, in words.
pub fn start(to: &RecordTo, size: (u16, u16), lang: Lang) -> Result<Recording, Message> {
    match Cast::create(&to.path, size.0, size.1, to.overwrite) {
        Ok(cast) => Ok(Recording {
            cast,
            path: to.path.clone(),
            lang,
            size,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Message::new("record.exists").arg("path", to.path.display()))
        }
        Err(e) => Err(Message::new("record.cannot_create")
            .arg("path", to.path.display())
            .arg("error", e)),
    }
}

impl Cast {
    /// Start `path` for a `width`×`height` terminal: the header, then the
    /// opening event. An existing file is replaced only when `overwrite`.
    fn create(path: &Path, width: u16, height: u16, overwrite: bool) -> std::io::Result<Cast> {
        let mut options = OpenOptions::new();
        options.write(true);
        if overwrite {
            options.create(true).truncate(true);
        } else {
            options.create_new(true);
        }
        let file = options.open(path)?;
        let mut cast = Cast {
            out: Some(BufWriter::new(file)),
            started: Instant::now(),
            pending: Vec::new(),
            failed: None,
        };
        let env = |name: &str| std::env::var(name).unwrap_or_default();
        let header = serde_json::json!({
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            "title": "layerlab",
            "env": {"TERM": env("TERM"), "SHELL": env("SHELL")},
        });
        cast.line(&header.to_string());
        cast.event("o", OPENING);
        match cast.failed.take() {
            Some(e) => Err(e),
            None => Ok(cast),
        }
    }

    /// Seconds since the recording started, to the microsecond (`Instant`
    /// never goes back, so event times never decrease).
    fn seconds(&self) -> f64 {
        let elapsed: Duration = self.started.elapsed();
        elapsed.as_micros() as f64 / 1e6
    }

    fn line(&mut self, line: &str) {
        if self.failed.is_some() {
            return;
        }
        let Some(out) = &mut self.out else {
            return;
        };
        let written = out
            .write_all(line.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if let Err(e) = written {
            self.failed = Some(e);
        }
    }

    /// One event: `[time, code, data]`.
    fn event(&mut self, code: &str, data: &str) {
        let line = serde_json::json!([self.seconds(), code, data]).to_string();
        self.line(&line);
    }

    /// The output written since the last flush, as one event. A UTF-8
    /// character cut by the flush waits for its remaining bytes.
    fn flush_output(&mut self) {
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        if complete == 0 {
            return;
        }
        let rest = self.pending.split_off(complete);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        self.event("o", &text);
    }

    /// The terminal is now `width`×`height`.
    fn resize(&mut self, width: u16, height: u16) {
        self.flush_output();
        self.event("r", &format!("{width}x{height}"));
    }

    /// Close the file: what is pending, the closing event, the file
    /// synced to disk. The first error the recording met, if any; later
    /// calls do nothing.
    fn finish(&mut self) -> std::io::Result<()> {
        if self.out.is_some() {
            self.flush_output();
            self.event("o", CLOSING);
        }
        if let Some(out) = self.out.take() {
            let closed = out
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|file| file.sync_all());
            if let (None, Err(e)) = (&self.failed, closed) {
                self.failed = Some(e);
            }
        }
        self.failed.take().map_or(Ok(()), Err)
    }
}

impl Drop for Cast {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

impl Recording {
    /// A frame was flushed: a resize first if the terminal changed size
    /// (ratatui redraws the whole screen for it), then the frame.
    fn frame(&mut self) {
        if let Ok(size) = crossterm::terminal::size() {
            if size != self.size {
                self.size = size;
                self.cast.resize(size.0, size.1);
            }
        }
        self.cast.flush_output();
    }

    /// Close the file and say where the recording went and how to play
    /// it, or why it failed (the terminal is back by now).
    fn finish(mut self) {
        let seconds = self.cast.seconds();
        let path = self.path.display();
        match self.cast.finish() {
            Ok(()) => {
                let m = Message::new("record.saved")
                    .arg("path", &path)
                    .arg("seconds", format!("{seconds:.1}"));
                eprintln!("{}", m.render(self.lang));
            }
            Err(e) => {
                let m = Message::new("record.failed")
                    .arg("path", &path)
                    .arg("error", e);
                eprintln!("ERROR: {}", m.render(self.lang));
            }
        }
    }

    /// Nothing was shown: the file goes.
    pub fn discard(mut self) {
        let _ = self.cast.finish();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The recording the terminal's writer feeds, shared with the guard that
/// attaches it once the terminal is taken and closes it when it is given
/// back.
#[derive(Clone, Default)]
pub struct Tap(Arc<Mutex<Option<Recording>>>);

impl Tap {
    /// The recording, even if a thread panicked while holding it (what it
    /// wrote is still worth closing properly).
    fn lock(&self) -> MutexGuard<'_, Option<Recording>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn attach(&self, recording: Recording) {
        *self.lock() = Some(recording);
    }

    /// Close the recording attached, if any.
    pub fn close(&self) {
        if let Some(r) = self.lock().take() {
            r.finish();
        }
    }
}

/// What the terminal backend writes to: the real terminal, and the
/// recording when one is attached.
pub struct Screen {
    out: Stdout,
    tap: Tap,
}

impl Screen {
    pub fn new(tap: Tap) -> Screen {
        Screen {
            out: std::io::stdout(),
            tap,
        }
    }
}

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(r) = self.tap.lock().as_mut() {
            r.cast.pending.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(r) = self.tap.lock().as_mut() {
            r.frame();
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn lines(path: &Path) -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn a_cast_is_a_header_then_timed_events_closed_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.cast");
        let mut cast = Cast::create(&path, 80, 24, false).unwrap();
        cast.pending
            .extend_from_slice("FROM alpine · 캐".as_bytes());
        // The last Hangul glyph cut in two by a flush: it waits.
        cast.pending.extend_from_slice(&"시".as_bytes()[..2]);
        cast.flush_output();
        cast.pending.extend_from_slice(&"시".as_bytes()[2..]);
        cast.flush_output();
        cast.flush_output();
        cast.resize(100, 30);
        cast.finish().unwrap();

        let all = lines(&path);
        assert_eq!(all[0]["version"], 2);
        assert_eq!(all[0]["width"], 80);
        assert_eq!(all[0]["height"], 24);
        let events: Vec<(f64, String, String)> = all[1..]
            .iter()
            .map(|e| serde_json::from_value(e.clone()).unwrap())
            .collect();
        let data: Vec<(&str, &str)> = events
            .iter()
            .map(|(_, c, d)| (c.as_str(), d.as_str()))
            .collect();
        assert_eq!(
            data,
            [
                ("o", OPENING),
                ("o", "FROM alpine · 캐"),
                ("o", "시"),
                ("r", "100x30"),
                ("o", CLOSING),
            ]
        );
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn an_existing_file_is_kept_unless_overwriting_is_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.cast");
        std::fs::write(&path, "mine").unwrap();
        let error = Cast::create(&path, 80, 24, false).err().unwrap();
        assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
        drop(Cast::create(&path, 80, 24, true).unwrap());
        assert_eq!(lines(&path).len(), 3, "header, opening, closing");
    }
}
