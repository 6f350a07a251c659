//! The `.npy` format (version 1.0), just what model files and `.npz` archives of other engines need: little-endian
//! `f4`, `f8`, `u4`, `u8`, `i8`, C order, 0-D (scalars), 1-D or 2-D. Headers are padded so the data starts at a multiple of 64 bytes, as numpy itself writes them.
//! Reading accepts versions 1.0-3.0 (numpy writes 2.0 only for huge headers) and checks the data length exactly.

use std::io::Write;

const MAGIC: &[u8; 6] = b"\x93NUMPY";
const ALIGN: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
    U32,
    U64,
    I64,
}

impl Dtype {
    /// numpy's name of the type (`'descr'` in the header).
    pub fn descr(self) -> &'static str {
        match self {
            Dtype::F32 => "<f4",
            Dtype::F64 => "<f8",
            Dtype::U32 => "<u4",
            Dtype::U64 => "<u8",
            Dtype::I64 => "<i8",
        }
    }
    fn size(self) -> usize {
        match self {
            Dtype::F32 | Dtype::U32 => 4,
            Dtype::F64 | Dtype::U64 | Dtype::I64 => 8,
        }
    }
}

/// Element types that map to a `Dtype`.
pub trait Element: crate::array_data::Plain {
    const DTYPE: Dtype;
    fn write_le(values: &[Self], out: &mut dyn Write) -> std::io::Result<()>;
    fn read_le(bytes: &[u8]) -> Vec<Self>;
}

macro_rules! element {
    ($t:ty, $dtype:expr) => {
        impl Element for $t {
            const DTYPE: Dtype = $dtype;
            fn write_le(values: &[Self], out: &mut dyn Write) -> std::io::Result<()> {
                // Convert in blocks so a large array never needs a second full-size copy.
                let mut buf = Vec::with_capacity(64 * 1024);
                for block in values.chunks(8192) {
                    buf.clear();
                    block.iter().for_each(|v| buf.extend_from_slice(&v.to_le_bytes()));
                    out.write_all(&buf)?;
                }
                Ok(())
            }
            fn read_le(bytes: &[u8]) -> Vec<Self> {
                bytes
                    .chunks_exact(std::mem::size_of::<$t>())
                    .map(|c| <$t>::from_le_bytes(c.try_into().unwrap()))
                    .collect()
            }
        }
    };
}
element!(f32, Dtype::F32);
element!(f64, Dtype::F64);
element!(u32, Dtype::U32);
element!(u64, Dtype::U64);
element!(i64, Dtype::I64);

/// The header for an array of numpy type `descr` (`<f4`, `|b1`, `<U7`, ...) and `shape` (none for a scalar),
/// padded to a multiple of 64 bytes.
pub fn header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let shape_text = match shape {
        [n] => format!("({n},)"),
        dims => format!("({})", dims.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    };
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // magic (6) + version (2) + header length (2) + dict + padding spaces + '\n'
    let unpadded = MAGIC.len() + 2 + 2 + dict.len() + 1;
    let header_len = dict.len() + 1 + (ALIGN - unpadded % ALIGN) % ALIGN;
    let mut out = Vec::with_capacity(10 + header_len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(10 + header_len - 1, b' ');
    out.push(b'\n');
    out
}

/// Writes a whole `.npy` file body (header and data) to `out`.
pub fn write<T: Element>(out: &mut dyn Write, shape: &[usize], values: &[T]) -> std::io::Result<()> {
    debug_assert_eq!(shape.iter().product::<usize>(), values.len());
    out.write_all(&header(T::DTYPE.descr(), shape))?;
    T::write_le(values, out)
}

/// Parses a `.npy` file of element type `T`: returns its shape and values. The message of an error says what is
/// wrong (the caller adds the file name).
pub fn read<T: Element>(bytes: &[u8]) -> Result<(Vec<usize>, Vec<T>), String> {
    let layout = layout::<T>(bytes)?;
    Ok((layout.shape, T::read_le(&bytes[layout.data_start..])))
}

/// Where a `.npy` file's values are: its shape, and the byte at which its `count` values of `T` start (they run
/// exactly to the end of the file).
pub struct Layout {
    pub shape: Vec<usize>,
    pub data_start: usize,
    pub count: usize,
}

/// Checks a `.npy` file of element type `T` (magic, version, element type, order, shape, exact data length) and
/// says where its values are.
pub fn layout<T: Element>(bytes: &[u8]) -> Result<Layout, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file (bad magic bytes)".into());
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize, 12),
        v => return Err(format!("unsupported .npy version {v}.{}", bytes[7])),
    };
    let data_start = start + header_len;
    let dict = bytes.get(start..data_start).ok_or("truncated header")?;
    let dict = std::str::from_utf8(dict).map_err(|_| "header is not text")?;
    let descr = quoted_value(dict, "descr").ok_or("header has no 'descr'")?;
    if descr != T::DTYPE.descr() {
        return Err(format!("element type {descr}, expected {}", T::DTYPE.descr()));
    }
    if !raw_value(dict, "fortran_order").is_some_and(|v| v.starts_with("False")) {
        return Err("not in C order (fortran_order must be False)".into());
    }
    let shape = parse_shape(dict).ok_or("header has no readable 'shape'")?;
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("shape overflows")?;
    let want = count.checked_mul(T::DTYPE.size()).ok_or("shape overflows")?;
    let data = &bytes[data_start.min(bytes.len())..];
    if data.len() < want {
        return Err(format!(
            "truncated: {} data bytes, shape {shape:?} needs {want}",
            data.len()
        ));
    }
    if data.len() > want {
        return Err(format!("{} bytes after the data of shape {shape:?}", data.len() - want));
    }
    Ok(Layout {
        shape,
        data_start,
        count,
    })
}

/// The text after `'key':` up to the end of the dict.
fn raw_value<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let at = dict.find(&format!("'{key}'"))?;
    let rest = dict[at + key.len() + 2..].trim_start();
    Some(rest.strip_prefix(':')?.trim_start())
}

fn quoted_value<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let v = raw_value(dict, key)?;
    let quote = v.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let v = &v[1..];
    Some(&v[..v.find(quote)?])
}

fn parse_shape(dict: &str) -> Option<Vec<usize>> {
    let v = raw_value(dict, "shape")?.strip_prefix('(')?;
    let inside = &v[..v.find(')')?];
    inside
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_aligned_and_round_trip() {
        for shape in [vec![0usize], vec![3], vec![2, 5], vec![123_456_789, 64]] {
            let h = header(Dtype::F32.descr(), &shape);
            assert_eq!(h.len() % 64, 0, "{shape:?}");
            assert_eq!(*h.last().unwrap(), b'\n');
        }
        let mut bytes = Vec::new();
        write(&mut bytes, &[2, 3], &[1.0f32, 2.0, 3.0, 4.0, 5.0, -0.5]).unwrap();
        let (shape, values) = read::<f32>(&bytes).unwrap();
        assert_eq!(shape, vec![2, 3]);
        assert_eq!(values, vec![1.0, 2.0, 3.0, 4.0, 5.0, -0.5]);
        let mut bytes = Vec::new();
        write(&mut bytes, &[2], &[7u64, u64::MAX]).unwrap();
        assert_eq!(read::<u64>(&bytes).unwrap(), (vec![2], vec![7, u64::MAX]));
    }

    #[test]
    fn wrong_type_truncation_and_garbage_are_refused() {
        let mut bytes = Vec::new();
        write(&mut bytes, &[4], &[1u32, 2, 3, 4]).unwrap();
        assert!(read::<f32>(&bytes).unwrap_err().contains("expected <f4"));
        assert!(read::<u32>(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .contains("truncated"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read::<u32>(&longer).unwrap_err().contains("after the data"));
        assert!(read::<u32>(b"hello world, not npy").unwrap_err().contains("magic"));
        assert!(read::<u32>(&bytes[..20]).is_err());
    }
}
