//! One event enum for the loop, fed by threads: terminal input, file
//! changes and signals. Terminal events become app events here.

use crate::app::keymap::{Key, KeyCode};
use crate::runtime::watcher::Changed;
use crossterm::event::{self as ct, KeyEventKind, KeyModifiers};
use std::sync::mpsc::Sender;

#[derive(Debug)]
pub enum RtEvent {
    Term(ct::Event),
    Files(Changed),
    /// SIGTERM or SIGHUP: leave now.
    Terminate,
}

/// Read terminal input on its own thread.
pub fn spawn_input(tx: Sender<RtEvent>) {
    std::thread::spawn(move || {
        while let Ok(ev) = ct::read() {
            if tx.send(RtEvent::Term(ev)).is_err() {
                return;
            }
        }
    });
}

/// Turn SIGTERM and SIGHUP into an event (Ctrl-C is a key in raw mode).
pub fn spawn_signals(tx: Sender<RtEvent>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(RtEvent::Terminate);
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
