//! SHA-224 and SHA-256 on the VM's `sha256_compress` precompile.

use core::fmt;

use digest::block_buffer::Eager;
use digest::consts::{U32, U64};
use digest::core_api::{
    AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, OutputSizeUser, TruncSide,
    UpdateCore, VariableOutputCore,
};
use digest::generic_array::GenericArray;
use digest::{HashMarker, InvalidOutputSize, Output};
use sluice_precompiles::{sha256_compress, Sha256Buffer, SHA256_IV};

/// SHA-224's initial hash value (FIPS 180-4, 5.3.2).
const SHA224_IV: [u32; 8] = [
    0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
];

/// The state of SHA-224 or SHA-256, whichever its output size chose.
#[derive(Clone)]
pub struct Sha256VarCore {
    /// The state and the block the precompile absorbs, laid out as it
    /// reads them.
    buffer: Sha256Buffer,
    /// Blocks compressed so far.
    blocks: u64,
}

impl Sha256VarCore {
    fn compress(&mut self, block: &Block<Self>) {
        self.buffer.block.copy_from_slice(block);
        sha256_compress(&mut self.buffer);
    }
}

impl HashMarker for Sha256VarCore {}

impl BlockSizeUser for Sha256VarCore {
    type BlockSize = U64;
}

impl BufferKindUser for Sha256VarCore {
    type BufferKind = Eager;
}

impl OutputSizeUser for Sha256VarCore {
    type OutputSize = U32;
}

impl UpdateCore for Sha256VarCore {
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        self.blocks += blocks.len() as u64;
        for block in blocks {
            self.compress(block);
        }
    }
}

impl VariableOutputCore for Sha256VarCore {
    const TRUNC_SIDE: TruncSide = TruncSide::Left;

    fn new(output_size: usize) -> Result<Self, InvalidOutputSize> {
        let state = match output_size {
            28 => SHA224_IV,
            32 => SHA256_IV,
            _ => return Err(InvalidOutputSize),
        };
        Ok(Sha256VarCore {
            buffer: Sha256Buffer {
                state,
                block: [0; 64],
            },
            blocks: 0,
        })
    }

    fn finalize_variable_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        let bits = (self.blocks * 64 + buffer.get_pos() as u64) * 8;
        buffer.len64_padding_be(bits, |block| self.compress(block));
        for (bytes, word) in out.chunks_exact_mut(4).zip(self.buffer.state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
    }
}

impl AlgorithmName for Sha256VarCore {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256")
    }
}

impl fmt::Debug for Sha256VarCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256VarCore { .. }")
    }
}

/// SHA-256's compression function over `blocks`, as `sha2::compress256`.
pub fn compress256(state: &mut [u32; 8], blocks: &[GenericArray<u8, U64>]) {
    let mut buffer = Sha256Buffer {
        state: *state,
        block: [0; 64],
    };
    for block in blocks {
        buffer.block.copy_from_slice(block);
        sha256_compress(&mut buffer);
    }
    *state = buffer.state;
}
