//! AuditLogAgeLimit as the service reads and writes it: an `EnhancedTimeSpan`, parsed as .NET's
//! `TimeSpan.Parse` does (so a bare `180` is 180 days, which is why CIS writes
//! `-AuditLogAgeLimit 180`) and printed in the constant ("c") format [EV-4.1].

use serde_json::Value;

const TICKS_PER_SECOND: i64 = 10_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// The directory keeps the limit as an Int32 of seconds: 0 to 24855.03:14:07 [EV-4.1].
pub const MAX_TICKS: i64 = i32::MAX as i64 * TICKS_PER_SECOND;

/// `TimeSpan.Parse`: `[-]d`, `[-][d.]hh:mm[:ss[.fffffff]]`. `None` when it is not a TimeSpan.
pub fn parse(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits = |part: &str| -> Option<i64> {
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let ticks = if !text.contains(':') {
        digits(text)?.checked_mul(SECONDS_PER_DAY * TICKS_PER_SECOND)?
    } else {
        let parts: Vec<&str> = text.split(':').collect();
        let (head, minutes, seconds) = match parts.as_slice() {
            [head, minutes] => (*head, *minutes, "0"),
            [head, minutes, seconds] => (*head, *minutes, *seconds),
            _ => return None,
        };
        let (days, hours) = match head.split_once('.') {
            Some((days, hours)) => (digits(days)?, digits(hours)?),
            None => (0, digits(head)?),
        };
        let (seconds, fraction) = match seconds.split_once('.') {
            Some((seconds, fraction)) if (1..=7).contains(&fraction.len()) => {
                let scale = 10_i64.pow(7 - fraction.len() as u32);
                (digits(seconds)?, digits(fraction)? * scale)
            }
            Some(_) => return None,
            None => (digits(seconds)?, 0),
        };
        let minutes = digits(minutes)?;
        if hours > 23 || minutes > 59 || seconds > 59 {
            return None;
        }
        let whole = days
            .checked_mul(SECONDS_PER_DAY)?
            .checked_add(hours * 3600 + minutes * 60 + seconds)?;
        whole.checked_mul(TICKS_PER_SECOND)?.checked_add(fraction)?
    };
    Some(if negative { -ticks } else { ticks })
}

/// A stored value: the string form, or ConvertTo-Json's object, whose `Ticks` is exact.
pub fn from_value(value: &Value) -> Option<i64> {
    match value {
        Value::String(text) => parse(text),
        Value::Object(object) => object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("Ticks"))
            .and_then(|(_, ticks)| ticks.as_i64()),
        _ => None,
    }
}

/// .NET's constant format: `d.hh:mm:ss`, no day part under a day, `.fffffff` when there is a
/// fraction of a second.
pub fn format(ticks: i64) -> String {
    let sign = if ticks < 0 { "-" } else { "" };
    let ticks = ticks.unsigned_abs();
    let per_second = TICKS_PER_SECOND as u64;
    let seconds = ticks / per_second;
    let fraction = ticks % per_second;
    let days = seconds / SECONDS_PER_DAY as u64;
    let mut text = sign.to_string();
    if days > 0 {
        text.push_str(&format!("{days}."));
    }
    text.push_str(&format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60
    ));
    if fraction > 0 {
        text.push_str(&format!(".{fraction:07}"));
    }
    text
}

/// Whether the value is whole seconds, the unit the service stores.
pub fn is_whole_seconds(ticks: i64) -> bool {
    ticks % TICKS_PER_SECOND == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_timespan_parse_does() {
        let day = SECONDS_PER_DAY * TICKS_PER_SECOND;
        assert_eq!(parse("180"), Some(180 * day));
        assert_eq!(parse("180.00:00:00"), Some(180 * day));
        assert_eq!(parse("12:00:00"), Some(day / 2));
        assert_eq!(parse("12:00"), Some(day / 2));
        assert_eq!(parse("-5.00:00:00"), Some(-5 * day));
        assert_eq!(parse("24855.03:14:07"), Some(MAX_TICKS));
        for bad in ["", "x", "1.25:00:00", "00:60:00", "1:2:3:4", "1.2.3"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_as_the_service_prints() {
        assert_eq!(format(MAX_TICKS), "24855.03:14:07");
        assert_eq!(format(0), "00:00:00");
        assert_eq!(format(parse("90").unwrap()), "90.00:00:00");
        assert_eq!(format(1), "00:00:00.0000001");
    }
}
