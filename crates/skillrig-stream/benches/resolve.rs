//! Resolve `latest` for one binary among 10,000 tags spread over 20 streams: half build-metadata
//! templates (`v{version}+binN`), half prefix and path templates, shuffled, with drafts, prereleases
//! and GitHub-flagged prereleases mixed in.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use skillrig_stream::{Release, Stream, TagTemplate, Version, VersionRequest};

const STREAMS: usize = 20;
const TAGS: usize = 10_000;

struct Fixture {
    templates: Vec<TagTemplate>,
    tags: Vec<(String, bool, bool)>,
}

fn fixture() -> Fixture {
    let templates: Vec<TagTemplate> = (0..STREAMS)
        .map(|i| match i % 4 {
            0 | 1 => format!("v{{version}}+bin{i}"),
            2 => format!("bin{i}-v{{version}}"),
            _ => format!("cli/bin{i}/v{{version}}"),
        })
        .map(|t| TagTemplate::new(&t).expect("template"))
        .collect();
    let mut tags = Vec::with_capacity(TAGS);
    for n in 0..TAGS {
        let template = &templates[n % STREAMS];
        let k = n / STREAMS;
        let mut version = Version::new((k / 100) as u64, ((k / 10) % 10) as u64, (k % 10) as u64);
        if n % 17 == 0 {
            version.pre = semver::Prerelease::new("rc.1").expect("prerelease");
        }
        let draft = n % 101 == 0;
        let flagged = n % 53 == 0;
        tags.push((template.render(&version), draft, flagged));
    }
    shuffle(&mut tags);
    Fixture { templates, tags }
}

fn releases(fixture: &Fixture) -> Vec<Release<'_>> {
    fixture
        .tags
        .iter()
        .map(|(tag, draft, prerelease)| Release {
            tag,
            draft: *draft,
            prerelease: *prerelease,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let fixture = fixture();
    let releases = releases(&fixture);
    let latest = VersionRequest::Latest;
    for (label, template) in [
        ("build-metadata", &fixture.templates[0]),
        ("path", &fixture.templates[3]),
    ] {
        c.bench_function(
            &format!("resolve latest, 10k tags / 20 streams ({label})"),
            |b| {
                b.iter(|| {
                    let stream = Stream::from_releases(
                        black_box(template),
                        black_box(&releases).iter().copied(),
                    );
                    stream
                        .resolve(&latest)
                        .map(|pin| pin.tag.clone())
                        .expect("latest")
                });
            },
        );
    }
    let stream = Stream::from_releases(&fixture.templates[0], releases.iter().copied());
    assert_eq!(stream.pins().len(), 495, "500 tags less the drafts");
    let prefix = VersionRequest::parse("2.4").expect("request");
    c.bench_function("resolve 2.4 on a built stream (500 versions)", |b| {
        b.iter(|| {
            black_box(&stream)
                .resolve(black_box(&prefix))
                .map(|pin| pin.version.minor)
        })
    });
}

/// A fixed xorshift shuffle, so every run measures the same order.
fn shuffle<T>(items: &mut [T]) {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
