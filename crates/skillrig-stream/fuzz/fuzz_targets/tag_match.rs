//! Splits the input into a tag template and a tag: a matched tag must render back to itself, and the
//! stream built from it must pin it; a request must never panic. The tag is also read by the
//! convention: a binary it names must read it back, and the binary's pattern must give the version.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillrig_stream::convention::parse_tag;
use skillrig_stream::{Release, Stream, TagPattern, TagTemplate, VersionRequest};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, rest) = text.split_once('\n').unwrap_or((text, ""));
    let (tag, request) = rest.split_once('\n').unwrap_or((rest, ""));
    let _ = VersionRequest::parse(request);
    if let Some(read) = parse_tag(tag) {
        assert!(read.version.build.is_empty());
        assert_eq!(TagPattern::convention(read.bin).match_tag(tag), Some(read.version.clone()));
        assert_eq!(read.shape.render(read.bin, &read.version), tag);
        // a binary named by any other split of the tag does not read it
        for (at, _) in tag.match_indices(['-', '+', '/']) {
            for other in [&tag[..at], &tag[at + 1..]] {
                if other != read.bin {
                    assert_eq!(TagPattern::convention(other).match_tag(tag), None, "{other}");
                }
            }
        }
    }
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
