use serde_json::json;

use super::*;
use crate::CoreError;

fn field_of(err: CoreError) -> Option<String> {
    err.field().map(str::to_owned)
}

#[test]
fn the_table_is_consistent() {
    let names: Vec<&str> = PARAMS.iter().map(|def| def.name).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "parameter names repeat: {names:?}");
    let flags: Vec<&str> = PARAMS
        .iter()
        .filter_map(|def| def.cli)
        .map(|cli| cli.split(' ').next().unwrap())
        .collect();
    let mut unique_flags = flags.clone();
    unique_flags.sort_unstable();
    unique_flags.dedup();
    assert_eq!(unique_flags.len(), flags.len(), "flags repeat: {flags:?}");
    for mode in Mode::ALL {
        let defaults = AlsParams::defaults(mode);
        assert_eq!(defaults.mode(), mode, "the defaults of {mode:?} select it");
        defaults.validate().unwrap_or_else(|e| panic!("{mode:?} defaults: {e}"));
        // A value of the wrong kind (an integer field with a number range, ...) would fail `admits`.
        for (def, value) in PARAMS.iter().zip(defaults.values()) {
            assert!(
                def.kind.admits(value),
                "{mode:?}: {} = {value} is not {}",
                def.name,
                def.kind.describe()
            );
        }
    }
    for name in resolve::IN_EVERY_MODEL_FILE {
        assert!(ParamDef::find(name).is_some(), "{name} is not a parameter");
    }
}

#[test]
fn resolve_takes_the_defaults_of_the_mode_asked_for() {
    assert_eq!(resolve(&json!({})).unwrap(), AlsParams::default());
    assert_eq!(
        AlsParams::default().method,
        Method::Gibbs,
        "Gibbs sampling is the default"
    );
    assert_eq!(resolve(&json!({"method": "als"})).unwrap(), als_defaults());
    assert_eq!(resolve(&json!({"feedback": "implicit"})).unwrap(), implicit_defaults());
    let implicit = implicit_defaults();
    assert_eq!(
        (
            implicit.reg_scaling,
            implicit.reg_factors,
            implicit.confidence,
            implicit.ranking
        ),
        (RegScaling::Plain, 0.0, Confidence::Graded, Ranking::None),
        "implicit feedback: a plain lambda from the data's size, graded confidence, no second model"
    );
    assert_eq!(
        AlsParams::default().ranking,
        Ranking::Implicit,
        "an explicit model gets a ranking model"
    );
    let given = resolve(&json!({"method": "als", "factors": 8, "regFactors": 0.1, "seed": 4294967296.0})).unwrap();
    assert_eq!(
        (given.factors, given.reg_factors, given.seed, given.prior_count),
        (8, 0.1, 1 << 32, als_defaults().prior_count)
    );
    // A complete object resolves to itself.
    let full = serde_json::to_value(&given).unwrap();
    assert_eq!(resolve(&full).unwrap(), given);
}

#[test]
fn resolve_refuses_bad_input_naming_the_parameter() {
    let cases = [
        (
            json!({"factor": 8}),
            Some("factor"),
            "unknown parameter \"factor\" (known: factors, regFactors",
        ),
        (
            json!({"factors": 0}),
            Some("factors"),
            "factors must be an integer in 1..=1024, got 0",
        ),
        (
            json!({"factors": 2.5}),
            Some("factors"),
            "factors must be an integer in 1..=1024, got 2.5",
        ),
        (
            json!({"seed": -1}),
            Some("seed"),
            "seed must be an integer in 0..=9007199254740991, got -1",
        ),
        (
            json!({"regFactors": "x"}),
            Some("regFactors"),
            "regFactors must be a number in [0, 1000000], got \"x\"",
        ),
        (
            json!({"noiseStd": 0}),
            Some("noiseStd"),
            "noiseStd must be a number in (0, 10], got 0",
        ),
        (
            json!({"validationFraction": 0.5}),
            Some("validationFraction"),
            "in [0, 0.5), got 0.5",
        ),
        (
            json!({"method": "svd"}),
            Some("method"),
            "method must be \"gibbs\" or \"als\", got \"svd\"",
        ),
        (
            json!({"feedback": "implicit", "method": "gibbs"}),
            Some("method"),
            "implicit feedback trains with method als",
        ),
        (
            json!({"feedback": "implicit", "regScaling": "weighted", "regFactors": 0}),
            Some("regFactors"),
            "must be > 0 for implicit feedback with regScaling weighted",
        ),
        (
            json!({"feedback": "implicit", "ranking": "implicit"}),
            Some("ranking"),
            "an implicit-feedback model chooses its lists itself",
        ),
        (
            json!({"confidence": "log"}),
            Some("confidence"),
            "confidence must be \"graded\" or \"linear\", got \"log\"",
        ),
        (
            json!({"feedback": "implicit", "validationFraction": 0.1}),
            Some("validationFraction"),
            "implicit",
        ),
        (
            json!({"earlyStopping": 2, "validationFraction": 0.1}),
            Some("earlyStopping"),
            "needs method als",
        ),
        (json!([1, 2]), None, "must be an object"),
    ];
    for (given, field, message) in cases {
        let err = resolve(&given).unwrap_err();
        assert!(err.to_string().contains(message), "{given}: {err}");
        assert_eq!(field_of(err), field.map(str::to_owned), "{given}");
    }
}

#[test]
fn json_is_as_written_and_reads_back() {
    for mode in Mode::ALL {
        let params = AlsParams::defaults(mode);
        let text = serde_json::to_string(&params).unwrap();
        let back: AlsParams = serde_json::from_str(&text).unwrap();
        assert_eq!(back, params, "{text}");
    }
    // model.json holds each f32 as serde_json writes the float; JavaScript gets its shortest decimal as an f64.
    let text = serde_json::to_string(&AlsParams::default()).unwrap();
    assert!(
        text.starts_with(r#"{"factors":64,"regFactors":0.000005,"regBias":0.000005,"priorCount":1000000.0,"#),
        "{text}"
    );
    let as_written = serde_json::to_value(AsWritten(&als_defaults())).unwrap();
    assert_eq!(as_written["regFactors"], json!(0.04), "not 0.03999999910593033");
    let complete = serde_json::from_value::<CompleteParams>(serde_json::to_value(als_defaults()).unwrap()).unwrap();
    assert_eq!(complete.0, als_defaults());
    let err = serde_json::from_value::<CompleteParams>(json!({"factors": 8})).unwrap_err();
    assert!(err.to_string().contains("missing parameter regFactors"), "{err}");
    let mut unknown = serde_json::to_value(als_defaults()).unwrap();
    unknown["factor"] = json!(8);
    let err = serde_json::from_value::<CompleteParams>(unknown).unwrap_err();
    assert!(err.to_string().contains("unknown parameter \"factor\""), "{err}");
}

#[test]
fn a_stored_file_without_later_parameters_reads_them_as_trained_then() {
    let read = serde_json::from_value::<AlsParams>;
    let first = json!({"factors": 8, "regFactors": 0.05, "regBias": 0.01, "iterations": 3, "seed": 1, "threads": 0,
        "fromANewerBuild": true});
    let params = read(first.clone()).unwrap();
    assert_eq!(
        params,
        AlsParams {
            factors: 8,
            reg_factors: 0.05,
            reg_bias: 0.01,
            iterations: 3,
            seed: 1,
            ranking: Ranking::None,
            ..als_defaults()
        }
    );
    // An implicit model from before graded confidence and the plain lambda: linear, weighted, as it was trained.
    let older_implicit = read(
        json!({"factors": 8, "regFactors": 0.2, "regBias": 0.03, "iterations": 10, "seed": 1,
        "threads": 0, "feedback": "implicit", "alpha": 1.0}),
    )
    .unwrap();
    assert_eq!(
        (
            older_implicit.confidence,
            older_implicit.reg_scaling,
            older_implicit.alpha,
            older_implicit.ranking
        ),
        (Confidence::Linear, RegScaling::Weighted, 1.0, Ranking::None)
    );
    let mut damaged = first;
    damaged.as_object_mut().unwrap().remove("regBias");
    assert!(read(damaged).is_err(), "every model file has regBias");
}

#[test]
fn the_spec_lists_every_parameter_with_its_defaults() {
    let spec = serde_json::to_value(parameter_spec()).unwrap();
    let spec = spec.as_array().unwrap();
    assert_eq!(spec.len(), PARAMS.len());
    let method = spec.iter().find(|p| p["name"] == "method").unwrap();
    assert_eq!(method["type"], "word");
    assert_eq!(method["words"], json!(Method::WORDS));
    assert_eq!(
        method["defaults"],
        json!({"gibbs": "gibbs", "als": "als", "implicit": "als"})
    );
    let reg = spec.iter().find(|p| p["name"] == "regFactors").unwrap();
    assert_eq!(
        reg["defaults"]["als"],
        json!(0.04),
        "as written, not 0.03999999910593033"
    );
    let fraction = spec.iter().find(|p| p["name"] == "validationFraction").unwrap();
    assert_eq!(fraction["maxExclusive"], json!(true));
    assert!(fraction.get("minExclusive").is_none());
}
