//! TimeSpans as a state file or a policy writes them: any text, parsed both ways; an accepted
//! span prints in .NET's constant format and reads back as the same span.
#![no_main]

use auditform::timespan::TimeSpan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Ticks as a state file's TimeSpan object gives them.
    if data.len() >= 8 {
        let ticks = i64::from_le_bytes(data[..8].try_into().expect("eight bytes"));
        let span = TimeSpan::from_ticks(ticks);
        let printed = span.to_string();
        assert_eq!(
            TimeSpan::parse_dotnet(&printed),
            Ok(span),
            "{ticks} prints as {printed:?}"
        );
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [TimeSpan::parse_dotnet(text), TimeSpan::parse_policy(text)] {
        match parsed {
            Ok(span) => {
                let printed = span.to_string();
                assert_eq!(
                    TimeSpan::parse_dotnet(&printed),
                    Ok(span),
                    "{text:?} prints as {printed:?}"
                );
                let _ = span.whole_days();
            }
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
});
