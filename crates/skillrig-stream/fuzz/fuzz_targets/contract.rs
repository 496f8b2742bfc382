//! Feeds arbitrary text to both contract parsers; whatever parses must render, serialize and parse
//! again to the same origin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillrig_stream::{Origin, Platform, Version};

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
            assert!(origin.binary(binary.name()).is_ok());
            for (os, arch) in [("linux", "x64"), ("macos", "arm64"), ("windows", "x64")] {
                let asset = binary
                    .asset(&Version::new(1, 2, 3), &Platform::new(os, arch))
                    .expect("parse-time checks cover the common platforms");
                assert!(!asset.name.contains("..") && !asset.name.contains('/'));
                assert!(!asset.bin.contains("..") && !asset.bin.starts_with('/'));
            }
        }
    }
});
