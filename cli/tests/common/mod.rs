//! Test support of the CLI's integration tests (and, by path, of the
//! `component_new` fuzz target).
#![allow(dead_code)]

#[path = "../../../passes/tests/common/seeded.rs"]
pub mod seeded;
pub mod wasip1;

/// The property of `component new`: an error, or a component that
/// validates. A panic anywhere in it is the failure.
pub fn check_component_new(main: &[u8]) -> Result<(), String> {
    let options = mmadapt::ComponentOptions {
        validate: true,
        ..Default::default()
    };
    match mmadapt::componentize(main, &options) {
        Ok(component) => {
            // With the features every component may use (the one place
            // that says which).
            if let Err(e) = mmadapt_component::validate(&component) {
                panic!("component new produced an invalid component: {e:#}");
            }
            Ok(())
        }
        Err(e) => {
            let message = format!("{e:#}");
            assert!(!message.is_empty(), "empty error");
            Err(message)
        }
    }
}
