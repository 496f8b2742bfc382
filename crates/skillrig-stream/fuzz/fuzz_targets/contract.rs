//! Feeds arbitrary text to both metadata parsers; whatever parses must serialize and parse again to
//! the same origin, and picking from an empty release may only miss, never render an unsafe name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillrig_stream::{Error, Origin, Pin, Platform, Version};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [
        Origin::from_toml("fuzz.toml", text),
        Origin::from_json("fuzz.json", text),
    ] {
        let Ok(origin) = parsed else {
            continue;
        };
        let json = serde_json::to_string(&origin).expect("an origin serializes");
        let again = Origin::from_json(origin.file(), &json).expect("a serialized origin parses");
        assert_eq!(again, origin);
        for binary in origin.binaries() {
            assert_eq!(&origin.binary(binary.name()), binary);
            let pin = Pin::new(Version::new(1, 2, 3), "1.2.3");
            for (os, arch) in [("linux", "x64"), ("macos", "arm64"), ("windows", "x64")] {
                let missed = binary.pick(&pin, &Platform::new(os, arch), &[]);
                assert!(matches!(missed, Err(Error::Pick { .. })), "{missed:?}");
            }
        }
    }
});
