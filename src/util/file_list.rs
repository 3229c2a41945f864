//! A list of the files a render writes, kept while it writes them: each name once, found by
//! name, and at the end every file in name order (the package's bag, `check`'s hashes).
//!
//! A million-incident site has 1.1 million files, and this list is held while every page is
//! rendered, beside the incidents and their facts. As a `BTreeMap<Box<str>, _>` it took
//! about 150 bytes a file: an allocation per name, and B-tree nodes half full because pages
//! arrive nearly in name order. Here a file takes its record (64 bytes), its name in a shared
//! block, and a 4-byte slot of a hash table; the order is made once, by a sort, when the
//! package is assembled.

use rayon::slice::ParallelSliceMut;

/// Bytes of names per block: a block is never reallocated, so the list never holds a copy of
/// its names while it grows.
const NAME_BLOCK: usize = 1 << 20;
/// Files per block of records, for the same reason.
const FILE_BLOCK: usize = 1 << 16;

/// See the module documentation. `T` is what is kept of each file.
pub struct FileList<T> {
    names: Vec<String>,
    files: Vec<Vec<Listed<T>>>,
    len: u32,
    /// Each file's number in `files`, found by its name's hash.
    index: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

struct Listed<T> {
    /// Where the name is: its block in `names` and its start there.
    block: u32,
    start: u32,
    len: u32,
    value: T,
}

impl<T> Default for FileList<T> {
    fn default() -> Self {
        FileList {
            names: Vec::new(),
            files: Vec::new(),
            len: 0,
            index: hashbrown::HashTable::new(),
            hasher: foldhash::fast::FixedState::default(),
        }
    }
}

impl<T> FileList<T> {
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `name` with `value`; `false` (and nothing added) when the list has it already.
    pub fn insert(&mut self, name: &str, value: T) -> bool {
        let hash = self.hash(name);
        if self.find_hashed(hash, name).is_some() {
            return false;
        }
        let (block, start) = self.store(name);
        if self.files.last().is_none_or(|b| b.len() == FILE_BLOCK) {
            self.files.push(Vec::with_capacity(FILE_BLOCK));
        }
        self.files
            .last_mut()
            .expect("a block with room")
            .push(Listed {
                block,
                start,
                len: u32::try_from(name.len()).expect("a file name under 4 GiB"),
                value,
            });
        let i = self.len;
        self.len = i.checked_add(1).expect("under 4 billion files");
        // The table grows by hashing its names again, each found through the records.
        let (files, names, hasher) = (&self.files, &self.names, &self.hasher);
        self.index.insert_unique(hash, i, |&j| {
            use std::hash::BuildHasher;
            hasher.hash_one(name_of(names, listed(files, j)))
        });
        true
    }

    /// What is kept of `name`, when it is listed.
    pub fn get(&self, name: &str) -> Option<&T> {
        let i = self.find(name)?;
        Some(&self.listed(i).value)
    }

    /// Adds `name` with `value`, or replaces what was kept of it.
    pub fn set(&mut self, name: &str, value: T) {
        match self.find(name) {
            Some(i) => {
                let i = i as usize;
                self.files[i / FILE_BLOCK][i % FILE_BLOCK].value = value
            }
            None => {
                self.insert(name, value);
            }
        }
    }

    fn find(&self, name: &str) -> Option<u32> {
        self.find_hashed(self.hash(name), name)
    }

    fn find_hashed(&self, hash: u64, name: &str) -> Option<u32> {
        self.index.find(hash, |&i| self.name(i) == name).copied()
    }

    fn hash(&self, name: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every file as (name, value), in any order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.files
            .iter()
            .flatten()
            .map(|f| (name_of(&self.names, f), &f.value))
    }

    /// The files in name order (byte order, as a `BTreeMap<String, _>` keeps them), as numbers
    /// for [`FileList::entry`].
    pub fn sorted(&self) -> Vec<u32>
    where
        T: Sync,
    {
        let mut order: Vec<u32> = (0..self.len).collect();
        // Names are unique, so an unstable sort gives one order.
        order.par_sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        order
    }

    /// File number `i`'s name and value.
    pub fn entry(&self, i: u32) -> (&str, &T) {
        let f = self.listed(i);
        (name_of(&self.names, f), &f.value)
    }

    fn listed(&self, i: u32) -> &Listed<T> {
        listed(&self.files, i)
    }

    fn name(&self, i: u32) -> &str {
        name_of(&self.names, self.listed(i))
    }

    /// Copies `name` into the last block with room for it (a new one if none has), giving where.
    fn store(&mut self, name: &str) -> (u32, u32) {
        let fits = |b: &String| b.capacity() - b.len() >= name.len();
        if !self.names.last().is_some_and(fits) {
            self.names
                .push(String::with_capacity(NAME_BLOCK.max(name.len())));
        }
        let block = self.names.len() - 1;
        let text = &mut self.names[block];
        let start = text.len();
        text.push_str(name);
        (
            u32::try_from(block).expect("under 4 billion blocks"),
            u32::try_from(start).expect("a block under 4 GiB"),
        )
    }
}

/// Its size, not its million names.
impl<T> std::fmt::Debug for FileList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileList").field("len", &self.len).finish()
    }
}

/// File number `i` of the blocks `files`.
fn listed<T>(files: &[Vec<Listed<T>>], i: u32) -> &Listed<T> {
    &files[i as usize / FILE_BLOCK][i as usize % FILE_BLOCK]
}

fn name_of<'a, T>(names: &'a [String], f: &Listed<T>) -> &'a str {
    let start = f.start as usize;
    &names[f.block as usize][start..start + f.len as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Against a `BTreeMap` of the same names: the same answers to every lookup, a second
    /// insertion of a name refused, and the same name order, across several blocks of names
    /// and of records (a name longer than a block included).
    #[test]
    fn a_file_list_answers_as_a_btreemap_of_the_same_names() {
        let mut list = FileList::default();
        let mut map = BTreeMap::new();
        let long = "x".repeat(NAME_BLOCK + 10);
        let mut names: Vec<String> = (0..(2 * FILE_BLOCK + 77))
            .map(|i| format!("incidents/{}.html", (i * 7919) % 1_000_003))
            .collect();
        names.extend(["Z.html", "a.b", "a-b/c", "a/x.csv", "ä.html", "", &long].map(String::from));
        for (i, name) in names.iter().enumerate() {
            let fresh = map.insert(name.clone(), i).is_none();
            assert_eq!(list.insert(name, i), fresh, "{name}");
        }
        assert!(!list.insert("a.b", 0), "a second a.b");
        list.set("a.b", 1);
        map.insert("a.b".into(), 1);
        list.set("new.html", 2);
        map.insert("new.html".into(), 2);
        assert_eq!(list.len(), map.len());
        assert!(
            list.names.len() > 1 && list.files.len() > 2,
            "several blocks"
        );
        for name in names.iter().take(100).chain([&long]) {
            assert_eq!(list.get(name), map.get(name), "{name}");
        }
        assert_eq!(list.get("incidents/unknown.html"), None);
        let sorted: Vec<(&str, &usize)> =
            list.sorted().into_iter().map(|i| list.entry(i)).collect();
        let expected: Vec<(&str, &usize)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(sorted, expected);
        assert_eq!(list.iter().count(), map.len());
    }
}
