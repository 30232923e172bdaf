//! Same scenario and seed → identical record; a different seed → a different one.

use subnetlab_sim::engine;

#[test]
fn same_seed_same_record() {
    let s = crate::example("two-subnets.yaml", &["duration={days: 1}"]);
    let a = engine::run(&s, 0, &mut |_| {}).unwrap();
    let b = engine::run(&s, 0, &mut |_| {}).unwrap();
    assert_eq!(a, b);
    let c = engine::run(
        &crate::example("two-subnets.yaml", &["duration={days: 1}", "seed=8"]),
        0,
        &mut |_| {},
    )
    .unwrap();
    assert_ne!(a.neurons.emission_rao, c.neurons.emission_rao);
}

/// Streams are keyed by stable ids: adding miners to subnet 2 does not change what subnet 1's
/// agents drew, so subnet 1's first epoch is identical (its emission share is fixed).
#[test]
fn agents_draw_from_their_own_streams() {
    let base = crate::example("two-subnets.yaml", &["duration={blocks: 400}"]);
    let more = crate::example(
        "two-subnets.yaml",
        &["duration={blocks: 400}", "subnets[1].miners.count=50"],
    );
    let a = engine::run(&base, 0, &mut |_| {}).unwrap();
    let b = engine::run(&more, 0, &mut |_| {}).unwrap();
    let subnet1 = |r: &subnetlab_sim::record::RunRecord| -> Vec<f64> {
        (0..r.neurons.uid.len())
            .filter(|&i| r.neurons.subnet[i] == 1)
            .map(|i| r.neurons.incentive[i])
            .collect()
    };
    assert!(!subnet1(&a).is_empty());
    assert_eq!(subnet1(&a), subnet1(&b));
}

/// A run's subnets are shards advanced in parallel: the record of a multi-subnet run with pools
/// and stakers is the same on 1 and 2 threads, and when runs themselves run in parallel
/// (rayon nests the shards' work inside the runs').
#[test]
fn shards_give_the_same_record_on_any_thread_count() {
    use rayon::prelude::*;
    let s = crate::example("share-price-ema.yaml", &["duration={days: 3}"]);
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    };
    let one = pool(1).install(|| engine::run(&s, 0, &mut |_| {}).unwrap());
    let two = pool(2).install(|| engine::run(&s, 0, &mut |_| {}).unwrap());
    assert!(one.subnets.subnet.contains(&4) && one.totals.pool_in_rao > 0);
    assert_eq!(one, two);
    let nested: Vec<_> = pool(2).install(|| {
        (0..3u32)
            .into_par_iter()
            .map(|run| engine::run(&s, run % 2, &mut |_| {}).unwrap())
            .collect()
    });
    assert_eq!(nested[0], one);
    assert_eq!(nested[2], one);
    assert_ne!(nested[1].subnets.price, one.subnets.price);
}
