//! The macro that turns the table in `table.rs` into [`super::AlsParams`] and [`super::PARAMS`], so a parameter's
//! field, name, range, help and defaults are written on one entry.

/// One entry per parameter:
///
/// ```text
/// field: type as "jsonName" {
///     cli: "--flag <n>",            (optional: the `movierec train` flag)
///     help: "...",                  (the field's doc and the flag's help)
///     kind: integer(1, 1024),       (type and range: integer, number or words)
///     applies: ALL,                 (the modes it is used by)
///     defaults: [gibbs, als, implicit],
///     search: ...,                  (optional: where `movierec tune --trials` samples it)
/// }
/// ```
macro_rules! training_params {
    ($(
        $field:ident: $ty:ty as $name:literal {
            $(cli: $cli:literal,)?
            help: $help:literal,
            kind: $kind:expr,
            applies: $applies:expr,
            defaults: [$gibbs:expr, $als:expr, $implicit:expr],
            $(search: $search:expr,)?
        }
    )*) => {
        /// The training parameters. Each field's doc is its help text; [`PARAMS`] holds its JSON name, range, the
        /// modes it applies to, and [`AlsParams::defaults`] its default per mode.
        #[derive(Clone, Debug, PartialEq)]
        pub struct AlsParams {
            $(#[doc = $help] pub $field: $ty,)*
        }

        /// Every parameter's definition, in the order of [`AlsParams`]' fields (and of model.json).
        pub const PARAMS: &[ParamDef] = &[$(ParamDef {
            name: $name,
            cli: training_params!(@optional $($cli)?),
            help: $help,
            kind: $kind,
            applies: $applies,
            search: training_params!(@optional $($search)?),
        },)*];

        impl AlsParams {
            /// The defaults of `mode`.
            pub fn defaults(mode: Mode) -> Self {
                match mode {
                    Mode::Gibbs => Self { $($field: $gibbs,)* },
                    Mode::Als => Self { $($field: $als,)* },
                    Mode::Implicit => Self { $($field: $implicit,)* },
                }
            }

            /// Every parameter's value, in [`PARAMS`] order.
            pub fn values(&self) -> Vec<ParamValue> {
                vec![$(ParamType::value(&self.$field),)*]
            }

            /// Sets the parameter called `name` from a JSON value of its type (its range is checked by `validate`).
            pub(super) fn set(&mut self, name: &str, value: &serde_json::Value) -> Result<()> {
                let read = match name {
                    $($name => ParamType::read(value).map(|v| self.$field = v),)*
                    _ => return Err(unknown_parameter(name)),
                };
                read.ok_or_else(|| wrong_value(name, value))
            }
        }
    };
    (@optional) => { None };
    (@optional $value:expr) => { Some($value) };
}
