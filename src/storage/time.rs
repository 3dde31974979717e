//! Calendar arithmetic for log timestamps: UTC milliseconds to dates, and Paris local time.
//!
//! Stations tour Centre-Val de Loire, so reports count days and hours in Europe/Paris
//! (UTC+1, UTC+2 from the last Sunday of March to the last Sunday of October, at 01:00 UTC).

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn last_sunday_utc_1am(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, 31);
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    let wd = (last + 4).rem_euclid(7);
    (last - wd).saturating_mul(DAY_MS).saturating_add(HOUR_MS)
}

/// The offset of Europe/Paris from UTC at an instant, in milliseconds.
pub fn paris_offset_ms(utc_ms: i64) -> i64 {
    let (y, _, _) = civil_from_days(utc_ms.div_euclid(DAY_MS));
    let summer = utc_ms >= last_sunday_utc_1am(y, 3) && utc_ms < last_sunday_utc_1am(y, 10);
    if summer { 2 * HOUR_MS } else { HOUR_MS }
}

/// Paris local date `YYYY-MM-DD` and hour 0–23 of a UTC instant.
pub fn paris_day_hour(utc_ms: i64) -> (String, u32) {
    let local = utc_ms.saturating_add(paris_offset_ms(utc_ms));
    let (y, m, d) = civil_from_days(local.div_euclid(DAY_MS));
    let hour = (local.rem_euclid(DAY_MS) / HOUR_MS) as u32;
    (format!("{y:04}-{m:02}-{d:02}"), hour)
}

/// `YYYY-MM-DDTHH:MM:SS+01:00` in Paris local time.
pub fn paris_iso(utc_ms: i64) -> String {
    let off = paris_offset_ms(utc_ms);
    let local = utc_ms.saturating_add(off);
    let (y, m, d) = civil_from_days(local.div_euclid(DAY_MS));
    let s = local.rem_euclid(DAY_MS) / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+{:02}:00",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        off / HOUR_MS
    )
}

/// `YYYYMMDDTHHMMSSZ` in UTC, for file names.
pub fn utc_stamp(utc_ms: i64) -> String {
    let (y, m, d) = civil_from_days(utc_ms.div_euclid(DAY_MS));
    let s = utc_ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// Parses `YYYY-MM-DD` as Paris local midnight, in UTC milliseconds.
pub fn parse_paris_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > 31 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if civil_from_days(days) != (y, m, d) {
        return None;
    }
    let naive = days * DAY_MS;
    // The offset at local midnight is the one of a few hours earlier in UTC.
    Some(naive - paris_offset_ms(naive - 2 * HOUR_MS))
}

/// The wall clock now, in UTC milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_500, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2026, 3, 29), 20_541);
    }

    #[test]
    fn paris_summer_time() {
        // 2026-03-29 00:59 UTC is winter (01:59 local), 01:00 UTC is summer (03:00 local).
        let switch = parse_paris_date("2026-03-29").unwrap() + 2 * HOUR_MS;
        assert_eq!(paris_day_hour(switch - 60_000), ("2026-03-29".into(), 1));
        assert_eq!(paris_day_hour(switch), ("2026-03-29".into(), 3));
        assert_eq!(
            paris_iso(parse_paris_date("2026-07-14").unwrap()),
            "2026-07-14T00:00:00+02:00"
        );
        assert_eq!(
            paris_iso(parse_paris_date("2026-12-24").unwrap()),
            "2026-12-24T00:00:00+01:00"
        );
        assert_eq!(parse_paris_date("2026-02-30"), None);
        assert_eq!(utc_stamp(0), "19700101T000000Z");
    }
}
