//! The numbers of a large array, either owned (built by training) or borrowed from a memory-mapped model file.
//!
//! Loading an ML-25M-size model copied ~200 MB of training ratings out of the page cache into fresh memory, and the
//! kernel's work of handing out that memory (one page fault, cgroup charge and zeroing per 4 KiB page) was most of a
//! load's time. A `.npy` file's data is already the array in memory order on a little-endian machine, 64-byte
//! aligned, so a loaded model reads it where the page cache holds it.
//!
//! Why mapping a model file is safe here: model folders are written once and never modified in place. A save writes
//! a new folder and renames it over the old one (`model_io`), so the inode a mapping holds keeps its bytes until the
//! last mapping of it is dropped, even after the folder is replaced or deleted. Overwriting the files of a model in
//! place while a process has it loaded (copying other files over them instead of renaming a folder into place) is
//! not supported: the loaded model would see the new bytes unchecked (its row bounds are owned, so changed movie
//! indices or ratings only change which movies a list leaves out), and a shortened file faults (SIGBUS) on the
//! missing pages.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use memmap2::Mmap;

/// Element types whose every bit pattern is a valid value, so the bytes of a mapped file can be read as them.
pub trait Plain: Copy + Send + Sync + 'static + sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for i64 {}
}
impl Plain for u32 {}
impl Plain for u64 {}
impl Plain for f32 {}
impl Plain for f64 {}
impl Plain for i64 {}

/// A slice of `T` that is owned or borrowed from a mapped file. Reads go through `Deref<Target = [T]>`; a write
/// through `DerefMut` first copies mapped numbers into an owned vector (like `Cow::to_mut`), so the file is never
/// written. Clones of a mapped array share the mapping.
pub struct ArrayData<T: Plain>(Repr<T>);

enum Repr<T> {
    Owned(Vec<T>),
    /// `len` values of `T` at byte `offset` of `map`; the constructor checked bounds, alignment and byte order.
    Mapped {
        map: Arc<Mmap>,
        offset: usize,
        len: usize,
    },
}

impl<T: Plain> ArrayData<T> {
    /// `len` values at byte `offset` of `map`, read in place; `None` when they cannot be (out of the file, not
    /// aligned for `T`, or a big-endian machine, where the little-endian file needs converting).
    pub(crate) fn mapped(map: Arc<Mmap>, offset: usize, len: usize) -> Option<Self> {
        let bytes = len.checked_mul(std::mem::size_of::<T>())?;
        let in_file = offset.checked_add(bytes).is_some_and(|end| end <= map.len());
        let aligned = (map.as_ptr() as usize)
            .wrapping_add(offset)
            .is_multiple_of(std::mem::align_of::<T>());
        (cfg!(target_endian = "little") && in_file && aligned).then_some(Self(Repr::Mapped { map, offset, len }))
    }

    /// Whether the numbers are read from a mapped file (rather than owned).
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Repr::Mapped { .. })
    }

    /// The numbers as an owned vector (a copy when they are mapped).
    pub fn into_vec(self) -> Vec<T> {
        match self.0 {
            Repr::Owned(v) => v,
            Repr::Mapped { .. } => self.to_vec(),
        }
    }
}

impl<T: Plain> Deref for ArrayData<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.0 {
            Repr::Owned(v) => v,
            // SAFETY: `mapped` checked that the range lies in the map and is aligned for `T`, and every bit pattern
            // is a `T` (`Plain`). The map is read-only and lives as long as `self` (the `Arc`); the file under it is
            // never modified in place (module doc).
            Repr::Mapped { map, offset, len } => unsafe {
                std::slice::from_raw_parts(map.as_ptr().add(*offset).cast::<T>(), *len)
            },
        }
    }
}

impl<T: Plain> DerefMut for ArrayData<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        if self.is_mapped() {
            self.0 = Repr::Owned(self.to_vec());
        }
        match &mut self.0 {
            Repr::Owned(v) => v,
            Repr::Mapped { .. } => unreachable!("copied into an owned vector above"),
        }
    }
}

impl<T: Plain> From<Vec<T>> for ArrayData<T> {
    fn from(v: Vec<T>) -> Self {
        Self(Repr::Owned(v))
    }
}

impl<T: Plain> Default for ArrayData<T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<T: Plain> Clone for ArrayData<T> {
    fn clone(&self) -> Self {
        match &self.0 {
            Repr::Owned(v) => Self(Repr::Owned(v.clone())),
            Repr::Mapped { map, offset, len } => Self(Repr::Mapped {
                map: Arc::clone(map),
                offset: *offset,
                len: *len,
            }),
        }
    }
}

impl<T: Plain + fmt::Debug> fmt::Debug for ArrayData<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: Plain + PartialEq> PartialEq for ArrayData<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn map_of(bytes: &[u8]) -> Arc<Mmap> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        Arc::new(unsafe { Mmap::map(&file) }.unwrap())
    }

    #[test]
    fn mapped_numbers_read_in_place_and_copy_on_write() {
        let values = [1.5f32, -2.0, 3.25];
        let mut bytes = vec![0u8; 64];
        values.iter().for_each(|v| bytes.extend_from_slice(&v.to_le_bytes()));
        let map = map_of(&bytes);
        let mut a = ArrayData::<f32>::mapped(Arc::clone(&map), 64, 3).expect("aligned and in the file");
        assert!(a.is_mapped());
        assert_eq!(&*a, &values);
        let shared = a.clone();
        a[1] = 7.0;
        assert!(!a.is_mapped());
        assert_eq!(&*a, &[1.5, 7.0, 3.25]);
        assert_eq!(&*shared, &values, "the mapped file and its other readers are untouched");
        assert_eq!(shared.clone().into_vec(), values.to_vec());
    }

    #[test]
    fn ranges_outside_the_file_or_misaligned_are_refused() {
        let map = map_of(&[0u8; 64]);
        assert!(ArrayData::<u32>::mapped(Arc::clone(&map), 0, 17).is_none());
        assert!(ArrayData::<u32>::mapped(Arc::clone(&map), 62, 1).is_none());
        assert!(ArrayData::<u64>::mapped(Arc::clone(&map), 4, 1).is_none());
        assert!(ArrayData::<u32>::mapped(Arc::clone(&map), usize::MAX, 1).is_none());
        assert_eq!(ArrayData::<u64>::mapped(map, 8, 7).map(|a| a.len()), Some(7));
    }
}
