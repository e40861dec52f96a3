//! Signed sums of the decoded instruction's flags.
//!
//! The CPU row derives "writes `rd`", "reads `rs2`" and its accesses'
//! counts as sums of flags, and several of them name a flag twice with
//! opposite signs ("writes `rd`" = "`rd` from the ALU" − the stores + …).
//! Written term by term, such a sum keeps every cancelled pair, and the
//! prover evaluates a bus message's count by walking its expression for
//! every row and every message that carries it (`p3-lookup`). A
//! [`FlagSum`] keeps one coefficient per flag, so each flag appears at
//! most once and cancelled ones not at all.

use p3_field::PrimeCharacteristicRing;

use super::decode::{Flag, FLAGS, NUM_FLAGS};

/// `Σ c_f · f` over the flags, one coefficient per flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagSum([i8; NUM_FLAGS]);

impl FlagSum {
    /// The sum of `flags`, each with coefficient one per time it is named.
    pub const fn of(flags: &[Flag]) -> Self {
        Self::ZERO.plus_each(flags, 1)
    }

    const ZERO: Self = Self([0; NUM_FLAGS]);

    const fn plus_each(self, flags: &[Flag], sign: i8) -> Self {
        let mut c = self.0;
        let mut i = 0;
        while i < flags.len() {
            c[flags[i].index()] += sign;
            i += 1;
        }
        Self(c)
    }

    /// `self + Σ flags`.
    pub const fn plus(self, flags: &[Flag]) -> Self {
        self.plus_each(flags, 1)
    }

    /// `self − Σ flags`.
    pub const fn minus(self, flags: &[Flag]) -> Self {
        self.plus_each(flags, -1)
    }

    /// Coefficient of `f`.
    pub const fn coefficient(&self, f: Flag) -> i8 {
        self.0[f.index()]
    }

    /// The sum as an expression over `flag` (one flag's value each): the
    /// positive terms first, so no leading negation, each flag once.
    pub fn eval<E: PrimeCharacteristicRing>(&self, flag: impl Fn(Flag) -> E) -> E {
        let terms = || FLAGS.iter().map(|&f| (f, self.coefficient(f)));
        let positive = terms().filter(|&(_, c)| c > 0);
        let negative = terms().filter(|&(_, c)| c < 0);
        let mut sum: Option<E> = None;
        for (f, c) in positive.chain(negative) {
            let x = flag(f);
            sum = Some(match (sum, c) {
                (None, 1) => x,
                (None, c) => x * E::from_i8(c),
                (Some(s), 1) => s + x,
                (Some(s), -1) => s - x,
                (Some(s), c) => s + x * E::from_i8(c),
            });
        }
        sum.unwrap_or(E::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::config::Val;

    #[test]
    fn cancelled_flags_vanish_and_values_add_up() {
        let sum = FlagSum::of(&[Flag::Alu, Flag::Jal])
            .minus(&[Flag::Jal, Flag::Sw, Flag::Sw])
            .plus(&[Flag::Lui]);
        assert_eq!(sum.coefficient(Flag::Jal), 0);
        assert_eq!(sum.coefficient(Flag::Sw), -2);
        // Distinct powers of two per flag expose every coefficient.
        let value = |f: Flag| Val::from_u32(1 << f.index());
        let expected = value(Flag::Alu) + value(Flag::Lui) - value(Flag::Sw).double();
        assert_eq!(sum.eval(value), expected);
        assert_eq!(FlagSum::of(&[]).eval(value), Val::ZERO);
        assert_eq!(
            FlagSum::of(&[]).minus(&[Flag::Beq]).eval(value),
            -value(Flag::Beq)
        );
    }
}
