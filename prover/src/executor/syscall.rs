//! `ECALL`: exit, write, read, and the Keccak and SHA-256 precompiles.

use sluice_verifier::layout::{is_guest_range, syscall};

use super::budget::CycleCost;

use sluice_verifier::air::io::{unsupported_shape, MAX_IO_LEN};

use super::{Cause, Executor, Sink};

const A0: usize = 10;
const A1: usize = 11;
const A2: usize = 12;
const A7: usize = 17;

impl Executor {
    /// Executes the syscall in `a7`. `Ok(true)` if the guest halted. On error
    /// nothing has changed.
    pub(super) fn ecall<const RECORD: bool>(&mut self) -> Result<bool, Cause> {
        let number = self.regs[A7];
        let (a0, buf, len) = (self.regs[A0], self.regs[A1], self.regs[A2]);
        // Recording: a read or public write that could overflow a table of
        // this epoch's proof ends the epoch before it (nothing changed yet);
        // one that fits makes the next instructions be checked again. Host
        // writes move nothing in the proof.
        let public = number == syscall::WRITE && a0 == syscall::FD_PUBLIC;
        if RECORD && (number == syscall::READ || public) {
            if !self.io_fits(len, public) {
                return Err(Cause::EpochFull);
            }
            self.after_io();
        }
        if matches!(number, syscall::READ | syscall::WRITE) {
            if let Some(what) = unsupported_shape(number, a0, buf, len) {
                self.mark_unprovable(what);
            }
        }
        match number {
            syscall::EXIT => {
                self.exit_code = Some(a0);
                Ok(true)
            }
            syscall::WRITE => {
                let fd = a0;
                if !matches!(
                    fd,
                    syscall::FD_STDOUT | syscall::FD_STDERR | syscall::FD_PUBLIC | syscall::FD_HINT
                ) {
                    return Err(Cause::BadFileDescriptor {
                        syscall: number,
                        fd,
                    });
                }
                if fd == syscall::FD_PUBLIC && len > MAX_IO_LEN {
                    return Err(Cause::IoTooLong {
                        syscall: number,
                        len,
                    });
                }
                let forged = self.forged_host_buffers && fd != syscall::FD_PUBLIC;
                if len > 0 && !forged {
                    if !is_guest_range(buf, len) {
                        return Err(Cause::UnmappedLoad { addr: buf, len });
                    }
                    // The proof reads the words of a public write; a host
                    // write's bytes are not part of it.
                    if fd == syscall::FD_PUBLIC {
                        self.data_access::<RECORD>(buf, len)?;
                        if RECORD {
                            self.epoch_use.io_words += words_spanned(buf, len);
                            self.epoch_use.output += u64::from(len);
                        }
                    }
                    let mem = &self.mem;
                    match fd {
                        syscall::FD_PUBLIC => {
                            let out = &mut self.public_output;
                            mem.visit(buf, len, |s| out.extend_from_slice(s));
                        }
                        _ => {
                            let sink: &mut Sink = match fd {
                                syscall::FD_STDOUT => &mut self.host.stdout,
                                syscall::FD_STDERR => &mut self.host.stderr,
                                _ => &mut self.host.hints,
                            };
                            mem.visit(buf, len, |s| sink.write(s));
                        }
                    }
                }
                self.regs[A0] = len;
                Ok(false)
            }
            syscall::READ => {
                let fd = a0;
                if fd != syscall::FD_STDIN {
                    return Err(Cause::BadFileDescriptor {
                        syscall: number,
                        fd,
                    });
                }
                if len > MAX_IO_LEN {
                    return Err(Cause::IoTooLong {
                        syscall: number,
                        len,
                    });
                }
                if len > 0 && !is_guest_range(buf, len) {
                    return Err(Cause::UnmappedStore { addr: buf, len });
                }
                let start = self.input_pos.min(self.input.len());
                let left = self.input.len() - start;
                let n = match self.forged_reads.front() {
                    Some(&forged) => forged.min(left).min(len as usize),
                    None if self.input_eof => 0,
                    None => left.min(len as usize),
                };
                // The proof touches the words of the bytes written.
                self.data_access::<RECORD>(buf, n as u32)?;
                self.forged_reads.pop_front();
                if RECORD {
                    self.epoch_use.io_words += words_spanned(buf, n as u32);
                }
                if n > 0 {
                    self.mem.write_bytes(buf, &self.input[start..start + n]);
                    self.input_pos += n;
                }
                if (n as u32) < len {
                    self.input_eof = true;
                }
                if RECORD {
                    self.epoch_reads.push(n as u32);
                }
                self.regs[A0] = n as u32;
                Ok(false)
            }
            syscall::KECCAK_PERMUTE => self.keccak_permute::<RECORD>(a0),
            syscall::SHA256_COMPRESS => self.sha256_compress::<RECORD>(a0),
            _ => Err(Cause::UnknownSyscall { number }),
        }
    }

    /// `keccak_permute(state)`: Keccak-f[1600] on the 25 lanes at `state`.
    fn keccak_permute<const RECORD: bool>(&mut self, state: u32) -> Result<bool, Cause> {
        self.precompile_buffer::<RECORD>(state, syscall::KECCAK_STATE_BYTES, &CycleCost::KECCAK)?;
        if RECORD {
            self.epoch_use.keccak += 1;
        }
        let mut bytes = [0u8; 200];
        self.mem.read_bytes(state, &mut bytes);
        let mut lanes: [u64; 25] = core::array::from_fn(|i| {
            u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap())
        });
        tiny_keccak::keccakf(&mut lanes);
        for (chunk, lane) in bytes.chunks_exact_mut(8).zip(lanes) {
            chunk.copy_from_slice(&lane.to_le_bytes());
        }
        self.mem.write_bytes(state, &bytes);
        self.regs[A0] = 0;
        Ok(false)
    }

    /// `sha256_compress(buffer)`: one SHA-256 compression of the block
    /// (bytes 32..96) into the state (eight native `u32`, bytes 0..32).
    fn sha256_compress<const RECORD: bool>(&mut self, buffer: u32) -> Result<bool, Cause> {
        self.precompile_buffer::<RECORD>(buffer, syscall::SHA256_BUFFER_BYTES, &CycleCost::SHA256)?;
        if RECORD {
            self.epoch_use.sha256 += 1;
        }
        let mut bytes = [0u8; 32];
        self.mem.read_bytes(buffer, &mut bytes);
        let mut block = [0u8; 64];
        self.mem.read_bytes(buffer + 32, &mut block);
        let mut state: [u32; 8] = core::array::from_fn(|i| {
            u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap())
        });
        sha2::compress256(&mut state, &[block.into()]);
        for (chunk, word) in bytes.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        self.mem.write_bytes(buffer, &bytes);
        self.regs[A0] = 0;
        Ok(false)
    }

    /// The checks and accounting every precompile's buffer gets: aligned,
    /// inside guest memory, room in the epoch, its pages touched.
    fn precompile_buffer<const RECORD: bool>(
        &mut self,
        ptr: u32,
        len: u32,
        cost: &CycleCost,
    ) -> Result<(), Cause> {
        if !ptr.is_multiple_of(4) {
            return Err(Cause::MisalignedStore { addr: ptr, size: 4 });
        }
        let forged = self.forged_precompile_buffers && u64::from(ptr) + u64::from(len) <= 1 << 30;
        if !is_guest_range(ptr, len) && !forged {
            return Err(Cause::UnmappedStore { addr: ptr, len });
        }
        if RECORD {
            if !self.syscall_fits(cost) {
                return Err(Cause::EpochFull);
            }
            self.after_io();
        }
        self.data_access::<RECORD>(ptr, len)
    }
}

/// Words overlapping `[buf, buf + len)`: the I/O word rows of a call.
fn words_spanned(buf: u32, len: u32) -> u64 {
    if len == 0 {
        return 0;
    }
    u64::from((buf + (len - 1)) / 4 - buf / 4 + 1)
}
