//! Fault injection that repeats: every decision is a pure function of the seed, the request and
//! how many times that same request was seen, so thread scheduling does not change the outcome.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The knobs. Rates are probabilities per attempt, from 0.0 to 1.0.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Time each cmdlet takes, holding one of the concurrency slots.
    pub latency: Duration,
    /// Time one page of a listing takes instead (a Get- cmdlet without `Identity`, such as
    /// `Get-Mailbox -ResultSize Unlimited`), holding a slot likewise; `None` uses `latency`.
    /// The service's own figure is about 1.2 s for a page of 1000 full mailboxes: "I've just
    /// listed a 2500 mailboxes list and it continues in 3 seconds" (KelvinTegelaar/CIPP issue
    /// #820, 2022-03-11, a CIPP maintainer, of CIPP-API's paged REST Get-Mailbox). That is the
    /// only public figure found, so the binary's default is 1.2 s and benchmarks also run at
    /// 0.25 s and 3 s.
    pub page_latency: Option<Duration>,
    /// Cmdlets executing at once; more are answered 429 with the service's concurrency text.
    pub max_concurrency: usize,
    pub rate_429: f64,
    /// The `Retry-After` seconds sent with a rate-limit 429.
    pub retry_after_seconds: u64,
    /// 500, 503 or 504.
    pub rate_5xx: f64,
    /// The connection is closed without an answer, before anything runs.
    pub rate_drop: f64,
    /// The connection is closed without an answer after the request ran: the client can't
    /// know that its change landed.
    pub rate_drop_after: f64,
    /// Identities (any of a mailbox's names) whose cmdlets always fail with a permanent error.
    pub failing_identities: Vec<String>,
    /// (identity, text): a cmdlet on that identity (`*`: any cmdlet) succeeds and its answer
    /// carries the text in `@adminapi.warnings`.
    pub warnings: Vec<(String, String)>,
    /// (identity, text): a cmdlet on that identity answers 200 with the text in
    /// `@adminapi.errors`, and changes nothing.
    pub soft_errors: Vec<(String, String)>,
    /// Identities whose Set-Mailbox answers as if it succeeded and changes nothing, as a
    /// write lost behind the endpoint would: only reading the mailbox again tells.
    pub unapplied_writes: Vec<String>,
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency: Duration::ZERO,
            page_latency: None,
            max_concurrency: 16,
            rate_429: 0.0,
            retry_after_seconds: 1,
            rate_5xx: 0.0,
            rate_drop: 0.0,
            rate_drop_after: 0.0,
            failing_identities: Vec::new(),
            warnings: Vec::new(),
            soft_errors: Vec::new(),
            unapplied_writes: Vec::new(),
            seed: 1,
        }
    }
}

/// Which fault, if any, meets one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Drop,
    RateLimited,
    Server(u16),
}

/// Remembers how often each request was seen, to roll a fresh but repeatable die per attempt.
#[derive(Debug, Default)]
pub struct Dice {
    attempts: Mutex<HashMap<u64, u64>>,
}

impl Dice {
    /// A die for the next attempt of the request whose content hashes to `request`.
    pub fn next_attempt(&self, seed: u64, request: u64) -> Roll {
        let mut attempts = match self.attempts.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let attempt = attempts.entry(request).or_insert(0);
        *attempt += 1;
        Roll {
            state: splitmix(seed ^ splitmix(request ^ splitmix(*attempt))),
        }
    }
}

/// A sequence of uniform numbers for one attempt.
pub struct Roll {
    state: u64,
}

impl Roll {
    pub fn uniform(&mut self) -> f64 {
        self.state = splitmix(self.state);
        (self.state >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a, stable across runs and platforms (unlike std's hasher).
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

impl Faults {
    /// How long a cmdlet holds its slot: a page of a listing takes `page_latency` when set.
    pub fn delay(&self, listing: bool) -> Duration {
        match self.page_latency {
            Some(page) if listing => page,
            _ => self.latency,
        }
    }

    /// The network fault for an HTTP request, decided before anything runs.
    pub fn network(&self, roll: &mut Roll) -> Option<Fault> {
        (roll.uniform() < self.rate_drop).then_some(Fault::Drop)
    }

    /// Whether the answer to a request that ran is lost on the way back.
    pub fn lost_answer(&self, roll: &mut Roll) -> bool {
        roll.uniform() < self.rate_drop_after
    }

    /// The service fault for one cmdlet, decided before it runs, so a failed attempt never
    /// changes the tenant.
    pub fn service(&self, roll: &mut Roll) -> Option<Fault> {
        let throttled = roll.uniform() < self.rate_429;
        let failed = roll.uniform() < self.rate_5xx;
        let which = roll.uniform();
        if throttled {
            Some(Fault::RateLimited)
        } else if failed {
            Some(Fault::Server(if which < 0.4 {
                503
            } else if which < 0.7 {
                504
            } else {
                500
            }))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_a_listing_takes_the_page_latency_and_any_other_cmdlet_the_latency() {
        let faults = Faults {
            latency: Duration::from_millis(20),
            page_latency: Some(Duration::from_millis(1200)),
            ..Faults::default()
        };
        assert_eq!(faults.delay(true), Duration::from_millis(1200));
        assert_eq!(faults.delay(false), Duration::from_millis(20));
        let without = Faults {
            page_latency: None,
            ..faults
        };
        assert_eq!(without.delay(true), Duration::from_millis(20));
    }

    #[test]
    fn the_same_attempt_of_the_same_request_rolls_the_same_number() {
        let (first, second) = (Dice::default(), Dice::default());
        let a: Vec<f64> = (0..5)
            .map(|_| first.next_attempt(7, 42).uniform())
            .collect();
        let b: Vec<f64> = (0..5)
            .map(|_| second.next_attempt(7, 42).uniform())
            .collect();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1], "a retry gets a fresh roll");
    }

    #[test]
    fn rolls_are_spread_over_the_unit_interval() {
        let dice = Dice::default();
        let rolls: Vec<f64> = (0..1000)
            .map(|i| dice.next_attempt(1, i).uniform())
            .collect();
        assert!(rolls.iter().all(|r| (0.0..1.0).contains(r)));
        let low = rolls.iter().filter(|r| **r < 0.5).count();
        assert!((400..600).contains(&low), "{low} of 1000 below one half");
    }
}
