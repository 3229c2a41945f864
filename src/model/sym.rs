//! [`Sym`]: a string interned for the life of the process, held as a 4-byte handle.
//!
//! A year of a million incidents has seven million log entries, and each names a kind, a
//! channel, an agent, a summary, a subject and its file; all of them repeat (at 100k incidents,
//! 700k entries have 12k distinct summaries and a dozen kinds). Held as strings, a log entry took
//! 144 bytes and a million-incident year's entries 1 GB on their own (issue 12); as handles, an
//! entry takes 48, and packed in its incident's [`super::Timeline`] about 13.
//!
//! Every distinct text is stored once and never freed. That bounds the table by the distinct
//! texts of the inputs a process reads, not by their rows: `serve` rebuilding the same site
//! again and again interns nothing new.
//!
//! Handles are numbered in the order texts are first seen, which depends on thread scheduling:
//! nothing may depend on the numbers. Equality is the text's (one handle per text), and order is
//! the text's, so a sort by `Sym` is a sort by text.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::{Mutex, OnceLock};

/// An interned string; see the module documentation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sym(NonZeroU32);

struct Table {
    /// By handle number less one; read without a lock.
    texts: boxcar::Vec<&'static str>,
    /// Taken only to intern a text new to the thread: reading a `Sym` never locks.
    ids: Mutex<HashMap<&'static str, Sym, foldhash::fast::RandomState>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table {
        texts: boxcar::Vec::new(),
        ids: Mutex::default(),
    })
}

thread_local! {
    /// The texts this thread has interned or looked up, so that a repeat (nearly every one:
    /// 700k log entries at 100k incidents name a few thousand texts) takes neither the lock
    /// nor, with [`foldhash`], SipHash's time: interning was a sixth of loading's CPU.
    static SEEN: std::cell::RefCell<HashMap<&'static str, Sym, foldhash::fast::RandomState>> =
        std::cell::RefCell::default();
}

impl Sym {
    /// The handle of `text`, interning it if it is new.
    pub fn new(text: &str) -> Sym {
        if let Some(sym) = SEEN.with_borrow(|seen| seen.get(text).copied()) {
            return sym;
        }
        let sym = Sym::intern(text);
        SEEN.with_borrow_mut(|seen| seen.insert(sym.as_str(), sym));
        sym
    }

    /// The handle of `text` for a text that repeats less than names do (an incident's title):
    /// looked up in the one table, under its lock, and not kept in the thread's cache, which
    /// would otherwise hold a copy of every distinct title per thread.
    pub fn new_varied(text: &str) -> Sym {
        Sym::intern(text)
    }

    /// [`Sym::new`] past this thread's cache: the one table, under its lock.
    fn intern(text: &str) -> Sym {
        let table = table();
        let mut ids = table.ids.lock().expect("no thread panics while interning");
        if let Some(&sym) = ids.get(text) {
            return sym;
        }
        let text: &'static str = Box::leak(text.into());
        // Pushed under the lock, so the index is the number of texts interned before.
        let index = table.texts.push(text);
        let number = u32::try_from(index + 1)
            .ok()
            .and_then(NonZeroU32::new)
            .expect("fewer than 4 billion distinct texts");
        let sym = Sym(number);
        ids.insert(text, sym);
        sym
    }

    /// The handle's number, for [`super::Timeline`] to pack (never 0).
    pub(super) fn number(self) -> u32 {
        self.0.get()
    }

    /// The handle numbered `number` by [`Sym::number`]; `None` for 0.
    pub(super) fn from_number(number: u32) -> Option<Sym> {
        NonZeroU32::new(number).map(Sym)
    }

    pub fn as_str(self) -> &'static str {
        table().texts[self.0.get() as usize - 1]
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Sym {
    fn from(text: &str) -> Sym {
        Sym::new(text)
    }
}

impl From<&String> for Sym {
    fn from(text: &String) -> Sym {
        Sym::new(text)
    }
}

impl From<String> for Sym {
    fn from(text: String) -> Sym {
        Sym::new(&text)
    }
}

impl Default for Sym {
    fn default() -> Sym {
        Sym::new("")
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for Sym {
    fn partial_cmp(&self, other: &Sym) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Sym {
    /// By text, not by handle number (which depends on thread scheduling).
    fn cmp(&self, other: &Sym) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Sym {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_handle_per_text_and_the_text_back() {
        let a = Sym::new("Notified Grace Liu by SMS.");
        let b = Sym::new(&String::from("Notified Grace Liu by SMS."));
        let c = Sym::new("Notified Grace Liu by email.");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str(), "Notified Grace Liu by SMS.");
        assert_eq!(&*c, "Notified Grace Liu by email.");
        assert_eq!(a, "Notified Grace Liu by SMS.");
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 4);
    }

    #[test]
    fn order_is_the_texts_whatever_order_they_were_interned_in() {
        let z = Sym::new("zz order test");
        let a = Sym::new("aa order test");
        assert!(a < z);
        let mut v = [z, a, Sym::new("mm order test")];
        v.sort();
        let texts: Vec<&str> = v.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts, ["aa order test", "mm order test", "zz order test"]);
    }

    #[test]
    fn interned_from_many_threads_at_once() {
        let texts: Vec<String> = (0..200)
            .map(|i| format!("thread text {}", i % 50))
            .collect();
        let syms: Vec<Sym> = std::thread::scope(|s| {
            let handles: Vec<_> = texts
                .chunks(50)
                .map(|chunk| s.spawn(move || chunk.iter().map(|t| Sym::new(t)).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        for (text, sym) in texts.iter().zip(&syms) {
            assert_eq!(sym.as_str(), text);
        }
        assert_eq!(syms[0], syms[50]);
    }

    #[test]
    fn serializes_as_its_text() {
        let json = serde_json::to_string(&Sym::new("api")).unwrap();
        assert_eq!(json, "\"api\"");
    }
}
