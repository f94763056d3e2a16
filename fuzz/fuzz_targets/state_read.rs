//! State files: any bytes, read as `--state FILE` reads them (encoding sniffed, UTF-16
//! transcoded, an array streamed by blocks on worker threads), and checked against the other
//! readers of the same text: the whole-file reader, the streaming reader cut into tiny blocks
//! over 1 to 3 workers, and the reader that splits its visitor. All give the same tenant, or
//! the same error in the same words at the same place.
#![no_main]

use auditform::model::Tenant;
use auditform::state::encoding::TextEncoding;
use auditform::state::snapshot::{
    read_array_stream, read_array_stream_split, read_snapshot_bytes_with_shape, Shape, StreamTuning,
};
use auditform::state::ReadOptions;
use auditform_fuzz::{read_as_file, read_as_file_split, scratch_file, shown, Parts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Half the inputs keep every property, as a writer does; half keep only what is managed.
    let options = if data.len() % 2 == 0 {
        ReadOptions::default()
    } else {
        ReadOptions::every_property()
    };
    let label = scratch_file().display().to_string();
    let from_file = read_as_file(data, &options).map_err(|error| shown(&error));
    if let Err(message) = &from_file {
        assert!(!message.is_empty());
    }
    let Ok((text, _)) = TextEncoding::decode_whole(data.to_vec()) else {
        assert!(
            from_file.is_err(),
            "bytes that don't decode read as a tenant"
        );
        return;
    };

    let mut tenant = Tenant::default();
    let whole = read_snapshot_bytes_with_shape(&text, &label, &mut tenant, &options)
        .map(|shape| (tenant, shape))
        .map_err(|error| shown(&error));
    assert_eq!(
        from_file, whole,
        "the file and the whole-text reader disagree"
    );

    let split = read_as_file_split(data, &options);
    assert_eq!(
        split.map_err(|error| shown(&error)),
        whole.clone().map(|(tenant, _)| tenant),
        "the splitting reader disagrees"
    );

    let is_array = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if !is_array {
        return;
    }
    if let Ok((_, shape)) = &whole {
        assert_eq!(*shape, Shape::PowerShellArray);
    }
    let tuning = StreamTuning {
        block_bytes: 1 + data.len() * 7 % 61,
        workers: 1 + data.len() % 3,
    };
    let whole = whole.map(|(tenant, _)| tenant);
    let mut tenant = Tenant::default();
    let streamed = read_array_stream(text.as_slice(), &label, &mut tenant, &options, tuning)
        .map(|()| tenant)
        .map_err(|error| shown(&error));
    assert_eq!(streamed, whole, "streamed in blocks of {tuning:?}");
    let mut parts = Parts::default();
    let split = read_array_stream_split(text.as_slice(), &label, &mut parts, &options, tuning)
        .map(|()| parts.0)
        .map_err(|error| shown(&error));
    assert_eq!(split, whole, "split in blocks of {tuning:?}");
});
