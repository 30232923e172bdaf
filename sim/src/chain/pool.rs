//! A subnet's dTAO pool (spec §5): TAO and alpha reserves, price, constant-product swaps with the
//! fee taken from the input (it leaves the pool, to the block author), liquidity injection at the
//! current price, and the moving (EMA) price that subnet emission shares are built from.
//! New pools have balancer weights 0.5/0.5, which is exactly constant product (spec §5.5);
//! integer arithmetic floors as the chain does.

/// `FeeRate` default: 33 / 65535 ≈ 0.05 %.
pub const DEFAULT_FEE_RATE: u16 = 33;

/// What a swap did, in rao (TAO or alpha).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Swap {
    /// Fee taken from the input (leaves the pool).
    pub fee: u64,
    /// Amount paid out.
    pub out: u64,
}

/// Pool reserves, rao.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    /// `SubnetTAO`: the TAO reserve.
    pub tao: u64,
    /// `SubnetAlphaIn`: the alpha reserve.
    pub alpha: u64,
    /// `FeeRate`, u16 proportion.
    pub fee_rate: u16,
}

impl Pool {
    /// A pool with the default fee.
    pub fn new(tao: u64, alpha: u64) -> Pool {
        Pool {
            tao,
            alpha,
            fee_rate: DEFAULT_FEE_RATE,
        }
    }

    /// Spot price, TAO per alpha (0 for an empty alpha reserve).
    pub fn price(&self) -> f64 {
        if self.alpha == 0 {
            0.0
        } else {
            self.tao as f64 / self.alpha as f64
        }
    }

    fn fee(&self, amount: u64) -> u64 {
        (amount as u128 * self.fee_rate as u128 / 65_535) as u64
    }

    /// `out = floor(reserve_out × net / (reserve_in + net))`, the constant-product output.
    fn output(reserve_in: u64, reserve_out: u64, net: u64) -> u64 {
        let denominator = reserve_in as u128 + net as u128;
        if denominator == 0 {
            return 0;
        }
        (reserve_out as u128 * net as u128 / denominator) as u64
    }

    /// Stake: buy alpha with `tao` TAO. The fee leaves; the rest enters the TAO reserve.
    pub fn buy(&mut self, tao: u64) -> Swap {
        let fee = self.fee(tao);
        let net = tao - fee;
        let out = Self::output(self.tao, self.alpha, net);
        self.tao += net;
        self.alpha -= out;
        Swap { fee, out }
    }

    /// A protocol buy (the coinbase's chain buy, `drop_fees = true`): `tao` buys alpha with no
    /// fee. Returns the alpha bought.
    pub fn buy_without_fee(&mut self, tao: u64) -> u64 {
        let out = Self::output(self.tao, self.alpha, tao);
        self.tao += tao;
        self.alpha -= out;
        out
    }

    /// Unstake: sell `alpha` for TAO. The fee leaves; the rest enters the alpha reserve.
    pub fn sell(&mut self, alpha: u64) -> Swap {
        let fee = self.fee(alpha);
        let net = alpha - fee;
        let out = Self::output(self.alpha, self.tao, net);
        self.alpha += net;
        self.tao -= out;
        Swap { fee, out }
    }

    /// Add TAO and alpha (the coinbase's injection, at the current price ratio).
    pub fn inject(&mut self, tao: u64, alpha: u64) {
        self.tao = self.tao.saturating_add(tao);
        self.alpha = self.alpha.saturating_add(alpha);
    }
}

/// `update_moving_price` (spec §5.6): `ema ← a·min(price, 1) + (1 − a)·ema` with
/// `a = moving_alpha × b / (b + halving_blocks)`, `b` = blocks since the first emission. The
/// spot price is capped at 1 before averaging, so no subnet's moving price exceeds 1.
pub fn update_moving_price(
    ema: f64,
    spot: f64,
    blocks_since_first_emission: u64,
    moving_alpha: f64,
    halving_blocks: u64,
) -> f64 {
    let b = blocks_since_first_emission as f64;
    let a = moving_alpha * b / (b + halving_blocks as f64);
    a * spot.min(1.0) + (1.0 - a) * ema
}

#[cfg(test)]
mod tests {
    use super::*;

    /// V25 (`pallets/swap/src/pallet/tests.rs: test_swap_basic`, asserted ±1): reserves TAO
    /// 1e9, alpha 4e9, FeeRate 33.
    #[test]
    fn swaps_match_upstream_vector() {
        let buys = [
            (1_000, 0, 3_999),
            (2_000, 1, 7_995),
            (123_456, 62, 493_515),
            (1_000_000_000, 503_547, 1_999_496_326),
            (10_000_000_000, 5_035_477, 3_636_197_098),
        ];
        for (tao, fee, out) in buys {
            let mut pool = Pool::new(1_000_000_000, 4_000_000_000);
            let swap = pool.buy(tao);
            assert_eq!(swap.fee, fee, "fee on {tao}");
            assert!(
                swap.out.abs_diff(out) <= 1,
                "buy {tao}: {} vs {out}",
                swap.out
            );
            assert_eq!(pool.tao, 1_000_000_000 + tao - fee);
        }
        for (alpha, fee, out) in [(1_000, 0, 249), (2_000, 1, 499), (123_456, 62, 30_847)] {
            let mut pool = Pool::new(1_000_000_000, 4_000_000_000);
            let swap = pool.sell(alpha);
            assert_eq!(swap.fee, fee);
            assert!(
                swap.out.abs_diff(out) <= 1,
                "sell {alpha}: {} vs {out}",
                swap.out
            );
        }
    }

    /// Hand-computed: a = 3e-6 × 100 / (100 + 201,600); the spot price 2.0 counts as 1.0.
    #[test]
    fn moving_price_caps_spot_at_one() {
        let a = 3e-6 * 100.0 / 201_700.0;
        let ema = update_moving_price(0.5, 2.0, 100, 3e-6, 201_600);
        assert!((ema - (a * 1.0 + (1.0 - a) * 0.5)).abs() < 1e-15);
        assert!(update_moving_price(1.0, 5.0, 1_000_000, 1.0, 0) <= 1.0);
    }

    proptest::proptest! {
        /// With fees leaving the pool, a swap never decreases k = tao × alpha, and the price
        /// moves up on buys and down on sells.
        #[test]
        fn k_never_decreases(tao in 1u64..1_000_000_000_000, alpha in 1u64..1_000_000_000_000, amount in 0u64..1_000_000_000_000, buy in proptest::bool::ANY) {
            let mut pool = Pool::new(tao, alpha);
            let (k, price) = (tao as u128 * alpha as u128, pool.price());
            if buy { pool.buy(amount); } else { pool.sell(amount); }
            proptest::prop_assert!(pool.tao as u128 * pool.alpha as u128 >= k);
            if buy { proptest::prop_assert!(pool.price() >= price); } else { proptest::prop_assert!(pool.price() <= price); }
            // A chain buy pays no fee; flooring the output still never lowers k.
            let k = pool.tao as u128 * pool.alpha as u128;
            pool.buy_without_fee(amount);
            proptest::prop_assert!(pool.tao as u128 * pool.alpha as u128 >= k);
        }
    }
}
