//! The audit period a generated site covers. FY2026 is the repository's example; FY2025 is the
//! smaller year before it, under an older policy version, that the example chains to (issue 15).
//! Everything that differs from year to year is here, so the rest of the generator takes a
//! [`Period`] (through its `Calendar`) instead of naming a year.

use super::company::{self, Override};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    Fy2025,
    #[default]
    Fy2026,
}

impl Period {
    pub const ALL: [Period; 2] = [Period::Fy2025, Period::Fy2026];

    /// `fy2025` / `fy2026` (any case), as `--period` takes it.
    pub fn parse(s: &str) -> Option<Period> {
        Period::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
    }

    /// The fiscal (= calendar) year.
    pub fn year(self) -> i32 {
        match self {
            Period::Fy2025 => 2025,
            Period::Fy2026 => 2026,
        }
    }

    /// `FY2026`: the period name in site.toml.
    pub fn name(self) -> String {
        format!("FY{}", self.year())
    }

    /// The default volume: the earlier year had about 60 % of this year's incidents.
    pub fn default_incidents(self) -> usize {
        match self {
            Period::Fy2025 => 1200,
            Period::Fy2026 => 2000,
        }
    }

    /// The default seed is the year, so two periods never share their random streams.
    pub fn default_seed(self) -> u64 {
        self.year() as u64
    }

    /// The first incident number of the period (numbers continue from year to year).
    pub fn first_number(self) -> u64 {
        match self {
            Period::Fy2025 => 2880,
            Period::Fy2026 => 4100,
        }
    }

    /// The incident of the previous November that the period's orphan postmortem covers.
    pub fn orphan_incident(self) -> u64 {
        self.first_number() - 88
    }

    pub fn holidays(self) -> &'static [(u32, u32, &'static str)] {
        match self {
            Period::Fy2025 => &company::HOLIDAYS_2025,
            Period::Fy2026 => &company::HOLIDAYS_2026,
        }
    }

    pub fn overrides(self) -> &'static [Override; 4] {
        match self {
            Period::Fy2025 => &company::OVERRIDES_2025,
            Period::Fy2026 => &company::OVERRIDES_2026,
        }
    }

    /// The Incident Response Policy version in force, and when it was approved (month, day of the
    /// previous December).
    pub fn policy_version(self) -> (&'static str, (u32, u32)) {
        match self {
            Period::Fy2025 => ("2.4", (12, 12)),
            Period::Fy2026 => ("3.2", (12, 15)),
        }
    }

    /// Resolve targets per priority P1..P4, in seconds. Version 3 tightened P2 from two days to
    /// one, which is the policy change the example's "changes since last period" page shows.
    pub fn resolve(self) -> [Option<i64>; 4] {
        let p2 = match self {
            Period::Fy2025 => 2 * 86_400,
            Period::Fy2026 => 86_400,
        };
        [Some(4 * 3600), Some(p2), Some(5 * 86_400), None]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for p in Period::ALL {
            assert_eq!(Period::parse(&p.name().to_lowercase()), Some(p));
        }
        assert_eq!(Period::parse("fy2024"), None);
        assert_eq!(Period::default(), Period::Fy2026);
    }

    #[test]
    fn observed_holidays_are_weekdays_of_their_year() {
        use chrono::Datelike;
        for p in Period::ALL {
            for (m, d, name) in p.holidays() {
                let day = chrono::NaiveDate::from_ymd_opt(p.year(), *m, *d).unwrap();
                assert!(day.weekday().num_days_from_monday() < 5, "{name} {day}");
            }
        }
        assert_ne!(Period::Fy2025.holidays(), Period::Fy2026.holidays());
    }
}
