//! docker's sizes as its CLI reads them (go-units `RAMInBytes`): a number,
//! then optionally `k`, `m`, `g`, `t` or `p` for powers of 1024, an `i`
//! and a `b`, in either case (`512`, `10k`, `1.5GB`, `100MiB`).

/// The bytes `text` names, or None when docker would refuse it.
pub fn ram_in_bytes(text: &str) -> Option<u64> {
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let number: f64 = number.parse().ok()?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let power = match unit {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return None,
    };
    let bytes = number * 1024f64.powi(power);
    (bytes.is_finite() && bytes < u64::MAX as f64).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_docker_reads_them() {
        for (text, bytes) in [
            ("0", Some(0)),
            ("512", Some(512)),
            ("10k", Some(10 * 1024)),
            ("10KB", Some(10 * 1024)),
            ("1.5g", Some(1536 * 1024 * 1024)),
            ("100MiB", Some(100 * 1024 * 1024)),
            ("2 GB", Some(2 * 1024 * 1024 * 1024)),
            ("abc", None),
            ("", None),
            ("1x", None),
            ("-1", None),
            ("1.", None),
        ] {
            assert_eq!(ram_in_bytes(text), bytes, "{text}");
        }
    }
}
