//! A vector kept in fixed-size blocks, for the large tables the load builds up row by row. One
//! vector grown by doubling holds its old buffer and its new one at once, and past a power of two
//! keeps up to half its capacity unused: at a million incidents the population's vector was
//! 600 MB more at the load's peak (and copied 400 MB to get there), and the log's tables were
//! half empty. Here an element never moves once pushed and at most one block has room to spare.

/// See the module documentation.
pub struct Blocks<T>(Vec<Vec<T>>);

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Blocks(Vec::new())
    }
}

impl<T> Blocks<T> {
    /// Elements a block holds.
    pub const LEN: usize = 1 << 14;

    /// Appends `value`; its index.
    pub fn push(&mut self, value: T) -> usize {
        let full = self.0.last().is_none_or(|b| b.len() == Self::LEN);
        if full {
            self.0.push(Vec::with_capacity(Self::LEN));
        }
        let block = self.0.len() - 1;
        self.0[block].push(value);
        block * Self::LEN + self.0[block].len() - 1
    }

    /// The element at `index`; panics past the end, as a slice does.
    pub fn get(&self, index: usize) -> &T {
        &self.0[index / Self::LEN][index % Self::LEN]
    }

    pub fn get_mut(&mut self, index: usize) -> &mut T {
        &mut self.0[index / Self::LEN][index % Self::LEN]
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.0.iter_mut().flatten()
    }

    /// The blocks, in order, each to be consumed (and freed) in turn.
    pub fn into_blocks(self) -> impl Iterator<Item = Vec<T>> {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::Blocks;

    #[test]
    fn indexes_run_across_blocks_in_push_order() {
        let mut blocks = Blocks::default();
        let n = 2 * Blocks::<u64>::LEN + 3;
        for i in 0..n {
            assert_eq!(blocks.push(i as u64 * 3), i);
        }
        assert_eq!(blocks.len(), n);
        assert_eq!(
            *blocks.get(Blocks::<u64>::LEN),
            Blocks::<u64>::LEN as u64 * 3
        );
        *blocks.get_mut(n - 1) = 7;
        assert_eq!(*blocks.get(n - 1), 7);
        let sizes: Vec<usize> = blocks.into_blocks().map(|b| b.len()).collect();
        assert_eq!(sizes, [Blocks::<u64>::LEN, Blocks::<u64>::LEN, 3]);
    }
}
