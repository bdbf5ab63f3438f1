//! Unix time to calendar dates (UTC, proleptic Gregorian), for the texts
//! that print a date: `date`, `ls -l`, package managers' stamps and logs.

/// Calendar fields of a Unix time (UTC).
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    /// Days since Sunday.
    pub wday: u32,
    /// Days since January 1st.
    pub yday: u32,
}

/// The calendar fields of `ts` seconds since 1970-01-01T00:00:00Z.
pub fn civil(ts: i64) -> Civil {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    let (month, day) = (month as u32, day as u32);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const CUM: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yday = CUM[(month - 1) as usize] + day - 1 + u32::from(leap && month > 2);
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        min: secs % 3600 / 60,
        sec: secs % 60,
        // 1970-01-01 was a Thursday.
        wday: (days + 4).rem_euclid(7) as u32,
        yday,
    }
}

/// Days since 1970-01-01 → (year, month, day): Howard Hinnant's
/// days-to-civil, exact for every day in range.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_leap_day_and_year_end() {
        let epoch = civil(0);
        assert_eq!((epoch.year, epoch.month, epoch.day), (1970, 1, 1));
        assert_eq!((epoch.wday, epoch.yday), (4, 0));
        // 2024-02-29T12:34:56Z, a Thursday.
        let leap = civil(1_709_210_096);
        assert_eq!((leap.year, leap.month, leap.day), (2024, 2, 29));
        assert_eq!((leap.hour, leap.min, leap.sec), (12, 34, 56));
        assert_eq!((leap.wday, leap.yday), (4, 59));
        // 2023-12-31T23:59:59Z: day 365 of a common year, a Sunday.
        let end = civil(1_704_067_199);
        assert_eq!((end.year, end.month, end.day), (2023, 12, 31));
        assert_eq!((end.wday, end.yday), (0, 364));
        // Before the epoch: 1969-12-31T23:00:00Z.
        let before = civil(-3600);
        assert_eq!(
            (before.year, before.month, before.day, before.hour),
            (1969, 12, 31, 23)
        );
    }
}
