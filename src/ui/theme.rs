//! Styles with meaning. Colour only ever doubles a word or a mark, so with
//! `NO_COLOR` the same screen reads through text, bold and reverse video.
//!
//! The colours are data: `assets/themes/dark.toml` (the screen as it always
//! looked, on the terminal's own background) and `light.toml` (for bright
//! rooms), each with the normal screen's colours and the presentation
//! layout's, read into layerlab's own types.

use crate::app::model::Model;
use crate::app::present::ThemeName;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::sync::OnceLock;

pub const DARK: &str = include_str!("../../assets/themes/dark.toml");
pub const LIGHT: &str = include_str!("../../assets/themes/light.toml");

/// A theme file as written: colour names or `#rrggbb`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    screen: ScreenFile,
    present: PresentFile,
}

macro_rules! palette {
    ($file:ident => $colors:ident { $($field:ident,)* }) => {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $file {
            $($field: String,)*
        }

        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $colors {
            $(pub $field: Color,)*
        }

        impl $file {
            fn colors(&self) -> Result<$colors, String> {
                Ok($colors {
                    $($field: color(&self.$field)
                        .map_err(|e| format!("{}: {e}", stringify!($field)))?,)*
                })
            }
        }
    };
}

palette!(ScreenFile => ScreenColors {
    background,
    text,
    hit,
    miss,
    first_miss_text,
    first_miss_background,
    cascade,
    base,
    keyword,
    flag,
    string,
    variable,
    simulated,
    dim,
    error,
    selected_background,
    focus,
    key,
});

palette!(PresentFile => PresentColors {
    background,
    text,
    dim,
    figure,
    badge_text,
    hit,
    miss,
    first_miss_text,
    first_miss,
    base,
    metadata,
    caption,
    accent,
});

/// Both layouts' colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub screen: ScreenColors,
    pub present: PresentColors,
}

const NAMES: &[(&str, Color)] = &[
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

/// A colour as a theme file writes it.
fn color(s: &str) -> Result<Color, String> {
    if let Some(hex) = s.strip_prefix('#') {
        let ok = hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        return if ok {
            Ok(Color::Rgb(byte(0), byte(2), byte(4)))
        } else {
            Err(format!("{s:?} is not #rrggbb"))
        };
    }
    NAMES
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, c)| *c)
        .ok_or_else(|| format!("unknown colour {s:?}"))
}

/// Reads a theme file.
pub fn parse(text: &str) -> Result<Palette, String> {
    let file: ThemeFile = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok(Palette {
        screen: file.screen.colors()?,
        present: file.present.colors()?,
    })
}

/// The terminal's own colours everywhere: what a broken theme file falls
/// back to (the shipped ones are checked by a test); words still carry
/// every meaning.
const PLAIN: Palette = {
    let r = Color::Reset;
    Palette {
        screen: ScreenColors {
            background: r,
            text: r,
            hit: r,
            miss: r,
            first_miss_text: r,
            first_miss_background: r,
            cascade: r,
            base: r,
            keyword: r,
            flag: r,
            string: r,
            variable: r,
            simulated: r,
            dim: r,
            error: r,
            selected_background: r,
            focus: r,
            key: r,
        },
        present: PresentColors {
            background: r,
            text: r,
            dim: r,
            figure: r,
            badge_text: r,
            hit: r,
            miss: r,
            first_miss_text: r,
            first_miss: r,
            base: r,
            metadata: r,
            caption: r,
            accent: r,
        },
    }
};

/// The shipped palette of `name`, read once.
pub fn palette(name: ThemeName) -> &'static Palette {
    static DARK_P: OnceLock<Palette> = OnceLock::new();
    static LIGHT_P: OnceLock<Palette> = OnceLock::new();
    let (cell, text) = match name {
        ThemeName::Dark => (&DARK_P, DARK),
        ThemeName::Light => (&LIGHT_P, LIGHT),
    };
    cell.get_or_init(|| parse(text).unwrap_or(PLAIN))
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub palette: &'static Palette,
}

impl Theme {
    /// The dark theme (the screen's default).
    pub fn new(no_color: bool) -> Theme {
        Theme::named(ThemeName::Dark, no_color)
    }

    pub fn named(name: ThemeName, no_color: bool) -> Theme {
        Theme {
            color: !no_color,
            palette: palette(name),
        }
    }

    /// The theme the model's screen wears.
    pub fn of(model: &Model) -> Theme {
        Theme::named(model.theme, model.no_color)
    }

    fn c(self) -> &'static ScreenColors {
        &self.palette.screen
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    /// The screen's own background and text colour (the terminal's, in
    /// the dark theme).
    pub fn screen(self) -> Style {
        if self.color {
            Style::default().fg(self.c().text).bg(self.c().background)
        } else {
            Style::default()
        }
    }

    pub fn hit(self) -> Style {
        self.fg(self.c().hit)
    }

    pub fn miss(self) -> Style {
        self.fg(self.c().miss).add_modifier(Modifier::BOLD)
    }

    /// The loudest thing on screen.
    pub fn first_miss(self) -> Style {
        if self.color {
            Style::default()
                .fg(self.c().first_miss_text)
                .bg(self.c().first_miss_background)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    pub fn cascade(self) -> Style {
        self.fg(self.c().cascade)
    }

    pub fn metadata(self) -> Style {
        self.dim()
    }

    pub fn base(self) -> Style {
        self.fg(self.c().base).add_modifier(Modifier::BOLD)
    }

    pub fn keyword(self) -> Style {
        self.fg(self.c().keyword).add_modifier(Modifier::BOLD)
    }

    pub fn flag(self) -> Style {
        self.fg(self.c().flag)
    }

    pub fn string(self) -> Style {
        self.fg(self.c().string)
    }

    pub fn variable(self) -> Style {
        self.fg(self.c().variable)
    }

    pub fn comment(self) -> Style {
        self.dim().add_modifier(Modifier::ITALIC)
    }

    /// A simulated change (the `≈` mark): not the file on disk.
    pub fn simulated(self) -> Style {
        self.fg(self.c().simulated).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::default().fg(self.c().dim)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    pub fn error(self) -> Style {
        self.fg(self.c().error).add_modifier(Modifier::BOLD)
    }

    /// A build check's `!` (not yellow: that is a cache MISS).
    pub fn check(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// The selected row, on both sides.
    pub fn selected(self) -> Style {
        if self.color {
            Style::default().bg(self.c().selected_background)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(self.c().focus).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }

    pub fn title(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(self.c().key).add_modifier(Modifier::BOLD)
    }

    pub fn cursor(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_themes_load_and_dark_keeps_the_screen_as_it_was() {
        let dark = parse(DARK).expect("dark.toml");
        parse(LIGHT).expect("light.toml");
        // The colours the screen had before themes were data.
        let s = dark.screen;
        assert_eq!(
            (s.background, s.hit, s.miss, s.first_miss_background, s.base),
            (
                Color::Reset,
                Color::Green,
                Color::Yellow,
                Color::Red,
                Color::Blue
            )
        );
        assert_eq!(
            (s.dim, s.selected_background),
            (Color::DarkGray, Color::DarkGray)
        );
    }

    #[test]
    fn bad_colours_are_errors_that_name_the_field() {
        let broken = DARK.replace("hit = \"green\"", "hit = \"greenish\"");
        let e = parse(&broken).unwrap_err();
        assert!(e.contains("hit") && e.contains("greenish"), "{e}");
        assert!(color("#12345").is_err());
        assert_eq!(color("#0a0B0c"), Ok(Color::Rgb(10, 11, 12)));
    }
}
