//! Splits the input into a tag template and a tag: a matched tag must render back to itself, and the
//! stream built from it must pin it; a request must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillrig_stream::{Release, Stream, TagTemplate, VersionRequest};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, rest) = text.split_once('\n').unwrap_or((text, ""));
    let (tag, request) = rest.split_once('\n').unwrap_or((rest, ""));
    let _ = VersionRequest::parse(request);
    let Ok(template) = TagTemplate::new(template) else {
        return;
    };
    let release = Release { tag, draft: false, prerelease: false };
    let stream = Stream::from_releases(&template, [release]);
    match template.match_tag(tag) {
        Some(version) => {
            assert_eq!(template.render(&version), tag);
            assert!(version.build.is_empty());
            let request = VersionRequest::parse(&version.to_string()).expect("a version is a request");
            assert_eq!(stream.resolve(&request).map(|pin| pin.tag.as_str()), Ok(tag));
        }
        None => assert!(stream.pins().is_empty()),
    }
    if let Ok(request) = VersionRequest::parse(request) {
        let _ = stream.resolve(&request);
        assert_eq!(VersionRequest::parse(&request.to_string()), Ok(request));
    }
});
