//! SHA-512 of several messages at once: on a CPU with AVX-512F, eight messages advance together,
//! one per 64-bit lane of each register ("multi-buffer" hashing, as Intel's ISA-L does).
//!
//! Why: the bag's SHA-512 manifest hashes every payload file, 2.1 GB at 100k incidents, and one
//! SHA-512 runs at about 600 MB/s here whichever crate computes it (`sha2` and `ring` alike;
//! this CPU has no SHA-512 instructions): 18 % of `package`'s CPU. A single message's rounds
//! form one dependency chain, but the package's 100,000 pages are independent messages, so
//! eight of them fill the lanes of one instruction: 2.1 GB/s on incident-sized pages. No
//! maintained crate offers this short of a whole cryptography suite, so it is written here,
//! small, after FIPS 180-4 §6.4, and pinned by tests to `sha2` on every length that matters
//! (the padding's edges) and to the standard's own test vectors. Elsewhere, or on a CPU
//! without AVX-512F, each message is hashed by `sha2`.

use sha2::Digest;

/// Messages hashed together.
pub const LANES: usize = 8;

/// The SHA-512 of each of `messages`, in order.
pub fn digests(messages: &[&[u8]]) -> Vec<[u8; 64]> {
    let mut out = Vec::with_capacity(messages.len());
    for group in messages.chunks(LANES) {
        // One message gains nothing from the lanes.
        if group.len() > 1 && x86::available() {
            out.extend_from_slice(&x86::digests(group)[..group.len()]);
        } else {
            out.extend(
                group
                    .iter()
                    .map(|m| <[u8; 64]>::from(sha2::Sha512::digest(m))),
            );
        }
    }
    out
}

/// Where a message's last one or two blocks come from: what is left of it past its whole
/// blocks, then 0x80, zeros, and its length in bits (FIPS 180-4 §5.1.2).
struct Padded<'a> {
    whole: &'a [[u8; 128]],
    tail: [[u8; 128]; 2],
    tail_blocks: usize,
}

impl<'a> Padded<'a> {
    fn new(message: &'a [u8]) -> Padded<'a> {
        let (whole, rest) = message.as_chunks::<128>();
        let mut tail = [[0u8; 128]; 2];
        let tail_blocks = if rest.len() < 128 - 16 { 1 } else { 2 };
        let flat = tail.as_flattened_mut();
        flat[..rest.len()].copy_from_slice(rest);
        flat[rest.len()] = 0x80;
        let bits = (message.len() as u128) * 8;
        flat[tail_blocks * 128 - 16..tail_blocks * 128].copy_from_slice(&bits.to_be_bytes());
        Padded {
            whole,
            tail,
            tail_blocks,
        }
    }

    fn blocks(&self) -> usize {
        self.whole.len() + self.tail_blocks
    }

    fn block(&self, i: usize) -> &[u8; 128] {
        match self.whole.get(i) {
            Some(block) => block,
            None => &self.tail[i - self.whole.len()],
        }
    }
}

/// The initial hash value (FIPS 180-4 §5.3.5).
const H0: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{H0, LANES, Padded};

    /// The round constants (FIPS 180-4 §4.2.3).
    const K: [u64; 80] = [
        0x428a2f98d728ae22,
        0x7137449123ef65cd,
        0xb5c0fbcfec4d3b2f,
        0xe9b5dba58189dbbc,
        0x3956c25bf348b538,
        0x59f111f1b605d019,
        0x923f82a4af194f9b,
        0xab1c5ed5da6d8118,
        0xd807aa98a3030242,
        0x12835b0145706fbe,
        0x243185be4ee4b28c,
        0x550c7dc3d5ffb4e2,
        0x72be5d74f27b896f,
        0x80deb1fe3b1696b1,
        0x9bdc06a725c71235,
        0xc19bf174cf692694,
        0xe49b69c19ef14ad2,
        0xefbe4786384f25e3,
        0x0fc19dc68b8cd5b5,
        0x240ca1cc77ac9c65,
        0x2de92c6f592b0275,
        0x4a7484aa6ea6e483,
        0x5cb0a9dcbd41fbd4,
        0x76f988da831153b5,
        0x983e5152ee66dfab,
        0xa831c66d2db43210,
        0xb00327c898fb213f,
        0xbf597fc7beef0ee4,
        0xc6e00bf33da88fc2,
        0xd5a79147930aa725,
        0x06ca6351e003826f,
        0x142929670a0e6e70,
        0x27b70a8546d22ffc,
        0x2e1b21385c26c926,
        0x4d2c6dfc5ac42aed,
        0x53380d139d95b3df,
        0x650a73548baf63de,
        0x766a0abb3c77b2a8,
        0x81c2c92e47edaee6,
        0x92722c851482353b,
        0xa2bfe8a14cf10364,
        0xa81a664bbc423001,
        0xc24b8b70d0f89791,
        0xc76c51a30654be30,
        0xd192e819d6ef5218,
        0xd69906245565a910,
        0xf40e35855771202a,
        0x106aa07032bbd1b8,
        0x19a4c116b8d2d0c8,
        0x1e376c085141ab53,
        0x2748774cdf8eeb99,
        0x34b0bcb5e19b48a8,
        0x391c0cb3c5c95a63,
        0x4ed8aa4ae3418acb,
        0x5b9cca4f7763e373,
        0x682e6ff3d6b2b8a3,
        0x748f82ee5defb2fc,
        0x78a5636f43172f60,
        0x84c87814a1f0ab72,
        0x8cc702081a6439ec,
        0x90befffa23631e28,
        0xa4506cebde82bde9,
        0xbef9a3f7b2c67915,
        0xc67178f2e372532b,
        0xca273eceea26619c,
        0xd186b8c721c0c207,
        0xeada7dd6cde0eb1e,
        0xf57d4f7fee6ed178,
        0x06f067aa72176fba,
        0x0a637dc5a2c898a6,
        0x113f9804bef90dae,
        0x1b710b35131c471b,
        0x28db77f523047d84,
        0x32caab7b40c72493,
        0x3c9ebe0a15c9bebc,
        0x431d67c49c100d4c,
        0x4cc5d4becb3e42b6,
        0x597f299cfc657e2a,
        0x5fcb6fab3ad6faec,
        0x6c44198c4a475817,
    ];

    /// Whether this CPU runs [`digests`] (std caches the answer).
    pub fn available() -> bool {
        std::is_x86_feature_detected!("avx512f")
    }

    /// The SHA-512 of each of `messages` (at most [`LANES`]; lanes past them are zero).
    pub fn digests(messages: &[&[u8]]) -> [[u8; 64]; LANES] {
        assert!(messages.len() <= LANES && available());
        // SAFETY: the CPU has AVX-512F, checked just above.
        unsafe { lanes(messages) }
    }

    /// Eight words, one from each lane's 128-byte block at `word` (big-endian), as a vector.
    #[target_feature(enable = "avx512f")]
    fn gather(blocks: &[&[u8; 128]; LANES], word: usize) -> __m512i {
        let w = |lane: usize| {
            let bytes = blocks[lane][word * 8..word * 8 + 8]
                .try_into()
                .expect("8 bytes");
            u64::from_be_bytes(bytes) as i64
        };
        _mm512_set_epi64(w(7), w(6), w(5), w(4), w(3), w(2), w(1), w(0))
    }

    /// Each lane's state word `i` (the eight lanes of `v`).
    #[target_feature(enable = "avx512f")]
    fn words(v: __m512i) -> [u64; LANES] {
        // SAFETY: a 512-bit vector is eight 64-bit integers, any bits of them valid.
        unsafe { std::mem::transmute::<__m512i, [u64; LANES]>(v) }
    }

    /// Σ and σ: three rotations or shifts of one word, exclusive-ored (0x96: a ^ b ^ c).
    macro_rules! xor3 {
        ($a:expr, $b:expr, $c:expr) => {
            _mm512_ternarylogic_epi64::<0x96>($a, $b, $c)
        };
    }

    /// Compresses one block of each lane into `state`, keeping the lanes outside `active` as
    /// they were (FIPS 180-4 §6.4.2).
    #[target_feature(enable = "avx512f")]
    fn compress(state: &mut [__m512i; 8], blocks: &[&[u8; 128]; LANES], active: __mmask8) {
        let mut w: [__m512i; 16] = std::array::from_fn(|t| gather(blocks, t));
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
        for (t, k) in K.iter().enumerate() {
            let wt = if t < 16 {
                w[t]
            } else {
                let w15 = w[(t + 1) % 16];
                let w2 = w[(t + 14) % 16];
                let s0 = xor3!(
                    _mm512_ror_epi64::<1>(w15),
                    _mm512_ror_epi64::<8>(w15),
                    _mm512_srli_epi64::<7>(w15)
                );
                let s1 = xor3!(
                    _mm512_ror_epi64::<19>(w2),
                    _mm512_ror_epi64::<61>(w2),
                    _mm512_srli_epi64::<6>(w2)
                );
                let sum = _mm512_add_epi64(w[t % 16], w[(t + 9) % 16]);
                w[t % 16] = _mm512_add_epi64(sum, _mm512_add_epi64(s0, s1));
                w[t % 16]
            };
            let sigma1 = xor3!(
                _mm512_ror_epi64::<14>(e),
                _mm512_ror_epi64::<18>(e),
                _mm512_ror_epi64::<41>(e)
            );
            // Ch(e, f, g) = e ? f : g (0xCA); Maj(a, b, c) = the majority bit (0xE8).
            let ch = _mm512_ternarylogic_epi64::<0xCA>(e, f, g);
            let kw = _mm512_add_epi64(_mm512_set1_epi64(*k as i64), wt);
            let t1 = _mm512_add_epi64(_mm512_add_epi64(h, sigma1), _mm512_add_epi64(ch, kw));
            let sigma0 = xor3!(
                _mm512_ror_epi64::<28>(a),
                _mm512_ror_epi64::<34>(a),
                _mm512_ror_epi64::<39>(a)
            );
            let maj = _mm512_ternarylogic_epi64::<0xE8>(a, b, c);
            let t2 = _mm512_add_epi64(sigma0, maj);
            h = g;
            g = f;
            f = e;
            e = _mm512_add_epi64(d, t1);
            d = c;
            c = b;
            b = a;
            a = _mm512_add_epi64(t1, t2);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = _mm512_mask_add_epi64(*s, active, *s, v);
        }
    }

    /// Runs the lanes together while two or more have blocks left, then finishes the longest
    /// message alone (`sha2`'s compression), so one long file among pages costs no more than
    /// hashing it by itself.
    #[target_feature(enable = "avx512f")]
    fn lanes(messages: &[&[u8]]) -> [[u8; 64]; LANES] {
        let padded: Vec<Padded> = messages.iter().map(|m| Padded::new(m)).collect();
        let mut counts = [0usize; LANES];
        for (count, p) in counts.iter_mut().zip(&padded) {
            *count = p.blocks();
        }
        let longest = (0..LANES)
            .max_by_key(|&l| (counts[l], LANES - l))
            .expect("lanes");
        let shared = (0..LANES)
            .filter(|&l| l != longest)
            .map(|l| counts[l])
            .max()
            .unwrap_or(0);
        let mut state: [__m512i; 8] = H0.map(|h| _mm512_set1_epi64(h as i64));
        let idle = [0u8; 128];
        for i in 0..shared {
            let mut active: __mmask8 = 0;
            let blocks: [&[u8; 128]; LANES] = std::array::from_fn(|l| {
                if i < counts[l] {
                    active |= 1 << l;
                    padded[l].block(i)
                } else {
                    &idle
                }
            });
            compress(&mut state, &blocks, active);
        }
        let lanes: [[u64; LANES]; 8] = state.map(|v| words(v));
        let mut out = [[0u8; 64]; LANES];
        for (l, digest) in out.iter_mut().enumerate().take(padded.len()) {
            let mut own: [u64; 8] = std::array::from_fn(|j| lanes[j][l]);
            if l == longest {
                let p = &padded[l];
                let whole = p.whole.get(shared..).unwrap_or(&[]);
                sha2::block_api::compress512(&mut own, whole);
                let done = shared.max(p.whole.len()) - p.whole.len();
                sha2::block_api::compress512(&mut own, &p.tail[done..p.tail_blocks]);
            }
            for (bytes, word) in digest.chunks_exact_mut(8).zip(own) {
                bytes.copy_from_slice(&word.to_be_bytes());
            }
        }
        out
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod x86 {
    use super::LANES;

    pub fn available() -> bool {
        false
    }

    pub fn digests(_: &[&[u8]]) -> [[u8; 64]; LANES] {
        unreachable!("never available")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha2(message: &[u8]) -> [u8; 64] {
        sha2::Sha512::digest(message).into()
    }

    /// Bytes that differ from message to message and from place to place.
    fn bytes(len: usize, seed: usize) -> Vec<u8> {
        (0..len)
            .map(|i| ((i.wrapping_mul(2_654_435_761) >> 7) ^ (seed * 131)) as u8)
            .collect()
    }

    /// FIPS 180-4's examples (NIST's "SHA512.pdf"): "abc" and the two-block message.
    #[test]
    fn the_standards_examples() {
        let two_block = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno\
ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        let got = digests(&[b"abc", two_block, b""]);
        assert_eq!(
            hex::encode(got[0]),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(
            hex::encode(got[1]),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018\
             501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
        );
        assert_eq!(
            hex::encode(got[2]),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce\
             47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
    }

    /// Every length from 0 to 600 bytes (each padding case: a tail of one block, of two, none)
    /// in every lane, beside neighbours of other lengths.
    #[test]
    fn each_length_in_each_lane_is_sha2s_digest() {
        let messages: Vec<Vec<u8>> = (0..=600).map(|len| bytes(len, len)).collect();
        for shift in 0..LANES {
            let group: Vec<&[u8]> = messages
                .iter()
                .skip(shift)
                .step_by(3)
                .map(Vec::as_slice)
                .collect();
            let got = digests(&group);
            for (message, digest) in group.iter().zip(&got) {
                assert_eq!(*digest, sha2(message), "{} bytes", message.len());
            }
        }
    }

    /// Groups of every size, equal lengths, and one long message among short ones (finished
    /// alone once the others are done), with the long one in each position.
    #[test]
    fn uneven_groups_are_sha2s_digests() {
        let long = bytes(70_001, 9);
        for size in 1..=LANES + 3 {
            for at in 0..size {
                let mut group: Vec<Vec<u8>> = (0..size).map(|i| bytes(8_000 + i * 3, i)).collect();
                group[at] = long.clone();
                let refs: Vec<&[u8]> = group.iter().map(Vec::as_slice).collect();
                let got = digests(&refs);
                assert_eq!(got.len(), size);
                for (message, digest) in refs.iter().zip(&got) {
                    assert_eq!(*digest, sha2(message), "{} bytes", message.len());
                }
            }
        }
        // Two longest of equal length: both run in the lanes to the end.
        let twins: Vec<&[u8]> = vec![&long, b"x", &long];
        assert_eq!(digests(&twins)[2], sha2(&long));
    }
}
