//! Seconds that may be absent, in half the room of `Option<i64>`.

use serde::{Serialize, Serializer};

/// A number of seconds that may be absent, in 8 bytes where `Option<i64>` takes 16 (it has no
/// spare bit pattern for `None`). Every in-period incident's facts hold four (its times to
/// acknowledge and to resolve, how far each verdict is past its target) for the whole render:
/// 32 MB at a million incidents. `i64::MIN` stands for none: no span between two instants
/// chrono holds (±262,000 years, about 2^43 seconds) comes near it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OptSecs(i64);

impl OptSecs {
    pub const NONE: OptSecs = OptSecs(i64::MIN);

    pub fn get(self) -> Option<i64> {
        (self != Self::NONE).then_some(self.0)
    }
}

impl From<Option<i64>> for OptSecs {
    /// `Some(i64::MIN)`, which no duration reaches, is held as the nearest value there is.
    fn from(secs: Option<i64>) -> OptSecs {
        secs.map_or(Self::NONE, |s| OptSecs(s.max(i64::MIN + 1)))
    }
}

impl Default for OptSecs {
    fn default() -> OptSecs {
        Self::NONE
    }
}

impl std::fmt::Debug for OptSecs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// As the `Option<i64>` it stands for: `null` or the number.
impl Serialize for OptSecs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::OptSecs;

    #[test]
    fn holds_every_value_but_the_least_and_none() {
        for secs in [
            None,
            Some(0),
            Some(-1),
            Some(59),
            Some(i64::MAX),
            Some(i64::MIN + 1),
        ] {
            let held = OptSecs::from(secs);
            assert_eq!(held.get(), secs);
            assert_eq!(format!("{held:?}"), format!("{secs:?}"));
            assert_eq!(
                serde_json::to_string(&held).unwrap(),
                serde_json::to_string(&secs).unwrap()
            );
        }
        assert_eq!(OptSecs::from(Some(i64::MIN)).get(), Some(i64::MIN + 1));
        assert_eq!(OptSecs::default().get(), None);
        assert_eq!(std::mem::size_of::<OptSecs>(), 8);
    }
}
