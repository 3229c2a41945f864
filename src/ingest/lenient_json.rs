//! PagerDuty log entries and incidents read straight from their JSON text into the fields
//! pagerproof uses, instead of through `serde_json::Value` trees: a 100k-incident year has a
//! million log entries (238 MB) and 200k incident records (80 MB), and building and dropping a
//! map of owned strings for each of them was most of the time spent loading (issue 12).
//!
//! Every field is read as leniently as the `Value` reading it replaces (`pagerduty::text` and
//! friends): a string that is blank, a value of an unexpected type, an object where text was
//! expected: all read as absent, never as an error. Only text that is not JSON is an error.
//! A key named twice keeps its last value, as `Value` does.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Visitor methods that read each listed kind of JSON value as `$none`, consuming it: a field
/// of a type it does not expect reads as absent.
macro_rules! otherwise {
    ($de:lifetime, $none:expr; $($kind:ident),*) => { $(otherwise!(@$kind $de, $none);)* };
    (@str $de:lifetime, $none:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
    (@number $de:lifetime, $none:expr) => {
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
    (@bool_null $de:lifetime, $none:expr) => {
        otherwise!(@bool $de, $none);
        otherwise!(@null $de, $none);
    };
    (@bool $de:lifetime, $none:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
    (@null $de:lifetime, $none:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
    (@seq $de:lifetime, $none:expr) => {
        fn visit_seq<A: SeqAccess<$de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| $none)
        }
    };
    (@map $de:lifetime, $none:expr) => {
        fn visit_map<A: MapAccess<$de>>(self, map: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_map(map).map(|_| $none)
        }
    };
}

/// `Deserialize` for `$ty` through `deserialize_any`, by a visitor made of `$methods`: every
/// type here reads any JSON value.
macro_rules! deserialize_any {
    ($ty:ty, $($methods:item)*) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("any JSON value")
                    }
                    $($methods)*
                }
                d.deserialize_any(V)
            }
        }
    };
}

/// `Deserialize` for a struct of lenient fields read from a JSON object by [`Key`], every
/// other key skipped and a key named twice keeping its last value (as `Value` does); anything
/// but an object reads as the struct's default. `object` names a field set when it was one.
macro_rules! lenient_object {
    ($ty:ident $(, object: $flag:ident)? { $($key:ident => $field:ident),* $(,)? }) => {
        deserialize_any!($ty<'de>,
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$ty<'de>, A::Error> {
                let mut r = $ty::default();
                $(r.$flag = true;)?
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        $(Key::$key => r.$field = map.next_value()?,)*
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(r)
            }
            otherwise!('de, $ty::default(); str, number, bool_null, seq);
        );
    };
}

/// A value read as `pagerduty::text` reads it: a string that is not blank, or a number's text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Loose<'a>(pub Option<Cow<'a, str>>);

impl Loose<'_> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn into_string(self) -> Option<String> {
        self.0.map(Cow::into_owned)
    }
}

deserialize_any!(Loose<'de>,
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Loose<'de>, E> {
        Ok(Loose((!s.trim().is_empty()).then_some(Cow::Borrowed(s))))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Loose<'de>, E> {
        Ok(Loose(
            (!s.trim().is_empty()).then(|| Cow::Owned(s.to_owned())),
        ))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Loose<'de>, E> {
        Ok(Loose(Some(Cow::Owned(n.to_string()))))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Loose<'de>, E> {
        Ok(Loose(Some(Cow::Owned(n.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Loose<'de>, E> {
        // The text `Value::Number` gives: serde_json reads a float the same way.
        Ok(Loose(
            serde_json::Number::from_f64(n).map(|n| Cow::Owned(n.to_string())),
        ))
    }
    otherwise!('de, Loose(None); map, seq, bool_null);
);

/// The keys of a small object pagerproof reads (a reference, a channel, a v3 time), each read
/// as [`Loose`]; anything but an object reads as an object without them.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Obj<'a> {
    pub id: Loose<'a>,
    pub kind: Loose<'a>,
    pub summary: Loose<'a>,
    pub name: Loose<'a>,
    pub date_time: Loose<'a>,
    pub time_zone: Loose<'a>,
    /// An acknowledgement's time.
    pub at: Time<'a>,
    /// An assignment's assignee.
    pub assignee: Option<Box<Obj<'a>>>,
    /// An external reference's URL and id.
    pub external_url: Loose<'a>,
    pub external_id: Loose<'a>,
}

lenient_object!(Obj {
    Id => id,
    Type => kind,
    Summary => summary,
    Name => name,
    DateTime => date_time,
    TimeZone => time_zone,
    At => at,
    Assignee => assignee,
    ExternalUrl => external_url,
    ExternalId => external_id,
});

/// A list of [`Obj`]; anything but an array reads as an empty list.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Objs<'a>(pub Vec<Obj<'a>>);

deserialize_any!(Objs<'de>,
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Objs<'de>, A::Error> {
        let mut list = Vec::new();
        while let Some(o) = seq.next_element()? {
            list.push(o);
        }
        Ok(Objs(list))
    }
    otherwise!('de, Objs::default(); str, number, bool_null, map);
);

/// A time as `pagerduty::parse_time` takes it: RFC 3339 text, or a v3 `{date_time, time_zone}`
/// object; null or absent is `None`, any other value `Invalid` (no time either, but an
/// incident's `created_at` of that kind rejects the record).
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Time<'a> {
    #[default]
    None,
    Text(Cow<'a, str>),
    Object(Box<Obj<'a>>),
    Invalid,
}

deserialize_any!(Time<'de>,
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Time<'de>, E> {
        Ok(Time::Text(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Time<'de>, E> {
        Ok(Time::Text(Cow::Owned(s.to_owned())))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Time<'de>, A::Error> {
        Obj::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(|o| Time::Object(Box::new(o)))
    }
    otherwise!('de, Time::None; null);
    otherwise!('de, Time::Invalid; number, bool, seq);
);

/// The fields of a log entry record pagerproof reads.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LogRecord<'a> {
    pub incident: Obj<'a>,
    pub created_at: Time<'a>,
    pub kind: Loose<'a>,
    pub summary: Loose<'a>,
    pub agent: Obj<'a>,
    pub channel: Obj<'a>,
    pub user: Obj<'a>,
    pub assignees: Objs<'a>,
}

lenient_object!(LogRecord {
    Incident => incident,
    CreatedAt => created_at,
    Type => kind,
    Summary => summary,
    Agent => agent,
    Channel => channel,
    User => user,
    Assignees => assignees,
});

/// A whole number as `Value::as_u64` reads it: a non-negative integer, nothing else.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct U64(pub Option<u64>);

deserialize_any!(U64,
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<U64, E> {
        Ok(U64(Some(n)))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<U64, E> {
        Ok(U64(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<U64, E> {
        Ok(U64(None))
    }
    otherwise!('de, U64(None); str, bool_null, seq, map);
);

/// The fields of an incident record pagerproof reads.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IncidentRecord<'a> {
    /// The record is a JSON object at all.
    pub object: bool,
    pub incident_number: U64,
    pub id: Loose<'a>,
    pub title: Loose<'a>,
    pub description: Loose<'a>,
    pub summary: Loose<'a>,
    pub urgency: Loose<'a>,
    pub status: Loose<'a>,
    pub html_url: Loose<'a>,
    pub created_at: Time<'a>,
    pub resolved_at: Time<'a>,
    pub last_status_change_at: Time<'a>,
    pub service: Obj<'a>,
    pub escalation_policy: Obj<'a>,
    pub priority: Obj<'a>,
    pub teams: Objs<'a>,
    pub assignments: Objs<'a>,
    pub external_references: Objs<'a>,
    pub acknowledgements: Objs<'a>,
}

// Not an object: `object` stays false and the caller rejects the record.
lenient_object!(IncidentRecord, object: object {
    IncidentNumber => incident_number,
    Id => id,
    Title => title,
    Description => description,
    Summary => summary,
    Urgency => urgency,
    Status => status,
    HtmlUrl => html_url,
    CreatedAt => created_at,
    ResolvedAt => resolved_at,
    LastStatusChangeAt => last_status_change_at,
    Service => service,
    EscalationPolicy => escalation_policy,
    Priority => priority,
    Teams => teams,
    Assignments => assignments,
    ExternalReferences => external_references,
    Acknowledgements => acknowledgements,
});

/// The keys read, whatever object they are in (snake_case of the variant's name); every other
/// key is skipped.
#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Id,
    Type,
    Summary,
    DateTime,
    TimeZone,
    Incident,
    CreatedAt,
    Agent,
    Channel,
    User,
    Assignees,
    Name,
    At,
    Assignee,
    ExternalUrl,
    ExternalId,
    IncidentNumber,
    Title,
    Description,
    Urgency,
    Status,
    HtmlUrl,
    ResolvedAt,
    LastStatusChangeAt,
    Service,
    EscalationPolicy,
    Priority,
    Teams,
    Assignments,
    ExternalReferences,
    Acknowledgements,
    #[serde(other)]
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_as_leniently_as_a_value_tree() {
        let text = r#"{"incident": {"id": 42, "x": [1, {"y": 2}]}, "created_at": "2026-01-02T03:04:05Z",
            "type": "notify_log_entry", "summary": "  ", "agent": "not an object",
            "channel": {"type": "sms", "details": {"a": null}}, "user": {"summary": "Ann \"A\""},
            "assignees": [{"summary": "B"}, 7, {"summary": ""}], "extra": {"deep": [[[]]]}}"#;
        let r: LogRecord = serde_json::from_str(text).unwrap();
        assert_eq!(r.incident.id.get(), Some("42"));
        assert_eq!(
            r.created_at,
            Time::Text(Cow::Borrowed("2026-01-02T03:04:05Z"))
        );
        assert_eq!(r.kind.get(), Some("notify_log_entry"));
        assert_eq!(r.summary.get(), None, "blank text is no text");
        assert_eq!(r.agent, Obj::default(), "a string where an object belongs");
        assert_eq!(r.channel.kind.get(), Some("sms"));
        assert_eq!(r.user.summary.get(), Some("Ann \"A\""), "escapes decoded");
        let names: Vec<_> = r.assignees.0.iter().map(|a| a.summary.get()).collect();
        assert_eq!(names, [Some("B"), None, None]);
    }

    #[test]
    fn a_key_named_twice_keeps_its_last_value_and_numbers_read_as_value_prints_them() {
        let r: LogRecord =
            serde_json::from_str(r#"{"type": "a", "type": "b", "summary": 1.5, "created_at": {"date_time": "2026-01-02T03:04:05", "time_zone": "UTC"}}"#)
                .unwrap();
        assert_eq!(r.kind.get(), Some("b"));
        assert_eq!(r.summary.get(), Some("1.5"));
        let Time::Object(o) = r.created_at else {
            panic!("a v3 time is an object")
        };
        assert_eq!(o.time_zone.get(), Some("UTC"));
    }

    #[test]
    fn only_text_that_is_not_json_is_an_error() {
        for text in ["[]", "null", "3", "\"x\""] {
            assert_eq!(
                serde_json::from_str::<LogRecord>(text).unwrap(),
                LogRecord::default()
            );
        }
        assert!(serde_json::from_str::<LogRecord>(r#"{"type": "a",}"#).is_err());
        assert!(serde_json::from_str::<LogRecord>(r#"{"type": "a"} x"#).is_err());
    }
}
