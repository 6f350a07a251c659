//! Which vector unit a kernel is compiled for, and the one way a row solve picks it at run time.
//!
//! Kernels take the unit as a const generic `ISA` (one of the constants below) and are `#[inline(always)]`, so the
//! whole row solve is compiled once per unit inside a `#[target_feature]` function. [`dispatch_by_isa!`] writes the
//! public entry point that checks the CPU (a cached load) and calls the widest copy.

/// Plain Rust, no target features: what a CPU without AVX2 and FMA runs.
pub(crate) const PORTABLE: u8 = 0;
/// AVX2 and FMA (256-bit vectors).
pub(crate) const AVX2: u8 = 1;
/// AVX-512F (512-bit vectors).
pub(crate) const AVX512: u8 = 2;

/// f32 lanes of the widest unit (one AVX-512 register): vectors are padded to a multiple of it, and tiles and row
/// groups are this wide.
pub(crate) const F32_LANES: usize = 16;
/// f64 lanes of the widest unit.
pub(crate) const F64_LANES: usize = 8;

/// Defines `$vis fn $name(args) -> ret` that runs `$generic::<ISA>(args)` compiled for the widest vector unit the
/// CPU has: AVX-512F, else AVX2 + FMA, else portable code.
macro_rules! dispatch_by_isa {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $generic:ident
    ) => {
        $(#[$meta])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $generic::<{ $crate::linalg::isa::AVX512 }>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $generic::<{ $crate::linalg::isa::AVX2 }>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F (checked just above).
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                    return unsafe { avx2($($arg),*) };
                }
            }
            $generic::<{ $crate::linalg::isa::PORTABLE }>($($arg),*)
        }
    };
}

pub(crate) use dispatch_by_isa;
