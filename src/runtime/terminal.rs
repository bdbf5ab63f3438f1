//! Entering and leaving the full-screen terminal. The panic hook is set
//! before raw mode so a panic always leaves a usable shell behind.

use crate::runtime::record::{Recording, Screen, Tap};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::stdout;

/// The screen's terminal; what it draws goes to the recording too, when
/// there is one (`layerlab record`).
pub type Term = Terminal<CrosstermBackend<Screen>>;

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        LeaveAlternateScreen,
        DisableMouseCapture,
        crossterm::cursor::Show
    );
}

/// The terminal in raw mode on the alternate screen; restored on drop.
pub struct Guard {
    pub term: Term,
    /// The recording of what the terminal shows, once one is attached.
    tap: Tap,
}

impl Guard {
    pub fn enter() -> std::io::Result<Guard> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        take()?;
        let tap = Tap::default();
        let term = Terminal::new(CrosstermBackend::new(Screen::new(tap.clone())))?;
        Ok(Guard { term, tap })
    }

    /// Record every frame from now on, until the terminal is given back.
    pub fn record(&mut self, recording: Recording) {
        self.tap.attach(recording);
    }

    /// SIGTSTP: the terminal as we found it, then stop until SIGCONT
    /// (what the default action would have done, had we not handled it).
    pub fn suspend(&mut self) {
        restore();
        let _ = signal_hook::low_level::raise(signal_hook::consts::SIGSTOP);
    }

    /// Give the terminal back as we found it while `f` runs (another
    /// program in it), then take it again with a full redraw.
    pub fn outside<R>(&mut self, f: impl FnOnce() -> R) -> std::io::Result<R> {
        restore();
        let r = f();
        self.resume()?;
        Ok(r)
    }

    /// SIGCONT: raw mode and the alternate screen again, and a full redraw
    /// (the shell drew over the screen meanwhile).
    pub fn resume(&mut self) -> std::io::Result<()> {
        take()?;
        // A resize to the same size clears and repaints everything without
        // asking the terminal where its cursor is (`clear` would, and the
        // input thread may be the one to read the answer).
        let size = self.term.size()?;
        self.term
            .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
    }
}

/// Raw mode on the alternate screen, with mouse reporting.
fn take() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
        // After the restore: the recording says where it went on the
        // learner's own screen.
        self.tap.close();
    }
}
