//! `component new` is deterministic: the same input and flags give the same
//! bytes, run after run and on other threads at the same time. Checked on
//! the largest e2e module (the 14 MB Go program) and the Rust p1suite.

use mmadapt_e2e::{adapters, programs};

#[test]
fn component_new_gives_the_same_bytes_every_time() {
    for (name, main) in [
        ("go-big", programs::go_big().unwrap()),
        ("p1suite", programs::rust().unwrap()),
    ] {
        let first = adapters::mmadapt(&main).unwrap();
        let again = adapters::mmadapt(&main).unwrap();
        assert!(first == again, "{name}: two runs in a row differ");
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let main = main.clone();
                std::thread::spawn(move || adapters::mmadapt(&main).unwrap())
            })
            .collect();
        for t in threads {
            assert!(
                t.join().unwrap() == first,
                "{name}: a run on another thread differs"
            );
        }
    }
}
