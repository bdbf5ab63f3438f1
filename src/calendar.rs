//! Unix time to calendar dates (UTC, proleptic Gregorian), for the texts
//! that print a date: `date`, `ls -l`, package managers' stamps and logs.
//! The English month and weekday names and `strftime` live here too, so
//! every date layerlab prints is spelled one way.

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

/// Month abbreviations, January first, as C's locale spells them.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Weekday abbreviations, Sunday first.
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Civil {
    /// `Jan` … `Dec`.
    pub fn month_abbr(&self) -> &'static str {
        MONTHS[(self.month - 1) as usize]
    }

    /// `January` … `December`.
    pub fn month_name(&self) -> &'static str {
        MONTH_NAMES[(self.month - 1) as usize]
    }

    /// `Sun` … `Sat`.
    pub fn weekday_abbr(&self) -> &'static str {
        DAYS[self.wday as usize]
    }

    /// `Sunday` … `Saturday`.
    pub fn weekday_name(&self) -> &'static str {
        DAY_NAMES[self.wday as usize]
    }
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

/// strftime for the conversions scripts use; the zone is always UTC.
pub fn strftime(fmt: &str, ts: i64) -> String {
    let c = civil(ts);
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        let s = match spec {
            'Y' => c.year.to_string(),
            'y' => format!("{:02}", c.year.rem_euclid(100)),
            'm' => format!("{:02}", c.month),
            'd' => format!("{:02}", c.day),
            'e' => format!("{:2}", c.day),
            'H' => format!("{:02}", c.hour),
            'I' => format!("{:02}", (c.hour + 11) % 12 + 1),
            'M' => format!("{:02}", c.min),
            'S' => format!("{:02}", c.sec),
            'p' => if c.hour < 12 { "AM" } else { "PM" }.to_owned(),
            's' => ts.to_string(),
            'a' => c.weekday_abbr().to_owned(),
            'A' => c.weekday_name().to_owned(),
            'b' | 'h' => c.month_abbr().to_owned(),
            'B' => c.month_name().to_owned(),
            'j' => format!("{:03}", c.yday + 1),
            'u' => (if c.wday == 0 { 7 } else { c.wday }).to_string(),
            'w' => c.wday.to_string(),
            'Z' => "UTC".to_owned(),
            'z' => "+0000".to_owned(),
            'T' => format!("{:02}:{:02}:{:02}", c.hour, c.min, c.sec),
            'R' => format!("{:02}:{:02}", c.hour, c.min),
            'D' => format!("{:02}/{:02}/{:02}", c.month, c.day, c.year.rem_euclid(100)),
            'F' => format!("{}-{:02}-{:02}", c.year, c.month, c.day),
            'c' => strftime("%a %b %e %H:%M:%S %Y", ts),
            'n' => "\n".to_owned(),
            't' => "\t".to_owned(),
            '%' => "%".to_owned(),
            other => format!("%{other}"),
        };
        out.push_str(&s);
    }
    out
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

    #[test]
    fn names_and_strftime_spell_dates_as_c_does() {
        // 2024-02-29T12:34:56Z, a Thursday.
        let ts = 1_709_210_096;
        assert_eq!(
            strftime("%a %A %b %h %B|%c|%F %T|%e|%j %u %w|%I%p %Z %z|%%%q", ts),
            "Thu Thursday Feb Feb February|Thu Feb 29 12:34:56 2024|2024-02-29 12:34:56|29|060 4 4|12PM UTC +0000|%%q"
        );
        let new_year = civil(1_704_067_200);
        assert_eq!(
            (new_year.month_abbr(), new_year.weekday_abbr()),
            ("Jan", "Mon")
        );
    }
}
