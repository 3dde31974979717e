//! Pictures from scenario folders and QR codes, turned into textures without the asset
//! server (scenario folders live outside `assets/`).
//!
//! Step pictures are scaled down once, on load, to the largest size the screen shows them
//! at, and live on the GPU side only: a 4096 × 1080 panorama shown 500 px high would
//! otherwise hold about 70 MB at its peak (decoded, converted, kept and uploaded).

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use image::imageops::FilterType;
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
    // `into_rgba8` reuses the buffer when the file is RGBA already.
    let img = image::open(path).ok()?.into_rgba8();
    let (w, h) = img.dimensions();
    let img = if h > max_height && max_height > 0 {
        // Scaled with a real filter: the GPU would only sample it without mipmaps, which
        // shimmers on fine lines.
        let nw = (u64::from(w) * u64::from(max_height) / u64::from(h)).max(1) as u32;
        image::imageops::resize(&img, nw, max_height, FilterType::Triangle)
    } else {
        img
    };
    let (tw, th) = img.dimensions();
    let mut tex = from_rgba(tw, th, img.into_raw(), false);
    tex.asset_usage = RenderAssetUsages::RENDER_WORLD;
    Some((tex, UVec2::new(w, h)))
}
