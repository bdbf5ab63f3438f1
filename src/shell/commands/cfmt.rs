//! C's `printf` number conversions, as libc formats them for busybox's
//! `printf` and `awk`: `%f %e %E %g %G` with their flags, width and
//! precision, and the integer ones.

/// `%d %i %u %o %x %X` of `n`; `flags` from `-+ #0`. Zero padding to
/// `width` goes after the sign; padding with spaces is the caller's.
pub fn integer(
    conv: char,
    flags: &str,
    width: Option<usize>,
    prec: Option<usize>,
    n: i64,
) -> String {
    let mut digits = match conv {
        'x' => format!("{n:x}"),
        'X' => format!("{n:X}"),
        'o' => format!("{n:o}"),
        'u' if n < 0 => (n as u64).to_string(),
        _ => n.unsigned_abs().to_string(),
    };
    if let Some(p) = prec {
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let alternate = flags.contains('#') && n != 0;
    if alternate && conv == 'o' && !digits.starts_with('0') {
        digits.insert(0, '0');
    }
    // `#` puts 0x before the zeros of the padding (`%#08X`: 0X0000FF).
    let prefix = match conv {
        'x' if alternate => "0x",
        'X' if alternate => "0X",
        _ => "",
    };
    let signed = matches!(conv, 'd' | 'i');
    let sign = if signed && n < 0 {
        "-"
    } else if signed && flags.contains('+') {
        "+"
    } else if signed && flags.contains(' ') {
        " "
    } else {
        ""
    };
    if flags.contains('0') && !flags.contains('-') && prec.is_none() {
        let w = width.unwrap_or(0).saturating_sub(sign.len() + prefix.len());
        while digits.len() < w {
            digits.insert(0, '0');
        }
    }
    format!("{sign}{prefix}{digits}")
}

/// `%e`/`%f`/`%g` (upper case for `E`/`G`) of `v`; `flags` from `-+ #0`.
pub fn float(conv: char, flags: &str, width: Option<usize>, prec: Option<usize>, v: f64) -> String {
    let p = prec.unwrap_or(6);
    let body = if v.is_nan() {
        "nan".to_owned()
    } else if v.is_infinite() {
        "inf".to_owned()
    } else {
        match conv.to_ascii_lowercase() {
            'f' => format!("{:.p$}", v.abs()),
            'e' => exp_form(v.abs(), p),
            _ => general(v.abs(), p.max(1), flags.contains('#')),
        }
    };
    let body = if conv.is_ascii_uppercase() {
        body.to_uppercase()
    } else {
        body
    };
    let sign = if v.is_nan() {
        ""
    } else if v.is_sign_negative() {
        "-"
    } else if flags.contains('+') {
        "+"
    } else if flags.contains(' ') {
        " "
    } else {
        ""
    };
    let w = width.unwrap_or(0);
    let len = sign.len() + body.len();
    if len >= w {
        return format!("{sign}{body}");
    }
    let fill = w - len;
    if flags.contains('-') {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else if flags.contains('0') && v.is_finite() {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}

/// `d.ddde±XX` with `p` digits after the point (at least two in the
/// exponent, as C prints it; Rust's `{:e}` gives `1.5e4`).
fn exp_form(v: f64, p: usize) -> String {
    let s = format!("{v:.p$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let n: i32 = exp.parse().unwrap_or(0);
    let sign = if n < 0 { '-' } else { '+' };
    format!("{mant}e{sign}{:02}", n.abs())
}

/// `%g`: `p` significant digits, exponent form when the exponent is below
/// -4 or at least `p`, trailing zeros dropped unless `#`.
fn general(v: f64, p: usize, keep_zeros: bool) -> String {
    if v == 0.0 {
        return if keep_zeros {
            format!("{:.prec$}", 0.0, prec = p - 1)
        } else {
            "0".to_owned()
        };
    }
    let e = exp_form(v, p - 1);
    let x: i32 = e
        .split_once('e')
        .and_then(|(_, x)| x.parse().ok())
        .unwrap_or(0);
    let s = if x < -4 || x >= p as i32 {
        e
    } else {
        let decimals = (p as i32 - 1 - x).max(0) as usize;
        format!("{v:.decimals$}")
    };
    if keep_zeros {
        return s;
    }
    match s.split_once('e') {
        Some((m, x)) => format!("{}e{x}", trim_zeros(m)),
        None => trim_zeros(&s).to_owned(),
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{float, integer};

    #[test]
    fn integers_as_libc_formats_them() {
        assert_eq!(integer('d', "0", Some(5), None, -5), "-0005");
        assert_eq!(integer('d', "-0", Some(5), None, -5), "-5");
        assert_eq!(integer('d', "+", None, None, 5), "+5");
        assert_eq!(integer('i', " ", None, None, 5), " 5");
        assert_eq!(integer('x', "#", None, None, 255), "0xff");
        assert_eq!(integer('X', "#0", Some(8), None, 255), "0X0000FF");
        assert_eq!(integer('o', "#", None, None, 8), "010");
        assert_eq!(integer('d', "0", Some(6), Some(3), 7), "007");
        assert_eq!(integer('u', "", None, None, -1), "18446744073709551615");
    }

    #[test]
    fn floats_as_c_prints_them() {
        assert_eq!(float('f', "0", Some(5), Some(2), 2.5149), "02.51");
        assert_eq!(float('f', "", Some(5), Some(1), 2.5149), "  2.5");
        assert_eq!(float('e', "", None, None, 12345.678), "1.234568e+04");
        assert_eq!(float('g', "", None, None, 0.0001), "0.0001");
        assert_eq!(float('g', "", None, None, 1e6), "1e+06");
        assert_eq!(float('g', "", None, None, 100000.0), "100000");
        assert_eq!(float('g', "", None, None, 1.0 / 3.0), "0.333333");
        assert_eq!(float('f', "+", None, Some(0), 2.5), "+2");
        assert_eq!(float('f', "-", Some(6), Some(1), -1.25), "-1.2  ");
        assert_eq!(float('G', "", None, None, 1e-10), "1E-10");
    }
}
