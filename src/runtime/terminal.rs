//! Entering and leaving the full-screen terminal. The panic hook is set
//! before raw mode so a panic always leaves a usable shell behind.

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

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
}

impl Guard {
    pub fn enter() -> std::io::Result<Guard> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        let term = Terminal::new(CrosstermBackend::new(stdout()))?;
        Ok(Guard { term })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}
