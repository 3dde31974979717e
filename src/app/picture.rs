//! Pictures from scenario folders and QR codes, turned into textures without the asset
//! server (scenario folders live outside `assets/`).
//!
//! Step pictures are scaled down once, on load, to the largest size the screen shows them
//! at, and live on the GPU side only: a 4096 × 1080 panorama shown 500 px high once held
//! about 70 MB at its peak (decoded, converted, resized through `f32`, kept and uploaded).

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use std::path::Path;

/// An RGBA buffer as a texture; `nearest` keeps QR modules sharp. Its pixels stay readable
/// in the main world (tests decode the QR code from them).
pub fn from_rgba(w: u32, h: u32, rgba: Vec<u8>, nearest: bool) -> Image {
    let mut img = Image::new(
        Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        rgba,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD | RenderAssetUsages::MAIN_WORLD,
    );
    if nearest {
        img.sampler = ImageSampler::nearest();
    }
    img
}

/// A PNG file as a texture at most `max_height` pixels high, and the file's own size
/// (zones are given in the file's pixels); `None` if it cannot be read. The pixels go to
/// the GPU and are dropped from the main world, which only keeps the size.
pub fn load_png(path: &Path, max_height: u32) -> Option<(Image, UVec2)> {
    // Read like `klub validate` checks it: no link, no pipe, no picture beyond the limits.
    let file = crate::fsio::open_regular(path).ok()?;
    let mut reader = image::ImageReader::new(std::io::BufReader::new(file))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(crate::content::set::MAX_PANORAMA.0);
    limits.max_image_height = Some(crate::content::set::MAX_IMAGE.1);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    let (w, h) = (img.width(), img.height());
    // RGB files (ours all are) are scaled as RGB and only the small result gets its alpha:
    // converting the full-size picture first doubled the load's peak of memory.
    let (pixels, channels) = match img {
        image::DynamicImage::ImageRgb8(rgb) => (rgb.into_raw(), 3),
        other => (other.into_rgba8().into_raw(), 4),
    };
    let (tw, th, pixels) = if h > max_height && max_height > 0 {
        // Scaled with a real filter: the GPU would only sample it without mipmaps, which
        // shimmers on fine lines.
        let nw = (u64::from(w) * u64::from(max_height) / u64::from(h)).max(1) as u32;
        let small = shrink(pixels, w, h, nw, max_height, channels);
        (nw, max_height, small)
    } else {
        (w, h, pixels)
    };
    let rgba = if channels == 3 {
        pixels
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    } else {
        pixels
    };
    let mut tex = from_rgba(tw, th, rgba, false);
    tex.asset_usage = RenderAssetUsages::RENDER_WORLD;
    Some((tex, UVec2::new(w, h)))
}

/// For each output position along one axis, the first input position and the tent
/// filter's weights (summing to 1) over the inputs it covers.
fn tent(len_in: u32, len_out: u32) -> Vec<(usize, Vec<f32>)> {
    let ratio = (len_in as f32 / len_out as f32).max(1.0);
    (0..len_out)
        .map(|o| {
            let centre = (o as f32 + 0.5) * len_in as f32 / len_out as f32;
            let first = ((centre - ratio).floor().max(0.0)) as usize;
            let last = ((centre + ratio).ceil() as usize).min(len_in as usize);
            let mut w: Vec<f32> = (first..last)
                .map(|i| (1.0 - ((i as f32 + 0.5 - centre) / ratio).abs()).max(0.0))
                .collect();
            let sum: f32 = w.iter().sum();
            if sum > 0.0 {
                w.iter_mut().for_each(|x| *x /= sum);
            }
            (first, w)
        })
        .collect()
}

/// Scales pixels of `ch` bytes each down with a tent filter, rows first, keeping the
/// intermediate image in bytes: `image::imageops::resize` keeps it in `f32` (16 bytes a
/// pixel), which made a panorama's load the station's peak of memory.
pub fn shrink(src: Vec<u8>, w: u32, h: u32, nw: u32, nh: u32, ch: usize) -> Vec<u8> {
    let (wu, nwu) = (w as usize, nw as usize);
    let mut mid = vec![0u8; wu * nh as usize * ch];
    let mut acc = vec![0f32; wu * ch];
    for (y, (first, weights)) in tent(h, nh).into_iter().enumerate() {
        acc.iter_mut().for_each(|a| *a = 0.0);
        for (k, wt) in weights.iter().enumerate() {
            let row = &src[(first + k) * wu * ch..(first + k + 1) * wu * ch];
            for (a, &p) in acc.iter_mut().zip(row) {
                *a += f32::from(p) * wt;
            }
        }
        for (m, a) in mid[y * wu * ch..(y + 1) * wu * ch].iter_mut().zip(&acc) {
            *m = a.round().clamp(0.0, 255.0) as u8;
        }
    }
    drop(src);
    let cols = tent(w, nw);
    let mut out = vec![0u8; nwu * nh as usize * ch];
    for y in 0..nh as usize {
        let row = &mid[y * wu * ch..(y + 1) * wu * ch];
        for (x, (first, weights)) in cols.iter().enumerate() {
            let mut px = [0f32; 4];
            for (k, wt) in weights.iter().enumerate() {
                let i = (first + k) * ch;
                for (c, v) in px.iter_mut().take(ch).enumerate() {
                    *v += f32::from(row[i + c]) * wt;
                }
            }
            let o = (y * nwu + x) * ch;
            for (c, v) in px.iter().take(ch).enumerate() {
                out[o + c] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shrink;

    #[test]
    fn shrinking_keeps_flat_colours_and_averages_stripes() {
        // A flat colour stays that colour.
        let flat = [12u8, 200, 99, 255].repeat(40 * 30);
        let out = shrink(flat, 40, 30, 17, 9, 4);
        assert_eq!(out.len(), 17 * 9 * 4);
        assert!(out.chunks(4).all(|p| p == [12, 200, 99, 255]), "{out:?}");
        // One-pixel black and white columns, halved, average to mid grey.
        let stripes: Vec<u8> = (0..8 * 4)
            .flat_map(|i| {
                let v = if i % 2 == 0 { 0 } else { 255 };
                [v, v, v, 255]
            })
            .collect();
        let out = shrink(stripes, 8, 4, 4, 2, 4);
        // Inside, exactly half way; at the edges the cut filter leans a little.
        let grey: Vec<u8> = out.chunks(4).map(|p| p[0]).collect();
        assert!(out.chunks(4).all(|p| p[3] == 255));
        assert!(grey.iter().all(|g| (100..=155).contains(g)), "{grey:?}");
        assert!([1, 2, 5, 6].iter().all(|&i| grey[i] == 128), "{grey:?}");
        // Three bytes a pixel work the same.
        let rgb = [12u8, 200, 99].repeat(40 * 30);
        let out = shrink(rgb, 40, 30, 17, 9, 3);
        assert_eq!(out.len(), 17 * 9 * 3);
        assert!(out.chunks(3).all(|p| p == [12, 200, 99]), "{out:?}");
    }
}
