//! One event enum for the loop, fed by threads: terminal input, file
//! changes, the build worker and signals. Terminal events become app
//! events here.

use crate::app::keymap::{Key, KeyCode};
use crate::runtime::rewalk::Walked;
use crate::runtime::watcher::Changed;
use crate::runtime::worker::Report;
use crossterm::event::{self as ct, KeyEventKind, KeyModifiers};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
pub enum RtEvent {
    Term(ct::Event),
    Files(Changed),
    /// A background walk of the context ended (see `rewalk`).
    Walked(Box<Result<Walked, String>>),
    Worker(Report),
    /// SIGTERM, SIGHUP (or SIGINT from outside): leave now, exiting with
    /// 128 + this signal.
    Terminate(i32),
    /// SIGTSTP (Ctrl-Z in the shell's terms): give the terminal back, stop.
    Suspend,
    /// SIGCONT: take the terminal again and redraw.
    Resume,
}

/// How long the input thread waits for a key before it looks whether it
/// should stop reading; also how long pausing it takes at most.
const INPUT_POLL: Duration = Duration::from_millis(50);

/// The thread reading terminal input, which can be told to leave the
/// terminal to another program for a while.
pub struct Input {
    paused: Arc<AtomicBool>,
}

impl Input {
    /// Run `f` while the thread reads nothing (so the keys typed meanwhile
    /// go to the program `f` runs).
    pub fn paused<R>(&self, f: impl FnOnce() -> R) -> R {
        self.paused.store(true, Ordering::SeqCst);
        // A read under way when the flag went up ends within one poll.
        std::thread::sleep(INPUT_POLL * 2);
        let r = f();
        self.paused.store(false, Ordering::SeqCst);
        r
    }
}

/// Read terminal input on its own thread.
pub fn spawn_input(tx: Sender<RtEvent>) -> Input {
    let paused = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&paused);
    std::thread::spawn(move || loop {
        if flag.load(Ordering::SeqCst) {
            std::thread::sleep(INPUT_POLL);
            continue;
        }
        match ct::poll(INPUT_POLL) {
            Ok(true) if !flag.load(Ordering::SeqCst) => match ct::read() {
                Ok(ev) => {
                    if tx.send(RtEvent::Term(ev)).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            Ok(_) => {}
            Err(_) => return,
        }
    });
    Input { paused }
}

/// Turn signals into events (Ctrl-C is a key in raw mode). Handling
/// SIGTSTP replaces its default stop: the loop stops the process itself
/// once the terminal is restored.
pub fn spawn_signals(tx: Sender<RtEvent>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP};
    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGTSTP, SIGCONT])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let ev = match signal {
                SIGTSTP => RtEvent::Suspend,
                SIGCONT => RtEvent::Resume,
                other => RtEvent::Terminate(other),
            };
            if tx.send(ev).is_err() {
                return;
            }
        }
    });
    Ok(())
}

/// A crossterm key press as the app's key; None for releases.
pub fn key(ev: &ct::KeyEvent) -> Option<Key> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let code = match ev.code {
        ct::KeyCode::Char(c) => KeyCode::Char(c),
        ct::KeyCode::Up => KeyCode::Up,
        ct::KeyCode::Down => KeyCode::Down,
        ct::KeyCode::Left => KeyCode::Left,
        ct::KeyCode::Right => KeyCode::Right,
        ct::KeyCode::Enter => KeyCode::Enter,
        ct::KeyCode::Esc => KeyCode::Esc,
        ct::KeyCode::Tab => KeyCode::Tab,
        ct::KeyCode::BackTab => KeyCode::BackTab,
        ct::KeyCode::Backspace => KeyCode::Backspace,
        ct::KeyCode::Delete => KeyCode::Delete,
        ct::KeyCode::Home => KeyCode::Home,
        ct::KeyCode::End => KeyCode::End,
        ct::KeyCode::PageUp => KeyCode::PageUp,
        ct::KeyCode::PageDown => KeyCode::PageDown,
        ct::KeyCode::F(n) => KeyCode::F(n),
        _ => return None,
    };
    let m = ev.modifiers;
    Some(Key {
        code,
        ctrl: m.contains(KeyModifiers::CONTROL),
        alt: m.contains(KeyModifiers::ALT),
        // Shift is already in the character (`K`); keep it for named keys.
        shift: m.contains(KeyModifiers::SHIFT)
            && !matches!(code, KeyCode::Char(_) | KeyCode::BackTab),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_letters_fold_and_alt_arrows_keep_alt() {
        let k = key(&ct::KeyEvent::new(
            ct::KeyCode::Char('K'),
            KeyModifiers::SHIFT,
        ))
        .unwrap();
        assert_eq!(k, Key::char('K'));
        let k = key(&ct::KeyEvent::new(ct::KeyCode::Up, KeyModifiers::ALT)).unwrap();
        assert_eq!(k, Key::alt(KeyCode::Up));
        let k = key(&ct::KeyEvent::new(
            ct::KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))
        .unwrap();
        assert_eq!(k, Key::ctrl('c'));
    }
}
