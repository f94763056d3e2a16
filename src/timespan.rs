//! AuditLogAgeLimit is a .NET TimeSpan. The service writes it `d.hh:mm:ss` (`90.00:00:00`), and
//! ConvertTo-Json sometimes writes it as an object of Days, Hours, ... and Ticks.

use std::fmt;

const TICKS_PER_SECOND: i64 = 10_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A duration with .NET's 100 ns tick resolution, so that a value read is written back exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a TimeSpan; write days as `180`, `180d` or `180.00:00:00`")]
pub struct TimeSpanError {
    pub input: String,
}

impl TimeSpan {
    /// The service's default AuditLogAgeLimit.
    pub const DEFAULT_AUDIT_LOG_AGE_LIMIT: TimeSpan = TimeSpan::from_days(90);
    /// The longest AuditLogAgeLimit the service accepts, `24855.03:14:07`: the directory stores
    /// it as an `Int32` of seconds, and Exchange's constraint is 0 to `FromSeconds(2147483647)`
    /// (on-prem-derived, [EV-4.1]). The policy loader, the service model and the JSON Schema
    /// all read this one constant.
    pub const MAX_AUDIT_LOG_AGE_LIMIT: TimeSpan = TimeSpan(i32::MAX as i64 * TICKS_PER_SECOND);
    pub const TICKS_PER_SECOND: i64 = TICKS_PER_SECOND;
    pub const ZERO: TimeSpan = TimeSpan(0);

    pub const fn from_ticks(ticks: i64) -> TimeSpan {
        TimeSpan(ticks)
    }

    pub const fn from_days(days: i64) -> TimeSpan {
        TimeSpan(days * SECONDS_PER_DAY * TICKS_PER_SECOND)
    }

    pub fn ticks(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whole days, when the span is a whole number of days.
    pub fn whole_days(self) -> Option<i64> {
        let per_day = SECONDS_PER_DAY * TICKS_PER_SECOND;
        (self.0 % per_day == 0).then_some(self.0 / per_day)
    }

    /// The whole days in the span, rounded down.
    pub fn floor_days(self) -> i64 {
        self.0.div_euclid(SECONDS_PER_DAY * TICKS_PER_SECOND)
    }

    /// Parses the .NET constant format `[-][d.]hh:mm:ss[.fffffff]`.
    pub fn parse_dotnet(input: &str) -> Result<TimeSpan, TimeSpanError> {
        let error = || TimeSpanError {
            input: input.to_string(),
        };
        let text = input.trim();
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut parts = text.split(':');
        let (Some(head), Some(minutes), Some(rest), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(error());
        };
        let (days, hours) = match head.split_once('.') {
            Some((days, hours)) => (number(days).ok_or_else(error)?, hours),
            None => (0, head),
        };
        let (seconds, fraction) = match rest.split_once('.') {
            Some((seconds, fraction)) => (seconds, Some(fraction)),
            None => (rest, None),
        };
        let hours = number(hours).filter(|h| *h < 24).ok_or_else(error)?;
        let minutes = number(minutes).filter(|m| *m < 60).ok_or_else(error)?;
        let seconds = number(seconds).filter(|s| *s < 60).ok_or_else(error)?;
        let fraction_ticks = match fraction {
            None => 0,
            Some(digits) if (1..=7).contains(&digits.len()) => {
                let value = number(digits).ok_or_else(error)?;
                value * 10_i64.pow(7 - digits.len() as u32)
            }
            Some(_) => return Err(error()),
        };
        let total_seconds = days
            .checked_mul(SECONDS_PER_DAY)
            .and_then(|s| s.checked_add(hours * 3600 + minutes * 60 + seconds))
            .ok_or_else(error)?;
        let ticks = total_seconds
            .checked_mul(TICKS_PER_SECOND)
            .and_then(|t| t.checked_add(fraction_ticks))
            .ok_or_else(error)?;
        Ok(TimeSpan(if negative { -ticks } else { ticks }))
    }

    /// Parses a policy's `logAgeLimit`: whole days (`180`, `180d`) or the .NET form.
    pub fn parse_policy(input: &str) -> Result<TimeSpan, TimeSpanError> {
        let text = input.trim();
        let days = text
            .strip_suffix('d')
            .or_else(|| text.strip_suffix('D'))
            .unwrap_or(text);
        if !days.is_empty() && days.bytes().all(|b| b.is_ascii_digit()) {
            let days = number(days).ok_or_else(|| TimeSpanError {
                input: input.to_string(),
            })?;
            return days
                .checked_mul(SECONDS_PER_DAY * TICKS_PER_SECOND)
                .map(TimeSpan)
                .ok_or_else(|| TimeSpanError {
                    input: input.to_string(),
                });
        }
        TimeSpan::parse_dotnet(text)
    }
}

fn number(digits: &str) -> Option<i64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl fmt::Display for TimeSpan {
    /// .NET's constant ("c") format, as Get-Mailbox prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let ticks = self.0.unsigned_abs();
        let per_second = TICKS_PER_SECOND as u64;
        let total_seconds = ticks / per_second;
        let fraction = ticks % per_second;
        let days = total_seconds / SECONDS_PER_DAY as u64;
        let hours = total_seconds / 3600 % 24;
        let minutes = total_seconds / 60 % 60;
        let seconds = total_seconds % 60;
        write!(f, "{sign}")?;
        if days > 0 {
            write!(f, "{days}.")?;
        }
        write!(f, "{hours:02}:{minutes:02}:{seconds:02}")?;
        if fraction > 0 {
            write!(f, ".{fraction:07}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_service_format() {
        for text in [
            "90.00:00:00",
            "00:00:00",
            "1.02:03:04",
            "180.00:00:00",
            "00:30:00.5000000",
        ] {
            assert_eq!(TimeSpan::parse_dotnet(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn policy_days_forms_agree() {
        let expected = TimeSpan::from_days(180);
        for text in ["180", "180d", "180.00:00:00", " 180D "] {
            assert_eq!(TimeSpan::parse_policy(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_spans() {
        for text in [
            "",
            "abc",
            "90 days",
            "1.25:00:00",
            "00:60:00",
            "1:2",
            "-d",
            "99999999999999",
        ] {
            assert!(
                TimeSpan::parse_policy(text).is_err(),
                "{text} should be refused"
            );
        }
    }

    #[test]
    fn the_longest_audit_log_age_limit_is_int32_seconds() {
        // DESIGN §1.2: "the largest is `24855.03:14:07`".
        let max = TimeSpan::MAX_AUDIT_LOG_AGE_LIMIT;
        assert_eq!(max.to_string(), "24855.03:14:07");
        assert_eq!(max.ticks() / TICKS_PER_SECOND, i64::from(i32::MAX));
        assert_eq!(max.floor_days(), 24_855);
        assert_eq!(TimeSpan::parse_dotnet("24855.03:14:07"), Ok(max));
    }

    #[test]
    fn zero_is_zero() {
        assert!(TimeSpan::parse_policy("00:00:00").unwrap().is_zero());
        assert!(TimeSpan::parse_policy("0").unwrap().is_zero());
    }
}
